"""A request walked through the whole maintenance procedure, for the printed-form tests.

Status changes go through ``ticket_transition`` (so the timeline says which steps
happened); the records each step leaves are written directly.
"""

from __future__ import annotations

import base64
import datetime as dt
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path
from typing import Any

from weibao.accounts.models import User
from weibao.tickets.models import (
    Attachment,
    MaintenancePlan,
    RemoteConsent,
    Review,
    SignOff,
    Survey,
    TaskOrder,
    Ticket,
    TicketEvent,
    WorkLog,
)
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.tests.factories import make_ticket

CANARY = "CANARY内部备注7731"
SUMMARY = "居民信息模块登录失败"
REVIEW_OPINION = "经评审属软件缺陷需立即处理"
PLAN_DETAILS = "远程调整会话超时参数并复测"
NO_ACTION_OPINION = "属操作问题无需维护已电话指导"
TASK_CONTENT = "排查会话过期配置"
TASK_RESULT = "已修正会话超时参数"
WORK_DONE = "远程登录应用服务器检查日志"
RESOLUTION = "调整会话超时为三十分钟后可正常登录"
ACCEPTANCE_OPINION = "验收通过功能恢复正常"
FEEDBACK_OPINION = "处理及时非常满意"
SURVEY_COMMENT = "工程师态度很好"
SIGNER = "王建国"
STARTED = dt.datetime(2026, 11, 21, 1, 30, tzinfo=dt.UTC)


def png_data_url() -> str:
    """A real 1×1 PNG as a data URL, as the portal's signature pad sends it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    raw = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(raw).decode()


def sign(ticket: Ticket, signer: User, form: str, **extra: Any) -> SignOff:
    values: dict[str, Any] = {"signer_name": SIGNER, "signature": png_data_url(), "approved": True}
    values.update(extra)
    return SignOff.objects.create(ticket=ticket, form=form, signer=signer, **values)


def internal_canaries(ticket: Ticket, staff: User) -> None:
    """An internal note and an internal attachment that no printed form may show."""
    TicketEvent.objects.create(ticket=ticket, actor=staff, kind=TicketEvent.Kind.NOTE, internal=True, body=CANARY)
    Attachment.objects.create(
        ticket=ticket,
        internal=True,
        file="tickets/internal",
        original_name=f"{CANARY}.log",
        size=10,
        content_type="text/plain",
        sha256="0" * 64,
        uploaded_by=staff,
    )


def new_request(*, staff: User, archive: Any, **overrides: Any) -> Ticket:
    values: dict[str, Any] = {
        "title": SUMMARY,
        "deployment": archive.deployment,
        "contact": archive.contact,
        "description": "<p>社区工作人员反映登录后提示会话过期。</p>",
    }
    values.update(overrides)
    return make_ticket(actor=staff, client=archive.client, **values)


def full_procedure(*, staff: User, client_user: User, archive: Any, kind: str = "fault") -> Ticket:
    """Registered, reviewed with a plan, worked on, accepted, given feedback, archived; all signed."""
    ticket = new_request(staff=staff, archive=archive, kind=kind)
    internal_canaries(ticket, staff)
    Attachment.objects.create(
        ticket=ticket,
        file="tickets/public",
        original_name="登录截图.png",
        size=2048,
        content_type="image/png",
        sha256="1" * 64,
        uploaded_by=staff,
    )
    sign(ticket, client_user, SignOff.Form.REGISTRATION)
    Review.objects.create(
        ticket=ticket,
        decision=Review.Decision.PLAN,
        opinion=REVIEW_OPINION,
        reasonable=True,
        feasible=True,
        reviewer=staff,
    )
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_plan")
    MaintenancePlan.objects.create(
        ticket=ticket,
        mode=MaintenancePlan.Mode.REMOTE,
        details=PLAN_DETAILS,
        charging=MaintenancePlan.Charging.FREE,
        charging_basis="质保期内",
        author=staff,
        confirmed_by=client_user,
        confirmed_at=STARTED,
    )
    sign(ticket, client_user, SignOff.Form.PLAN)
    ticket_transition(actor=client_user, ticket_id=ticket.pk, action="plan_confirm")
    consent = RemoteConsent.objects.create(
        ticket=ticket,
        granted_by=client_user,
        granted_by_name=SIGNER,
        granted_via="门户",
        scope="应用服务器日志只读",
        minutes_allowed=60,
        granted_at=STARTED,
        recorded_by=staff,
    )
    order = TaskOrder.objects.create(
        ticket=ticket,
        number=f"{ticket.number}-T1",
        engineer=staff,
        content=TASK_CONTENT,
        planned_at=STARTED,
        done_at=STARTED + dt.timedelta(hours=2),
        result=TASK_RESULT,
        created_by=staff,
    )
    for offset, minutes in ((0, 45), (60, 30)):
        WorkLog.objects.create(
            ticket=ticket,
            engineer=staff,
            mode=WorkLog.Mode.REMOTE,
            consent=consent,
            task_order=order,
            started_at=STARTED + dt.timedelta(minutes=offset),
            minutes=minutes,
            description=WORK_DONE,
        )
    sign(ticket, client_user, SignOff.Form.TASK_ORDER)
    Ticket.objects.filter(pk=ticket.pk).update(resolution=RESOLUTION)
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="resolve")
    sign(ticket, client_user, SignOff.Form.ACCEPTANCE, opinion=ACCEPTANCE_OPINION)
    ticket_transition(actor=client_user, ticket_id=ticket.pk, action="accept")
    sign(ticket, client_user, SignOff.Form.FEEDBACK, opinion=FEEDBACK_OPINION)
    Survey.objects.create(
        ticket=ticket, rating=5, comment=SURVEY_COMMENT, via=Survey.Via.PORTAL, respondent=client_user
    )
    ticket_transition(actor=client_user, ticket_id=ticket.pk, action="feedback")
    sign(ticket, client_user, SignOff.Form.SERVICE_REPORT)
    return Ticket.objects.get(pk=ticket.pk)


def no_action_request(*, staff: User, archive: Any) -> Ticket:
    """Reviewed as needing no maintenance: a receipt to the client, then archived."""
    ticket = new_request(staff=staff, archive=archive, kind="consultation", title="如何导出房屋信息")
    Review.objects.create(ticket=ticket, decision=Review.Decision.NO_ACTION, opinion=NO_ACTION_OPINION, reviewer=staff)
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="review_no_action", reason=NO_ACTION_OPINION)
    return Ticket.objects.get(pk=ticket.pk)


def pdf_text(content: bytes) -> str:
    """The text of a PDF as ``pdftotext -layout`` reads it, without any white space."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "document.pdf"
        path.write_bytes(content)
        result = subprocess.run(
            ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        )
    return "".join(result.stdout.split())


def squeeze(text: object) -> str:
    return "".join(str(text).split())
