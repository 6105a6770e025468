"""The procedure's state table (R1.4–R1.6), tested without the database."""

from __future__ import annotations

import pytest
from django.utils import translation

from weibao.tickets.workflow import (
    CLOSED,
    RULES,
    Action,
    Kind,
    Side,
    Status,
    TransitionRefused,
    actions_available,
    initial_status,
    transition_check,
)

S, K, A = Status, Kind, Action


@pytest.fixture(autouse=True)
def _english() -> None:
    translation.activate("en")


@pytest.mark.parametrize(
    ("status", "kind", "action", "side", "target"),
    [
        (S.REGISTERED, K.FAULT, A.REVIEW_HANDLE, Side.STAFF, S.IN_PROGRESS),
        (S.REGISTERED, K.FAULT, A.REVIEW_PLAN, Side.STAFF, S.PLAN_PENDING),
        (S.REGISTERED, K.CONSULTATION, A.REVIEW_NO_ACTION, Side.STAFF, S.ARCHIVED),
        (S.PLAN_PENDING, K.FAULT, A.PLAN_CONFIRM, Side.CLIENT, S.IN_PROGRESS),
        (S.PLAN_PENDING, K.FAULT, A.PLAN_DECLINE, Side.LEADER, S.REGISTERED),
        (S.IN_PROGRESS, K.FAULT, A.RESOLVE, Side.STAFF, S.ACCEPTANCE),
        (S.IN_PROGRESS, K.OPTIMIZATION, A.RESOLVE, Side.STAFF, S.TESTING),
        (S.TESTING, K.OPTIMIZATION, A.TEST_PASS, Side.STAFF, S.ACCEPTANCE),
        (S.TESTING, K.OPTIMIZATION, A.TEST_FAIL, Side.STAFF, S.IN_PROGRESS),
        (S.ACCEPTANCE, K.FAULT, A.ACCEPT, Side.CLIENT, S.FEEDBACK),
        (S.ACCEPTANCE, K.FAULT, A.REJECT_FIX, Side.CLIENT, S.IN_PROGRESS),
        (S.FEEDBACK, K.FAULT, A.FEEDBACK, Side.CLIENT, S.ARCHIVED),
        (S.FEEDBACK, K.FAULT, A.ARCHIVE, Side.STAFF, S.ARCHIVED),
        (S.LEADER_SIGNOFF, K.OPTIMIZATION, A.LEADER_APPROVE, Side.LEADER, S.REGISTERED),
        (S.LEADER_SIGNOFF, K.DATA, A.LEADER_DECLINE, Side.LEADER, S.REJECTED),
        (S.REGISTERED, K.OPTIMIZATION, A.REVIEW_REJECT, Side.STAFF, S.REJECTED),
        (S.IN_PROGRESS, K.FAULT, A.WAIT_CLIENT, Side.STAFF, S.PENDING_CLIENT),
        (S.IN_PROGRESS, K.FAULT, A.SUSPEND, Side.STAFF, S.SUSPENDED),
        (S.REGISTERED, K.FAULT, A.WITHDRAW, Side.CLIENT, S.WITHDRAWN),
        (S.IN_PROGRESS, K.FAULT, A.CLOSE, Side.STAFF, S.ARCHIVED),
        (S.REGISTERED, K.FAULT, A.MERGE, Side.STAFF, S.MERGED),
    ],
)
def test_each_step_of_the_procedure_leads_where_the_rules_say(status, kind, action, side, target) -> None:
    assert transition_check(status=status, kind=kind, action=action, side=side) == target


def test_a_hold_resumes_the_state_it_interrupted() -> None:
    resumed = transition_check(
        status=S.PENDING_CLIENT, kind=K.FAULT, action=A.RESUME, side=Side.CLIENT, resume_status=S.PLAN_PENDING
    )
    assert resumed == S.PLAN_PENDING


@pytest.mark.parametrize(
    ("status", "kind", "action", "side", "says"),
    [
        (S.LEADER_SIGNOFF, K.OPTIMIZATION, A.REVIEW_HANDLE, Side.STAFF, "leader has not yet signed"),
        (S.ARCHIVED, K.FAULT, A.RESOLVE, Side.STAFF, "already closed"),
        (S.REGISTERED, K.FAULT, A.ACCEPT, Side.CLIENT, "Possible now"),
        (S.ACCEPTANCE, K.FAULT, A.ACCEPT, Side.STAFF, "Only the client may"),
        (S.IN_PROGRESS, K.FAULT, A.RESOLVE, Side.CLIENT, "Only the vendor's staff"),
        (S.LEADER_SIGNOFF, K.DATA, A.LEADER_APPROVE, Side.CLIENT, "Only the client's leader"),
        (S.REGISTERED, K.FAULT, A.REVIEW_REJECT, Side.STAFF, "does not apply"),
        (S.REGISTERED, K.OPTIMIZATION, A.REVIEW_NO_ACTION, Side.STAFF, "does not apply"),
        (S.ACCEPTANCE, K.FAULT, A.WITHDRAW, Side.CLIENT, "Possible now"),
    ],
)
def test_an_illegal_step_is_refused_with_the_reason(status, kind, action, side, says) -> None:
    with pytest.raises(TransitionRefused, match=says):
        transition_check(status=status, kind=kind, action=action, side=side)


def test_leader_signed_kinds_start_awaiting_the_leader() -> None:
    assert initial_status(K.OPTIMIZATION) == initial_status(K.DATA) == S.LEADER_SIGNOFF
    assert initial_status(K.FAULT) == S.REGISTERED


def test_no_action_leaves_a_closed_request() -> None:
    for action, rule in RULES.items():
        assert not (rule.sources & CLOSED), f"{action} starts from a closed state"


def test_actions_available_agree_with_transition_check() -> None:
    for status in Status:
        for kind in Kind:
            for side in Side:
                allowed = set(actions_available(status=status, kind=kind, side=side))
                for action in Action:
                    try:
                        transition_check(status=status, kind=kind, action=action, side=side)
                        assert action in allowed, (status, kind, side, action)
                    except TransitionRefused:
                        assert action not in allowed, (status, kind, side, action)


def test_every_open_state_has_a_way_out_for_someone() -> None:
    open_states = set(Status) - CLOSED
    for status in open_states:
        ways = {a for side in Side for a in actions_available(status=status, kind=K.FAULT, side=side)}
        assert ways, status
