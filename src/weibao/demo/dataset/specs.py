"""Plain descriptions of demo rows; the loader turns them into model instances.

Each spec names the natural key the loader looks rows up by, so that loading
twice finds what the first run created instead of adding it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ReleaseSpec:
    version: str
    released_on: dt.date
    notes: str


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    description: str
    releases: tuple[ReleaseSpec, ...]


@dataclass(frozen=True)
class UserSpec:
    username: str
    display_name: str
    role: str
    email: str
    phone: str = ""
    is_staff: bool = False
    is_superuser: bool = False
    client_code: str = ""


@dataclass(frozen=True)
class SiteSpec:
    name: str
    kind: str
    address: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ContactSpec:
    name: str
    title: str
    mobile: str
    office_phone: str = ""
    email_local: str = ""
    site: str = ""
    wecom_id: str = ""
    dingtalk_id: str = ""
    wechat_id: str = ""
    is_leader: bool = False
    notes: str = ""


@dataclass(frozen=True)
class ClientSpec:
    code: str
    name: str
    short_name: str
    kind: str
    region: str
    address: str
    email_domain: str
    notes: str
    sites: tuple[SiteSpec, ...]
    contacts: tuple[ContactSpec, ...]


@dataclass(frozen=True)
class NodeSpec:
    role: str
    hostname: str
    address: str
    os: str
    specification: str
    notes: str = ""


@dataclass(frozen=True)
class DeploymentSpec:
    client_code: str
    name: str
    site: str
    product_code: str
    version: str
    environment: str
    url: str
    went_live_on: dt.date | None
    nodes: tuple[NodeSpec, ...]
    notes: str = ""


@dataclass(frozen=True)
class LedgerSpec:
    """One deposit movement; ``amount`` is signed like ``DepositEntry.amount``."""

    kind: str
    amount: Decimal
    on: dt.date
    reason: str
    reference: str
    approved_by: str = ""


@dataclass(frozen=True)
class ContractSpec:
    client_code: str
    number: str
    title: str
    signed_on: dt.date
    accepted_on: dt.date | None
    warranty_months: int
    ends_on: dt.date | None
    scope: str
    post_warranty_terms: str
    service_hours: str
    amount: Decimal
    deposit_amount: Decimal
    penalty_per_miss: Decimal
    deployments: tuple[str, ...]
    resident_engineers: tuple[str, ...] = ()
    ledger: tuple[LedgerSpec, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class FileSpec:
    client_code: str
    title: str
    kind: str
    original_name: str
    content_type: str
    content: str
    deployment: str = ""
    uploaded_by: str = ""
