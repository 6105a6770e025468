"""The maintenance procedure (R1.4) as a state table, with no ORM.

Every request moves only through ``transition_check``: it says whether an action is
possible from a state, for a kind of request and for a side (vendor staff, client
user, client leader), and when it is not, why, in words a user understands.

The procedure, for every kind of request:

    registered ─review: handle now──────────────▶ in_progress
        │      ─review: plan needed─▶ plan_pending ─client confirms─▶ in_progress
        │      ─review: no maintenance needed (receipt)───────────────▶ archived
    in_progress ─resolve─▶ acceptance ─client accepts─▶ feedback ─opinion─▶ archived
                                      ─client rejects─▶ in_progress (reopened)

Optimization (R1.5) and data-maintenance (R1.6) requests start at
``leader_signoff``: the client leader must sign before the vendor reviews. An
accepted optimization is implemented and tested (``testing``) before acceptance;
a rejected one ends in ``rejected`` with the reason shown to the proposer.

``pending_client`` and ``suspended`` are holds: the request returns to the state
it was held in (``Ticket.resume_status``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy


class Status(enum.StrEnum):
    REGISTERED = "registered"
    LEADER_SIGNOFF = "leader_signoff"
    PLAN_PENDING = "plan_pending"
    IN_PROGRESS = "in_progress"
    TESTING = "testing"
    ACCEPTANCE = "acceptance"
    FEEDBACK = "feedback"
    PENDING_CLIENT = "pending_client"
    SUSPENDED = "suspended"
    ARCHIVED = "archived"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"


STATUS_LABELS = {
    Status.REGISTERED: gettext_lazy("Registered, awaiting review"),
    Status.LEADER_SIGNOFF: gettext_lazy("Awaiting client leader sign-off"),
    Status.PLAN_PENDING: gettext_lazy("Plan awaiting client confirmation"),
    Status.IN_PROGRESS: gettext_lazy("In progress"),
    Status.TESTING: gettext_lazy("Testing"),
    Status.ACCEPTANCE: gettext_lazy("Awaiting client acceptance"),
    Status.FEEDBACK: gettext_lazy("Awaiting client feedback"),
    Status.PENDING_CLIENT: gettext_lazy("Waiting on client"),
    Status.SUSPENDED: gettext_lazy("Suspended"),
    Status.ARCHIVED: gettext_lazy("Archived"),
    Status.REJECTED: gettext_lazy("Rejected"),
    Status.WITHDRAWN: gettext_lazy("Withdrawn"),
    Status.MERGED: gettext_lazy("Merged into another request"),
}

CLOSED = frozenset({Status.ARCHIVED, Status.REJECTED, Status.WITHDRAWN, Status.MERGED})
OPEN = frozenset(Status) - CLOSED
HOLDS = frozenset({Status.PENDING_CLIENT, Status.SUSPENDED})
# States a hold can be put on and returned to.
HOLDABLE = frozenset({Status.REGISTERED, Status.PLAN_PENDING, Status.IN_PROGRESS, Status.TESTING})


class Kind(enum.StrEnum):
    """Request types (R1.2)."""

    CONSULTATION = "consultation"
    FAULT = "fault"
    CORRECTIVE = "corrective"
    ADAPTIVE = "adaptive"
    OPTIMIZATION = "optimization"
    DATA = "data"
    COMPLAINT = "complaint"
    EMERGENCY = "emergency"
    PERSONALISED = "personalised"
    EXPANSION = "expansion"
    UPGRADE = "upgrade"
    TRAINING = "training"


KIND_LABELS = {
    Kind.CONSULTATION: gettext_lazy("Consultation / how-to question"),
    Kind.FAULT: gettext_lazy("Fault report"),
    Kind.CORRECTIVE: gettext_lazy("Corrective maintenance"),
    Kind.ADAPTIVE: gettext_lazy("Adaptive maintenance"),
    Kind.OPTIMIZATION: gettext_lazy("Optimization request"),
    Kind.DATA: gettext_lazy("Data maintenance"),
    Kind.COMPLAINT: gettext_lazy("Complaint"),
    Kind.EMERGENCY: gettext_lazy("Emergency"),
    Kind.PERSONALISED: gettext_lazy("Personalised modification"),
    Kind.EXPANSION: gettext_lazy("Capacity expansion"),
    Kind.UPGRADE: gettext_lazy("Upgrade"),
    Kind.TRAINING: gettext_lazy("Training request"),
}

# Kinds that need the client leader's signature before the vendor may act (R1.5, R1.6).
LEADER_SIGNED_KINDS = frozenset({Kind.OPTIMIZATION, Kind.DATA})


class Side(enum.StrEnum):
    STAFF = "staff"
    CLIENT = "client"
    LEADER = "leader"


class Action(enum.StrEnum):
    LEADER_APPROVE = "leader_approve"
    LEADER_DECLINE = "leader_decline"
    REVIEW_HANDLE = "review_handle"
    REVIEW_PLAN = "review_plan"
    REVIEW_NO_ACTION = "review_no_action"
    REVIEW_REJECT = "review_reject"
    PLAN_CONFIRM = "plan_confirm"
    PLAN_DECLINE = "plan_decline"
    RESOLVE = "resolve"
    TEST_PASS = "test_pass"  # noqa: S105 - an action name, not a password
    TEST_FAIL = "test_fail"
    ACCEPT = "accept"
    REJECT_FIX = "reject_fix"
    FEEDBACK = "feedback"
    ARCHIVE = "archive"
    WAIT_CLIENT = "wait_client"
    SUSPEND = "suspend"
    RESUME = "resume"
    WITHDRAW = "withdraw"
    CLOSE = "close"
    MERGE = "merge"


ACTION_LABELS = {
    Action.LEADER_APPROVE: gettext_lazy("Leader signs off"),
    Action.LEADER_DECLINE: gettext_lazy("Leader declines"),
    Action.REVIEW_HANDLE: gettext_lazy("Review: handle now"),
    Action.REVIEW_PLAN: gettext_lazy("Review: maintenance plan needed"),
    Action.REVIEW_NO_ACTION: gettext_lazy("Review: no maintenance needed"),
    Action.REVIEW_REJECT: gettext_lazy("Review: reject"),
    Action.PLAN_CONFIRM: gettext_lazy("Confirm the plan"),
    Action.PLAN_DECLINE: gettext_lazy("Decline the plan"),
    Action.RESOLVE: gettext_lazy("Resolved, ask for acceptance"),
    Action.TEST_PASS: gettext_lazy("Tests passed"),
    Action.TEST_FAIL: gettext_lazy("Tests failed"),
    Action.ACCEPT: gettext_lazy("Accept the work"),
    Action.REJECT_FIX: gettext_lazy("Reject the fix"),
    Action.FEEDBACK: gettext_lazy("Give feedback"),
    Action.ARCHIVE: pgettext_lazy("procedure step", "Archive"),
    Action.WAIT_CLIENT: gettext_lazy("Wait on client"),
    Action.SUSPEND: gettext_lazy("Suspend"),
    Action.RESUME: gettext_lazy("Resume"),
    Action.WITHDRAW: gettext_lazy("Withdraw"),
    Action.CLOSE: gettext_lazy("Close"),
    Action.MERGE: gettext_lazy("Merge into another request"),
}

# Actions that need a written reason.
REASON_REQUIRED = frozenset(
    {
        Action.LEADER_DECLINE,
        Action.REVIEW_NO_ACTION,
        Action.REVIEW_REJECT,
        Action.PLAN_DECLINE,
        Action.TEST_FAIL,
        Action.REJECT_FIX,
        Action.WAIT_CLIENT,
        Action.SUSPEND,
        Action.WITHDRAW,
        Action.CLOSE,
    }
)

STAFF = frozenset({Side.STAFF})
CLIENT = frozenset({Side.CLIENT, Side.LEADER})
LEADER = frozenset({Side.LEADER})
ANYONE = frozenset(Side)


@dataclass(frozen=True)
class Rule:
    sources: frozenset[Status]
    target: Status | None  # None: decided at run time (resume returns to the held state)
    sides: frozenset[Side]
    kinds: frozenset[Kind] | None = None  # None: every kind
    not_kinds: frozenset[Kind] = frozenset()


_ALL_KINDS = frozenset(Kind)
_ORDINARY = _ALL_KINDS - LEADER_SIGNED_KINDS

RULES: dict[Action, Rule] = {
    Action.LEADER_APPROVE: Rule(frozenset({Status.LEADER_SIGNOFF}), Status.REGISTERED, LEADER),
    Action.LEADER_DECLINE: Rule(frozenset({Status.LEADER_SIGNOFF}), Status.REJECTED, LEADER),
    Action.REVIEW_HANDLE: Rule(frozenset({Status.REGISTERED}), Status.IN_PROGRESS, STAFF),
    Action.REVIEW_PLAN: Rule(frozenset({Status.REGISTERED}), Status.PLAN_PENDING, STAFF),
    Action.REVIEW_NO_ACTION: Rule(
        frozenset({Status.REGISTERED}), Status.ARCHIVED, STAFF, not_kinds=LEADER_SIGNED_KINDS
    ),
    Action.REVIEW_REJECT: Rule(frozenset({Status.REGISTERED}), Status.REJECTED, STAFF, kinds=LEADER_SIGNED_KINDS),
    Action.PLAN_CONFIRM: Rule(frozenset({Status.PLAN_PENDING}), Status.IN_PROGRESS, CLIENT),
    Action.PLAN_DECLINE: Rule(frozenset({Status.PLAN_PENDING}), Status.REGISTERED, CLIENT),
    Action.RESOLVE: Rule(frozenset({Status.IN_PROGRESS}), Status.ACCEPTANCE, STAFF),
    Action.TEST_PASS: Rule(frozenset({Status.TESTING}), Status.ACCEPTANCE, STAFF),
    Action.TEST_FAIL: Rule(frozenset({Status.TESTING}), Status.IN_PROGRESS, STAFF),
    Action.ACCEPT: Rule(frozenset({Status.ACCEPTANCE}), Status.FEEDBACK, CLIENT),
    Action.REJECT_FIX: Rule(frozenset({Status.ACCEPTANCE}), Status.IN_PROGRESS, CLIENT),
    Action.FEEDBACK: Rule(frozenset({Status.FEEDBACK}), Status.ARCHIVED, CLIENT),
    Action.ARCHIVE: Rule(frozenset({Status.FEEDBACK}), Status.ARCHIVED, STAFF),
    Action.WAIT_CLIENT: Rule(HOLDABLE, Status.PENDING_CLIENT, STAFF),
    Action.SUSPEND: Rule(HOLDABLE, Status.SUSPENDED, STAFF),
    Action.RESUME: Rule(HOLDS, None, ANYONE),
    Action.WITHDRAW: Rule(OPEN - {Status.ACCEPTANCE, Status.FEEDBACK}, Status.WITHDRAWN, ANYONE),
    Action.CLOSE: Rule(OPEN, Status.ARCHIVED, STAFF),
    Action.MERGE: Rule(OPEN, Status.MERGED, STAFF),
}


class TransitionRefused(Exception):  # noqa: N818 - a refusal, with its reason for the user
    """The action is not possible now; ``str()`` says why."""


def resolve_target(action: Action, kind: Kind) -> Status | None:
    """Where ``action`` leads for ``kind``: an optimization is tested before acceptance."""
    rule = RULES[action]
    if action == Action.RESOLVE and kind == Kind.OPTIMIZATION:
        return Status.TESTING
    return rule.target


def transition_check(*, status: Status, kind: Kind, action: Action, side: Side, resume_status: str = "") -> Status:
    """The state ``action`` leads to, or TransitionRefused saying why it cannot happen."""
    rule = RULES[action]
    label = ACTION_LABELS[action]
    current = STATUS_LABELS[status]
    if (rule.kinds is not None and kind not in rule.kinds) or kind in rule.not_kinds:
        raise TransitionRefused(
            _("“%(action)s” does not apply to a request of type “%(kind)s”.")
            % {"action": label, "kind": KIND_LABELS[kind]}
        )
    if status not in rule.sources:
        if status == Status.LEADER_SIGNOFF:
            raise TransitionRefused(
                _("“%(action)s” must wait: the client leader has not yet signed off this request.") % {"action": label}
            )
        if status in CLOSED:
            raise TransitionRefused(
                _("“%(action)s” is not possible: the request is already closed (%(status)s).")
                % {"action": label, "status": current}
            )
        possible = [str(ACTION_LABELS[a]) for a in actions_available(status=status, kind=kind, side=side)]
        raise TransitionRefused(
            _("“%(action)s” is not possible while the request is “%(status)s”. Possible now: %(possible)s.")
            % {"action": label, "status": current, "possible": "、".join(possible) or _("nothing")}
        )
    if side not in rule.sides:
        if rule.sides == LEADER:
            raise TransitionRefused(_("Only the client's leader may do “%(action)s”.") % {"action": label})
        if rule.sides == STAFF:
            raise TransitionRefused(_("Only the vendor's staff may do “%(action)s”.") % {"action": label})
        raise TransitionRefused(_("Only the client may do “%(action)s”.") % {"action": label})
    if action == Action.RESUME:
        try:
            return Status(resume_status)
        except ValueError:
            return Status.IN_PROGRESS
    target = resolve_target(action, kind)
    assert target is not None
    return target


def actions_available(*, status: Status, kind: Kind, side: Side) -> list[Action]:
    """The actions ``side`` may take now, in the order the procedure runs."""
    found = []
    for action, rule in RULES.items():
        if status not in rule.sources or side not in rule.sides:
            continue
        if (rule.kinds is not None and kind not in rule.kinds) or kind in rule.not_kinds:
            continue
        found.append(action)
    return found


def initial_status(kind: Kind) -> Status:
    """Where a new request starts: leader-signed kinds wait for the leader first."""
    return Status.LEADER_SIGNOFF if kind in LEADER_SIGNED_KINDS else Status.REGISTERED
