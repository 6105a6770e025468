"""Complaints (R1.7) and service quality (R7): the services of `complaints`, `surveys` and `callbacks`.

Choices made here, for the pages and the API built on them:

- **First responder (首问负责制).** ``complaint_ensure`` makes the complaint record of a
  complaint request the first time vendor staff act on it: at registration when staff
  register it, or for a portal complaint when the first staff member updates, links or
  otherwise works on it. The first responder never changes afterwards; a *tracker* is
  named separately when the complaint cannot be solved at once.
- **Corrective and preventive actions** may be recorded on any request (a major fault's
  incident analysis needs them as much as a complaint does); they are vendor-internal.
- **Surveys.** Only archived requests are rated, once. A client user of the request's
  client rates through the portal; anyone holding the survey link's token rates without
  signing in; quality staff may enter a rating heard on a callback. A rating of 1 or 2
  opens a follow-up request of type *consultation* (not a complaint: the client did not
  complain, the vendor follows up), titled "Follow-up: <number>", unassigned so that it
  shows in the unassigned queue, linked to the rated request as related and stored as
  ``Survey.follow_up``. A *dissatisfied* callback opens the same follow-up.
- **Callback sample.** Every week, ``CALLBACK_SAMPLE_PERCENT`` % of the requests archived
  the week before (Monday to Sunday, local time) are drawn per client, rounded half up
  and at least one per client that had any, and shared round-robin among the active
  quality staff. A week is drawn once: drawing it again returns the same tasks.
"""

from __future__ import annotations

from weibao.tickets.services._quality import (
    COMPLAINT_FIELDS,
    LOW_RATING,
    MAX_COMMENT,
    QUALITY_ROLES,
    SurveyRefusedError,
    is_quality,
    require_quality,
)
from weibao.tickets.services.callbacks import callback_record, callback_sample_draw, sample_size, sampled_week
from weibao.tickets.services.complaints import (
    complaint_ensure,
    complaint_update,
    corrective_action_add,
    corrective_action_complete,
)
from weibao.tickets.services.surveys import follow_up_open, survey_submit, survey_token_issue

__all__ = [
    "COMPLAINT_FIELDS",
    "LOW_RATING",
    "MAX_COMMENT",
    "QUALITY_ROLES",
    "SurveyRefusedError",
    "callback_record",
    "callback_sample_draw",
    "complaint_ensure",
    "complaint_update",
    "corrective_action_add",
    "corrective_action_complete",
    "follow_up_open",
    "is_quality",
    "require_quality",
    "sample_size",
    "sampled_week",
    "survey_submit",
    "survey_token_issue",
]
