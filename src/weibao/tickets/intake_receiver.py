"""Inbound messages become requests or replies; agents' replies go back by e-mail.

Intake (a lower layer) stores each message once and calls :func:`receive` inside the
transaction that marks it processed, so a request or reply exists exactly when its
message says ``done``. Threading: In-Reply-To / References against the Message-IDs
stored per request, then the subject token ``[WB-…]``. Only a contact of the
request's client may reply into it; anyone else goes to review.
"""

from __future__ import annotations

import email.utils
import re
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from weibao.accounts.audit import event_record
from weibao.customers.models import Client, Contact
from weibao.customers.services.technical_files import upload_errors
from weibao.intake import conf
from weibao.intake.models import InboundMessage, Source, ThreadMessageId
from weibao.intake.parsing import TOKEN, Attachment, ParsedMail, html_to_text, parse
from weibao.intake.services import CLIENT_CHOICES, Ignore, Quarantine, Release, handler_register
from weibao.tickets import workflow
from weibao.tickets.models import Channel, Ticket, TicketEvent
from weibao.tickets.services._common import snapshot, ticket_save, timeline_add
from weibao.tickets.services.numbers import number_next
from weibao.tickets.services.quality import complaint_ensure
from weibao.tickets.services.tickets import MAX_ATTACHMENTS, _store_attachments, _validate

SOURCE_CHANNELS = {
    Source.EMAIL: Channel.EMAIL,
    Source.WECOM: Channel.WECOM,
    Source.DINGTALK: Channel.DINGTALK,
    Source.FEISHU: Channel.FEISHU,
    Source.WEBHOOK: Channel.API,
}
IM_ID_FIELDS = {Source.WECOM: "wecom_id", Source.DINGTALK: "dingtalk_id", Source.FEISHU: "feishu_id"}
NUMBER = re.compile(r"\bWB-\d{8}-\d{3,}\b")

# Reasons a message goes to review, kept in English in the row and translated on display.
SENDER_NOT_ON_REQUEST = "sender not on the request"
NO_CLIENT = "sender matches no client"


def _client_by_domain(address: str) -> Client | None:
    domain = address.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    for client in Client.objects.filter(is_active=True, email_domains__icontains=domain):
        domains = {d.strip().lower().lstrip("@") for d in client.email_domains.split(",")}
        if domain in domains:
            return client
    return None


def _attachments(attachments: list[Attachment]) -> tuple[list[SimpleUploadedFile], list[str]]:
    accepted: list[SimpleUploadedFile] = []
    refused: list[str] = []
    for item in attachments:
        upload = SimpleUploadedFile(item.name, item.data, content_type=item.content_type)
        if upload_errors(upload) or len(accepted) >= MAX_ATTACHMENTS:
            refused.append(item.name)
        else:
            accepted.append(upload)
    return accepted, refused


def _open(
    *,
    client: Client,
    contact: Contact | None,
    channel: str,
    title: str,
    body: str,
    data: dict[str, Any],
    files: list[SimpleUploadedFile],
) -> Ticket:
    """Register a request from a message (no user acts: the system registers it)."""
    kind = workflow.Kind.CONSULTATION
    ticket = Ticket(
        client=client,
        contact=contact,
        channel=channel,
        kind=kind,
        level=3,
        title=(title.strip() or _("(no subject)"))[:200],
        description=body,
        status=workflow.initial_status(kind),
        caller_name=(contact.name if contact else "")[:100],
    )
    _validate(ticket)
    ticket.number = number_next()
    ticket.save()
    event = timeline_add(ticket=ticket, actor=None, kind=TicketEvent.Kind.CREATED, body=body, data=data)
    if files:
        _store_attachments(ticket=ticket, event=event, actor=None, files=files, internal=False)  # type: ignore[arg-type]
    complaint_ensure(ticket=ticket, actor=None)
    event_record(actor=None, action="ticket.create", obj=ticket, client_id=client.pk, after=snapshot(ticket))
    return ticket


def _reply(*, ticket: Ticket, body: str, data: dict[str, Any], files: list[SimpleUploadedFile]) -> None:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    before = snapshot(locked)
    event = timeline_add(ticket=locked, actor=None, kind=TicketEvent.Kind.REPLY, body=body, data=data)
    if files:
        _store_attachments(ticket=locked, event=event, actor=None, files=files, internal=False)  # type: ignore[arg-type]
    if locked.state == workflow.Status.PENDING_CLIENT:
        locked.status = locked.resume_status or workflow.Status.IN_PROGRESS
        locked.resume_status = ""
        timeline_add(
            ticket=locked,
            actor=None,
            kind=TicketEvent.Kind.STATUS,
            data={
                "action": workflow.Action.RESUME.value,
                "from": workflow.Status.PENDING_CLIENT.value,
                "to": locked.status,
            },
        )
    ticket_save(ticket=locked, actor=None, action="ticket.reply", before=before)


def _thread_ticket(mail: ParsedMail) -> Ticket | None:
    ids = mail.thread_ids
    if ids:
        ref = ThreadMessageId.objects.filter(message_id__in=ids).order_by("-id").first()
        if ref is not None:
            found = Ticket.objects.filter(pk=ref.ticket_id).first()
            if found is not None:
                return found
    token = mail.subject_token
    if token:
        return Ticket.objects.filter(number=token).first()
    return None


def _follow_merge(ticket: Ticket) -> Ticket:
    seen = 0
    while ticket.merged_into_id is not None and seen < 10:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
        seen += 1
    return ticket


def _mail_body(mail: ParsedMail) -> str:
    return mail.body_html()


def _receive_mail(row: InboundMessage, release: Release | None) -> tuple[str, int]:
    mail = parse(bytes(row.raw))
    if mail.automatic and release is None:
        raise Ignore(mail.automatic)
    contact = (
        Contact.objects.filter(email__iexact=mail.sender).select_related("client").first() if mail.sender else None
    )
    files, refused = _attachments(mail.attachments)
    data: dict[str, Any] = {"channel": Channel.EMAIL, "from": mail.sender, "inbound": row.pk}
    if mail.quoted:
        data["quoted"] = mail.quoted[:20000]
    if refused:
        data["refused_files"] = refused
    ticket = None if release is not None else _thread_ticket(mail)
    if ticket is not None:
        ticket = _follow_merge(ticket)
        if contact is None or contact.client_id != ticket.client_id:
            raise Quarantine(SENDER_NOT_ON_REQUEST)
        _reply(ticket=ticket, body=_mail_body(mail), data=data, files=files)
        outcome = "reply"
    else:
        client = contact.client if contact is not None else _client_by_domain(mail.sender)
        if release is not None and release.client_id is not None:
            client = Client.objects.get(pk=release.client_id)
            if contact is not None and contact.client_id != client.pk:
                contact = None
        if client is None:
            raise Quarantine(NO_CLIENT)
        subject = TOKEN.sub("", mail.subject).strip()
        ticket = _open(
            client=client,
            contact=contact,
            channel=Channel.EMAIL,
            title=subject,
            body=_mail_body(mail),
            data=data,
            files=files,
        )
        outcome = "new"
    if mail.message_id:
        # One INSERT that the unique (message, request) pair makes idempotent, where
        # get_or_create took a SELECT, a savepoint and its release besides.
        ThreadMessageId.objects.bulk_create(
            [ThreadMessageId(message_id=mail.message_id[:255], ticket_id=ticket.pk)], ignore_conflicts=True
        )
    if not mail.automatic:
        acknowledge(ticket=ticket, to=mail.sender, new=outcome == "new")
    return outcome, ticket.pk


def _receive_chat(row: InboundMessage, release: Release | None) -> tuple[str, int]:
    payload = row.payload
    text = str(payload.get("text", "")).strip()
    sender_id = str(payload.get("sender_id", ""))
    channel = SOURCE_CHANNELS[Source(row.source)]
    field = IM_ID_FIELDS.get(Source(row.source))
    contact = (
        Contact.objects.filter(**{field: sender_id}).select_related("client").first() if field and sender_id else None
    )
    client = contact.client if contact is not None else None
    if row.source == Source.WEBHOOK:
        code = str(payload.get("client", ""))
        client = Client.objects.filter(code=code, is_active=True).first() if code else None
        if client is not None and payload.get("contact_email"):
            contact = Contact.objects.filter(client=client, email__iexact=str(payload["contact_email"])).first()
    body = text_to_html_safe(str(payload.get("description", "")) or text)
    data: dict[str, Any] = {"channel": channel, "from": sender_id or row.origin, "inbound": row.pk}
    number = NUMBER.search(text) if release is None else None
    if number is not None:
        ticket = Ticket.objects.filter(number=number.group(0)).first()
        if ticket is not None:
            ticket = _follow_merge(ticket)
            if contact is None or contact.client_id != ticket.client_id:
                raise Quarantine(SENDER_NOT_ON_REQUEST)
            _reply(ticket=ticket, body=body, data=data, files=[])
            return "reply", ticket.pk
    if release is not None and release.client_id is not None:
        client = Client.objects.get(pk=release.client_id)
        if contact is not None and contact.client_id != client.pk:
            contact = None
    if client is None:
        raise Quarantine(NO_CLIENT)
    title = str(payload.get("title", "")) or text.split("\n", 1)[0]
    ticket = _open(client=client, contact=contact, channel=channel, title=title[:200], body=body, data=data, files=[])
    return "new", ticket.pk


def text_to_html_safe(text: str) -> str:
    from weibao.core.sanitize import text_to_html

    return text_to_html(text)


def receive(row: InboundMessage, release: Release | None) -> tuple[str, int]:
    """The intake handler: the message as a new request or a reply; raises Quarantine / Ignore."""
    if row.source == Source.EMAIL:
        return _receive_mail(row, release)
    return _receive_chat(row, release)


# --- E-mail out ---------------------------------------------------------------------------


def _domain() -> str:
    return email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def _recipient(ticket: Ticket) -> str:
    if ticket.contact is not None and ticket.contact.email:
        return ticket.contact.email
    first = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.CREATED).only("data").first()
    return str(first.data.get("from", "")) if first is not None else ""


def acknowledge(*, ticket: Ticket, to: str, new: bool) -> bool:
    """Queue an automatic acknowledgement, at most one per thread per window; True if queued."""
    if not conf.auto_reply_enabled() or not to:
        return False
    since = timezone.now() - conf.auto_reply_window()
    if ThreadMessageId.objects.filter(ticket_id=ticket.pk, automatic=True, created_at__gte=since).exists():
        return False
    return _queue(ticket=ticket, to=to, event_id=None, automatic=True, new=new)


def _queue(*, ticket: Ticket, to: str, event_id: int | None, automatic: bool, new: bool = False) -> bool:
    message_id = make_msgid(idstring=ticket.number, domain=_domain())
    ThreadMessageId.objects.create(message_id=message_id, ticket_id=ticket.pk, outbound=True, automatic=automatic)
    transaction.on_commit(
        lambda: mail_send.enqueue(
            ticket_id=ticket.pk, event_id=event_id, to=to, message_id=message_id, automatic=automatic, new=new
        )
    )
    return True


@task()
def mail_send(*, ticket_id: int, event_id: int | None, to: str, message_id: str, automatic: bool, new: bool) -> None:
    """Send one thread mail: an agent's reply or an automatic acknowledgement."""
    ticket = Ticket.objects.get(pk=ticket_id)
    refs = list(
        ThreadMessageId.objects.filter(ticket_id=ticket_id)
        .exclude(message_id=message_id)
        .order_by("id")
        .values_list("message_id", "outbound")
    )
    inbound = [mid for mid, outbound in refs if not outbound]
    with override(settings.LANGUAGE_CODE):
        if event_id is not None:
            event = TicketEvent.objects.get(pk=event_id)
            text = html_to_text(event.body)
        elif new:
            text = _(
                "We have received your request and registered it as %(number)s. "
                "Reply to this message to add to it; keep the number in the subject."
            ) % {"number": ticket.number}
        else:
            text = _("We have added your message to request %(number)s.") % {"number": ticket.number}
        subject = f"[{ticket.number}] {ticket.title}"
        if not new or event_id is not None:
            subject = "Re: " + subject
    headers = {"Message-ID": message_id}
    if inbound:
        headers["In-Reply-To"] = inbound[-1]
    if refs:
        headers["References"] = " ".join(mid for mid, _out in refs[-20:])
    if automatic:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    else:
        headers["Auto-Submitted"] = "no"
    EmailMessage(subject=subject, body=text, to=[to], headers=headers).send()


def reply_mail(*, ticket: Ticket, event: TicketEvent) -> None:
    """Send a vendor's public reply on a request that came by mail to the client, in the thread.

    Called by the reply's notification step (``tickets.notify.request_replied``) in the
    reply's transaction; the mail is queued on commit. Internal notes, client-side
    authors and requests from other channels send nothing.
    """
    if event.kind != TicketEvent.Kind.REPLY or event.internal or event.actor_id is None:
        return
    actor = event.actor
    if actor is None or actor.is_client_side or ticket.channel != Channel.EMAIL:
        return
    to = _recipient(ticket)
    if to:
        _queue(ticket=ticket, to=to, event_id=event.pk, automatic=False)


def connect() -> None:
    """Called from the service desk's AppConfig.ready."""
    handler_register(receive)
    if not CLIENT_CHOICES:
        CLIENT_CHOICES.append(lambda: list(Client.objects.filter(is_active=True).values_list("pk", "name")))
