"""Helpers every HTML view uses: pagination, and service errors onto forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate[M: Model](request: HttpRequest, queryset: QuerySet[M], per_page: int = PAGE_SIZE) -> Page[M]:
    """The requested page of ``queryset``; an out-of-range or junk page gives the nearest."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current query string without ``page``, for pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def list_context[M: Model](request: HttpRequest, queryset: QuerySet[M], **extra: Any) -> dict[str, Any]:
    page = paginate(request, queryset)
    return {"page": page, "objects": page.object_list, "querystring": query_without_page(request), **extra}


def form_add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's ValidationError to ``form``, field by field.

    Messages for fields the form lacks become non-field errors, so none is lost.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)
