"""Surveys (R7): the client's rating of an archived request, and the follow-up a low one opens.

Only archived requests are rated, once. A client user of the request's client rates
through the portal; anyone holding the survey link's token rates without signing in;
quality staff may enter a rating heard on a callback. A rating of 1 or 2 opens a
follow-up request of type *consultation* (not a complaint: the client did not complain,
the vendor follows up), titled "Follow-up: <number>", unassigned so that it shows in the
unassigned queue, linked to the rated request as related and stored as
``Survey.follow_up``. A *dissatisfied* callback opens the same follow-up.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.core.sanitize import text_to_html
from weibao.core.snapshot import model_snapshot
from weibao.customers.scope import scoped
from weibao.tickets import workflow
from weibao.tickets.models import (
    Channel,
    Level,
    Survey,
    Ticket,
    TicketEvent,
)
from weibao.tickets.services._common import snapshot, ticket_lock
from weibao.tickets.services._quality import (
    LINK_LABEL,
    LOW_RATING,
    MAX_COMMENT,
    SurveyRefusedError,
    _event,
    require_quality,
)
from weibao.tickets.services.numbers import number_next

# Surveys (R7) -------------------------------------------------------------------------------


def survey_token_issue(*, ticket: Ticket) -> str:
    """The secret of ``ticket``'s survey link, made on first call; idempotent.

    Call it when a request is closed (``ticket_transition`` does, on archiving). It does not check
    the status: the survey itself refuses a request that is not archived. A
    conditional UPDATE makes it safe against a concurrent call: both get the same token.
    ``ticket.survey_token`` is set on the instance too, so that a later full save of
    the caller's copy keeps it.
    """
    if ticket.survey_token:
        return ticket.survey_token
    token = secrets.token_urlsafe(32)
    if not Ticket.objects.filter(pk=ticket.pk, survey_token__isnull=True).update(survey_token=token):
        token = Ticket.objects.values_list("survey_token", flat=True).get(pk=ticket.pk) or token
    ticket.survey_token = token
    return token


def _survey_ticket(*, actor: User | None, ticket_id: int | None, token: str | None, via: str) -> Ticket:
    """The request to rate, locked; checks that ``via`` fits how it was reached."""
    if via not in Survey.Via.values:
        raise ValidationError({"via": [_("Unknown survey channel “%(via)s”.") % {"via": via}]})
    if (ticket_id is None) == (token is None):
        message = _("Give either the request or the survey link, not both.")
        raise ValidationError({"ticket_id": [message], "token": [message]})
    if token is not None:
        if via != Survey.Via.LINK:
            raise ValidationError({"via": [_("A rating through the survey link is given via the link.")]})
        ticket = Ticket.objects.select_for_update().filter(survey_token=token).first() if token else None
        if ticket is None:
            raise ObjectNotFoundError(_("This survey link is not valid."))
        return ticket
    if actor is None:
        raise PermissionDeniedError(_("Sign in or use the link of the survey."))
    assert ticket_id is not None
    ticket = ticket_lock(actor=actor, ticket_id=ticket_id)
    if actor.is_client_side:
        if via != Survey.Via.PORTAL:
            raise ValidationError({"via": [_("A client user rates through the portal.")]})
    elif via != Survey.Via.CALLBACK:
        raise PermissionDeniedError(_("Vendor staff cannot rate a request; only a callback records the client's."))
    else:
        require_quality(actor)
    return ticket


@transaction.atomic
def survey_submit(
    *,
    actor: User | None,
    ticket_id: int | None = None,
    token: str | None = None,
    rating: int,
    comment: str = "",
    via: str,
) -> Survey:
    """Record the client's rating (1–5) and comment on an archived request.

    Either ``ticket_id`` with a signed-in actor — a client user of the request's client
    (``via="portal"``) or quality staff entering what the client said on a callback
    (``via="callback"``) — or the survey link's ``token`` (``via="link"``), with or
    without a signed-in user. Errors: a wrong token or another client's request is
    ObjectNotFoundError; SurveyRefusedError when the request is not archived or already
    rated; ValidationError ``rating`` (not 1–5), ``comment`` (too long), ``via``.
    Side effects: the Survey, a ``rated`` timeline entry, ``survey.submit`` audit row;
    a rating of 2 or less opens a follow-up request (see the module's docstring).
    """
    ticket = _survey_ticket(actor=actor, ticket_id=ticket_id, token=token, via=via)
    if ticket.status != workflow.Status.ARCHIVED:
        raise SurveyRefusedError(
            _("%(number)s cannot be rated yet: only an archived request can be rated.") % {"number": ticket.number}
        )
    previous = Survey.objects.filter(ticket=ticket).first()
    if previous is not None:
        raise SurveyRefusedError(
            _("%(number)s was already rated on %(day)s; a request is rated once.")
            % {"number": ticket.number, "day": timezone.localdate(previous.created_at).isoformat()}
        )
    errors: dict[str, list[str]] = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        errors["rating"] = [_("Give a rating from 1 (very dissatisfied) to 5 (very satisfied).")]
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [_("At most %(n)s characters.") % {"n": MAX_COMMENT}]
    if errors:
        raise ValidationError(errors)
    # Through the link the rating is anonymous unless a user of the request's client is signed in.
    respondent = actor
    if via == Survey.Via.LINK and (
        actor is None or not actor.is_client_side or not scoped(Ticket.objects.filter(pk=ticket.pk), actor).exists()
    ):
        respondent = None
    survey = Survey.objects.create(ticket=ticket, rating=rating, comment=comment, via=via, respondent=respondent)
    _event(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.RATED,
        body=comment,
        data={"rating": rating, "via": via},
    )
    event_record(
        actor=actor,
        action="survey.submit",
        obj=survey,
        client_id=ticket.client_id,
        after=model_snapshot(survey, ["ticket", "rating", "comment", "via", "respondent"]),
        actor_label=None if actor is not None else LINK_LABEL,
    )
    if rating <= LOW_RATING:
        summary = _("Rating %(rating)s of 5 for %(number)s.") % {"rating": rating, "number": ticket.number}
        survey.follow_up = follow_up_open(
            origin=ticket,
            actor=actor,
            channel=Channel.HOTLINE if via == Survey.Via.CALLBACK else Channel.PORTAL,
            summary=f"{summary}\n\n{comment}" if comment else summary,
            source="survey",
        )
        survey.save(update_fields=["follow_up"])
    return survey


def follow_up_open(*, origin: Ticket, actor: User | None, channel: str, summary: str, source: str) -> Ticket:
    """Open the follow-up request of a low rating or a dissatisfied callback on ``origin``.

    A consultation titled "Follow-up: <number>" for the same client, deployment,
    contact and requester, assigned to nobody (it shows in the unassigned queue),
    linked to ``origin`` as related. Preconditions: inside the caller's transaction,
    ``origin`` locked. Side effects: the request with its number, ``created`` and
    ``linked`` timeline entries on it and a ``linked`` entry on ``origin``,
    ``ticket.create`` audit row.
    """
    # Stored text is written in the site's language, whoever's browser triggered it.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Follow-up: %(number)s") % {"number": origin.number}
        linked_here = _("Opened to follow up %(number)s.") % {"number": origin.number}
    follow_up = Ticket(
        client_id=origin.client_id,
        deployment_id=origin.deployment_id,
        contact_id=origin.contact_id,
        requester_id=origin.requester_id,
        created_by=actor,
        channel=channel,
        kind=workflow.Kind.CONSULTATION,
        level=Level.MINOR,
        title=title[:200],
        description=text_to_html(summary),
        status=workflow.initial_status(workflow.Kind.CONSULTATION),
        number=number_next(),
    )
    follow_up.save()
    _event(
        ticket=follow_up,
        actor=actor,
        kind=TicketEvent.Kind.CREATED,
        body=follow_up.description,
        data={"channel": channel, "on_behalf": False, "follow_up_of": origin.number, "source": source},
    )
    follow_up.related.add(origin)
    _event(
        ticket=follow_up,
        actor=actor,
        kind=TicketEvent.Kind.LINKED,
        body=linked_here,
        data={"related": origin.number, "linked": True, "follow_up_of": origin.number},
    )
    _event(
        ticket=origin,
        actor=actor,
        kind=TicketEvent.Kind.LINKED,
        body=_("Follow-up request %(number)s was opened.") % {"number": follow_up.number},
        data={"related": follow_up.number, "linked": True, "follow_up": follow_up.number},
    )
    event_record(
        actor=actor,
        action="ticket.create",
        obj=follow_up,
        client_id=follow_up.client_id,
        after=snapshot(follow_up),
        actor_label=None if actor is not None else LINK_LABEL,
    )
    return follow_up
