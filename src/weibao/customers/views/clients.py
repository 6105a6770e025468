"""Pages for clients, their sites and contacts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from weibao.core.web import list_context
from weibao.customers import selectors, services
from weibao.customers.forms import ClientFilterForm, ClientForm, ContactForm, SiteForm
from weibao.customers.models import Client
from weibao.customers.views._common import actor_of, delete_page, denied, form_page, found, history


def _client_url(client_id: int, section: str = "") -> str:
    return reverse("customers:client_detail", kwargs={"pk": client_id}) + (f"#{section}" if section else "")


@login_required
@require_GET
def client_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    filters = ClientFilterForm(request.GET)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    clients = selectors.client_list(
        actor=actor,
        q=cleaned.get("q") or "",
        kind=cleaned.get("kind") or "",
        region=cleaned.get("region") or "",
        is_active=cleaned.get("is_active"),
    )
    context = list_context(request, clients, filters=filters, regions=selectors.client_regions(actor=actor))
    return render(request, "customers/client_list.html", context)


@login_required
@require_GET
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    client = found(selectors.client_get, actor=actor, client_id=pk)
    context = {
        "client": client,
        "sites": selectors.site_list(actor=actor, client_id=client.pk),
        "contacts": selectors.contact_list(actor=actor, client_id=client.pk),
        "deployments": selectors.deployment_list(actor=actor, client_id=client.pk),
        "technical_files": selectors.technical_file_list(actor=actor, client_id=client.pk),
        "events": selectors.client_history(actor=actor, client=client),
    }
    return render(request, "customers/client_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        ClientForm(request.POST or None),
        save=lambda data: services.client_create(actor=actor_of(request), **data),
        done=lambda client: _client_url(client.pk),
        message=_("Client added."),
        title=_("New client"),
        cancel_url=reverse("customers:client_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_update(request: HttpRequest, pk: int) -> HttpResponse:
    client = found(selectors.client_get, actor=actor_of(request), client_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        ClientForm(request.POST or None, instance=client),
        save=lambda data: services.client_update(actor=actor_of(request), client=client, changes=data),
        done=lambda saved: _client_url(saved.pk),
        message=_("Client saved."),
        title=_("Edit %(name)s") % {"name": client.name},
        cancel_url=_client_url(pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_delete(request: HttpRequest, pk: int) -> HttpResponse:
    client = found(selectors.client_get, actor=actor_of(request), client_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return delete_page(
        request,
        client,
        delete=lambda: services.client_delete(actor=actor_of(request), client=client),
        cancel_url=_client_url(pk),
        done_url=reverse("customers:client_list"),
        message=_("Client deleted."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = found(selectors.client_get, actor=actor_of(request), client_id=client_pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        SiteForm(request.POST or None),
        save=lambda data: services.site_create(actor=actor_of(request), client=client, **data),
        done=lambda site: _client_url(client.pk, "sites"),
        message=_("Site added."),
        title=_("New site of %(client)s") % {"client": client.name},
        cancel_url=_client_url(client.pk, "sites"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_update(request: HttpRequest, pk: int) -> HttpResponse:
    site = found(selectors.site_get, actor=actor_of(request), site_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        SiteForm(request.POST or None, instance=site),
        save=lambda data: services.site_update(actor=actor_of(request), site=site, changes=data),
        done=lambda saved: _client_url(saved.client_id, "sites"),
        message=_("Site saved."),
        title=_("Edit site %(name)s") % {"name": site.name},
        cancel_url=_client_url(site.client_id, "sites"),
        events=history(site),
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_delete(request: HttpRequest, pk: int) -> HttpResponse:
    site = found(selectors.site_get, actor=actor_of(request), site_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return delete_page(
        request,
        site,
        delete=lambda: services.site_delete(actor=actor_of(request), site=site),
        cancel_url=_client_url(site.client_id, "sites"),
        done_url=_client_url(site.client_id, "sites"),
        message=_("Site deleted."),
    )


def _client_of(request: HttpRequest, client_id: int) -> Client:
    return found(selectors.client_get, actor=actor_of(request), client_id=client_id)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = _client_of(request, client_pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        ContactForm(request.POST or None, client=client),
        save=lambda data: services.contact_create(actor=actor_of(request), client=client, **data),
        done=lambda contact: _client_url(client.pk, "contacts"),
        message=_("Contact added."),
        title=_("New contact at %(client)s") % {"client": client.name},
        cancel_url=_client_url(client.pk, "contacts"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_update(request: HttpRequest, pk: int) -> HttpResponse:
    contact = found(selectors.contact_get, actor=actor_of(request), contact_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        ContactForm(request.POST or None, instance=contact, client=contact.client),
        save=lambda data: services.contact_update(actor=actor_of(request), contact=contact, changes=data),
        done=lambda saved: _client_url(saved.client_id, "contacts"),
        message=_("Contact saved."),
        title=_("Edit contact %(name)s") % {"name": contact.name},
        cancel_url=_client_url(contact.client_id, "contacts"),
        events=history(contact),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = found(selectors.contact_get, actor=actor_of(request), contact_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return delete_page(
        request,
        contact,
        delete=lambda: services.contact_delete(actor=actor_of(request), contact=contact),
        cancel_url=_client_url(contact.client_id, "contacts"),
        done_url=_client_url(contact.client_id, "contacts"),
        message=_("Contact deleted."),
    )
