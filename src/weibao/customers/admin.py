"""Django admin for administrators.

Changes made here bypass the services and write no events; the admin is the
administrators' last resort, and ClientMembership (which client a client-side
user belongs to) is managed only here.
"""

from django.contrib import admin

from weibao.customers.models import Client, ClientMembership, Contact, Deployment, DeploymentNode, Site, TechnicalFile


class SiteInline(admin.TabularInline[Site, Client]):
    model = Site
    extra = 0
    fields = ["name", "kind", "address"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin[Client]):
    list_display = ["name", "short_name", "code", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code", "region"]
    inlines = [SiteInline]


@admin.register(ClientMembership)
class ClientMembershipAdmin(admin.ModelAdmin[ClientMembership]):
    list_display = ["user", "client"]
    list_select_related = ["user", "client"]
    search_fields = ["user__username", "client__name"]
    autocomplete_fields = ["client"]
    raw_id_fields = ["user"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ["name", "client", "kind"]
    list_filter = ["kind"]
    list_select_related = ["client"]
    search_fields = ["name", "client__name"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    list_display = ["name", "client", "title", "mobile", "office_phone", "email", "is_leader"]
    list_filter = ["is_leader"]
    list_select_related = ["client"]
    search_fields = ["name", "mobile", "office_phone", "email", "client__name"]


class DeploymentNodeInline(admin.TabularInline[DeploymentNode, Deployment]):
    model = DeploymentNode
    extra = 0
    fields = ["role", "hostname", "address", "os", "specification"]


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin[Deployment]):
    list_display = ["name", "client", "product", "release", "environment", "went_live_on"]
    list_filter = ["environment", "product"]
    list_select_related = ["client", "product", "release"]
    search_fields = ["name", "client__name", "url"]
    inlines = [DeploymentNodeInline]


@admin.register(TechnicalFile)
class TechnicalFileAdmin(admin.ModelAdmin[TechnicalFile]):
    list_display = ["title", "client", "kind", "original_name", "size", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["client"]
    search_fields = ["title", "original_name", "client__name"]
    readonly_fields = ["file", "original_name", "size", "content_type", "sha256", "uploaded_by"]
