"""Printable documents (work orders, sign-off sheets, reports) rendered from templates to PDF.

Templates extend ``core/print/base.html`` (A4, page numbers, a running header) and are
rendered by WeasyPrint. A template may contain user text, and user text may contain
image URLs, so WeasyPrint never fetches anything itself: :func:`resource_fetch`
answers ``data:`` URLs and our own static files, read through the staticfiles finders
from disk, and refuses everything else (other hosts, internal addresses, ``file:``) —
no request ever leaves the process, which closes the server-side request forgery
route (:func:`resource_fetch`). A refused resource is left out of the document; the rendering goes on.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import posixpath
import re
from pathlib import Path
from typing import Any, Final
from urllib import request as urllib_request
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import DisallowedHost, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from weibao.core.exports import attachment_disposition

logger = logging.getLogger(__name__)


class _RefusalNotAnError(logging.Filter):
    """WeasyPrint logs each failed fetch as an error; a refusal is policy, logged by us at INFO."""

    def filter(self, record: logging.LogRecord) -> bool:
        return URLRefusedError.__name__ not in record.getMessage()


_weasyprint_logger = logging.getLogger("weasyprint")
if not any(isinstance(item, _RefusalNotAnError) for item in _weasyprint_logger.filters):
    _weasyprint_logger.addFilter(_RefusalNotAnError())
# WeasyPrint reports every rendering step at INFO; LOGGING in settings may still set a level.
if logging.getLogger("weasyprint.progress").level == logging.NOTSET:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Relative URLs in print templates resolve against this origin; ".invalid" never
# resolves (RFC 6761), and the fetcher serves it from the staticfiles finders only.
PRINT_BASE_URL: Final = "https://print.weibao.invalid/"
PDF_CONTENT_TYPE: Final = "application/pdf"
_PAGE_PLACEHOLDER = re.compile(r"(%\(page\)s|%\(pages\)s)")


class URLRefusedError(ValueError):
    """A print template asked for a resource outside ``data:`` URLs and our static files."""


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string; anything but letters, digits and spaces is hex-escaped.

    The result is safe inside an HTML ``<style>`` element too (no ``<``, ``&`` or quote survives).
    """
    escaped = "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def page_label_css() -> SafeString:
    """The CSS ``content`` value for "Page X of Y" in the active language, with page counters."""
    label = gettext("Page %(page)s of %(pages)s")
    tokens = []
    for part in _PAGE_PLACEHOLDER.split(label):
        if part == "%(page)s":
            tokens.append("counter(page)")
        elif part == "%(pages)s":
            tokens.append("counter(pages)")
        elif part:
            tokens.append(css_string(part))
    # Every token is a counter() or a hex-escaped string built just above.
    return mark_safe(" ".join(tokens) or "counter(page)")  # noqa: S308


def _static_prefix() -> tuple[str, str]:
    """(host, path) of STATIC_URL; host is "" when STATIC_URL is a path on our own site."""
    parts = urlsplit(settings.STATIC_URL or "/static/")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return parts.netloc.lower(), path if path.startswith("/") else "/" + path


def static_name_for(url: str, *, hosts: frozenset[str]) -> str | None:
    """The static file name ``url`` points at, or None when it is not one of ours.

    Accepted: ``http(s)`` URLs on one of ``hosts`` (or STATIC_URL's own host) whose path
    lies under STATIC_URL, with no ``..``, absolute or backslash path inside.
    """
    parts = urlsplit(url)
    static_host, static_path = _static_prefix()
    allowed_hosts = hosts | ({static_host} if static_host else frozenset())
    if parts.scheme.lower() not in {"http", "https"} or parts.netloc.lower() not in allowed_hosts:
        return None
    if not parts.path.startswith(static_path):
        return None
    name = unquote(parts.path[len(static_path) :])
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return None
    if any(segment in {"", ".", ".."} for segment in name.split("/")):
        return None
    return posixpath.normpath(name)


def static_file_for(name: str) -> Path | None:
    """The file on disk for static ``name`` (also a hashed manifest name), found by the finders."""
    candidates = [name]
    hashed_files = getattr(staticfiles_storage, "hashed_files", None)
    if isinstance(hashed_files, dict):
        candidates += [original for original, hashed in hashed_files.items() if hashed == name]
    for candidate in candidates:
        try:
            found = finders.find(candidate)
        except SuspiciousOperation:
            return None
        if isinstance(found, str) and Path(found).is_file():
            return Path(found)
    return None


def resource_fetch(url: str, *, hosts: frozenset[str]) -> tuple[bytes, str]:
    """(content, content type) of a resource a print template refers to, or :class:`URLRefusedError`.

    ``data:`` URLs are decoded in memory; a URL on our print origin, on one of
    ``hosts`` or on STATIC_URL's host whose path lies under STATIC_URL is read from
    disk through the staticfiles finders. Anything else is refused without any
    network or file access.
    """
    if url[:5].lower() == "data:":
        try:
            decoded = urllib_request.DataHandler().data_open(urllib_request.Request(url))  # noqa: S310 - data: only
        except ValueError as exc:
            raise URLRefusedError(f"unreadable data: URL: {exc}") from exc
        return decoded.read(), decoded.headers.get_content_type()
    name = static_name_for(url, hosts=hosts | {urlsplit(PRINT_BASE_URL).netloc})
    found = static_file_for(name) if name is not None else None
    if found is None:
        logger.info("PDF rendering refused to fetch %s", url[:200])
        raise URLRefusedError(f"not a data: URL or one of our static files: {url[:200]}")
    return found.read_bytes(), mimetypes.guess_type(found.name)[0] or "application/octet-stream"


@functools.cache
def _fetcher_class() -> type[Any]:
    """WeasyPrint's URL fetcher cut down to :func:`resource_fetch`.

    Built on first use: importing WeasyPrint takes seconds, which no web worker,
    task worker or command should pay before it prints something.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self, *, hosts: frozenset[str]) -> None:
            # The bare opener, without URLFetcher's HTTP, FTP and file handlers (and
            # without loading TLS certificates on every render): should anything reach
            # the parent's open(), it has no handler that could fetch.
            urllib_request.OpenerDirector.__init__(self)
            self._timeout = 1
            self._http_headers: dict[str, str] = {}
            self._allowed_protocols = {"data"}
            self._fail_on_errors = False
            self._request = None
            self.hosts = hosts

        def fetch(self, url: str, headers: Any = None) -> Any:
            content, content_type = resource_fetch(url, hosts=self.hosts)
            return URLFetcherResponse(url, content, {"Content-Type": content_type})

    return StaticOnlyFetcher


def _request_hosts(request: HttpRequest | None) -> frozenset[str]:
    if request is None:
        return frozenset()
    try:
        return frozenset({request.get_host().lower()})
    except DisallowedHost:
        return frozenset()


def pdf_render(template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """The PDF of ``template_name`` rendered with ``context`` (and ``request``'s context processors).

    The template usually extends ``core/print/base.html``. Resources come only from
    ``data:`` URLs and our static files (see :func:`resource_fetch`); a refused
    one is left out and never fails the rendering. Text is set in the installed CJK
    font (WenQuanYi Micro Hei or Noto Sans CJK SC).
    """
    # Imported here, not at the top: see _fetcher_class.
    from weasyprint import HTML  # type: ignore[import-untyped]

    full_context = {"print_page_label": page_label_css(), **context}
    html = render_to_string(template_name, full_context, request=request)
    fetcher = _fetcher_class()(hosts=_request_hosts(request))
    document = HTML(string=html, base_url=PRINT_BASE_URL, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf()
    return pdf


def pdf_response(filename: str, content: bytes) -> HttpResponse:
    """``content`` (a rendered PDF) as a download named ``filename``."""
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(filename)
    return response
