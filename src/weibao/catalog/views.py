"""HTML pages for products and their releases."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from weibao.accounts.models import AuditEvent, User
from weibao.catalog import selectors, services
from weibao.catalog.forms import ProductFilterForm, ProductForm, ReleaseForm
from weibao.catalog.models import Product, Release
from weibao.core.errors import ObjectNotFoundError, PermissionDeniedError, WeibaoError
from weibao.core.web import form_add_errors, list_context


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _product(request: HttpRequest, pk: int) -> Product:
    try:
        return selectors.product_get(actor=_actor(request), product_id=pk)
    except ObjectNotFoundError as exc:
        raise Http404 from exc


def _release(request: HttpRequest, pk: int) -> Release:
    try:
        return selectors.release_get(actor=_actor(request), release_id=pk)
    except ObjectNotFoundError as exc:
        raise Http404 from exc


def _detail_url(product: Product) -> str:
    return reverse("catalog:product_detail", kwargs={"pk": product.pk})


def _forbidden(request: HttpRequest, exc: PermissionDeniedError) -> HttpResponse:
    return render(request, "catalog/forbidden.html", {"message": exc.message}, status=403)


def _deny_unless_writer(request: HttpRequest) -> HttpResponse | None:
    # Checked before showing a form, so that nobody fills one in to be refused.
    if _actor(request).can_write_archive:
        return None
    return _forbidden(request, PermissionDeniedError(_("You may not change products and releases.")))


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    filters = ProductFilterForm(request.GET)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    products = selectors.product_list(
        actor=_actor(request), q=cleaned.get("q") or "", is_active=cleaned.get("is_active")
    )
    return render(request, "catalog/product_list.html", list_context(request, products, filters=filters))


@login_required
@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    product = _product(request, pk)
    context = {
        "product": product,
        "releases": selectors.release_list(actor=actor, product=product),
        "deployment_count": selectors.product_deployment_count(actor=actor, product=product),
        "events": AuditEvent.objects.for_object(product)[:50],
    }
    return render(request, "catalog/product_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    if (denied := _deny_unless_writer(request)) is not None:
        return denied
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=_actor(request), **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Product added."))
            return redirect("catalog:product_detail", pk=product.pk)
    return render(request, "catalog/form.html", {"form": form, "title": _("New product")})


@login_required
@require_http_methods(["GET", "POST"])
def product_update(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product(request, pk)
    if (denied := _deny_unless_writer(request)) is not None:
        return denied
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(actor=_actor(request), product=product, changes=form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Product saved."))
            return redirect("catalog:product_detail", pk=pk)
    title = _("Edit %(name)s") % {"name": product.name}
    return render(request, "catalog/form.html", {"form": form, "title": title, "cancel_url": _detail_url(product)})


@login_required
@require_http_methods(["GET", "POST"])
def product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product(request, pk)
    if (denied := _deny_unless_writer(request)) is not None:
        return denied
    if request.method == "POST":
        try:
            services.product_delete(actor=_actor(request), product=product)
        except WeibaoError as exc:
            messages.error(request, exc.message)
            return redirect("catalog:product_detail", pk=pk)
        messages.success(request, _("Product deleted."))
        return redirect("catalog:product_list")
    return render(request, "core/confirm_delete.html", {"object": product, "cancel_url": _detail_url(product)})


@login_required
@require_http_methods(["GET", "POST"])
def release_create(request: HttpRequest, product_pk: int) -> HttpResponse:
    product = _product(request, product_pk)
    if (denied := _deny_unless_writer(request)) is not None:
        return denied
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_create(actor=_actor(request), product=product, **form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Release added."))
            return redirect("catalog:product_detail", pk=product.pk)
    title = _("New release of %(product)s") % {"product": product.name}
    return render(request, "catalog/form.html", {"form": form, "title": title, "cancel_url": _detail_url(product)})


@login_required
@require_http_methods(["GET", "POST"])
def release_update(request: HttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    if (denied := _deny_unless_writer(request)) is not None:
        return denied
    form = ReleaseForm(request.POST or None, instance=release)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_update(actor=_actor(request), release=release, changes=form.cleaned_data)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Release saved."))
            return redirect("catalog:product_detail", pk=release.product_id)
    context = {
        "form": form,
        "title": _("Edit release %(release)s") % {"release": release},
        "cancel_url": _detail_url(release.product),
        "events": AuditEvent.objects.for_object(release)[:50],
    }
    return render(request, "catalog/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def release_delete(request: HttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    if (denied := _deny_unless_writer(request)) is not None:
        return denied
    if request.method == "POST":
        try:
            services.release_delete(actor=_actor(request), release=release)
        except WeibaoError as exc:
            messages.error(request, exc.message)
            return redirect("catalog:product_detail", pk=release.product_id)
        messages.success(request, _("Release deleted."))
        return redirect("catalog:product_detail", pk=release.product_id)
    return render(request, "core/confirm_delete.html", {"object": release, "cancel_url": _detail_url(release.product)})
