"""Personas and a small two-client archive shared by every test.

Personas: ``admin`` (administrator), ``staff`` (a service-desk agent), ``auditor``,
``client_a_user`` and ``client_b_user`` (client users of two different clients).
``as_<persona>`` is a Django test client signed in as that persona.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client as HttpClient

from weibao.accounts.models import Role, User
from weibao.catalog.models import Product, Release
from weibao.contracts.models import Contract, DepositEntry
from weibao.customers.models import (
    Client,
    ClientMembership,
    Contact,
    Deployment,
    DeploymentNode,
    Site,
    TechnicalFile,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PASSWORD = "Correct-Horse-42"  # noqa: S105 - test personas only


def make_user(username: str, role: str, client: Client | None = None, **extra: object) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)  # type: ignore[arg-type]
    if client is not None:
        ClientMembership.objects.create(user=user, client=client)
    return user


@dataclass
class ClientArchive:
    """One client's objects, one of each kind."""

    client: Client
    site: Site
    contact: Contact
    deployment: Deployment
    node: DeploymentNode
    technical_file: TechnicalFile
    contract: Contract
    deposit_entry: DepositEntry


def build_archive(code: str, name: str, product: Product, release: Release, uploader: User) -> ClientArchive:
    client = Client.objects.create(name=name, code=code, kind=Client.Kind.COMMUNITY, short_name=name[:4])
    site = Site.objects.create(client=client, name=f"{name}机房", kind=Site.Kind.MACHINE_ROOM)
    contact = Contact.objects.create(
        client=client, site=site, name=f"{code}联系人", mobile=f"1380000{abs(hash(code)) % 10000:04d}"
    )
    deployment = Deployment.objects.create(
        client=client, site=site, name=f"{name}生产环境", product=product, release=release
    )
    node = DeploymentNode.objects.create(
        deployment=deployment,
        role=DeploymentNode.Role.APPLICATION,
        hostname=f"{code}-app01",
        address="10.0.0.1",
        os="Kylin V10",
    )
    technical_file = TechnicalFile(
        client=client,
        deployment=deployment,
        title="部署手册",
        kind=TechnicalFile.Kind.INSTALLATION,
        original_name="部署手册.txt",
        size=6,
        content_type="text/plain",
        sha256="0" * 64,
        uploaded_by=uploader,
    )
    technical_file.file.save("x", ContentFile(b"manual"), save=False)
    technical_file.save()
    contract = Contract.objects.create(
        client=client,
        number=f"HT-{code}",
        title=f"{name}运维服务合同",
        signed_on=dt.date(2025, 1, 10),
        accepted_on=dt.date(2025, 3, 1),
        warranty_months=12,
        deposit_amount=Decimal("10000"),
        penalty_per_miss=Decimal("500"),
    )
    contract.deployments.add(deployment)
    entry = DepositEntry.objects.create(
        contract=contract,
        kind=DepositEntry.Kind.PAYMENT,
        amount=Decimal("10000"),
        balance_after=Decimal("10000"),
        reason="质保金到账",
    )
    return ClientArchive(client, site, contact, deployment, node, technical_file, contract, entry)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """argon2 takes ~0.3 s a hash on this machine; tests sign in thousands of times.

    ``tests/test_settings.py`` checks that the real settings hash with argon2.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _test_storages(settings: Any, tmp_path: Any) -> None:
    """Pages render without collectstatic; each test's uploads go to its own directory."""
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads"), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def product(db: None) -> Product:
    return Product.objects.create(name="社区综合服务平台", code="community-platform")


@pytest.fixture
def release(product: Product) -> Release:
    return Release.objects.create(product=product, version="3.2.0", released_on=dt.date(2026, 3, 1))


@pytest.fixture
def admin(db: None) -> User:
    return make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def staff(db: None) -> User:
    return make_user("staff", Role.AGENT)


@pytest.fixture
def auditor(db: None) -> User:
    return make_user("auditor", Role.AUDITOR)


@pytest.fixture
def archive_a(product: Product, release: Release, staff: User) -> ClientArchive:
    return build_archive("mxxc", "明日星城社区", product, release, staff)


@pytest.fixture
def archive_b(product: Product, release: Release, staff: User) -> ClientArchive:
    return build_archive("hyjd", "海源街道办事处", product, release, staff)


@pytest.fixture
def client_a(archive_a: ClientArchive) -> Client:
    return archive_a.client


@pytest.fixture
def client_b(archive_b: ClientArchive) -> Client:
    return archive_b.client


@pytest.fixture
def client_a_user(client_a: Client) -> User:
    return make_user("client_a", Role.CLIENT_USER, client=client_a)


@pytest.fixture
def client_b_user(client_b: Client) -> User:
    return make_user("client_b", Role.CLIENT_USER, client=client_b)


def _signed_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def as_admin(admin: User) -> HttpClient:
    return _signed_in(admin)


@pytest.fixture
def as_staff(staff: User) -> HttpClient:
    return _signed_in(staff)


@pytest.fixture
def as_auditor(auditor: User) -> HttpClient:
    return _signed_in(auditor)


@pytest.fixture
def as_client_a(client_a_user: User) -> HttpClient:
    return _signed_in(client_a_user)


@pytest.fixture
def as_client_b(client_b_user: User) -> HttpClient:
    return _signed_in(client_b_user)
