"""What the portal never shows: internal notes and files, and anything of another client."""

from __future__ import annotations

import pytest
from conftest import make_user
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from weibao.accounts.models import Role, User
from weibao.customers.models import Client
from weibao.tickets.models import Attachment, Ticket
from weibao.tickets.services import procedure
from weibao.tickets.services.assignment import ticket_assign
from weibao.tickets.services.tickets import ticket_reply
from weibao.tickets.tests.factories import make_ticket
from weibao.tickets.tests.procedure_factories import png_data_url

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a9c-内部备注"
# Every portal page about one request, by URL name.
TICKET_PAGES = ("detail", "reply", "withdraw", "signoff", "plan", "remote_consent", "acceptance", "feedback", "rate")


def _signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def leader(client_a: Client) -> User:
    return make_user("leader", Role.CLIENT_LEADER, client=client_a)


def _internal_canary(ticket: Ticket, staff: User) -> Attachment:
    """An internal note and an internal file that both carry the canary; returns the file."""
    upload = SimpleUploadedFile(f"{CANARY}.txt", f"{CANARY} 服务器口令".encode(), content_type="text/plain")
    note = ticket_reply(actor=staff, ticket_id=ticket.pk, body=f"<p>{CANARY}</p>", internal=True, files=[upload])
    ticket_assign(actor=staff, ticket_id=ticket.pk, assignee=staff, note=CANARY)
    return note.attachments.get()


def _portal_pages(http: HttpClient, ticket: Ticket) -> dict[str, str]:
    pages = {
        "list": http.get(reverse("portal:list")),
        "closed": http.get(reverse("portal:list"), {"tab": "closed"}),
        "create": http.get(reverse("portal:create")),
    }
    for name in TICKET_PAGES:
        pages[name] = http.get(reverse(f"portal:{name}", kwargs={"pk": ticket.pk}), follow=True)
    for attachment in ticket.attachments.filter(internal=False):
        pages[f"file {attachment.pk}"] = http.get(reverse("portal:attachment", kwargs={"pk": attachment.pk}))
    return {
        name: b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
        if response.streaming
        else response.content.decode()
        for name, response in pages.items()
    }


def test_internal_notes_and_files_appear_on_no_portal_page_at_any_step(
    client_a_user: User, leader: User, client_a: Client, staff: User
) -> None:
    ticket = make_ticket(actor=client_a_user, client=client_a, channel="portal", title="审批页面白屏")
    internal_file = _internal_canary(ticket, staff)
    readers = [_signed_in(client_a_user), _signed_in(leader)]

    def check() -> None:
        for http in readers:
            for name, text in _portal_pages(http, ticket).items():
                assert CANARY not in text, f"canary on {name}"
            # Searching for the canary finds nothing (the page repeats only the search term).
            assert list(http.get(reverse("portal:list"), {"q": CANARY}).context["page"].items) == []
            response = http.get(reverse("portal:attachment", kwargs={"pk": internal_file.pk}))
            assert response.status_code == 404
            assert (
                http.get(reverse("portal:attachment", kwargs={"pk": internal_file.pk}), {"inline": "1"}).status_code
                == 404
            )

    check()
    procedure.review_record(actor=staff, ticket_id=ticket.pk, decision="handle", opinion="处理。")
    ticket_reply(actor=staff, ticket_id=ticket.pk, body=f"<p>{CANARY} 第二条</p>", internal=True)
    check()
    procedure.ticket_resolve(actor=staff, ticket_id=ticket.pk, resolution="已修复。")
    check()
    procedure.acceptance_sign(
        actor=client_a_user,
        ticket_id=ticket.pk,
        accepted=True,
        opinion="通过",
        signer_name="王丽",
        signature=png_data_url(),
    )
    check()
    procedure.feedback_give(actor=client_a_user, ticket_id=ticket.pk, opinion="满意", signer_name="王丽", rating=5)
    check()
    # The canary really is there for staff: the check above looked in the right places.
    assert CANARY in _signed_in(staff).get(reverse("tickets:detail", kwargs={"pk": ticket.pk})).content.decode()


def test_another_clients_request_is_404_on_every_portal_page_get_and_post(
    client_a_user: User, leader: User, client_b_user: User, client_b: Client, staff: User
) -> None:
    upload = SimpleUploadedFile("b.log", b"client b", content_type="text/plain")
    theirs = make_ticket(actor=client_b_user, client=client_b, channel="portal", files=[upload])
    their_file = theirs.attachments.get()
    events_before = theirs.events.count()
    for http in (_signed_in(client_a_user), _signed_in(leader)):
        for name in TICKET_PAGES:
            url = reverse(f"portal:{name}", kwargs={"pk": theirs.pk})
            assert http.get(url).status_code == 404, f"GET {name}"
            post = {"body": "x", "reason": "x", "approve": "yes", "confirm": "yes", "accept": "yes"}
            post |= {"signer_name": "x", "scope": "x", "minutes_allowed": "10", "opinion": "x", "rating": "5"}
            # The request page itself takes no POST (405, before any lookup: it tells nothing).
            assert http.post(url, post).status_code in ({404, 405} if name == "detail" else {404}), f"POST {name}"
        file_url = reverse("portal:attachment", kwargs={"pk": their_file.pk})
        assert http.get(file_url).status_code == 404
        assert http.post(file_url).status_code in {404, 405}
        assert list(http.get(reverse("portal:list"), {"q": theirs.number}).context["page"].items) == []
    assert Ticket.objects.get(pk=theirs.pk).events.count() == events_before


def test_a_missing_request_looks_the_same_as_another_clients(as_client_a: HttpClient) -> None:
    assert as_client_a.get(reverse("portal:detail", kwargs={"pk": 987_654})).status_code == 404
    assert as_client_a.get(reverse("portal:attachment", kwargs={"pk": 987_654})).status_code == 404
