"""Who may read and change calendars and SLA policies.

Administrators and service managers change them; other vendor staff read them;
client users never see these pages or API operations (403, as for other
vendor-only areas: calendars and policies belong to no client).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from weibao.accounts.models import Role, User
from weibao.core.errors import PermissionDeniedError

MANAGER_ROLES = frozenset({Role.ADMIN, Role.SERVICE_MANAGER})


def can_read_sla(user: User) -> bool:
    return user.is_active and not user.is_client_side


def can_manage_sla(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role in MANAGER_ROLES)


def require_reader(user: User) -> None:
    if not can_read_sla(user):
        raise PermissionDeniedError(_("Service levels are for vendor staff."))


def require_manager(user: User) -> None:
    if not can_manage_sla(user):
        raise PermissionDeniedError(_("Only administrators and service managers may change service levels."))
