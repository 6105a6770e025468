"""The demo specs themselves: consistent with each other, fictional, in range."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from weibao.accounts.models import CLIENT_ROLES
from weibao.demo import dataset
from weibao.demo.dataset.specs import ClientSpec

FICTIONAL_MOBILE = re.compile(r"^(138|139|150|186)0000\d{4}$")
FIRST_DAY, LAST_DAY = dt.date(2023, 1, 1), dt.date(2026, 12, 31)


def test_contact_and_user_mobiles_follow_the_fictional_pattern() -> None:
    mobiles = [contact.mobile for client in dataset.CLIENTS for contact in client.contacts]
    mobiles += [user.phone for user in dataset.USERS if user.phone]

    assert all(FICTIONAL_MOBILE.match(mobile) for mobile in mobiles), mobiles


def test_e_mail_domains_are_reserved_example_domains() -> None:
    assert all(client.email_domain.endswith(".example") for client in dataset.CLIENTS)
    assert all(user.email.endswith(".example") for user in dataset.USERS)


@pytest.mark.parametrize("client", dataset.CLIENTS, ids=lambda client: client.code)
def test_each_client_has_sites_and_three_to_five_contacts_with_one_leader(client: ClientSpec) -> None:
    site_names = {site.name for site in client.sites}

    assert 2 <= len(client.sites) <= 3
    assert 3 <= len(client.contacts) <= 5
    assert sum(contact.is_leader for contact in client.contacts) == 1
    assert all(contact.site in site_names for contact in client.contacts if contact.site)


def test_deployments_name_an_existing_client_site_and_product_release() -> None:
    clients = {client.code: client for client in dataset.CLIENTS}
    releases = {(p.code, r.version): r for p in dataset.PRODUCTS for r in p.releases}

    for deployment in dataset.DEPLOYMENTS:
        assert deployment.site in {site.name for site in clients[deployment.client_code].sites}
        assert (deployment.product_code, deployment.version) in releases
        assert deployment.went_live_on is not None
        assert FIRST_DAY <= deployment.went_live_on <= LAST_DAY
        # Some release of the product existed when it went live.
        assert any(
            release.released_on <= deployment.went_live_on
            for (code, _version), release in releases.items()
            if code == deployment.product_code
        )


def test_contracts_cover_their_own_clients_deployments_with_staff_engineers() -> None:
    deployments = {(d.client_code, d.name) for d in dataset.DEPLOYMENTS}
    staff = {user.username for user in dataset.USERS if user.role not in CLIENT_ROLES}

    for contract in dataset.CONTRACTS:
        assert all((contract.client_code, name) in deployments for name in contract.deployments)
        assert set(contract.resident_engineers) <= staff
        assert FIRST_DAY <= contract.signed_on <= LAST_DAY
        balance = sum(entry.amount for entry in contract.ledger)
        assert 0 <= balance <= contract.deposit_amount


def test_client_users_match_a_contact_of_their_client() -> None:
    contacts = {(client.code, contact.name) for client in dataset.CLIENTS for contact in client.contacts}
    client_users = [user for user in dataset.USERS if user.role in CLIENT_ROLES]

    assert len({user.client_code for user in client_users}) >= 2
    assert all((user.client_code, user.display_name) in contacts for user in client_users)


def test_technical_file_titles_are_unique_per_client() -> None:
    keys = [(spec.client_code, spec.title) for spec in dataset.FILES]

    assert len(keys) == len(set(keys))
