"""The service-level API: read by staff, written by managers, refused to client users, bad input named."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import ClientArchive, make_user
from django.test import Client as HttpClient

from weibao.accounts.models import AuditEvent, Role, User
from weibao.sla.models import Calendar, CalendarDay, SlaPolicy, SlaTarget

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sla"


@pytest.fixture
def staff(db: None) -> User:
    """Answers are read in English here (the language is the user's choice)."""
    return make_user("staff", Role.AGENT, language="en")


def send(http: HttpClient, method: str, url: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(http, method)(url, **kwargs)


def test_staff_read_calendars_and_policies(as_staff: HttpClient, statutory: Calendar) -> None:
    calendars = as_staff.get(f"{BASE}/calendars").json()
    shipped = next(c for c in calendars if c["name"] == "中国法定工作日历")
    assert {"weekday": 1, "start": "09:00", "end": "12:00"} in shipped["intervals"]
    policies = as_staff.get(f"{BASE}/policies").json()
    assert any(p["is_default"] for p in policies)
    days = as_staff.get(f"{BASE}/calendars/{statutory.pk}/days?year=2026").json()
    assert any(d["date"] == "2026-02-14" and d["kind"] == "workday" for d in days)


def test_the_deadline_operation_computes_on_the_calendar(as_staff: HttpClient, statutory: Calendar) -> None:
    answer = as_staff.get(
        f"{BASE}/calendars/{statutory.pk}/deadline", {"start": "2026-09-30T17:00:00+08:00", "seconds": "14400"}
    )
    assert answer.status_code == 200
    assert answer.json()["deadline"].startswith("2026-10-08T04:00:00")  # 12:00 in Shanghai


def test_a_deadline_in_the_year_after_the_known_holidays_counts_the_weekly_hours(
    as_staff: HttpClient, statutory: Calendar
) -> None:
    answer = as_staff.get(
        f"{BASE}/calendars/{statutory.pk}/deadline", {"start": "2026-12-31T17:00:00+08:00", "seconds": "14400"}
    )
    assert answer.status_code == 200
    assert answer.json()["deadline"].startswith("2027-01-01T04:00:00")  # Friday 12:00: 2027's 元旦 not entered yet


def test_a_deadline_beyond_the_known_range_is_a_clear_error(as_staff: HttpClient, statutory: Calendar) -> None:
    answer = as_staff.get(
        f"{BASE}/calendars/{statutory.pk}/deadline", {"start": "2027-12-31T17:00:00+08:00", "seconds": "14400"}
    )
    assert answer.status_code == 422
    assert "No working time left" in " ".join(answer.json()["errors"]["start"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/calendars"),
        ("get", "/policies"),
        ("post", "/policies"),
        ("get", "/calendars/{calendar}"),
        ("get", "/policies/{policy}"),
    ],
)
def test_client_users_are_refused(as_client_a: HttpClient, statutory: Calendar, method: str, path: str) -> None:
    policy = SlaPolicy.objects.first()
    assert policy is not None
    url = BASE + path.format(calendar=statutory.pk, policy=policy.pk)
    assert send(as_client_a, method, url, {"name": "x"} if method == "post" else None).status_code == 403


def test_other_staff_may_not_write(as_staff: HttpClient) -> None:
    answer = send(as_staff, "post", f"{BASE}/policies", {"name": "x"})
    assert answer.status_code == 403


def test_a_manager_builds_a_policy_through_the_api(as_manager: HttpClient, always: Calendar, staff: User) -> None:
    created = send(as_manager, "post", f"{BASE}/policies", {"name": "金牌", "description": "d"})
    assert created.status_code == 201
    policy_id = created.json()["id"]
    target = send(
        as_manager,
        "post",
        f"{BASE}/policies/{policy_id}/targets",
        {"metric": "response", "seconds": 600, "calendar": always.pk, "level": 1, "penalty_amount": "500.00"},
    )
    assert target.status_code == 201
    target_id = target.json()["id"]
    step = send(
        as_manager,
        "post",
        f"{BASE}/targets/{target_id}/escalations",
        {"raise_level": True, "notify_roles": ["service_manager"], "notify_users": [staff.pk], "reassign_team_id": 3},
    )
    assert step.status_code == 201
    assert step.json()["order"] == 1
    assert step.json()["notify_users"] == [staff.pk]
    applicable = as_manager.get(f"{BASE}/policies/{policy_id}/applicable", {"kind": "fault", "level": "1"}).json()
    assert applicable[0]["penalty_amount"] == "500.00"
    assert applicable[0]["escalations"][0]["reassign_team_id"] == 3
    patched = send(as_manager, "patch", f"{BASE}/targets/{target_id}", {"seconds": 900, "level": None})
    assert patched.status_code == 200
    assert patched.json()["level"] is None
    assert (
        send(as_manager, "patch", f"{BASE}/escalations/{step.json()['id']}", {"after_seconds": 60}).status_code == 200
    )
    assert send(as_manager, "delete", f"{BASE}/escalations/{step.json()['id']}").status_code == 204
    assert send(as_manager, "delete", f"{BASE}/targets/{target_id}").status_code == 204
    assert send(as_manager, "delete", f"{BASE}/policies/{policy_id}").status_code == 204
    actions = set(AuditEvent.objects.filter(action__startswith="sla.").values_list("action", flat=True))
    assert {"sla.policy.create", "sla.target.create", "sla.escalation.create", "sla.policy.delete"} <= actions


def test_a_manager_keeps_a_calendar_through_the_api(as_manager: HttpClient) -> None:
    created = send(
        as_manager,
        "post",
        f"{BASE}/calendars",
        {"name": "夜班", "intervals": [{"weekday": 1, "start": "20:00", "end": "24:00"}]},
    )
    assert created.status_code == 201
    assert created.json()["intervals"] == [{"weekday": 1, "start": "20:00", "end": "24:00"}]
    calendar_id = created.json()["id"]
    hours = send(
        as_manager,
        "put",
        f"{BASE}/calendars/{calendar_id}/intervals",
        {"intervals": [{"weekday": 2, "start": "09:00", "end": "17:00"}]},
    )
    assert hours.json()["intervals"] == [{"weekday": 2, "start": "09:00", "end": "17:00"}]
    day = send(as_manager, "post", f"{BASE}/calendars/{calendar_id}/days", {"date": "2026-03-10", "kind": "holiday"})
    assert day.status_code == 201
    assert send(as_manager, "delete", f"{BASE}/calendar-days/{day.json()['id']}").status_code == 204
    preview = send(
        as_manager, "post", f"{BASE}/calendars/{calendar_id}/days/text", {"text": "春节 2027-02-06..2027-02-07 放假"}
    )
    assert [row["change"] for row in preview.json()] == ["add", "add"]
    assert not CalendarDay.objects.filter(calendar_id=calendar_id).exists()
    saved = send(
        as_manager,
        "post",
        f"{BASE}/calendars/{calendar_id}/days/text",
        {"text": "春节 2027-02-06..2027-02-07 放假", "save": True},
    )
    assert saved.status_code == 200
    assert CalendarDay.objects.filter(calendar_id=calendar_id).count() == 2
    assert send(as_manager, "patch", f"{BASE}/calendars/{calendar_id}", {"always_on": True}).json()["always_on"]
    assert send(as_manager, "delete", f"{BASE}/calendars/{calendar_id}").status_code == 204


@pytest.mark.parametrize(
    "case",
    [
        ("post", "/policies", {"name": ""}, "name"),
        ("post", "/policies", {"name": "质保期服务标准"}, "name"),
        ("patch", "/policies/{policy}", {"name": None}, "name"),
        ("post", "/policies/{policy}/targets", {"metric": "lunch", "seconds": 600, "calendar": 1}, "metric"),
        ("post", "/policies/{policy}/targets", {"metric": "plan", "seconds": 5, "calendar": 1}, "seconds"),
        ("post", "/policies/{policy}/targets", {"metric": "plan", "seconds": 600, "calendar": 999999}, "calendar"),
        ("post", "/policies/{policy}/targets", {"metric": "plan", "seconds": 600, "calendar": 1, "kind": "x!"}, "kind"),
        ("post", "/policies/{policy}/targets", {"metric": "plan", "seconds": 600, "calendar": 1, "level": 7}, "level"),
        ("post", "/policies/{policy}/targets", {"metric": "response", "seconds": 600, "calendar": 1}, "__all__"),
        ("patch", "/targets/{target}", {"seconds": None}, "seconds"),
        ("patch", "/targets/{target}", {"warn_percent": 0}, "warn_percent"),
        ("post", "/targets/{target}/escalations", {"notify_roles": ["king"]}, "notify_roles"),
        ("post", "/targets/{target}/escalations", {"notify_users": [999999]}, "notify_users"),
        ("post", "/calendars", {"name": "x", "time_zone": "Mars/Base"}, "time_zone"),
        (
            "post",
            "/calendars",
            {"name": "x", "intervals": [{"weekday": 1, "start": "09:00+08:00", "end": "10:00"}]},
            "intervals",
        ),
        (
            "post",
            "/calendars",
            {"name": "x", "intervals": [{"weekday": 1, "start": "24:00", "end": "10:00"}]},
            "intervals",
        ),
        (
            "post",
            "/calendars",
            {"name": "x", "intervals": [{"weekday": 9, "start": "09:00", "end": "10:00"}]},
            "intervals",
        ),
        (
            "post",
            "/calendars",
            {"name": "x", "intervals": [{"weekday": 1, "start": "10:00", "end": "09:00"}]},
            "intervals",
        ),
        ("patch", "/calendars/{calendar}", {"last_day": "1999-01-01"}, "last_day"),
        ("post", "/calendars/{calendar}/days", {"date": "2026-02-30", "kind": "holiday"}, "date"),
        ("post", "/calendars/{calendar}/days", {"date": "2026-02-03", "kind": "party"}, "kind"),
        ("post", "/calendars/{calendar}/days/text", {"text": "春节 2027-02-30 放假"}, "text"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_kept(
    as_manager: HttpClient, statutory: Calendar, case: tuple[str, str, dict[str, Any], str]
) -> None:
    method, path, body, field = case
    policy = SlaPolicy.objects.get(name="质保期服务标准")
    target = SlaTarget.objects.filter(policy=policy).first()
    assert target is not None
    body = json.loads(json.dumps(body).replace('"calendar": 1', f'"calendar": {statutory.pk}'))
    events = AuditEvent.objects.count()
    url = BASE + path.format(policy=policy.pk, target=target.pk, calendar=statutory.pk)
    answer = send(as_manager, method, url, body)
    assert answer.status_code in {400, 422}, answer.content
    errors = answer.json()["errors"]
    assert any(key == field or key.endswith(f".{field}") or key.startswith(f"{field}.") for key in errors), errors
    assert AuditEvent.objects.count() == events


def test_errors_read_in_chinese_for_a_chinese_user(as_manager: HttpClient, manager: User, statutory: Calendar) -> None:
    manager.language = "zh-hans"
    manager.save()
    answer = send(as_manager, "post", f"{BASE}/calendars/{statutory.pk}/days/text", {"text": "春节 2027-02-30 放假"})
    assert "第 1 行" in answer.json()["errors"]["text"][0]


def test_deleting_in_use_objects_answers_409(
    as_manager: HttpClient, always: Calendar, archive_a: ClientArchive
) -> None:
    policy = SlaPolicy.objects.get(name="质保期服务标准")
    archive_a.contract.warranty_policy = policy
    archive_a.contract.save()
    assert send(as_manager, "delete", f"{BASE}/policies/{policy.pk}").status_code == 409
    assert send(as_manager, "delete", f"{BASE}/calendars/{always.pk}").status_code == 409


def test_unknown_ids_answer_404(as_manager: HttpClient) -> None:
    assert as_manager.get(f"{BASE}/policies/999999").status_code == 404
    assert as_manager.get(f"{BASE}/targets/999999").status_code == 404
    assert send(as_manager, "delete", f"{BASE}/calendar-days/999999").status_code == 404


def test_contracts_take_and_show_their_policies_in_the_api(as_admin: HttpClient, archive_a: ClientArchive) -> None:
    warranty = SlaPolicy.objects.get(name="质保期服务标准")
    after = SlaPolicy.objects.get(name="质保期外服务标准")
    url = f"/api/v1/contracts/{archive_a.contract.pk}"
    answer = send(as_admin, "patch", url, {"warranty_policy": warranty.pk, "post_warranty_policy": after.pk})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["warranty_policy"], body["warranty_policy_name"]) == (warranty.pk, "质保期服务标准")
    assert body["post_warranty_policy_name"] == "质保期外服务标准"
    bad = send(as_admin, "patch", url, {"warranty_policy": 999999})
    assert bad.status_code in {400, 422}
    assert "warranty_policy" in bad.json()["errors"]
    cleared = send(as_admin, "patch", url, {"warranty_policy": None})
    assert cleared.json()["warranty_policy"] is None
    event = AuditEvent.objects.filter(action="contract.update").order_by("-id").first()
    assert event is not None
    assert event.before == {"warranty_policy": warranty.pk}


def test_the_deadline_operation_defaults_to_the_next_working_instant_from_now(
    as_staff: HttpClient, always: Calendar
) -> None:
    answer = as_staff.get(f"{BASE}/calendars/{always.pk}/deadline")
    assert answer.status_code == 200
    assert answer.json()["seconds"] == 0
