from django.contrib import admin
from django.urls import include, path

from weibao.config.api import api

urlpatterns = [
    path("", include("weibao.core.urls")),
    path("accounts/", include("weibao.accounts.urls")),
    path("catalog/", include("weibao.catalog.urls")),
    path("clients/", include("weibao.customers.urls")),
    path("contracts/", include("weibao.contracts.urls")),
    path("tickets/", include("weibao.tickets.urls")),
    path("portal/", include("weibao.tickets.portal_urls")),
    path("documents/", include("weibao.tickets.document_urls")),
    path("sla/", include("weibao.sla.urls")),
    path("knowledge/", include("weibao.knowledge.urls")),
    path("announcements/", include("weibao.announcements.urls")),
    path("notifications/", include("weibao.notifications.urls")),
    path("intake/", include("weibao.intake.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
