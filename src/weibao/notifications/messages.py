"""Wording of each event: built-in templates (translated), or an administrator's override.

Templates use the Django template language over the notification's context plus
``link`` and ``event``; they render in the recipient's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from weibao.notifications import events
from weibao.notifications.models import MessageTemplate

# A standalone engine: built-in tags and filters only, no loaders (no file access), no autoescape.
ENGINE = Engine(autoescape=False)

_TAIL = "{% if summary %}{{ summary }}\n{% endif %}{% if link %}{{ link }}{% endif %}"

BUILTIN: dict[str, tuple[Promise, Promise]] = {
    events.REQUEST_CREATED: (
        _("New request {{ number }}: {{ title }}"),
        _("A new request was opened: {{ number }} {{ title }}."),
    ),
    events.REQUEST_ASSIGNED: (
        _("Request {{ number }} assigned to you"),
        _("Request {{ number }} {{ title }} was assigned{% if assignee %} to {{ assignee }}{% endif %}."),
    ),
    events.REQUEST_REPLIED: (
        _("New reply on {{ number }}"),
        _("There is a new reply on request {{ number }} {{ title }}."),
    ),
    events.SLA_WARNING: (
        _("Deadline approaching: {{ number }}"),
        _("Request {{ number }} {{ title }} is close to its deadline{% if deadline %} ({{ deadline }}){% endif %}."),
    ),
    events.SLA_BREACHED: (
        _("Deadline missed: {{ number }}"),
        _("Request {{ number }} {{ title }} missed its deadline{% if deadline %} ({{ deadline }}){% endif %}."),
    ),
    events.SLA_ESCALATED: (
        _("Escalated: {{ number }}"),
        _("Request {{ number }} {{ title }} was escalated{% if level %} to level {{ level }}{% endif %}."),
    ),
    events.ACCEPTANCE_PENDING: (
        _("Please accept request {{ number }}"),
        _("The work on request {{ number }} {{ title }} is done and waits for your acceptance."),
    ),
    events.SURVEY_REQUESTED: (
        _("How did we do on {{ number }}?"),
        _("Please tell us how satisfied you are with request {{ number }} {{ title }}."),
    ),
    events.COMPLAINT_CREATED: (
        _("New complaint {{ number }}"),
        _("A complaint was recorded: {{ number }} {{ title }}."),
    ),
    events.ANNOUNCEMENT_PUBLISHED: (
        _("Announcement: {{ title }}"),
        _("A new announcement was published: {{ title }}."),
    ),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def _render(source: str, context: dict[str, Any]) -> str:
    try:
        return ENGINE.from_string(source).render(Context(context, autoescape=False)).strip()
    except TemplateSyntaxError:
        return source


def template_check(source: str) -> str | None:
    """The syntax error of an administrator's template, or None if it compiles."""
    try:
        ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        return str(exc)
    return None


def render(*, event: str, language: str, context: dict[str, Any], link: str) -> Rendered:
    data = {**context, "link": link, "event": event}
    override = MessageTemplate.objects.filter(event=event, language=language).first()
    with translation.override(language):
        if override is not None:
            subject_src, body_src = override.subject, override.body
        else:
            subject, body = BUILTIN[event]
            subject_src, body_src = str(subject), f"{body}\n{_TAIL}"
        return Rendered(subject=_render(subject_src, data).replace("\n", " ")[:300], body=_render(body_src, data))
