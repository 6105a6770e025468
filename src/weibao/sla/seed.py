"""Shipped data: the statutory and 7×24 calendars and the preset policies (R2.1, R2.2).

Idempotent: the data migration runs it, ``weibao sla_presets`` runs it again any
time (it adds what is missing and never changes what an administrator edited).
Functions take an ``apps`` registry so the migration can pass its historical one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

STATUTORY = "中国法定工作日历"
ALWAYS = "7×24"
STATUTORY_FIRST = dt.date(2004, 1, 1)
# The last day whose holidays the package knows; the calendar runs one year further on
# its weekly hours, so that a deadline in the next year is computed (and recomputed
# when an administrator enters that year's notice) rather than missing.
HOLIDAYS_KNOWN_UNTIL = dt.date(2026, 12, 31)
STATUTORY_LAST = dt.date(HOLIDAYS_KNOWN_UNTIL.year + 1, 12, 31)
# The statutory working day: 8 hours, 09:00–12:00 and 13:00–18:00.
STATUTORY_HOURS = ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(18)))
WORKING_DAY = 8 * 3600

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

MIN = 60
HOUR = 3600


def statutory_days() -> list[tuple[dt.date, str, str]]:
    """(date, kind, Chinese name) of every holiday and make-up day 2004–2026, from chinese-calendar."""
    import chinese_calendar

    rows: list[tuple[dt.date, str, str]] = []
    for table, kind in ((chinese_calendar.holidays, "holiday"), (chinese_calendar.workdays, "workday")):
        for day, holiday in table.items():
            if STATUTORY_FIRST <= day <= HOLIDAYS_KNOWN_UNTIL:
                label = str(getattr(holiday, "value", holiday))
                rows.append((day, kind, HOLIDAY_NAMES.get(label, label)))
    return sorted(rows)


def calendars_install(apps: Any) -> dict[str, Any]:
    """Create the statutory and 7×24 calendars unless they exist; returns them by name."""
    calendar_model = apps.get_model("sla", "Calendar")
    interval_model = apps.get_model("sla", "WorkingInterval")
    day_model = apps.get_model("sla", "CalendarDay")
    statutory, created = calendar_model.objects.get_or_create(
        name=STATUTORY,
        defaults={"time_zone": "Asia/Shanghai", "first_day": STATUTORY_FIRST, "last_day": STATUTORY_LAST},
    )
    if created:
        interval_model.objects.bulk_create(
            interval_model(calendar=statutory, weekday=weekday, start=start, end=end)
            for weekday in range(1, 6)
            for start, end in STATUTORY_HOURS
        )
        day_model.objects.bulk_create(
            day_model(calendar=statutory, date=day, kind=kind, name=name) for day, kind, name in statutory_days()
        )
    always, _ = calendar_model.objects.get_or_create(
        name=ALWAYS, defaults={"time_zone": "Asia/Shanghai", "always_on": True}
    )
    return {STATUTORY: statutory, ALWAYS: always}


@dataclass(frozen=True)
class PresetTarget:
    metric: str
    seconds: int
    calendar: str
    kind: str = ""
    level: int | None = None
    penalty: Decimal | None = None


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    targets: tuple[PresetTarget, ...]
    is_default: bool = False


def _restore_by_level(calendar: str) -> tuple[PresetTarget, ...]:
    return (
        PresetTarget("restore", 4 * HOUR, calendar, level=1),
        PresetTarget("restore", 12 * HOUR, calendar, level=2),
        PresetTarget("restore", 24 * HOUR, calendar, level=3),
        PresetTarget("restore", 24 * HOUR, calendar, level=4),
    )


_COMPLAINT = PresetTarget("response", WORKING_DAY, STATUTORY, kind="complaint")

PRESETS: tuple[Preset, ...] = (
    Preset(
        name="质保期服务标准",
        description=(
            "质保期内（自验收合格起）：7×24 小时热线，电话 1 小时内响应，邮件 2 小时内回复；"
            "报修后 1 小时现场响应；重大故障（一级）4 小时内修复，二级故障 12 小时内恢复，"
            "三、四级故障和技术问题 24 小时内恢复；投诉 1 个工作日内答复。"
        ),
        targets=(
            PresetTarget("response", 1 * HOUR, ALWAYS),
            PresetTarget("arrival", 1 * HOUR, ALWAYS, level=1),
            PresetTarget("arrival", 1 * HOUR, ALWAYS, level=2),
            *_restore_by_level(ALWAYS),
            _COMPLAINT,
        ),
    ),
    Preset(
        name="质保期外服务标准",
        description=(
            "质保期满后：7×24 小时热线，电话 2 小时内响应，邮件 2 小时内回复；"
            "一、二级故障 12 小时内恢复，三、四级故障 24 小时内恢复；投诉 1 个工作日内答复。"
            "也用于没有合同的请求。"
        ),
        targets=(
            PresetTarget("response", 2 * HOUR, ALWAYS),
            PresetTarget("restore", 12 * HOUR, ALWAYS, level=1),
            PresetTarget("restore", 12 * HOUR, ALWAYS, level=2),
            PresetTarget("restore", 24 * HOUR, ALWAYS, level=3),
            PresetTarget("restore", 24 * HOUR, ALWAYS, level=4),
            _COMPLAINT,
        ),
        is_default=True,
    ),
    Preset(
        name="驻点服务标准（10 分钟响应）",
        description=(
            "全年 365×24 小时：接到报告 10 分钟内响应，2 小时内排除故障，否则 2 小时内提出书面解决方案；"
            "未及时响应每次从质保金扣除 500 元。紧急业务 1 小时内派出技术人员，1 个工作日内制定应急预案，"
            "3 个工作日内拿出修改方案；个性化修改 2 个工作日内了解需求，5 个工作日内作出回应。"
        ),
        targets=(
            PresetTarget("response", 10 * MIN, ALWAYS, penalty=Decimal("500")),
            PresetTarget("restore", 2 * HOUR, ALWAYS),
            PresetTarget("plan", 2 * HOUR, ALWAYS),
            PresetTarget("response", 10 * MIN, ALWAYS, kind="emergency", penalty=Decimal("500")),
            PresetTarget("arrival", 1 * HOUR, ALWAYS, kind="emergency"),
            PresetTarget("plan", WORKING_DAY, STATUTORY, kind="emergency"),
            PresetTarget("resolve", 3 * WORKING_DAY, STATUTORY, kind="emergency"),
            PresetTarget("response", 2 * WORKING_DAY, STATUTORY, kind="personalised", penalty=Decimal("500")),
            PresetTarget("plan", 5 * WORKING_DAY, STATUTORY, kind="personalised"),
            _COMPLAINT,
        ),
    ),
    Preset(
        name="标准服务（4 小时响应）",
        description=(
            "工作日：接到报告 4 小时内响应，2 个工作日内排除故障，否则 2 个工作日内提出解决方案；"
            "易用性需求 1 周，性能问题 1 个月；投诉 1 个工作日内答复。"
        ),
        targets=(
            PresetTarget("response", 4 * HOUR, STATUTORY),
            PresetTarget("restore", 2 * WORKING_DAY, STATUTORY),
            PresetTarget("plan", 2 * WORKING_DAY, STATUTORY),
            PresetTarget("resolve", 5 * WORKING_DAY, STATUTORY, kind="optimization"),
            PresetTarget("resolve", 22 * WORKING_DAY, STATUTORY, kind="corrective"),
            _COMPLAINT,
        ),
    ),
)


def presets_install(apps: Any) -> int:
    """Create each preset policy that does not exist yet (by name); returns how many were created."""
    calendars = calendars_install(apps)
    policy_model = apps.get_model("sla", "SlaPolicy")
    target_model = apps.get_model("sla", "SlaTarget")
    step_model = apps.get_model("sla", "SlaEscalationStep")
    created = 0
    for preset in PRESETS:
        if policy_model.objects.filter(name=preset.name).exists():
            continue
        is_default = preset.is_default and not policy_model.objects.filter(is_default=True).exists()
        policy = policy_model.objects.create(name=preset.name, description=preset.description, is_default=is_default)
        created += 1
        for spec in preset.targets:
            target = target_model.objects.create(
                policy=policy,
                kind=spec.kind,
                level=spec.level,
                metric=spec.metric,
                seconds=spec.seconds,
                calendar=calendars[spec.calendar],
                warn_percent=75,
                penalty_amount=spec.penalty,
            )
            # On a miss: tell the service managers, the assignee and the on-duty contact;
            # a missed restore also raises the level (R1.3 自动升级).
            step_model.objects.create(
                target=target,
                order=1,
                after_seconds=0,
                raise_level=spec.metric == "restore",
                notify_roles=["service_manager"],
                notify_assignee=True,
                notify_on_duty=spec.metric in {"restore", "arrival"},
            )
    return created
