"""Service levels (R1.3, R2.1–R2.4): working calendars and SLA policies."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.core.models import TimeStampedModel

MIDNIGHT = dt.time(0, 0)
# The default range a new calendar knows (the statutory one knows the years it was given).
DEFAULT_FIRST = dt.date(2000, 1, 1)
DEFAULT_LAST = dt.date(2050, 12, 31)


class Metric(models.TextChoices):
    """What a target measures."""

    RESPONSE = "response", _("First response")
    ARRIVAL = "arrival", _("On-site arrival")
    RESTORE = "restore", _("Restore (workaround)")
    RESOLVE = "resolve", _("Resolve")
    PLAN = "plan", _("Written plan")


class Level(models.IntegerChoices):
    """Fault levels (R1.3); the same numbers as the service desk's."""

    MAJOR = 1, _("Level 1 — major")
    SERIOUS = 2, _("Level 2 — serious")
    MINOR = 3, _("Level 3 — minor")
    TRIVIAL = 4, _("Level 4 — no function lost")


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(zone)s."), params={"zone": value}) from exc


class Calendar(TimeStampedModel):
    """A working calendar: weekly intervals, holidays and make-up working days, or 7×24.

    ``stamp`` changes on every edit of the calendar or its intervals and days, so
    compiled copies cached in any process know they are stale.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    always_on = models.BooleanField(_("7×24"), default=False, help_text=_("Every instant is working time."))
    first_day = models.DateField(_("known from"), default=DEFAULT_FIRST)
    last_day = models.DateField(
        _("known until"),
        default=DEFAULT_LAST,
        help_text=_("Deadlines beyond this day cannot be computed; extend the calendar in time."),
    )
    stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("The range cannot end before it starts.")})


class WorkingInterval(models.Model):
    """One working span of a weekday; an end of 00:00 means midnight at the end of the day."""

    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="intervals", verbose_name=_("calendar")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        ordering = ["calendar", "weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end != MIDNIGHT and self.end <= self.start:
            raise ValidationError({"end": _("An interval must end after it starts.")})


class CalendarDay(models.Model):
    """A dated exception: a holiday (no working time) or a make-up working day (调休上班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up working day")

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="days", verbose_name=_("calendar"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("e.g. 春节"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendar_day_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class SlaPolicy(TimeStampedModel):
    """A set of targets; contracts bind one for warranty and one after it.

    At most one policy is the default, used for requests with no contract.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(
        _("default policy"), default=False, help_text=_("Applies to requests that have no contract.")
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True), name="sla_one_default")
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """One commitment: ``metric`` within ``seconds`` of working time on ``calendar``.

    A blank ``kind`` applies to every request kind, a null ``level`` to every level;
    the most specific row per metric wins (kind and level > kind > level > neither).
    """

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets", verbose_name=_("policy"))
    kind = models.CharField(_("request kind"), max_length=32, blank=True, help_text=_("Blank: every kind."))
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, null=True, blank=True, help_text=_("Empty: every level.")
    )
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    seconds = models.PositiveIntegerField(
        _("duration (seconds of working time)"), validators=[MinValueValidator(60), MaxValueValidator(366 * 86400)]
    )
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="targets", verbose_name=_("calendar"))
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the time used)"), default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    penalty_amount = models.DecimalField(
        _("penalty per miss (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: the contract's penalty per missed response applies to responses, nothing else."),
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["policy", "metric", "kind", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "kind", "level", "metric"],
                condition=models.Q(level__isnull=False),
                name="sla_target_once_per_level",
            ),
            models.UniqueConstraint(
                fields=["policy", "kind", "metric"],
                condition=models.Q(level__isnull=True),
                name="sla_target_once_any_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.get_metric_display()}"


class SlaEscalationStep(models.Model):
    """What happens ``after_seconds`` (wall-clock) past a missed target.

    ``reassign_team_id`` names a service-desk team by id (the sla layer cannot
    import it); the service desk validates it and offers teams through
    ``weibao.sla.registry.teams``.
    """

    target = models.ForeignKey(
        SlaTarget, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("target")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    after_seconds = models.PositiveIntegerField(_("after the miss (seconds)"), default=0)
    raise_level = models.BooleanField(_("raise the level"), default=False)
    notify_roles = models.JSONField(_("notify roles"), default=list, blank=True)
    notify_assignee = models.BooleanField(_("notify the assignee"), default=False)
    notify_on_duty = models.BooleanField(_("notify the on-duty contact"), default=False)
    notify_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("notify people")
    )
    reassign_team_id = models.PositiveIntegerField(_("reassign to team"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["target", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["target", "order"], name="sla_escalation_order_once")]

    def __str__(self) -> str:
        return f"{self.target} #{self.order}"
