"""Messages ingested per second from a real IMAP server (dovecot) into requests.

    python bench/imap_ingest.py [--messages 1000]

Starts a private dovecot on 127.0.0.1 (Debian ``dovecot-imapd``), migrates a fresh
SQLite database in a temporary data directory (or uses ``WEIBAO_DATABASE_URL`` when set,
e.g. an empty PostgreSQL database), makes one client with a contact and one mailbox,
delivers ``--messages`` mails to the inbox (four in five new requests from the contact,
one in five replies into an earlier request by In-Reply-To) and times one poll: fetch,
store raw under the dedup key, turn into a request or reply, mark seen. Acknowledgement
mail is switched off so that only ingest is timed. Prints the figure and a JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def message(i: int) -> bytes:
    reply = i % 5 == 4
    extra = f"In-Reply-To: <bench-{i - 1}@bench.test>\r\n" if reply else ""
    subject = f"Re: 故障 {i - 1}" if reply else f"故障 {i}：打印模块报错"
    head = (
        f"From: 张伟 <zhang@acme.com.cn>\r\nTo: support@weibao.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <bench-{i}@bench.test>\r\nDate: Sat, 21 Nov 2026 09:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n{extra}\r\n"
    )
    body = f"第 {i} 封：系统登录后页面空白，错误码 E{i:05d}。\r\n\r\n-----原始邮件-----\r\n请重启服务。\r\n"
    return head.encode() + body.encode("gb18030")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="wb-bench-imap-"))
    os.environ["WEIBAO_DATA_DIR"] = str(data_dir)
    os.environ["WEIBAO_INTAKE_AUTO_REPLY"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weibao.config.settings")
    migrate = subprocess.run(
        [sys.executable, "-m", "weibao.cli", "migrate", "--no-input", "-v0"], env=os.environ, check=False
    )
    if migrate.returncode:
        raise SystemExit("migrate failed")
    import django

    django.setup()
    from weibao.customers.models import Client, Contact
    from weibao.intake.crypto import secret_seal
    from weibao.intake.models import InboundMessage, Mailbox
    from weibao.intake.poller import mailbox_poll
    from weibao.intake.tests.dovecot import PASSWORD, USER, dovecot_server
    from weibao.tickets.models import Ticket

    client = Client.objects.create(name="Acme 人社局", code="acme", kind="government", email_domains="acme.com.cn")
    Contact.objects.create(client=client, name="张伟", email="zhang@acme.com.cn")
    with dovecot_server() as server:
        mailbox = Mailbox.objects.create(
            name="bench",
            host="127.0.0.1",
            port=server.port,
            security="none",
            username=USER,
            password_encrypted=secret_seal(PASSWORD),
        )
        for i in range(args.messages):
            server.deliver(message(i), f"{i:06d}.eml")
        started = time.perf_counter()
        result = mailbox_poll(mailbox.pk)
        seconds = time.perf_counter() - started
    assert result is not None
    assert not result.error, result.error
    done = InboundMessage.objects.filter(state="done").count()
    figures = {
        "messages": args.messages,
        "fetched": result.fetched,
        "processed": done,
        "requests": Ticket.objects.count(),
        "replies": InboundMessage.objects.filter(outcome="reply").count(),
        "seconds": round(seconds, 2),
        "per_second": round(done / seconds, 1),
        "database": django.db.connection.vendor,
    }
    print(
        f"imap ingest ({figures['database']}): {done} of {args.messages} messages in {seconds:.2f} s "
        f"= {figures['per_second']} messages/s ({figures['requests']} requests, {figures['replies']} replies)"
    )
    print(json.dumps(figures))
    django.db.connection.close()
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
