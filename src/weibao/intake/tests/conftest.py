"""Intake tests: two clients with contacts and one open request each, messages in English."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from weibao.accounts.models import User
from weibao.customers.models import Client, Contact
from weibao.intake.models import ThreadMessageId
from weibao.tickets.models import Ticket
from weibao.tickets.tests.factories import make_ticket


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: object) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}  # type: ignore[attr-defined]


@dataclass
class World:
    acme: Client
    bjedu: Client
    zhang: Contact
    li: Contact
    wang: Contact
    t7: Ticket
    t8: Ticket


def make_world(staff: User) -> World:
    acme = Client.objects.create(
        name="Acme 人社局", code="acme", kind=Client.Kind.GOVERNMENT, email_domains="acme.com.cn, @acme.cn"
    )
    bjedu = Client.objects.create(
        name="北京教育局", code="bjedu", kind=Client.Kind.GOVERNMENT, email_domains="bjedu.gov.cn"
    )
    zhang = Contact.objects.create(client=acme, name="张伟", email="zhang@acme.com.cn", wecom_id="zhangwei")
    li = Contact.objects.create(
        client=acme, name="李娜", email="li@acme.com.cn", dingtalk_id="lina", feishu_id="ou_lina"
    )
    wang = Contact.objects.create(client=bjedu, name="王芳", email="wang@bjedu.gov.cn", wecom_id="wangfang")
    t7 = make_ticket(actor=staff, client=acme, channel="email", contact=zhang, title="服务器无法登录")
    t8 = make_ticket(actor=staff, client=bjedu, channel="email", contact=wang, title="教育局系统")
    Ticket.objects.filter(pk=t7.pk).update(number="WB-20261121-0007")
    Ticket.objects.filter(pk=t8.pk).update(number="WB-20261121-0008")
    t7.refresh_from_db()
    t8.refresh_from_db()
    ThreadMessageId.objects.create(message_id="<wb-0007-out@weibao.test>", ticket_id=t7.pk, outbound=True)
    ThreadMessageId.objects.create(message_id="<wb-0008-out@weibao.test>", ticket_id=t8.pk, outbound=True)
    return World(acme=acme, bjedu=bjedu, zhang=zhang, li=li, wang=wang, t7=t7, t8=t8)


@pytest.fixture
def world(staff: User) -> World:
    return make_world(staff)
