"""Contract pages: list with filters, detail with the ledger, forms with field errors, permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from weibao.accounts.models import AuditEvent
from weibao.contracts import services
from weibao.contracts.models import Contract, DepositEntry
from weibao.contracts.tests.factories import make_contract

pytestmark = pytest.mark.django_db

LIST = reverse("contracts:contract_list")
CREATE = reverse("contracts:contract_create")
NOW = dt.datetime(2026, 1, 15, 2, 0, tzinfo=dt.UTC)


def detail(contract: Contract) -> str:
    return reverse("contracts:contract_detail", kwargs={"pk": contract.pk})


def _valid_post(client_id: int, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "client": client_id,
        "number": "HT-2026-NEW",
        "title": "新合同",
        "signed_on": "2026-01-05",
        "accepted_on": "2026-02-01",
        "warranty_months": "12",
        "service_hours": "7x24",
        "amount": "100000",
        "deposit_amount": "5000",
        "penalty_per_miss": "500",
    }
    data.update(extra)
    return data


# --- list -----------------------------------------------------------------------------------


def test_staff_see_every_clients_contracts_with_phase_and_balance(as_staff, archive_a, archive_b) -> None:
    with time_machine.travel(NOW, tick=False):
        page = as_staff.get(LIST).content.decode()
    assert archive_a.contract.number in page
    assert archive_b.contract.number in page
    assert "2026-02-28" in page  # warranty end
    assert 'data-phase="in_warranty"' in page
    assert "10000.00" in page
    assert reverse("contracts:contract_create") in page


def test_client_users_see_only_their_own_contracts_and_no_write_buttons(as_client_a, archive_a, archive_b) -> None:
    page = as_client_a.get(LIST).content.decode()
    assert archive_a.contract.number in page
    assert archive_b.contract.number not in page
    assert CREATE not in page


def test_a_client_user_cannot_filter_their_way_to_another_client(as_client_a, archive_a, archive_b) -> None:
    page = as_client_a.get(LIST, {"client": archive_b.client.pk}).content.decode()
    assert archive_b.contract.number not in page


def test_the_list_filters_by_client(as_staff, archive_a, archive_b) -> None:
    page = as_staff.get(LIST, {"client": archive_b.client.pk}).content.decode()
    assert archive_b.contract.number in page
    assert archive_a.contract.number not in page


def test_the_list_filters_by_phase(as_staff, archive_a, client_b) -> None:
    expired = make_contract(client_b, ends_on=dt.date(2025, 12, 31))
    pending = make_contract(client_b, accepted_on=None)
    with time_machine.travel(NOW, tick=False):
        page = as_staff.get(LIST, {"phase": "expired"}).content.decode()
        assert expired.number in page
        assert archive_a.contract.number not in page
        page = as_staff.get(LIST, {"phase": "in_warranty"}).content.decode()
        assert archive_a.contract.number in page
        assert expired.number not in page
        assert pending.number not in page
        page = as_staff.get(LIST, {"phase": "not_accepted"}).content.decode()
        assert pending.number in page


def test_the_list_searches_number_and_title(as_staff, archive_a, archive_b) -> None:
    page = as_staff.get(LIST, {"q": "海源"}).content.decode()
    assert archive_b.contract.number in page
    assert archive_a.contract.number not in page
    page = as_staff.get(LIST, {"q": archive_a.contract.number.lower()}).content.decode()
    assert archive_a.contract.number in page


def test_a_bad_filter_value_is_reported_not_a_500(as_staff, archive_a) -> None:
    response = as_staff.get(LIST, {"phase": "nonsense", "client": "abc"})
    assert response.status_code == 200
    assert archive_a.contract.number in response.content.decode()
    assert "errorlist-block" in response.content.decode()


def test_the_list_is_paginated_and_runs_a_fixed_number_of_queries(
    as_staff, client_a, django_assert_max_num_queries
) -> None:
    for _ in range(40):
        contract = make_contract(client_a)
        DepositEntry.objects.create(
            contract=contract, kind="payment", amount=Decimal("1"), balance_after=Decimal("1"), reason="x"
        )
    with django_assert_max_num_queries(8):
        response = as_staff.get(LIST)
    assert response.status_code == 200
    assert len(response.context["objects"]) == 25
    assert response.context["page"].paginator.count == 41  # and the archive's own contract
    assert as_staff.get(LIST, {"page": 2}).context["page"].number == 2


# --- detail ---------------------------------------------------------------------------------


def test_the_detail_shows_terms_phase_deployments_ledger_and_history(as_staff, staff, archive_a) -> None:
    contract = archive_a.contract
    services.contract_set_resident_engineers(actor=staff, contract=contract, engineers=[staff])
    penalty = services.deposit_deduct_penalty(actor=None, contract=contract, reason="响应超时", reference="REQ-1")
    assert penalty is not None
    with time_machine.travel(NOW, tick=False):
        response = as_staff.get(detail(contract))
    page = response.content.decode()
    assert response.status_code == 200
    assert "2026-02-28" in page
    assert 'data-phase="in_warranty"' in page
    assert archive_a.deployment.name in page
    assert str(staff) in page
    assert "9500.00" in page  # running balance after the penalty
    assert reverse("contracts:deposit_entry_waive", kwargs={"pk": penalty.pk}) in page
    assert reverse("contracts:deposit_entry_create", kwargs={"contract_pk": contract.pk}) in page
    assert "contract.set_resident_engineers" in page
    assert "deposit.deduct_penalty" in page


def test_a_client_user_reads_their_contract_without_any_write_form(as_client_a, archive_a) -> None:
    response = as_client_a.get(detail(archive_a.contract))
    page = response.content.decode()
    assert response.status_code == 200
    assert archive_a.contract.title in page
    assert '<form method="post" action="/contracts/' not in page
    assert reverse("contracts:contract_update", kwargs={"pk": archive_a.contract.pk}) not in page


def test_a_client_user_gets_404_for_another_clients_contract(as_client_a, archive_b) -> None:
    assert as_client_a.get(detail(archive_b.contract)).status_code == 404


def test_the_detail_page_runs_a_bounded_number_of_queries(as_staff, archive_a, django_assert_max_num_queries) -> None:
    for n in range(10):
        services.deposit_deduct_penalty(actor=None, contract=archive_a.contract, reason="超时", reference=f"r{n}")
    with django_assert_max_num_queries(16):
        assert as_staff.get(detail(archive_a.contract)).status_code == 200


# --- create / edit / delete -------------------------------------------------------------------


def test_staff_create_a_contract(as_staff, archive_a) -> None:
    response = as_staff.post(CREATE, _valid_post(archive_a.client.pk, deployments=[archive_a.deployment.pk]))
    contract = Contract.objects.get(number="HT-2026-NEW")
    assert response.status_code == 302
    assert response["Location"] == detail(contract)
    assert list(contract.deployments.all()) == [archive_a.deployment]
    assert AuditEvent.objects.for_object(contract).get().action == "contract.create"


def test_the_create_form_shows_field_errors_in_chinese(as_staff, archive_a) -> None:
    response = as_staff.post(CREATE, _valid_post(archive_a.client.pk, title="", warranty_months="-1"))
    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["title"] == ["这个字段是必填项。"]
    assert "warranty_months" in form.errors
    assert "这个字段是必填项。" in response.content.decode()
    assert not Contract.objects.filter(number="HT-2026-NEW").exists()


def test_the_create_form_shows_field_errors_in_english_for_an_english_user(as_staff, staff, archive_a) -> None:
    staff.language = "en"
    staff.save()
    response = as_staff.post(CREATE, _valid_post(archive_a.client.pk, title=""))
    assert response.context["form"].errors["title"] == ["This field is required."]


def test_acceptance_before_signing_is_an_error_on_the_acceptance_field(as_staff, archive_a) -> None:
    response = as_staff.post(CREATE, _valid_post(archive_a.client.pk, accepted_on="2025-12-31"))
    assert list(response.context["form"].errors) == ["accepted_on"]


def test_deployments_of_another_client_are_refused_on_their_field(as_staff, archive_a, archive_b) -> None:
    response = as_staff.post(CREATE, _valid_post(archive_a.client.pk, deployments=[archive_b.deployment.pk]))
    errors = response.context["form"].errors
    assert list(errors) == ["deployments"]
    assert archive_b.deployment.name in errors["deployments"][0]
    assert not Contract.objects.filter(number="HT-2026-NEW").exists()


def test_client_users_are_not_offered_as_resident_engineers(as_staff, archive_a, client_a_user) -> None:
    response = as_staff.post(CREATE, _valid_post(archive_a.client.pk, resident_engineers=[client_a_user.pk]))
    assert list(response.context["form"].errors) == ["resident_engineers"]


def test_client_users_cannot_open_the_create_form(as_client_a, archive_a) -> None:
    assert as_client_a.get(CREATE).status_code == 403
    assert as_client_a.post(CREATE, _valid_post(archive_a.client.pk)).status_code == 403


def test_the_edit_form_offers_only_the_contracts_clients_deployments(as_staff, archive_a, archive_b) -> None:
    url = reverse("contracts:contract_update", kwargs={"pk": archive_a.contract.pk})
    form = as_staff.get(url).context["form"]
    assert "client" not in form.fields
    assert list(form.fields["deployments"].queryset) == [archive_a.deployment]


def test_staff_edit_a_contract(as_staff, archive_a) -> None:
    contract = archive_a.contract
    url = reverse("contracts:contract_update", kwargs={"pk": contract.pk})
    data = _valid_post(0, number=contract.number, title="改后的标题", warranty_months="36")
    data.pop("client")
    response = as_staff.post(url, data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.title, contract.warranty_months) == ("改后的标题", 36)
    assert contract.deployments.count() == 0  # the posted form selected none
    event = AuditEvent.objects.for_object(contract).get(action="contract.update")
    assert event.after["title"] == "改后的标题"


def test_an_invalid_edit_changes_nothing(as_staff, archive_a) -> None:
    contract = archive_a.contract
    url = reverse("contracts:contract_update", kwargs={"pk": contract.pk})
    data = _valid_post(0, number=contract.number, title="改后的标题", ends_on="2020-01-01")
    data.pop("client")
    response = as_staff.post(url, data)
    assert list(response.context["form"].errors) == ["ends_on"]
    contract.refresh_from_db()
    assert contract.title != "改后的标题"


def test_client_users_get_403_editing_their_own_contract_and_404_for_others(as_client_a, archive_a, archive_b) -> None:
    own = reverse("contracts:contract_update", kwargs={"pk": archive_a.contract.pk})
    other = reverse("contracts:contract_update", kwargs={"pk": archive_b.contract.pk})
    assert as_client_a.post(own, {"title": "x"}).status_code == 403
    assert as_client_a.post(other, {"title": "x"}).status_code == 404


def test_staff_delete_a_contract_without_ledger(as_staff, client_a) -> None:
    contract = make_contract(client_a)
    url = reverse("contracts:contract_delete", kwargs={"pk": contract.pk})
    assert contract.number in as_staff.get(url).content.decode()
    response = as_staff.post(url)
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not Contract.objects.filter(pk=contract.pk).exists()


def test_a_contract_with_ledger_is_kept_and_the_reason_shown(as_staff, archive_a) -> None:
    url = reverse("contracts:contract_delete", kwargs={"pk": archive_a.contract.pk})
    response = as_staff.post(url, follow=True)
    assert Contract.objects.filter(pk=archive_a.contract.pk).exists()
    assert "质保金" in response.content.decode()


def test_client_users_cannot_delete(as_client_a, archive_a, archive_b) -> None:
    own = reverse("contracts:contract_delete", kwargs={"pk": archive_a.contract.pk})
    other = reverse("contracts:contract_delete", kwargs={"pk": archive_b.contract.pk})
    assert as_client_a.post(own).status_code == 403
    assert as_client_a.post(other).status_code == 404


# --- deposit movements ------------------------------------------------------------------------


def _deposit_url(contract: Contract) -> str:
    return reverse("contracts:deposit_entry_create", kwargs={"contract_pk": contract.pk})


def test_staff_record_a_payment_from_the_detail_page(as_staff, archive_a) -> None:
    response = as_staff.post(_deposit_url(archive_a.contract), {"kind": "payment", "amount": "500", "reason": "补缴"})
    assert response.status_code == 302
    assert archive_a.contract.deposit_balance == Decimal("10500")


def test_staff_deduct_a_penalty_once_per_reference(as_staff, archive_a) -> None:
    data = {"kind": "penalty", "amount": "", "reason": "响应超时", "reference": "REQ-3"}
    as_staff.post(_deposit_url(archive_a.contract), data)
    as_staff.post(_deposit_url(archive_a.contract), data)
    assert archive_a.contract.deposit_entries.filter(kind="penalty").count() == 1
    assert archive_a.contract.deposit_balance == Decimal("9500")


def test_a_penalty_on_an_empty_deposit_says_so(as_staff, client_a) -> None:
    contract = make_contract(client_a)
    response = as_staff.post(
        _deposit_url(contract), {"kind": "penalty", "reason": "超时", "reference": "x"}, follow=True
    )
    assert "质保金已扣完" in response.content.decode()
    assert not contract.deposit_entries.exists()


def test_a_bad_deposit_form_shows_its_field_errors_on_the_detail_page(as_staff, archive_a) -> None:
    response = as_staff.post(_deposit_url(archive_a.contract), {"kind": "refund", "amount": "99999", "reason": "退还"})
    assert response.status_code == 200
    bound = [f for f in response.context["deposit_forms"] if f.is_bound]
    assert len(bound) == 1
    assert list(bound[0].errors) == ["amount"]
    assert archive_a.contract.deposit_entries.count() == 1


def test_a_deposit_form_without_a_reason_gets_a_field_error(as_staff, archive_a) -> None:
    response = as_staff.post(_deposit_url(archive_a.contract), {"kind": "payment", "amount": "1"})
    bound = [f for f in response.context["deposit_forms"] if f.is_bound]
    assert bound[0].errors["reason"] == ["这个字段是必填项。"]


def test_an_unknown_deposit_kind_is_404(as_staff, archive_a) -> None:
    assert as_staff.post(_deposit_url(archive_a.contract), {"kind": "waiver"}).status_code == 404


def test_client_users_cannot_record_deposit_movements(as_client_a, archive_a, archive_b) -> None:
    data = {"kind": "payment", "amount": "1", "reason": "x"}
    assert as_client_a.post(_deposit_url(archive_a.contract), data).status_code == 403
    assert as_client_a.post(_deposit_url(archive_b.contract), data).status_code == 404


def test_staff_waive_a_penalty_with_reason_and_approver(as_staff, archive_a) -> None:
    penalty = services.deposit_deduct_penalty(actor=None, contract=archive_a.contract, reason="超时", reference="R")
    assert penalty is not None
    url = reverse("contracts:deposit_entry_waive", kwargs={"pk": penalty.pk})
    prefix = f"waive-{penalty.pk}"
    response = as_staff.post(url, {f"{prefix}-reason": "停电", f"{prefix}-approved_by": ""})
    assert response.status_code == 200
    assert "approved_by" in dict(next(form for _e, _w, form in response.context["ledger"] if form is not None).errors)
    response = as_staff.post(url, {f"{prefix}-reason": "停电", f"{prefix}-approved_by": "王主任"})
    assert response.status_code == 302
    assert archive_a.contract.deposit_balance == Decimal("10000")
    response = as_staff.post(url, {f"{prefix}-reason": "停电", f"{prefix}-approved_by": "王主任"}, follow=True)
    assert "已经豁免" in response.content.decode()
    assert archive_a.contract.deposit_entries.filter(kind="waiver").count() == 1


def test_client_users_cannot_waive(as_client_a, archive_a, archive_b) -> None:
    own = reverse("contracts:deposit_entry_waive", kwargs={"pk": archive_a.deposit_entry.pk})
    other = reverse("contracts:deposit_entry_waive", kwargs={"pk": archive_b.deposit_entry.pk})
    assert as_client_a.post(own).status_code == 403
    assert as_client_a.post(other).status_code == 404


def test_deposit_pages_answer_get_with_405_for_staff(as_staff, archive_a) -> None:
    assert as_staff.get(_deposit_url(archive_a.contract)).status_code == 405
    waive = reverse("contracts:deposit_entry_waive", kwargs={"pk": archive_a.deposit_entry.pk})
    assert as_staff.get(waive).status_code == 405


def test_the_detail_page_has_no_duplicate_element_ids(as_staff, archive_a) -> None:
    import re

    services.deposit_deduct_penalty(actor=None, contract=archive_a.contract, reason="超时", reference="R1")
    ids = re.findall(r'\sid="([^"]+)"', as_staff.get(detail(archive_a.contract)).content.decode())
    assert len(ids) == len(set(ids))
