"""Pages for deployments and the servers and devices they run on."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from weibao.core.web import list_context
from weibao.customers import selectors, services
from weibao.customers.forms import DeploymentFilterForm, DeploymentForm, NodeForm
from weibao.customers.scope import visible_clients
from weibao.customers.views._common import actor_of, delete_page, denied, form_page, found, history


def _deployment_url(deployment_id: int) -> str:
    return reverse("customers:deployment_detail", kwargs={"pk": deployment_id})


@login_required
@require_GET
def deployment_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    filters = DeploymentFilterForm(request.GET, clients=visible_clients(actor).order_by("name"))
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    client, product = cleaned.get("client"), cleaned.get("product")
    deployments = selectors.deployment_list(
        actor=actor,
        client_id=client.pk if client is not None else None,
        product_id=product.pk if product is not None else None,
        environment=cleaned.get("environment") or "",
        q=cleaned.get("q") or "",
    )
    return render(request, "customers/deployment_list.html", list_context(request, deployments, filters=filters))


@login_required
@require_GET
def deployment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    deployment = found(selectors.deployment_get, actor=actor, deployment_id=pk)
    context = {
        "deployment": deployment,
        "nodes": selectors.node_list(actor=actor, deployment_id=deployment.pk),
        "technical_files": selectors.technical_file_list(actor=actor, deployment_id=deployment.pk),
        "events": history(deployment),
    }
    return render(request, "customers/deployment_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def deployment_create(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = found(selectors.client_get, actor=actor_of(request), client_id=client_pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        DeploymentForm(request.POST or None, client=client),
        save=lambda data: services.deployment_create(actor=actor_of(request), client=client, **data),
        done=lambda deployment: _deployment_url(deployment.pk),
        message=_("Deployment added."),
        title=_("New deployment for %(client)s") % {"client": client.name},
        cancel_url=reverse("customers:client_detail", kwargs={"pk": client.pk}) + "#deployments",
    )


@login_required
@require_http_methods(["GET", "POST"])
def deployment_update(request: HttpRequest, pk: int) -> HttpResponse:
    deployment = found(selectors.deployment_get, actor=actor_of(request), deployment_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        DeploymentForm(request.POST or None, instance=deployment, client=deployment.client),
        save=lambda data: services.deployment_update(actor=actor_of(request), deployment=deployment, changes=data),
        done=lambda saved: _deployment_url(saved.pk),
        message=_("Deployment saved."),
        title=_("Edit deployment %(name)s") % {"name": deployment.name},
        cancel_url=_deployment_url(pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def deployment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    deployment = found(selectors.deployment_get, actor=actor_of(request), deployment_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return delete_page(
        request,
        deployment,
        delete=lambda: services.deployment_delete(actor=actor_of(request), deployment=deployment),
        cancel_url=_deployment_url(pk),
        done_url=reverse("customers:client_detail", kwargs={"pk": deployment.client_id}) + "#deployments",
        message=_("Deployment deleted."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_create(request: HttpRequest, deployment_pk: int) -> HttpResponse:
    deployment = found(selectors.deployment_get, actor=actor_of(request), deployment_id=deployment_pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        NodeForm(request.POST or None),
        save=lambda data: services.node_create(actor=actor_of(request), deployment=deployment, **data),
        done=lambda node: _deployment_url(deployment.pk) + "#nodes",
        message=_("Server or device added."),
        title=_("New server or device for %(deployment)s") % {"deployment": deployment.name},
        cancel_url=_deployment_url(deployment.pk) + "#nodes",
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_update(request: HttpRequest, pk: int) -> HttpResponse:
    node = found(selectors.node_get, actor=actor_of(request), node_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        NodeForm(request.POST or None, instance=node),
        save=lambda data: services.node_update(actor=actor_of(request), node=node, changes=data),
        done=lambda saved: _deployment_url(saved.deployment_id) + "#nodes",
        message=_("Server or device saved."),
        title=_("Edit %(hostname)s") % {"hostname": node.hostname},
        cancel_url=_deployment_url(node.deployment_id) + "#nodes",
        events=history(node),
    )


@login_required
@require_http_methods(["GET", "POST"])
def node_delete(request: HttpRequest, pk: int) -> HttpResponse:
    node = found(selectors.node_get, actor=actor_of(request), node_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return delete_page(
        request,
        node,
        delete=lambda: services.node_delete(actor=actor_of(request), node=node),
        cancel_url=_deployment_url(node.deployment_id) + "#nodes",
        done_url=_deployment_url(node.deployment_id) + "#nodes",
        message=_("Server or device deleted."),
    )
