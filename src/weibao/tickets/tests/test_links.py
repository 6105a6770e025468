"""Links between requests: related, parent and child (one outage, many clients), merged duplicates."""

from __future__ import annotations

import pytest
from conftest import make_user
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from weibao.accounts.models import AuditEvent, Role
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError
from weibao.tickets.models import Attachment, Complaint, Ticket, TicketEvent
from weibao.tickets.services._common import TransitionRefusedError
from weibao.tickets.services.assignment import ticket_follow
from weibao.tickets.services.links import ticket_link, ticket_merge, ticket_set_parent
from weibao.tickets.services.tickets import ticket_transition
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def linked_entries(ticket: Ticket) -> list[TicketEvent]:
    return list(ticket.events.filter(kind=TicketEvent.Kind.LINKED).order_by("id"))


@pytest.fixture
def pair(staff, client_a):
    return make_ticket(actor=staff, client=client_a), make_ticket(actor=staff, client=client_a, title="登录后白屏")


@pytest.fixture
def engineer(db):
    return make_user("engineer", Role.FIELD_ENGINEER)


# Related ------------------------------------------------------------------------------------


def test_relating_two_requests_links_both_ways_with_timeline_and_audit_on_each(staff, pair) -> None:
    one, two = pair
    ticket_link(actor=staff, ticket_id=one.pk, other_id=two.pk)
    assert list(fresh(one).related.all()) == [two]
    assert list(fresh(two).related.all()) == [one]
    for this, that in ((one, two), (two, one)):
        [entry] = linked_entries(this)
        assert (entry.internal, entry.data) == (False, {"related": that.number, "linked": True})
        assert that.number in entry.body
        assert fresh(this).version == 2
        audit = AuditEvent.objects.get(action="ticket.link", object_id=str(this.pk))
        assert audit.after == {"related": that.pk}


def test_relating_again_changes_nothing(staff, pair) -> None:
    one, two = pair
    ticket_link(actor=staff, ticket_id=one.pk, other_id=two.pk)
    ticket_link(actor=staff, ticket_id=two.pk, other_id=one.pk)
    assert len(linked_entries(one)) == 1
    assert AuditEvent.objects.filter(action="ticket.link").count() == 2


def test_unrelating_removes_the_link_on_both_sides(staff, pair) -> None:
    one, two = pair
    ticket_link(actor=staff, ticket_id=one.pk, other_id=two.pk)
    ticket_link(actor=staff, ticket_id=two.pk, other_id=one.pk, link=False)
    assert not fresh(one).related.exists()
    assert not fresh(two).related.exists()
    assert linked_entries(one)[-1].data == {"related": two.number, "linked": False}
    assert AuditEvent.objects.filter(action="ticket.unlink").count() == 2


def test_unrelating_requests_that_are_not_related_changes_nothing(staff, pair) -> None:
    one, two = pair
    ticket_link(actor=staff, ticket_id=one.pk, other_id=two.pk, link=False)
    assert not linked_entries(one)
    assert not AuditEvent.objects.filter(action="ticket.unlink").exists()


def test_a_request_cannot_be_related_to_itself(staff, pair) -> None:
    one, _two = pair
    with pytest.raises(ValidationError) as exc:
        ticket_link(actor=staff, ticket_id=one.pk, other_id=one.pk)
    assert "other_id" in exc.value.message_dict


def test_staff_may_relate_requests_of_different_clients_and_the_entries_stay_internal(
    staff, client_a, client_b
) -> None:
    one = make_ticket(actor=staff, client=client_a)
    other = make_ticket(actor=staff, client=client_b)
    ticket_link(actor=staff, ticket_id=one.pk, other_id=other.pk)
    assert [entry.internal for entry in linked_entries(one) + linked_entries(other)] == [True, True]


def test_relating_to_a_missing_request_is_not_found(staff, pair) -> None:
    one, _two = pair
    with pytest.raises(ObjectNotFoundError):
        ticket_link(actor=staff, ticket_id=one.pk, other_id=999_999)


def test_a_client_user_cannot_relate_requests(client_a_user, pair) -> None:
    one, two = pair
    with pytest.raises(PermissionDeniedError):
        ticket_link(actor=client_a_user, ticket_id=one.pk, other_id=two.pk)


def test_another_clients_user_does_not_find_the_requests(client_b_user, pair) -> None:
    one, two = pair
    with pytest.raises(ObjectNotFoundError):
        ticket_link(actor=client_b_user, ticket_id=one.pk, other_id=two.pk)


def test_an_auditor_cannot_relate_requests(auditor, pair) -> None:
    one, two = pair
    with pytest.raises(PermissionDeniedError):
        ticket_link(actor=auditor, ticket_id=one.pk, other_id=two.pk)


def test_relating_a_portal_complaint_makes_the_agent_its_first_responder(staff, client_a_user, client_a, pair) -> None:
    complaint = make_ticket(actor=client_a_user, client=client_a, kind="complaint", channel="portal")
    ticket_link(actor=staff, ticket_id=complaint.pk, other_id=pair[0].pk)
    assert Complaint.objects.get(ticket=complaint).first_responder == staff


# Parent and child -----------------------------------------------------------------------------


@pytest.fixture
def outage(staff, client_a):
    return make_ticket(actor=staff, client=client_a, kind="emergency", title="全区平台无法访问", level=1)


def test_a_request_of_another_client_can_be_put_under_an_outage(staff, client_b, outage) -> None:
    child = make_ticket(actor=staff, client=client_b)
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=outage.pk)
    assert fresh(child).parent == outage
    assert list(outage.children.all()) == [child]
    [on_child] = linked_entries(child)
    [on_parent] = linked_entries(outage)
    assert on_child.data == {"parent": outage.number, "linked": True}
    assert on_parent.data == {"child": child.number, "linked": True}
    assert on_child.internal  # different clients
    assert on_parent.internal
    audit = AuditEvent.objects.get(action="ticket.set_parent", object_id=str(child.pk))
    assert audit.after == {"parent": outage.pk}
    assert AuditEvent.objects.filter(action="ticket.child_add", object_id=str(outage.pk)).count() == 1
    assert (fresh(child).version, fresh(outage).version) == (2, 2)


def test_setting_the_same_parent_again_changes_nothing(staff, client_a, outage) -> None:
    child = make_ticket(actor=staff, client=client_a)
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=outage.pk)
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=outage.pk)
    assert len(linked_entries(child)) == 1
    assert not linked_entries(child)[0].internal


def test_taking_a_request_out_tells_the_former_parent(staff, client_a, outage) -> None:
    child = make_ticket(actor=staff, client=client_a)
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=outage.pk)
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=None)
    assert fresh(child).parent is None
    assert linked_entries(child)[-1].data == {"parent": outage.number, "linked": False}
    assert linked_entries(outage)[-1].data == {"child": child.number, "linked": False}
    assert AuditEvent.objects.filter(action="ticket.child_remove", object_id=str(outage.pk)).count() == 1
    assert fresh(outage).version == 3


def test_taking_out_a_request_without_parent_changes_nothing(staff, outage) -> None:
    ticket_set_parent(actor=staff, ticket_id=outage.pk, parent_id=None)
    assert not linked_entries(outage)


def test_moving_a_child_to_another_parent_tells_both_parents(staff, client_a, outage) -> None:
    child = make_ticket(actor=staff, client=client_a)
    other = make_ticket(actor=staff, client=client_a, kind="emergency")
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=outage.pk)
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=other.pk)
    assert fresh(child).parent == other
    assert linked_entries(outage)[-1].data["linked"] is False
    assert linked_entries(other)[-1].data["linked"] is True


def test_a_request_cannot_be_its_own_parent(staff, outage) -> None:
    with pytest.raises(ValidationError) as exc:
        ticket_set_parent(actor=staff, ticket_id=outage.pk, parent_id=outage.pk)
    assert "parent_id" in exc.value.message_dict


def test_a_closed_parent_takes_no_children(staff, client_a, outage) -> None:
    ticket_transition(actor=staff, ticket_id=outage.pk, action="close", reason="已恢复")
    child = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=outage.pk)
    assert "parent_id" in exc.value.message_dict


def test_a_child_cannot_be_a_parent(staff, client_a, outage) -> None:
    child = make_ticket(actor=staff, client=client_a)
    grandchild = make_ticket(actor=staff, client=client_a)
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=outage.pk)
    with pytest.raises(ValidationError) as exc:
        ticket_set_parent(actor=staff, ticket_id=grandchild.pk, parent_id=child.pk)
    assert "parent_id" in exc.value.message_dict


def test_a_parent_cannot_be_put_under_another_request_so_no_cycle_can_form(staff, client_a, outage) -> None:
    child = make_ticket(actor=staff, client=client_a)
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=outage.pk)
    with pytest.raises(ValidationError) as exc:
        ticket_set_parent(actor=staff, ticket_id=outage.pk, parent_id=child.pk)
    assert "parent_id" in exc.value.message_dict
    other = make_ticket(actor=staff, client=client_a)
    with pytest.raises(ValidationError) as exc:
        ticket_set_parent(actor=staff, ticket_id=outage.pk, parent_id=other.pk)
    assert "parent_id" in exc.value.message_dict


def test_closing_a_parent_leaves_its_children_as_they_are(staff, client_a, client_b, outage) -> None:
    children = [make_ticket(actor=staff, client=client) for client in (client_a, client_b)]
    for child in children:
        ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=outage.pk)
    ticket_transition(actor=staff, ticket_id=outage.pk, action="close", reason="已恢复")
    assert [fresh(child).status for child in children] == [Status.REGISTERED, Status.REGISTERED]


def test_a_client_user_cannot_set_a_parent(client_a_user, client_a, staff, outage) -> None:
    child = make_ticket(actor=staff, client=client_a)
    with pytest.raises(PermissionDeniedError):
        ticket_set_parent(actor=client_a_user, ticket_id=child.pk, parent_id=outage.pk)


def test_a_parent_of_another_client_is_not_found_for_a_client_user(client_b_user, client_b, staff, outage) -> None:
    child = make_ticket(actor=staff, client=client_b)
    with pytest.raises(ObjectNotFoundError):
        ticket_set_parent(actor=client_b_user, ticket_id=child.pk, parent_id=outage.pk)


def test_a_missing_parent_is_not_found(staff, outage) -> None:
    with pytest.raises(ObjectNotFoundError):
        ticket_set_parent(actor=staff, ticket_id=outage.pk, parent_id=999_999)


# Merge --------------------------------------------------------------------------------------


def log_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("错误日志.txt", b"session expired", content_type="text/plain")


def test_merging_closes_the_duplicate_and_moves_followers_and_attachments(staff, engineer, client_a) -> None:
    duplicate = make_ticket(actor=staff, client=client_a, files=[log_file()])
    survivor = make_ticket(actor=staff, client=client_a)
    ticket_follow(actor=engineer, ticket_id=duplicate.pk)
    stored = Attachment.objects.get(ticket=duplicate)
    merged = ticket_merge(actor=staff, ticket_id=duplicate.pk, into_id=survivor.pk, reason="同一问题重复报修")
    assert (merged.status, merged.merged_into) == (Status.MERGED, survivor)
    assert fresh(survivor).followers.filter(pk=engineer.pk).exists()
    copy = Attachment.objects.get(ticket=survivor)
    assert (copy.file.name, copy.sha256, copy.original_name) == (stored.file.name, stored.sha256, "错误日志.txt")
    assert Attachment.objects.filter(ticket=duplicate).count() == 1
    linked = linked_entries(survivor)
    assert linked[0].data == {"merged": duplicate.number}
    assert copy.event == linked[0]
    status = duplicate.events.filter(kind=TicketEvent.Kind.STATUS).latest("id")
    assert (status.data["action"], status.body) == ("merge", "同一问题重复报修")
    assert AuditEvent.objects.filter(action="ticket.merge", object_id=str(duplicate.pk)).count() == 1
    merge_in = AuditEvent.objects.get(action="ticket.merge_in", object_id=str(survivor.pk))
    assert merge_in.after["attachments"] == 1


def test_merging_lists_an_attachment_the_surviving_request_already_has_once(staff, client_a) -> None:
    duplicate = make_ticket(actor=staff, client=client_a, files=[log_file()])
    survivor = make_ticket(actor=staff, client=client_a, files=[log_file()])
    ticket_merge(actor=staff, ticket_id=duplicate.pk, into_id=survivor.pk, reason="重复")
    assert Attachment.objects.filter(ticket=survivor).count() == 1


def test_merging_moves_the_duplicates_children_under_the_surviving_request(staff, client_a, client_b) -> None:
    duplicate = make_ticket(actor=staff, client=client_a)
    survivor = make_ticket(actor=staff, client=client_a)
    child = make_ticket(actor=staff, client=client_b)
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=duplicate.pk)
    ticket_merge(actor=staff, ticket_id=duplicate.pk, into_id=survivor.pk, reason="重复")
    assert fresh(child).parent == survivor
    assert linked_entries(child)[-1].data == {"parent": survivor.number, "linked": True}
    assert linked_entries(survivor)[-1].data == {"child": child.number, "linked": True}


def test_a_duplicate_with_children_cannot_be_merged_into_a_child(staff, client_a) -> None:
    duplicate = make_ticket(actor=staff, client=client_a)
    parent = make_ticket(actor=staff, client=client_a)
    survivor = make_ticket(actor=staff, client=client_a)
    child = make_ticket(actor=staff, client=client_a)
    ticket_set_parent(actor=staff, ticket_id=child.pk, parent_id=duplicate.pk)
    ticket_set_parent(actor=staff, ticket_id=survivor.pk, parent_id=parent.pk)
    with pytest.raises(ValidationError) as exc:
        ticket_merge(actor=staff, ticket_id=duplicate.pk, into_id=survivor.pk, reason="重复")
    assert "into_id" in exc.value.message_dict


def test_merging_needs_a_reason(staff, pair) -> None:
    one, two = pair
    with pytest.raises(ValidationError) as exc:
        ticket_merge(actor=staff, ticket_id=one.pk, into_id=two.pk, reason=" ")
    assert "reason" in exc.value.message_dict


def test_a_request_cannot_be_merged_into_itself(staff, pair) -> None:
    with pytest.raises(ValidationError) as exc:
        ticket_merge(actor=staff, ticket_id=pair[0].pk, into_id=pair[0].pk, reason="重复")
    assert "into_id" in exc.value.message_dict


def test_only_requests_of_one_client_are_merged_and_the_error_names_into_id(staff, client_a, client_b) -> None:
    one = make_ticket(actor=staff, client=client_a)
    other = make_ticket(actor=staff, client=client_b)
    with pytest.raises(ValidationError) as exc:
        ticket_merge(actor=staff, ticket_id=one.pk, into_id=other.pk, reason="重复")
    assert "into_id" in exc.value.message_dict
    assert fresh(one).status == Status.REGISTERED


def test_a_request_cannot_be_merged_into_a_closed_one(staff, pair) -> None:
    one, two = pair
    ticket_transition(actor=staff, ticket_id=two.pk, action="close", reason="已解决")
    with pytest.raises(ValidationError) as exc:
        ticket_merge(actor=staff, ticket_id=one.pk, into_id=two.pk, reason="重复")
    assert "into_id" in exc.value.message_dict


def test_a_closed_request_cannot_be_merged(staff, pair) -> None:
    one, two = pair
    ticket_transition(actor=staff, ticket_id=one.pk, action="close", reason="已解决")
    with pytest.raises(TransitionRefusedError):
        ticket_merge(actor=staff, ticket_id=one.pk, into_id=two.pk, reason="重复")


def test_only_dispatchers_merge(engineer, client_a_user, pair) -> None:
    one, two = pair
    for actor in (engineer, client_a_user):
        with pytest.raises(PermissionDeniedError):
            ticket_merge(actor=actor, ticket_id=one.pk, into_id=two.pk, reason="重复")


def test_another_clients_user_does_not_find_requests_to_merge(client_b_user, pair) -> None:
    one, two = pair
    with pytest.raises(ObjectNotFoundError):
        ticket_merge(actor=client_b_user, ticket_id=one.pk, into_id=two.pk, reason="重复")
