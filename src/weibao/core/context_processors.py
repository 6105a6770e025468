"""Navigation for the shell: every area of the product, built or not yet."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# (section, [(label, url name, area key)]). Areas not built yet point at the
# "not yet available" page so that the navigation tells the truth.
NAVIGATION: list[tuple[Any, list[tuple[Any, str, str]]]] = [
    (
        _("Service desk"),
        [
            (_("Requests"), "tickets:queue", ""),
            (_("Service levels"), "sla:index", ""),
            (_("Knowledge base"), "knowledge:article_list", ""),
            (_("Announcements"), "announcements:list", ""),
            (_("Inbound review"), "intake:review_list", ""),
        ],
    ),
    (
        _("Archive"),
        [
            (_("Clients"), "customers:client_list", ""),
            (_("Deployments"), "customers:deployment_list", ""),
            (_("Contracts"), "contracts:contract_list", ""),
            (_("Products"), "catalog:product_list", ""),
        ],
    ),
    (
        _("Operations"),
        [
            (_("Monitoring"), "core:area", "monitoring"),
            (_("Inspections"), "core:area", "inspections"),
            (_("Backups"), "core:area", "backups"),
            (_("Duty rosters"), "core:area", "duty"),
        ],
    ),
    (
        _("Analysis"),
        [
            (_("Reports"), "core:area", "reports"),
            (_("Notifications"), "notifications:inbox", ""),
        ],
    ),
]


# Client users work in the portal; the vendor's areas above are not theirs.
CLIENT_NAVIGATION: list[tuple[Any, list[tuple[Any, str, str]]]] = [
    (
        _("Service desk"),
        [
            (_("My requests"), "portal:list", ""),
            (_("Open a request"), "portal:create", ""),
            (_("Knowledge base"), "knowledge:portal_list", ""),
            (_("Announcements"), "announcements:list", ""),
            (_("Notifications"), "notifications:inbox", ""),
        ],
    ),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    if getattr(getattr(request, "user", None), "is_client_side", False):
        return {"navigation": CLIENT_NAVIGATION}
    return {"navigation": NAVIGATION}
