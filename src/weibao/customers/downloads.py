"""Serving a stored technical file safely, for the web page and the API alike."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _

from weibao.core.errors import ObjectNotFoundError
from weibao.customers.models import TechnicalFile
from weibao.customers.uploads import attachment_disposition


def technical_file_response(technical_file: TechnicalFile) -> FileResponse:
    """The stored content as a download that no browser renders or sniffs.

    Precondition: ``technical_file`` came from a scoped selector.
    Raises ObjectNotFoundError when the stored content is missing.
    """
    try:
        handle = technical_file.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise ObjectNotFoundError(_("The stored file is missing.")) from exc
    response = FileResponse(handle, content_type="application/octet-stream")
    response["Content-Disposition"] = attachment_disposition(technical_file.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser ignored the headers above, the content could run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
