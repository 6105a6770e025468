"""Loading the demo data set into the database, idempotently.

Rows are looked up by their natural keys (Client.code, Product.code, Release
(product, version), Site/Contact/Deployment/TechnicalFile (client, name or
title), DeploymentNode (deployment, hostname), Contract.number, usernames).
A row that exists is left exactly as it is, so a second run changes nothing and
edits made after the first run survive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth import password_validation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction

from weibao.accounts.audit import event_record
from weibao.accounts.models import User
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
from weibao.demo import dataset
from weibao.demo.dataset.announcements import announcements_load
from weibao.demo.dataset.knowledge import knowledge_load
from weibao.demo.dataset.sla import sla_bind
from weibao.demo.dataset.specs import ClientSpec, ContractSpec, DeploymentSpec, FileSpec, UserSpec
from weibao.demo.tickets import tickets_load
from weibao.tickets.models import Team, Ticket

# The documented demo password (README); WEIBAO_DEMO_PASSWORD overrides it.
DEFAULT_PASSWORD = "Weibao@2026"  # noqa: S105
# Ledger entries are dated at 10:00 Beijing time on their day.
LEDGER_ZONE = ZoneInfo("Asia/Shanghai")

# Summary keys, in the order they are reported, and the model each one counts.
COUNTED: dict[str, type[models.Model]] = {
    "products": Product,
    "releases": Release,
    "clients": Client,
    "sites": Site,
    "contacts": Contact,
    "users": User,
    "memberships": ClientMembership,
    "deployments": Deployment,
    "nodes": DeploymentNode,
    "contracts": Contract,
    "deposit_entries": DepositEntry,
    "technical_files": TechnicalFile,
    "teams": Team,
    "tickets": Ticket,
}

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class DemoSummary:
    """What one load did: rows created and rows found already present, per summary key."""

    created: dict[str, int]
    present: dict[str, int]
    passwords_reset: int
    event_id: int | None

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


def demo_load(*, password: str, reset_passwords: bool = False) -> DemoSummary:
    """Load the demo data set; rows already present (by natural key) are left unchanged.

    Preconditions: migrated database; ``password`` passes the password validators.
    Side effects: creates the missing rows and their technical files in one
    transaction; sets the demo users' password on new users (and on existing ones
    with ``reset_passwords``); records one ``demo.load`` event when anything changed.
    Raises django ValidationError for a password the validators reject, or a row
    that fails validation (then nothing is kept, and files written are removed).
    """
    password_validation.validate_password(password)
    loader = _Loader(password=password, reset_passwords=reset_passwords)
    try:
        with transaction.atomic():
            return loader.run()
    except BaseException:
        # The rows rolled back; the files written for them would be orphans.
        for name in loader.saved_files:
            default_storage.delete(name)
        raise


class _Loader:
    def __init__(self, *, password: str, reset_passwords: bool) -> None:
        self.password = password
        self.reset_passwords = reset_passwords
        self.created: Counter[str] = Counter()
        self.present: Counter[str] = Counter()
        self.passwords_reset = 0
        self.saved_files: list[str] = []
        self.products: dict[str, Product] = {}
        self.releases: dict[tuple[str, str], Release] = {}
        self.clients: dict[str, Client] = {}
        self.sites: dict[tuple[str, str], Site] = {}
        self.users: dict[str, User] = {}
        self.deployments: dict[tuple[str, str], Deployment] = {}

    def run(self) -> DemoSummary:
        for product in dataset.PRODUCTS:
            self.products[product.code] = self._ensure(
                "products", Product, {"code": product.code}, name=product.name, description=product.description
            )
            for release in product.releases:
                self.releases[product.code, release.version] = self._ensure(
                    "releases",
                    Release,
                    {"product": self.products[product.code], "version": release.version},
                    released_on=release.released_on,
                    notes=release.notes,
                )
        for client in dataset.CLIENTS:
            self._client(client)
        for user in dataset.USERS:
            self._user(user)
        for deployment in dataset.DEPLOYMENTS:
            self._deployment(deployment)
        for contract in dataset.CONTRACTS:
            self._contract(contract)
        for file in dataset.FILES:
            self._file(file)
        sla_bind(self.created, self.present)
        tickets_load(self.created, self.present)
        knowledge_load(self.created, self.present)
        announcements_load(self.created, self.present)
        return self._finish()

    def _ensure(self, key: str, model: type[M], lookup: dict[str, Any], **fields: Any) -> M:
        """The row with ``lookup``, or a new one made of ``lookup`` and ``fields``."""
        return self._ensure_built(key, model, lookup, lambda: model(**lookup, **fields))

    def _ensure_built(self, key: str, model: type[M], lookup: dict[str, Any], build: Callable[[], M]) -> M:
        existing = model._default_manager.filter(**lookup).first()
        if existing is not None:
            self.present[key] += 1
            return existing
        instance = build()
        instance.full_clean()
        instance.save()
        self.created[key] += 1
        return instance

    def _was_created(self, key: str, before: int) -> bool:
        return self.created[key] > before

    def _client(self, spec: ClientSpec) -> None:
        client = self._ensure(
            "clients",
            Client,
            {"code": spec.code},
            name=spec.name,
            short_name=spec.short_name,
            kind=spec.kind,
            region=spec.region,
            address=spec.address,
            email_domains=spec.email_domain,
            notes=spec.notes,
        )
        self.clients[spec.code] = client
        for site in spec.sites:
            self.sites[spec.code, site.name] = self._ensure(
                "sites",
                Site,
                {"client": client, "name": site.name},
                kind=site.kind,
                address=site.address,
                notes=site.notes,
            )
        for contact in spec.contacts:
            self._ensure(
                "contacts",
                Contact,
                {"client": client, "name": contact.name},
                site=self.sites.get((spec.code, contact.site)),
                title=contact.title,
                mobile=contact.mobile,
                office_phone=contact.office_phone,
                email=f"{contact.email_local}@{spec.email_domain}" if contact.email_local else "",
                wecom_id=contact.wecom_id,
                dingtalk_id=contact.dingtalk_id,
                wechat_id=contact.wechat_id,
                is_leader=contact.is_leader,
                notes=contact.notes,
            )

    def _user(self, spec: UserSpec) -> None:
        def build() -> User:
            user = User(
                username=spec.username,
                display_name=spec.display_name,
                role=spec.role,
                email=spec.email,
                phone=spec.phone,
                is_staff=spec.is_staff,
                is_superuser=spec.is_superuser,
            )
            user.set_password(self.password)
            return user

        before = self.created["users"]
        user = self._ensure_built("users", User, {"username": spec.username}, build)
        if self.reset_passwords and not self._was_created("users", before):
            user.set_password(self.password)
            user.save(update_fields=["password"])
            self.passwords_reset += 1
        self.users[spec.username] = user
        if spec.client_code:
            client = self.clients[spec.client_code]
            self._ensure("memberships", ClientMembership, {"user": user}, client=client)

    def _deployment(self, spec: DeploymentSpec) -> None:
        client = self.clients[spec.client_code]
        deployment = self._ensure(
            "deployments",
            Deployment,
            {"client": client, "name": spec.name},
            site=self.sites.get((spec.client_code, spec.site)),
            product=self.products[spec.product_code],
            release=self.releases[spec.product_code, spec.version],
            environment=spec.environment,
            url=spec.url,
            went_live_on=spec.went_live_on,
            notes=spec.notes,
        )
        self.deployments[spec.client_code, spec.name] = deployment
        for node in spec.nodes:
            self._ensure(
                "nodes",
                DeploymentNode,
                {"deployment": deployment, "hostname": node.hostname},
                role=node.role,
                address=node.address,
                os=node.os,
                specification=node.specification,
                notes=node.notes,
            )

    def _contract(self, spec: ContractSpec) -> None:
        before = self.created["contracts"]
        contract = self._ensure(
            "contracts",
            Contract,
            {"number": spec.number},
            client=self.clients[spec.client_code],
            title=spec.title,
            scope=spec.scope,
            signed_on=spec.signed_on,
            accepted_on=spec.accepted_on,
            warranty_months=spec.warranty_months,
            ends_on=spec.ends_on,
            post_warranty_terms=spec.post_warranty_terms,
            service_hours=spec.service_hours,
            amount=spec.amount,
            deposit_amount=spec.deposit_amount,
            penalty_per_miss=spec.penalty_per_miss,
            notes=spec.notes,
        )
        if not self._was_created("contracts", before):
            # An existing contract's coverage and ledger are its own now: later
            # entries depend on the running balance, so demo rows are not slipped in.
            self.present["deposit_entries"] += contract.deposit_entries.count()
            return
        contract.deployments.set([self.deployments[spec.client_code, name] for name in spec.deployments])
        contract.resident_engineers.set([self.users[username] for username in spec.resident_engineers])
        balance = Decimal("0")
        for entry in spec.ledger:
            balance += entry.amount
            row = DepositEntry(
                contract=contract,
                kind=entry.kind,
                amount=entry.amount,
                balance_after=balance,
                reason=entry.reason,
                reference=entry.reference,
                approved_by=entry.approved_by,
            )
            row.full_clean()
            row.save()
            # auto_now_add stamps the load time; the demo ledger reads better on its own dates.
            stamped = dt.datetime.combine(entry.on, dt.time(10), tzinfo=LEDGER_ZONE)
            DepositEntry.objects.filter(pk=row.pk).update(created_at=stamped)
            self.created["deposit_entries"] += 1

    def _file(self, spec: FileSpec) -> None:
        client = self.clients[spec.client_code]

        def build() -> TechnicalFile:
            data = spec.content.encode("utf-8")
            record = TechnicalFile(
                client=client,
                deployment=self.deployments.get((spec.client_code, spec.deployment)),
                title=spec.title,
                kind=spec.kind,
                original_name=spec.original_name,
                size=len(data),
                content_type=spec.content_type,
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by=self.users[spec.uploaded_by],
            )
            record.file.save(spec.original_name, ContentFile(data), save=False)
            self.saved_files.append(record.file.name or "")
            return record

        self._ensure_built("technical_files", TechnicalFile, {"client": client, "title": spec.title}, build)

    def _finish(self) -> DemoSummary:
        event_id = None
        if self.created or self.passwords_reset:
            created = {key: self.created[key] for key in COUNTED if self.created[key]}
            event = event_record(
                actor=None,
                action="demo.load",
                after={"created": created, "passwords_reset": self.passwords_reset},
            )
            event_id = event.pk
        return DemoSummary(
            created={key: self.created[key] for key in COUNTED},
            present={key: self.present[key] for key in COUNTED},
            passwords_reset=self.passwords_reset,
            event_id=event_id,
        )
