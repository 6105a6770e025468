"""The satisfaction survey by link (R7): the link's token is the credential, no sign-in needed."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from weibao.accounts.models import User
from weibao.core.errors import WeibaoError
from weibao.core.web import form_add_errors
from weibao.tickets.models import Survey, Ticket
from weibao.tickets.portal._common import found
from weibao.tickets.portal_forms import SurveyForm
from weibao.tickets.quality_selectors import survey_ticket_for_token
from weibao.tickets.services.quality import survey_submit
from weibao.tickets.workflow import Status


def _rated(ticket: Ticket) -> Survey | None:
    try:
        return ticket.survey
    except ObjectDoesNotExist:
        return None


@require_http_methods(["GET", "POST"])
def survey_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """Ask for one rating of the request behind ``token``; an unknown token is a 404.

    The page names only the request's number and summary: whoever holds the link
    learns nothing else about the client.
    """
    ticket = found(survey_ticket_for_token, token=token)
    user = request.user
    actor = user if isinstance(user, User) and not isinstance(user, AnonymousUser) else None
    form = SurveyForm(request.POST or None)
    done = False
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            survey_submit(
                actor=actor,
                token=token,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                via=Survey.Via.LINK,
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        except WeibaoError as exc:
            form.add_error(None, exc.message)
        else:
            done = True
    if request.method == "POST" and form.errors:
        status = 400
    survey = _rated(ticket)
    refusal = ""
    if form.non_field_errors():
        # The service refused the rating (rated meanwhile, not archived): say so instead of the form.
        refusal = " ".join(str(message) for message in form.non_field_errors())
    elif survey is not None and not done:
        refusal = _("This request was already rated; a request is rated once. Thank you.")
    elif ticket.state != Status.ARCHIVED:
        refusal = _("This request is not closed yet; it can be rated once it is archived.")
    context = {"ticket": ticket, "form": form, "done": done, "refusal": refusal, "survey": survey}
    return render(request, "tickets/portal/survey.html", context, status=status)
