"""Names of the events other apps pass to ``notify(event=...)``.

Each name is ``<area>.<happening>``; rules, templates and preferences are keyed by it.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REQUEST_CREATED = "request.created"
REQUEST_ASSIGNED = "request.assigned"
REQUEST_REPLIED = "request.replied"
SLA_WARNING = "sla.warning"
SLA_BREACHED = "sla.breached"
SLA_ESCALATED = "sla.escalated"
ACCEPTANCE_PENDING = "acceptance.pending"
SURVEY_REQUESTED = "survey.requested"
COMPLAINT_CREATED = "complaint.created"
ANNOUNCEMENT_PUBLISHED = "announcement.published"

# Event name -> label shown on the rules and preferences pages.
EVENTS: dict[str, Promise] = {
    REQUEST_CREATED: _("New request"),
    REQUEST_ASSIGNED: _("Request assigned"),
    REQUEST_REPLIED: _("Reply on a request"),
    SLA_WARNING: _("Service-level warning"),
    SLA_BREACHED: _("Service-level breach"),
    SLA_ESCALATED: _("Escalation"),
    ACCEPTANCE_PENDING: _("Acceptance pending"),
    SURVEY_REQUESTED: _("Satisfaction survey"),
    COMPLAINT_CREATED: _("New complaint"),
    ANNOUNCEMENT_PUBLISHED: _("Announcement published"),
}
