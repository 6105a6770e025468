"""The REST API at /api/v1/: every app's router under one NinjaAPI."""

from __future__ import annotations

from ninja import NinjaAPI

from weibao.accounts.api import router as accounts_router
from weibao.accounts.api_auth import api_auth
from weibao.announcements.api import router as announcements_router
from weibao.catalog.api import router as catalog_router
from weibao.contracts.api import router as contracts_router
from weibao.core.api_errors import ObjectBodyParser, install_error_handlers
from weibao.customers.api import router as customers_router
from weibao.intake.api import router as intake_router
from weibao.knowledge.api import router as knowledge_router
from weibao.notifications.api import router as notifications_router
from weibao.sla.api import router as sla_router
from weibao.tickets.api import router as tickets_router

api = NinjaAPI(
    title="Weibao API",
    version="1",
    description="REST API of Weibao (维保). Authenticate with `Authorization: Bearer wb_…` "
    "(a personal access token) or a signed-in session with CSRF.",
    auth=api_auth,
    urls_namespace="api",
    parser=ObjectBodyParser(),
)
install_error_handlers(api)
api.add_router("/", accounts_router, tags=["accounts"])
api.add_router("/", catalog_router, tags=["catalog"])
api.add_router("/", customers_router, tags=["customers"])
api.add_router("/", contracts_router, tags=["contracts"])
api.add_router("/", tickets_router, tags=["tickets"])
api.add_router("/", sla_router, tags=["sla"])
api.add_router("/", knowledge_router, tags=["knowledge"])
api.add_router("/", announcements_router, tags=["announcements"])
api.add_router("/", notifications_router, tags=["notifications"])
api.add_router("/", intake_router, tags=["intake"])
