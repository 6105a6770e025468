"""notify(): who gets what, on which channel, once."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import make_user
from django.core import mail
from django_tasks_db.models import DBTaskResult

from weibao.accounts.models import Role, User
from weibao.notifications import events
from weibao.notifications.delivering import deliveries_run_due
from weibao.notifications.dispatch import Recipients, notify
from weibao.notifications.models import Delivery, Endpoint, InboxItem, Notification, Preference, Rule

pytestmark = pytest.mark.django_db

CONTEXT = {"number": "WB-20261122-0001", "title": "Printer offline"}


def _notify(**overrides: Any) -> None:
    arguments: dict[str, Any] = {
        "event": events.REQUEST_CREATED,
        "recipients": Recipients(),
        "context": CONTEXT,
        "client_id": 7,
        "link": "/tickets/1/",
    }
    arguments.update(overrides)
    notify(**arguments)


def test_a_named_user_gets_an_in_app_entry_and_an_email(staff: User) -> None:
    staff.email = "staff@example.com"
    staff.language = "en"
    staff.save()
    _notify(recipients=Recipients(user_ids=(staff.pk,)))
    assert deliveries_run_due() == {"sent": 2}
    item = InboxItem.objects.get(user=staff)
    assert item.title == "New request WB-20261122-0001: Printer offline"
    assert item.client_id == 7
    assert item.link == "/tickets/1/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["staff@example.com"]
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"
    assert "/tickets/1/" in mail.outbox[0].body


def test_the_message_is_written_in_the_recipients_language(staff: User) -> None:
    staff.language = "zh-hans"
    staff.save()
    _notify(recipients=Recipients(user_ids=(staff.pk,)))
    deliveries_run_due()
    assert InboxItem.objects.get(user=staff).title == "新请求 WB-20261122-0001：Printer offline"


def test_roles_reach_active_staff_with_that_role_only(db: None) -> None:
    manager = make_user("manager", Role.SERVICE_MANAGER)
    make_user("retired", Role.SERVICE_MANAGER, is_active=False)
    make_user("agent2", Role.AGENT)
    _notify(recipients=Recipients(roles=(Role.SERVICE_MANAGER,)))
    assert set(Delivery.objects.values_list("user__username", flat=True)) == {manager.username}


def test_roles_never_reach_client_users(client_a_user: User) -> None:
    _notify(recipients=Recipients(roles=(Role.CLIENT_USER,)))
    assert not Delivery.objects.exists()


def test_a_rule_sets_the_channels_and_adds_roles(staff: User) -> None:
    staff.email = "staff@example.com"
    staff.save()
    manager = make_user("manager", Role.SERVICE_MANAGER)
    Rule.objects.create(event=events.REQUEST_CREATED, channels=["inapp"], extra_roles=[Role.SERVICE_MANAGER])
    _notify(recipients=Recipients(user_ids=(staff.pk,)))
    assert set(Delivery.objects.values_list("user_id", "channel")) == {(staff.pk, "inapp"), (manager.pk, "inapp")}


def test_a_disabled_rule_sends_nothing(staff: User) -> None:
    Rule.objects.create(event=events.REQUEST_CREATED, enabled=False)
    _notify(recipients=Recipients(user_ids=(staff.pk,)))
    assert not Notification.objects.exists()


def test_a_preference_switches_a_channel_off_for_that_person(staff: User) -> None:
    staff.email = "staff@example.com"
    staff.save()
    Preference.objects.create(user=staff, event=events.REQUEST_CREATED, channel="email", enabled=False)
    _notify(recipients=Recipients(user_ids=(staff.pk,)))
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["inapp"]


def test_the_same_dedup_key_notifies_each_recipient_and_channel_once(staff: User) -> None:
    _notify(recipients=Recipients(user_ids=(staff.pk,)), dedup_key="ticket:1:created")
    _notify(recipients=Recipients(user_ids=(staff.pk,)), dedup_key="ticket:1:created")
    assert Delivery.objects.count() == 1


def test_a_repeat_with_a_new_recipient_reaches_only_the_new_one(staff: User, admin: User) -> None:
    _notify(recipients=Recipients(user_ids=(staff.pk,)), dedup_key="k")
    _notify(recipients=Recipients(user_ids=(staff.pk, admin.pk)), dedup_key="k")
    assert sorted(Delivery.objects.values_list("user_id", flat=True)) == sorted([staff.pk, admin.pk])


def test_without_a_dedup_key_every_call_notifies(staff: User) -> None:
    _notify(recipients=Recipients(user_ids=(staff.pk,)))
    _notify(recipients=Recipients(user_ids=(staff.pk,)))
    assert Delivery.objects.count() == 2


def test_plain_addresses_get_one_mail_each(db: None) -> None:
    _notify(recipients=Recipients(emails=("a@example.com", "a@example.com", " b@example.com ")))
    assert deliveries_run_due() == {"sent": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]


def test_an_endpoint_gets_only_the_events_and_client_it_subscribes_to(db: None) -> None:
    wanted = Endpoint.objects.create(kind="webhook", name="all", url="https://hooks.example.com/a")
    Endpoint.objects.create(kind="webhook", name="other event", url="https://x.example.com/", events=["sla.breached"])
    Endpoint.objects.create(kind="webhook", name="other client", url="https://y.example.com/", client_id=99)
    Endpoint.objects.create(kind="webhook", name="off", url="https://z.example.com/", enabled=False)
    _notify()
    assert list(Delivery.objects.values_list("endpoint", flat=True)) == [wanted.pk]


def test_an_unknown_event_is_a_programming_error(db: None) -> None:
    with pytest.raises(ValueError, match="unknown notification event"):
        _notify(event="request.exploded")


def test_delivery_tasks_are_enqueued_only_on_commit(staff: User, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify(recipients=Recipients(user_ids=(staff.pk,)))
        assert DBTaskResult.objects.count() == 0
    assert len(callbacks) == 1
    assert DBTaskResult.objects.count() == 1
    assert DBTaskResult.objects.get().task_path == "weibao.notifications.tasks.deliver"


def test_the_delivery_tasks_of_a_notification_are_queued_together_or_not_at_all(
    staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_tasks_db.backend import DatabaseBackend

    from weibao.notifications import dispatch

    real = DatabaseBackend.enqueue
    queued: list[object] = []

    def enqueue_failing_on_the_second(self: DatabaseBackend, *args: Any, **kwargs: Any) -> Any:
        queued.append(args)
        if len(queued) == 2:
            raise RuntimeError("the queue went away")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(DatabaseBackend, "enqueue", enqueue_failing_on_the_second)
    with pytest.raises(RuntimeError):
        dispatch.enqueue_deliveries(["a", "b", "c"])
    # One transaction for the lot (one commit instead of one per task): the first is gone too,
    # and the sweeper (deliveries_requeue) queues the deliveries again.
    assert DBTaskResult.objects.count() == 0
