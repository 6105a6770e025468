"""Calendars and policies through their services: shipped data, rules, audit rows and signals."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from conftest import ClientArchive
from django.core.exceptions import ValidationError
from django.core.management import call_command

from weibao.accounts.models import AuditEvent, User
from weibao.contracts.selectors import contract_policy_at
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.sla import selectors, services
from weibao.sla.models import Calendar, CalendarDay, Metric, SlaPolicy, SlaTarget
from weibao.sla.seed import PRESETS
from weibao.sla.signals import calendar_changed, policy_changed
from weibao.sla.yeartext import year_text_parse

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
T = dt.time

pytestmark = pytest.mark.django_db


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=SH)


def _actions(prefix: str = "sla.") -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("id").values_list("action", flat=True))


# -- shipped data -----------------------------------------------------------------


def test_the_statutory_calendar_ships_2004_to_2026_with_named_holidays_and_make_up_days(statutory: Calendar) -> None:
    # One more year on the weekly hours, until its notice is entered.
    assert (statutory.first_day, statutory.last_day) == (dt.date(2004, 1, 1), dt.date(2027, 12, 31))
    assert not statutory.days.filter(date__year=2027).exists()
    days = {d.date: (d.kind, d.name) for d in statutory.days.all()}
    assert days[dt.date(2026, 2, 14)] == (CalendarDay.Kind.WORKDAY, "春节")
    assert days[dt.date(2026, 2, 28)] == (CalendarDay.Kind.WORKDAY, "春节")
    assert days[dt.date(2026, 10, 1)] == (CalendarDay.Kind.HOLIDAY, "国庆节")
    assert days[dt.date(2004, 1, 1)] == (CalendarDay.Kind.HOLIDAY, "元旦")
    assert len(days) > 700


def test_the_shipped_statutory_calendar_computes_the_2026_examples(statutory: Calendar) -> None:
    compiled = selectors.calendar_compiled(calendar_id=statutory.pk)
    # 09:00–12:00 and 13:00–18:00: 16:00 + 4 h on the 13th ends 12-…: 2 h that day, 2 h on the make-up Saturday.
    assert compiled.add(at(2026, 2, 13, 16), 4 * 3600) == at(2026, 2, 14, 11)
    assert compiled.add(at(2026, 9, 30, 17), 4 * 3600) == at(2026, 10, 8, 12)


def test_the_presets_ship_with_the_seed_commitments(always: Calendar, statutory: Calendar) -> None:
    names = set(SlaPolicy.objects.values_list("name", flat=True))
    assert {preset.name for preset in PRESETS} <= names
    resident = SlaPolicy.objects.get(name="驻点服务标准（10 分钟响应）")
    response = selectors.policy_targets(policy_id=resident.pk, kind="fault", level=2)
    by_metric = {spec.metric: spec for spec in response}
    assert by_metric["response"].seconds == 600
    assert by_metric["response"].penalty_amount == Decimal("500")
    assert by_metric["response"].calendar_id == always.pk
    assert by_metric["restore"].seconds == 7200
    warranty = SlaPolicy.objects.get(name="质保期服务标准")
    level1 = {s.metric: s for s in selectors.policy_targets(policy_id=warranty.pk, kind="fault", level=1)}
    assert level1["restore"].seconds == 4 * 3600
    assert level1["restore"].escalations[0].raise_level
    complaint = {s.metric: s for s in selectors.policy_targets(policy_id=warranty.pk, kind="complaint", level=3)}
    assert complaint["response"].seconds == 8 * 3600
    assert complaint["response"].calendar_id == statutory.pk
    assert selectors.policy_default() == SlaPolicy.objects.get(name="质保期外服务标准")


def test_installing_the_presets_again_changes_nothing() -> None:
    before = SlaTarget.objects.count()
    call_command("sla_presets", stdout=None)
    assert SlaTarget.objects.count() == before


# -- compiled calendars -------------------------------------------------------------


def test_a_compiled_calendar_is_cached_until_the_calendar_changes(
    manager: User, statutory: Calendar, django_assert_max_num_queries: Any
) -> None:
    first = selectors.calendar_compiled(calendar_id=statutory.pk)
    with django_assert_max_num_queries(1):
        assert selectors.calendar_compiled(calendar_id=statutory.pk) is first
    services.calendar_day_set(
        actor=manager, calendar=statutory, date=dt.date(2026, 3, 9), kind=CalendarDay.Kind.HOLIDAY, name="测试"
    )
    second = selectors.calendar_compiled(calendar_id=statutory.pk)
    assert second is not first
    assert not second.is_working(at(2026, 3, 9, 10))


def test_an_unknown_calendar_is_not_found() -> None:
    with pytest.raises(ObjectNotFoundError):
        selectors.calendar_compiled(calendar_id=999_999)


# -- calendar services ----------------------------------------------------------------


def test_a_manager_creates_a_calendar_with_lunch_breaks(manager: User) -> None:
    calendar = services.calendar_create(
        actor=manager,
        name="8:30 班",
        intervals=[(d, T(8, 30), T(12)) for d in range(1, 6)] + [(d, T(13, 30), T(17, 30)) for d in range(1, 6)],
    )
    compiled = selectors.calendar_compiled(calendar_id=calendar.pk)
    assert compiled.add(at(2026, 3, 9, 11), 2 * 3600) == at(2026, 3, 9, 14, 30)
    event = AuditEvent.objects.get(action="sla.calendar.create")
    assert "1 08:30-12:00" in event.after["intervals"]


@pytest.mark.parametrize(
    "intervals",
    [
        [(1, T(9), T(12)), (1, T(11), T(14))],
        [(1, T(12), T(9))],
        [(8, T(9), T(12))],
        [(1, T(20), T(0)), (1, T(21), T(22))],
    ],
)
def test_overlapping_reversed_or_misdated_intervals_are_refused(manager: User, intervals: list[Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.calendar_create(actor=manager, name="bad", intervals=intervals)
    assert "intervals" in caught.value.message_dict
    assert not Calendar.objects.filter(name="bad").exists()


def test_a_bad_time_zone_and_a_reversed_range_are_field_errors(manager: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.calendar_create(
            actor=manager,
            name="x",
            time_zone="Mars/Olympus",
            first_day=dt.date(2026, 1, 1),
            last_day=dt.date(2025, 1, 1),
        )
    assert {"time_zone", "last_day"} <= set(caught.value.message_dict)


def test_calendar_changes_are_audited_and_signalled_after_commit(
    manager: User, statutory: Calendar, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[int] = []

    def receiver(sender: Any, calendar_id: int, **kwargs: Any) -> None:
        seen.append(calendar_id)

    calendar_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.calendar_set_intervals(actor=manager, calendar=statutory, intervals=[(1, T(9), T(17))])
            assert seen == []
        assert seen == [statutory.pk]
    finally:
        calendar_changed.disconnect(receiver)
    assert _actions() == ["sla.calendar.set_intervals"]


def test_a_new_year_typed_as_text_extends_the_calendar(manager: User, statutory: Calendar) -> None:
    entries = year_text_parse("春节 2027-02-06..2027-02-13 放假; 2027-02-14 上班\n国庆节 2026-10-01 放假")
    preview = services.calendar_days_preview(calendar=statutory, entries=entries)
    changes = {row.date: row.change for row in preview}
    assert changes[dt.date(2027, 2, 6)] == "add"
    assert changes[dt.date(2026, 10, 1)] == "same"
    assert not CalendarDay.objects.filter(calendar=statutory, date__year=2027).exists()
    services.calendar_days_apply(actor=manager, calendar=statutory, entries=entries)
    statutory.refresh_from_db()
    assert statutory.last_day == dt.date(2027, 12, 31)
    compiled = selectors.calendar_compiled(calendar_id=statutory.pk)
    # 2027-02-05 is a Friday; the 6th to the 13th are off; Sunday the 14th works.
    assert compiled.add(at(2027, 2, 5, 17), 2 * 3600) == at(2027, 2, 14, 10)
    event = AuditEvent.objects.get(action="sla.calendar.days_apply")
    assert event.after["last_day"] == "2027-12-31"
    assert "2027-02-14" in event.after["days"]
    assert "2026-10-01" not in event.after["days"]


def test_a_calendar_used_by_targets_cannot_be_deleted(manager: User, always: Calendar) -> None:
    with pytest.raises(services.ObjectInUseError):
        services.calendar_delete(actor=manager, calendar=always)


def test_other_staff_and_client_users_may_not_change_calendars(
    staff: User, client_a_user: User, statutory: Calendar
) -> None:
    for actor in (staff, client_a_user):
        with pytest.raises(PermissionDeniedError):
            services.calendar_update(actor=actor, calendar=statutory, changes={"name": "x"})


# -- policies -----------------------------------------------------------------------


def test_the_most_specific_target_per_metric_applies(manager: User, always: Calendar) -> None:
    policy = services.policy_create(actor=manager, name="P")
    for kind, level, seconds in [("", None, 7200), ("", 1, 3600), ("fault", None, 1800), ("fault", 1, 900)]:
        services.target_create(
            actor=manager,
            policy=policy,
            metric=Metric.RESPONSE,
            seconds=seconds,
            calendar=always,
            kind=kind,
            level=level,
        )
    services.target_create(actor=manager, policy=policy, metric=Metric.RESOLVE, seconds=86400, calendar=always)

    def response(kind: str, level: int) -> int:
        return {s.metric: s.seconds for s in selectors.policy_targets(policy_id=policy.pk, kind=kind, level=level)}[
            "response"
        ]

    assert response("fault", 1) == 900
    assert response("fault", 2) == 1800
    assert response("complaint", 1) == 3600
    assert response("complaint", 3) == 7200
    assert [s.metric for s in selectors.policy_targets(policy_id=policy.pk, kind="fault", level=4)] == [
        "resolve",
        "response",
    ]


def test_policy_targets_carry_their_escalation_steps(manager: User, staff: User, always: Calendar) -> None:
    policy = services.policy_create(actor=manager, name="P")
    target = services.target_create(actor=manager, policy=policy, metric=Metric.RESTORE, seconds=3600, calendar=always)
    services.escalation_create(
        actor=manager,
        target=target,
        notify_users=[staff],
        after_seconds=0,
        raise_level=True,
        notify_roles=["service_manager"],
        notify_on_duty=True,
        reassign_team_id=7,
    )
    services.escalation_create(actor=manager, target=target, after_seconds=3600, notify_assignee=True)
    (spec,) = selectors.policy_targets(policy_id=policy.pk, kind="fault", level=1)
    first, second = spec.escalations
    assert first.raise_level
    assert first.notify_roles == ("service_manager",)
    assert first.notify_user_ids == (staff.pk,)
    assert first.reassign_team_id == 7
    assert second.after_seconds == 3600
    assert second.notify_assignee


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"seconds": 10}, "seconds"),
        ({"warn_percent": 100}, "warn_percent"),
        ({"kind": "nonsense"}, "kind"),
        ({"metric": "lunch"}, "metric"),
        ({"level": 9}, "level"),
        ({"penalty_amount": Decimal("-1")}, "penalty_amount"),
    ],
)
def test_bad_targets_are_refused_naming_the_field(
    manager: User, always: Calendar, fields: dict[str, Any], field: str
) -> None:
    policy = services.policy_create(actor=manager, name="P")
    values: dict[str, Any] = {"metric": Metric.RESPONSE, "seconds": 3600, "calendar": always} | fields
    with pytest.raises(ValidationError) as caught:
        services.target_create(actor=manager, policy=policy, **values)
    assert field in caught.value.message_dict


def test_a_second_target_for_the_same_kind_level_and_metric_is_refused(manager: User, always: Calendar) -> None:
    policy = services.policy_create(actor=manager, name="P")
    services.target_create(actor=manager, policy=policy, metric=Metric.RESPONSE, seconds=3600, calendar=always)
    with pytest.raises(ValidationError):
        services.target_create(actor=manager, policy=policy, metric=Metric.RESPONSE, seconds=60, calendar=always)


def test_escalations_refuse_unknown_roles_and_client_users(
    manager: User, client_a_user: User, always: Calendar
) -> None:
    policy = services.policy_create(actor=manager, name="P")
    target = services.target_create(actor=manager, policy=policy, metric=Metric.RESPONSE, seconds=3600, calendar=always)
    with pytest.raises(ValidationError) as caught:
        services.escalation_create(actor=manager, target=target, notify_roles=["king"], notify_users=[client_a_user])
    assert {"notify_roles", "notify_users"} <= set(caught.value.message_dict)


def test_one_default_policy_at_a_time(manager: User) -> None:
    first = services.policy_create(actor=manager, name="A", is_default=True)
    second = services.policy_create(actor=manager, name="B", is_default=True)
    first.refresh_from_db()
    assert not first.is_default
    assert selectors.policy_default() == second


def test_policy_changes_are_audited_and_signalled(
    manager: User, always: Calendar, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[int] = []

    def receiver(sender: Any, policy_id: int, **kwargs: Any) -> None:
        seen.append(policy_id)

    policy_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            policy = services.policy_create(actor=manager, name="P")
        with django_capture_on_commit_callbacks(execute=True):
            target = services.target_create(
                actor=manager, policy=policy, metric=Metric.PLAN, seconds=3600, calendar=always
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.target_update(actor=manager, target=target, changes={"seconds": 7200})
    finally:
        policy_changed.disconnect(receiver)
    assert seen == [policy.pk] * 3
    assert _actions() == ["sla.policy.create", "sla.target.create", "sla.target.update"]
    update = AuditEvent.objects.get(action="sla.target.update")
    assert (update.before, update.after) == ({"seconds": 3600}, {"seconds": 7200})


def test_a_policy_bound_by_a_contract_cannot_be_deleted(manager: User, archive_a: ClientArchive) -> None:
    policy = services.policy_create(actor=manager, name="P")
    archive_a.contract.warranty_policy = policy
    archive_a.contract.save()
    with pytest.raises(services.ObjectInUseError):
        services.policy_delete(actor=manager, policy=policy)
    assert SlaPolicy.objects.filter(pk=policy.pk).exists()


# -- contracts ------------------------------------------------------------------------


def test_a_contract_binds_its_policy_by_phase(manager: User, archive_a: ClientArchive) -> None:
    warranty = services.policy_create(actor=manager, name="W")
    after = services.policy_create(actor=manager, name="A")
    contract = archive_a.contract
    contract.signed_on = dt.date(2024, 12, 1)
    contract.accepted_on = dt.date(2025, 1, 1)
    contract.warranty_months = 12
    contract.ends_on = dt.date(2027, 12, 31)
    contract.warranty_policy = warranty
    contract.post_warranty_policy = after
    contract.save()
    assert contract_policy_at(contract, at(2025, 12, 31, 23)) == warranty
    assert contract_policy_at(contract, at(2026, 1, 1, 0, 30)) == after
    assert contract_policy_at(contract, at(2024, 12, 15)) == warranty
    assert contract_policy_at(contract, at(2028, 1, 1, 9)) is None


def test_the_service_desk_registers_its_request_kinds_for_targets() -> None:
    from weibao.sla import registry

    kinds = {value for value, _label in registry.request_kinds()}
    assert {"fault", "complaint", "emergency", "personalised", "training"} <= kinds
