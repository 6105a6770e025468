"""Polling IMAP mailboxes: claim, fetch unseen mail, store, process, then mark it seen.

A mailbox is claimed by a conditional UPDATE (``claimed_until`` in the past or empty),
so two schedulers or workers never poll it at once; the lease is renewed per batch
and a crashed poller's lease simply runs out. A message is marked ``\\Seen`` only
after it is stored and processed (both committed): a crash before that fetches it
again, and its dedup key makes the second delivery a no-op.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.policy
import email.utils
import logging
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags

from weibao.intake import services
from weibao.intake.crypto import secret_open
from weibao.intake.models import Mailbox, Source
from weibao.intake.parsing import dedup_key, header_text

logger = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
BATCH = 100
GROUP = 25
TIMEOUT = 30
UID = re.compile(rb"UID (\d+)")


@dataclass
class PollResult:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    error: str = ""


def mailbox_claim(mailbox_id: int, *, now: dt.datetime | None = None) -> str | None:
    """Claim ``mailbox_id`` for one poll; the claim token, or None if another poller holds it."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    claimed = (
        Mailbox.objects.filter(pk=mailbox_id, enabled=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + LEASE, claim_token=token)
    )
    return token if claimed == 1 else None


def _renew(mailbox_id: int, token: str) -> bool:
    return Mailbox.objects.filter(pk=mailbox_id, claim_token=token).update(claimed_until=timezone.now() + LEASE) == 1


def _unclaim(mailbox: Mailbox, token: str, *, error: str) -> None:
    now = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk, claim_token=token).update(
        claimed_until=None,
        claim_token="",
        last_polled_at=now,
        next_poll_at=now + dt.timedelta(seconds=max(mailbox.poll_seconds, 10)),
        last_error=error[:2000],
    )


def mailbox_connect(mailbox: Mailbox) -> BaseMailBox:
    if mailbox.security == Mailbox.Security.TLS:
        client: BaseMailBox = MailBox(mailbox.host, mailbox.port, timeout=TIMEOUT)
    elif mailbox.security == Mailbox.Security.STARTTLS:
        client = MailBoxStartTls(mailbox.host, mailbox.port, timeout=TIMEOUT)
    else:
        client = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=TIMEOUT)
    return client.login(mailbox.username, secret_open(mailbox.password_encrypted), initial_folder=mailbox.folder)


def _headers(raw: bytes) -> tuple[str, str, str]:
    head = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw, headersonly=True)
    ids = re.findall(r"<[^<>\s]+>", str(head.get("Message-ID", "")))
    sender = email.utils.parseaddr(header_text(head, "From"))[1].lower()
    return (ids[0] if ids else ""), sender, header_text(head, "Subject")


def _mark_seen(imap: BaseMailBox, uids: list[str]) -> None:
    if uids:
        imap.flag(uids, MailMessageFlags.SEEN, True)


def _ingest(mailbox: Mailbox, uid_list: list[str], imap: BaseMailBox, result: PollResult) -> None:
    """Store a batch in one transaction, process it in groups, then mark it seen.

    Each step commits before the next begins, so a crash anywhere leaves either no row
    (fetched again), ``received`` rows (processed by the next poll), or processed rows
    whose mail is fetched again and found by its dedup key.
    """
    _status, data = imap.client.uid("fetch", ",".join(uid_list), "(UID BODY.PEEK[])")
    stored: list[int] = []
    done: list[str] = []
    with transaction.atomic():
        for item in data:
            if not isinstance(item, tuple):
                continue
            found = UID.search(item[0])
            raw = bytes(item[1])
            result.fetched += 1
            message_id, sender, subject = _headers(raw)
            row, created = services.message_store(
                source=Source.EMAIL,
                dedup_key=dedup_key(raw, message_id),
                raw=raw,
                mailbox=mailbox,
                sender=sender,
                subject=subject,
            )
            result.stored += int(created)
            result.duplicates += int(not created)
            stored.append(row.pk)
            if found:
                done.append(found.group(1).decode())
    for start in range(0, len(stored), GROUP):
        # One commit per group; each message still has its own savepoint and state check.
        with transaction.atomic():
            for pk in stored[start : start + GROUP]:
                services.message_process(message_id=pk)
    _mark_seen(imap, done)


def mailbox_poll(mailbox_id: int) -> PollResult | None:
    """Poll one mailbox once if it can be claimed; None when another poller holds it."""
    token = mailbox_claim(mailbox_id)
    if token is None:
        return None
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    result = PollResult()
    try:
        services.messages_process_pending()
        with mailbox_connect(mailbox) as imap:
            uids = imap.uids(AND(seen=False))
            for start in range(0, len(uids), BATCH):
                if not _renew(mailbox.pk, token):
                    result.error = "claim lost"
                    break
                _ingest(mailbox, uids[start : start + BATCH], imap, result)
    except Exception as exc:  # a server or network problem: recorded on the mailbox, retried next time
        logger.exception("polling mailbox %s failed", mailbox.name)
        result.error = f"{type(exc).__name__}: {exc}"
    finally:
        _unclaim(mailbox, token, error=result.error)
    return result


def mailboxes_due(now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Mailbox.objects.filter(enabled=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("pk", flat=True)
    )
