"""Satisfaction surveys (R7): by portal, by link, by callback; once, on archived requests; low ratings followed up."""

from __future__ import annotations

import threading

import pytest
from conftest import make_user
from django.core.exceptions import ValidationError
from django.db import connection

from weibao.accounts.models import AuditEvent, Role
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.tickets.models import Survey, Ticket, TicketEvent
from weibao.tickets.selectors import Queue, TicketFilter, ticket_list
from weibao.tickets.services.quality import SurveyRefusedError, survey_submit, survey_token_issue
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def archived(actor, client, **overrides) -> Ticket:
    ticket = make_ticket(actor=actor, client=client, **overrides)
    ticket = ticket_transition(actor=actor, ticket_id=ticket.pk, action="review_no_action", reason="操作指导后已解决")
    survey_token_issue(ticket=ticket)
    return ticket


@pytest.fixture
def done(staff, client_a, client_a_user) -> Ticket:
    return archived(staff, client_a, requester=client_a_user)


@pytest.fixture
def quality(db):
    return make_user("quality", Role.QUALITY)


def test_the_survey_token_is_made_once_and_kept(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    token = survey_token_issue(ticket=ticket)
    assert len(token) == 43
    assert ticket.survey_token == token
    stale = Ticket.objects.get(pk=ticket.pk)
    assert survey_token_issue(ticket=stale) == token
    other = make_ticket(actor=staff, client=client_a)
    assert survey_token_issue(ticket=other) != token


def test_a_concurrent_issue_keeps_the_token_already_stored(staff, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    copy = Ticket.objects.get(pk=ticket.pk)
    first = survey_token_issue(ticket=ticket)
    assert survey_token_issue(ticket=copy) == first
    assert Ticket.objects.get(pk=ticket.pk).survey_token == first


def test_a_client_user_rates_an_archived_request_in_the_portal(client_a_user, done) -> None:
    survey = survey_submit(actor=client_a_user, ticket_id=done.pk, rating=5, comment=" 很及时 ", via="portal")
    assert (survey.rating, survey.comment, survey.via, survey.respondent) == (5, "很及时", "portal", client_a_user)
    assert survey.follow_up is None
    entry = done.events.get(kind=TicketEvent.Kind.RATED)
    assert (entry.internal, entry.body, entry.data) == (False, "很及时", {"rating": 5, "via": "portal"})
    audit = AuditEvent.objects.get(action="survey.submit")
    assert (audit.actor, audit.client_id, audit.after["rating"]) == (client_a_user, done.client_id, 5)


def test_rating_twice_is_refused_with_a_clear_message(client_a_user, done) -> None:
    survey_submit(actor=client_a_user, ticket_id=done.pk, rating=4, via="portal")
    with pytest.raises(SurveyRefusedError, match="already rated"):
        survey_submit(actor=client_a_user, ticket_id=done.pk, rating=1, via="portal")
    with pytest.raises(SurveyRefusedError, match="already rated"):
        survey_submit(actor=None, token=done.survey_token, rating=1, via="link")
    assert Survey.objects.get().rating == 4


def test_rating_an_open_request_is_refused(staff, client_a_user, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    with pytest.raises(SurveyRefusedError, match="only an archived request"):
        survey_submit(actor=client_a_user, ticket_id=ticket.pk, rating=5, via="portal")
    assert not Survey.objects.exists()


def test_rating_a_withdrawn_request_is_refused(staff, client_a_user, client_a) -> None:
    ticket = make_ticket(actor=staff, client=client_a)
    ticket_transition(actor=staff, ticket_id=ticket.pk, action="withdraw", reason="重复提交")
    with pytest.raises(SurveyRefusedError):
        survey_submit(actor=client_a_user, ticket_id=ticket.pk, rating=5, via="portal")


@pytest.mark.parametrize("rating", [0, 6, -1, "5", 4.5, True, None])
def test_a_rating_outside_one_to_five_is_refused_naming_rating(client_a_user, done, rating) -> None:
    with pytest.raises(ValidationError) as exc:
        survey_submit(actor=client_a_user, ticket_id=done.pk, rating=rating, via="portal")
    assert "rating" in exc.value.message_dict
    assert not Survey.objects.exists()


def test_a_comment_over_5000_characters_is_refused_naming_comment(client_a_user, done) -> None:
    with pytest.raises(ValidationError) as exc:
        survey_submit(actor=client_a_user, ticket_id=done.pk, rating=5, comment="好" * 5001, via="portal")
    assert "comment" in exc.value.message_dict


def test_another_clients_user_does_not_find_the_request(client_b_user, done) -> None:
    with pytest.raises(ObjectNotFoundError):
        survey_submit(actor=client_b_user, ticket_id=done.pk, rating=5, via="portal")


def test_the_survey_link_rates_without_signing_in(done) -> None:
    survey = survey_submit(actor=None, token=done.survey_token, rating=4, comment="不错", via="link")
    assert (survey.via, survey.respondent) == ("link", None)
    entry = done.events.get(kind=TicketEvent.Kind.RATED)
    assert entry.actor is None
    assert entry.actor_label
    audit = AuditEvent.objects.get(action="survey.submit")
    assert (audit.actor, audit.actor_label) == (None, "survey link")


def test_a_signed_in_user_of_the_client_following_the_link_is_the_respondent(client_a_user, done) -> None:
    survey = survey_submit(actor=client_a_user, token=done.survey_token, rating=5, via="link")
    assert survey.respondent == client_a_user


def test_someone_elses_signed_in_user_following_the_link_rates_anonymously(client_b_user, done) -> None:
    survey = survey_submit(actor=client_b_user, token=done.survey_token, rating=5, via="link")
    assert survey.respondent is None


@pytest.mark.parametrize("token", ["x" * 43, "", "' OR 1=1 --"])
def test_a_wrong_survey_token_is_not_found(done, token) -> None:
    with pytest.raises(ObjectNotFoundError):
        survey_submit(actor=None, token=token, rating=5, via="link")
    assert not Survey.objects.exists()


def test_a_token_on_another_channel_than_the_link_is_refused_naming_via(done) -> None:
    with pytest.raises(ValidationError) as exc:
        survey_submit(actor=None, token=done.survey_token, rating=5, via="portal")
    assert "via" in exc.value.message_dict


def test_an_unknown_channel_is_refused_naming_via(client_a_user, done) -> None:
    with pytest.raises(ValidationError) as exc:
        survey_submit(actor=client_a_user, ticket_id=done.pk, rating=5, via="fax")
    assert "via" in exc.value.message_dict


def test_a_client_user_rating_by_request_id_must_use_the_portal_channel(client_a_user, done) -> None:
    with pytest.raises(ValidationError) as exc:
        survey_submit(actor=client_a_user, ticket_id=done.pk, rating=5, via="callback")
    assert "via" in exc.value.message_dict


def test_either_the_request_or_the_token_must_be_given_not_both(client_a_user, done) -> None:
    for kwargs in ({}, {"ticket_id": done.pk, "token": done.survey_token}):
        with pytest.raises(ValidationError) as exc:
            survey_submit(actor=client_a_user, rating=5, via="portal", **kwargs)
        assert {"ticket_id", "token"} <= set(exc.value.message_dict)


def test_rating_by_request_id_needs_a_signed_in_user(done) -> None:
    with pytest.raises(PermissionDeniedError):
        survey_submit(actor=None, ticket_id=done.pk, rating=5, via="portal")


def test_an_agent_cannot_rate_a_request(staff, done) -> None:
    for via in ("portal", "callback"):
        with pytest.raises(PermissionDeniedError):
            survey_submit(actor=staff, ticket_id=done.pk, rating=5, via=via)


def test_quality_staff_record_a_rating_heard_on_a_callback(quality, done) -> None:
    survey = survey_submit(actor=quality, ticket_id=done.pk, rating=3, via="callback")
    assert (survey.via, survey.respondent, survey.follow_up) == ("callback", quality, None)


def test_a_low_rating_opens_an_unassigned_follow_up_request(staff, client_a_user, done) -> None:
    survey = survey_submit(actor=client_a_user, ticket_id=done.pk, rating=2, comment="等了三天", via="portal")
    follow_up = survey.follow_up
    assert follow_up is not None
    assert follow_up.number != done.number
    assert done.number in follow_up.title
    assert (follow_up.kind, follow_up.status, follow_up.assignee, follow_up.client_id) == (
        "consultation",
        Status.REGISTERED,
        None,
        done.client_id,
    )
    assert (follow_up.requester, follow_up.created_by, follow_up.channel) == (client_a_user, client_a_user, "portal")
    assert "等了三天" in follow_up.description
    assert list(follow_up.related.all()) == [done]
    assert list(Ticket.objects.get(pk=done.pk).related.all()) == [follow_up]
    unassigned = ticket_list(actor=staff, filters=TicketFilter(queue=Queue.UNASSIGNED))
    assert follow_up in unassigned
    assert list(follow_up.events.values_list("kind", flat=True)) == [TicketEvent.Kind.CREATED, TicketEvent.Kind.LINKED]
    assert done.events.filter(kind=TicketEvent.Kind.LINKED, data__follow_up=follow_up.number).count() == 1
    assert AuditEvent.objects.filter(action="ticket.create", object_id=str(follow_up.pk)).count() == 1


def test_a_rating_of_three_opens_no_follow_up(client_a_user, done) -> None:
    before = Ticket.objects.count()
    survey = survey_submit(actor=client_a_user, ticket_id=done.pk, rating=3, via="portal")
    assert survey.follow_up is None
    assert Ticket.objects.count() == before


def test_a_low_rating_by_link_opens_a_follow_up_registered_by_the_link(done) -> None:
    survey = survey_submit(actor=None, token=done.survey_token, rating=1, comment="<script>x</script>", via="link")
    follow_up = survey.follow_up
    assert follow_up is not None
    assert follow_up.created_by is None
    assert "<script>" not in follow_up.description
    created = follow_up.events.get(kind=TicketEvent.Kind.CREATED)
    assert created.actor is None
    assert created.actor_label
    audit = AuditEvent.objects.get(action="ticket.create", object_id=str(follow_up.pk))
    assert audit.actor_label == "survey link"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_one_request_keep_exactly_one(client_a_user, done) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and separate connections")
    barrier = threading.Barrier(4)
    results: list[object] = [None] * 4

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = survey_submit(actor=None, token=done.survey_token, rating=n + 1, via="link")
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(isinstance(r, Survey) for r in results) == 1
    assert sum(isinstance(r, SurveyRefusedError) for r in results) == 3, results
    assert Survey.objects.count() == 1
