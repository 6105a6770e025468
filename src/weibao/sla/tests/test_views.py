"""Calendar and policy pages: managers change, other staff read, client users are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ClientArchive, make_user
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import AuditEvent, Role, User
from weibao.sla.models import Calendar, CalendarDay, SlaEscalationStep, SlaPolicy, SlaTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db: None) -> User:
    """The pages are read in English here (the language is the user's choice)."""
    return make_user("staff", Role.AGENT, language="en")


@pytest.fixture
def admin(db: None) -> User:
    return make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True, language="en")


def _policy() -> SlaPolicy:
    return SlaPolicy.objects.get(name="质保期服务标准")


def test_the_navigation_leads_to_service_levels(as_staff: HttpClient) -> None:
    page = as_staff.get("/").content.decode()
    assert reverse("sla:index") in page


def test_staff_read_policies_and_calendars_without_change_buttons(as_staff: HttpClient, statutory: Calendar) -> None:
    index = as_staff.get(reverse("sla:index")).content.decode()
    assert "质保期服务标准" in index
    assert "中国法定工作日历" in index
    assert reverse("sla:policy_create") not in index
    detail = as_staff.get(reverse("sla:policy_detail", kwargs={"pk": _policy().pk})).content.decode()
    assert "First response" in detail
    assert "1h" in detail
    assert as_staff.get(reverse("sla:calendar_detail", kwargs={"pk": statutory.pk})).status_code == 200
    assert as_staff.get(reverse("sla:policy_create")).status_code == 403
    assert as_staff.post(reverse("sla:calendar_update", kwargs={"pk": statutory.pk}), {"name": "x"}).status_code == 403


@pytest.mark.parametrize(
    "name",
    ["sla:index", "sla:calendar_detail", "sla:calendar_year", "sla:policy_detail", "sla:calendar_extend"],
)
def test_client_users_are_refused_every_service_level_page(
    as_client_a: HttpClient, statutory: Calendar, name: str
) -> None:
    kwargs = {} if name == "sla:index" else {"pk": _policy().pk if "policy" in name else statutory.pk}
    assert as_client_a.get(reverse(name, kwargs=kwargs)).status_code == 403


def test_the_year_view_distinguishes_holidays_and_make_up_days(as_staff: HttpClient, statutory: Calendar) -> None:
    response = as_staff.get(reverse("sla:calendar_year", kwargs={"pk": statutory.pk}) + "?year=2026")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="makeup" title="春节"' in page
    assert 'class="holiday" title="国庆节"' in page
    assert 'class="weekend"' in page
    assert "sla/sla.css" in page
    # 2026 has 248 statutory working days: 365 − 104 weekend days − 19 holidays on weekdays + 6 make-up days.
    assert "248 working days in 2026." in page


def test_a_year_outside_the_range_shows_the_nearest_known_year(as_staff: HttpClient, statutory: Calendar) -> None:
    url = reverse("sla:calendar_year", kwargs={"pk": statutory.pk})
    assert "中国法定工作日历 · 2027" in as_staff.get(url + "?year=2090").content.decode()
    assert "中国法定工作日历 · 2004" in as_staff.get(url + "?year=abc&year=1900").content.decode()


def test_a_manager_previews_then_saves_a_new_year(as_manager: HttpClient, statutory: Calendar) -> None:
    url = reverse("sla:calendar_extend", kwargs={"pk": statutory.pk})
    text = "春节 2027-02-06..2027-02-08 放假; 2027-02-14 上班\n国庆节 2026-10-01 放假"
    preview = as_manager.post(url, {"text": text, "preview": "1"})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "sla-change-add" in page
    assert "sla-change-same" in page
    assert not CalendarDay.objects.filter(calendar=statutory, date__year=2027).exists()
    saved = as_manager.post(url, {"text": text, "save": "1"})
    assert saved.status_code == 302
    assert CalendarDay.objects.filter(calendar=statutory, date__year=2027).count() == 4
    statutory.refresh_from_db()
    assert statutory.last_day == dt.date(2027, 12, 31)
    assert AuditEvent.objects.filter(action="sla.calendar.days_apply").count() == 1


def test_bad_text_shows_each_line_problem_and_saves_nothing(as_manager: HttpClient, statutory: Calendar) -> None:
    url = reverse("sla:calendar_extend", kwargs={"pk": statutory.pk})
    response = as_manager.post(url, {"text": "春节 2027-02-30 放假\n2027-02-14", "save": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 1: “2027-02-30” is not a date" in page
    assert "Line 2: it must end with 放假" in page
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_bad_text_reads_in_chinese_for_a_chinese_user(
    as_manager: HttpClient, manager: User, statutory: Calendar
) -> None:
    manager.language = "zh-hans"
    manager.save()
    url = reverse("sla:calendar_extend", kwargs={"pk": statutory.pk})
    page = as_manager.post(url, {"text": "春节 2027-02-30 放假"}).content.decode()
    assert "第 1 行：“2027-02-30”不是日期" in page


def test_a_manager_creates_a_calendar_and_sets_its_hours(as_manager: HttpClient) -> None:
    created = as_manager.post(
        reverse("sla:calendar_create"),
        {"name": "驻点班", "time_zone": "Asia/Shanghai", "first_day": "2026-01-01", "last_day": "2030-12-31"},
    )
    calendar = Calendar.objects.get(name="驻点班")
    assert created.status_code == 302
    url = reverse("sla:calendar_intervals", kwargs={"pk": calendar.pk})
    bad = as_manager.post(url, {"day1": "09:00-12:00, 11:00-13:00", "day2": "9-5"})
    assert bad.status_code == 200
    assert "overlap" in bad.content.decode() or "Write intervals" in bad.content.decode()
    assert not calendar.intervals.exists()
    good = as_manager.post(url, {"day1": "08:30-12:00, 13:30-17:30", "day6": "20:00-24:00"})
    assert good.status_code == 302
    spans = sorted(calendar.intervals.values_list("weekday", "start", "end"))
    assert spans == [
        (1, dt.time(8, 30), dt.time(12)),
        (1, dt.time(13, 30), dt.time(17, 30)),
        (6, dt.time(20), dt.time(0)),
    ]
    detail = as_manager.get(reverse("sla:calendar_detail", kwargs={"pk": calendar.pk})).content.decode()
    assert "20:00–24:00" in detail


def test_a_manager_sets_and_clears_one_day(as_manager: HttpClient, statutory: Calendar) -> None:
    url = reverse("sla:calendar_day_set", kwargs={"pk": statutory.pk})
    assert as_manager.post(url, {"date": "2026-03-09", "kind": "holiday", "name": "公司假"}).status_code == 302
    day = CalendarDay.objects.get(calendar=statutory, date=dt.date(2026, 3, 9))
    outside = as_manager.post(url, {"date": "2031-03-09", "kind": "holiday"})
    assert outside.status_code == 200
    assert "outside the calendar" in outside.content.decode()
    assert as_manager.post(reverse("sla:calendar_day_delete", kwargs={"pk": day.pk})).status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()


def test_a_manager_builds_a_policy_with_a_target_and_an_escalation(
    as_manager: HttpClient, statutory: Calendar, staff: object
) -> None:
    as_manager.post(reverse("sla:policy_create"), {"name": "金牌服务", "description": "7×24"})
    policy = SlaPolicy.objects.get(name="金牌服务")
    target_url = reverse("sla:target_create", kwargs={"policy_pk": policy.pk})
    bad = as_manager.post(target_url, {"metric": "response", "seconds": "soon", "calendar": statutory.pk})
    assert bad.status_code == 200
    assert "Write a duration" in bad.content.decode()
    response = as_manager.post(
        target_url,
        {
            "metric": "response",
            "kind": "fault",
            "level": "1",
            "seconds": "1h30m",
            "calendar": statutory.pk,
            "warn_percent": 80,
        },
    )
    assert response.status_code == 302
    target = SlaTarget.objects.get(policy=policy)
    assert (target.kind, target.level, target.seconds, target.warn_percent) == ("fault", 1, 5400, 80)
    step_url = reverse("sla:escalation_create", kwargs={"target_pk": target.pk})
    response = as_manager.post(
        step_url,
        {"after_seconds": "30m", "raise_level": "on", "notify_roles": ["service_manager"], "notify_users": [staff.pk]},  # type: ignore[attr-defined]
    )
    assert response.status_code == 302
    step = SlaEscalationStep.objects.get(target=target)
    assert step.after_seconds == 1800
    assert step.raise_level
    assert step.notify_roles == ["service_manager"]
    edit = as_manager.get(reverse("sla:escalation_update", kwargs={"pk": step.pk})).content.decode()
    assert 'value="30m"' in edit
    as_manager.post(
        reverse("sla:target_update", kwargs={"pk": target.pk}),
        {"metric": "response", "seconds": "2h", "calendar": statutory.pk, "warn_percent": 75},
    )
    target.refresh_from_db()
    assert target.seconds == 7200
    assert target.kind == ""
    assert target.level is None
    detail = as_manager.get(reverse("sla:policy_detail", kwargs={"pk": policy.pk})).content.decode()
    assert "2h" in detail
    assert "after 30m" in detail
    assert as_manager.post(reverse("sla:escalation_delete", kwargs={"pk": step.pk})).status_code == 302
    assert as_manager.post(reverse("sla:target_delete", kwargs={"pk": target.pk})).status_code == 302
    assert as_manager.post(reverse("sla:policy_delete", kwargs={"pk": policy.pk})).status_code == 302
    assert not SlaPolicy.objects.filter(pk=policy.pk).exists()


def test_deleting_a_bound_policy_is_refused_with_a_message(as_manager: HttpClient, archive_a: ClientArchive) -> None:
    policy = _policy()
    archive_a.contract.warranty_policy = policy
    archive_a.contract.save()
    response = as_manager.post(reverse("sla:policy_delete", kwargs={"pk": policy.pk}), follow=True)
    assert "bound by contracts" in response.content.decode()
    assert SlaPolicy.objects.filter(pk=policy.pk).exists()


def test_an_unknown_id_is_404(as_manager: HttpClient) -> None:
    assert as_manager.get(reverse("sla:policy_detail", kwargs={"pk": 999999})).status_code == 404
    assert as_manager.get(reverse("sla:calendar_year", kwargs={"pk": 999999})).status_code == 404


def test_the_contract_page_and_form_offer_its_policies(as_admin: HttpClient, archive_a: ClientArchive) -> None:
    contract = archive_a.contract
    form = as_admin.get(reverse("contracts:contract_update", kwargs={"pk": contract.pk})).content.decode()
    assert 'name="warranty_policy"' in form
    assert 'name="post_warranty_policy"' in form
    contract.warranty_policy = _policy()
    contract.save()
    page = as_admin.get(reverse("contracts:contract_detail", kwargs={"pk": contract.pk})).content.decode()
    assert reverse("sla:policy_detail", kwargs={"pk": _policy().pk}) in page


def test_a_client_user_sees_the_policy_name_on_its_contract_without_a_link(
    as_client_a: HttpClient, archive_a: ClientArchive
) -> None:
    contract = archive_a.contract
    contract.warranty_policy = _policy()
    contract.save()
    page = as_client_a.get(reverse("contracts:contract_detail", kwargs={"pk": contract.pk})).content.decode()
    assert "质保期服务标准" in page
    assert reverse("sla:policy_detail", kwargs={"pk": _policy().pk}) not in page
