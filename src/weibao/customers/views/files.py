"""Pages for technical files: upload, edit, delete and the scoped download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from weibao.customers import selectors, services
from weibao.customers.downloads import technical_file_response
from weibao.customers.forms import TechnicalFileForm, TechnicalFileUploadForm
from weibao.customers.views._common import actor_of, delete_page, denied, form_page, found, history


def _files_url(client_id: int) -> str:
    return reverse("customers:client_detail", kwargs={"pk": client_id}) + "#files"


@login_required
@require_http_methods(["GET", "POST"])
def technical_file_create(request: HttpRequest, client_pk: int) -> HttpResponse:
    client = found(selectors.client_get, actor=actor_of(request), client_id=client_pk)
    if (refusal := denied(request)) is not None:
        return refusal
    form = TechnicalFileUploadForm(request.POST or None, request.FILES or None, client=client)
    return form_page(
        request,
        form,
        save=lambda data: services.technical_file_create(actor=actor_of(request), client=client, **data),
        done=lambda technical_file: _files_url(client.pk),
        message=_("File uploaded."),
        title=_("Upload a technical file for %(client)s") % {"client": client.name},
        cancel_url=_files_url(client.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def technical_file_update(request: HttpRequest, pk: int) -> HttpResponse:
    technical_file = found(selectors.technical_file_get, actor=actor_of(request), technical_file_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return form_page(
        request,
        TechnicalFileForm(request.POST or None, instance=technical_file, client=technical_file.client),
        save=lambda data: services.technical_file_update(
            actor=actor_of(request), technical_file=technical_file, changes=data
        ),
        done=lambda saved: _files_url(saved.client_id),
        message=_("File details saved."),
        title=_("Edit %(title)s") % {"title": technical_file.title},
        cancel_url=_files_url(technical_file.client_id),
        events=history(technical_file),
    )


@login_required
@require_http_methods(["GET", "POST"])
def technical_file_delete(request: HttpRequest, pk: int) -> HttpResponse:
    technical_file = found(selectors.technical_file_get, actor=actor_of(request), technical_file_id=pk)
    if (refusal := denied(request)) is not None:
        return refusal
    return delete_page(
        request,
        technical_file,
        delete=lambda: services.technical_file_delete(actor=actor_of(request), technical_file=technical_file),
        cancel_url=_files_url(technical_file.client_id),
        done_url=_files_url(technical_file.client_id),
        message=_("File deleted."),
    )


@login_required
@require_GET
def technical_file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    technical_file = found(selectors.technical_file_get, actor=actor_of(request), technical_file_id=pk)
    return found(technical_file_response, technical_file=technical_file)
