"""What ``weibao demo`` prints: counts, and how to sign in."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from weibao.customers.models import Client, ClientMembership
from weibao.demo.dataset import ADMIN_USERNAME, CLIENT_LOGIN, STAFF_LOGIN
from weibao.demo.loader import COUNTED, DemoSummary

INDENT = "  "
# Addresses a server listens on that a browser cannot open.
_WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104  # compared against, never bound


def site_url(bind: str) -> str:
    """The address a browser on this machine opens for a ``host:port`` bind (WEIBAO_BIND)."""
    host, _sep, port = bind.rpartition(":")
    if not _sep:
        host, port = bind, ""
    if host in _WILDCARD_HOSTS:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/" if port else f"http://{host}/"


def login_url(bind: str) -> str:
    """The sign-in page if the accounts app names one, else the site's front page."""
    base = site_url(bind).rstrip("/")
    try:
        return base + reverse("accounts:login")
    except NoReverseMatch:
        return base + "/"


def summary_lines(summary: DemoSummary, *, password: str, bind: str | None = None) -> list[str]:
    """Counts per kind of row, then the URL and the demo accounts to sign in with."""
    lines = [_("Demo data loaded.") if summary.created_total else _("Demo data already present; nothing was created.")]
    for key, model in COUNTED.items():
        counts = {
            "label": model._meta.verbose_name_plural,
            "created": summary.created[key],
            "present": summary.present[key],
        }
        lines.append(INDENT + _("%(label)s: %(created)d created, %(present)d already present") % counts)
    if summary.passwords_reset:
        lines.append(_("Passwords reset for %(count)d existing demo users.") % {"count": summary.passwords_reset})
    account = _("%(role)s: %(username)s / %(password)s")
    lines += [
        "",
        _("Sign in at %(url)s") % {"url": login_url(bind or settings.WEB_BIND)},
        INDENT + account % {"role": _("Administrator"), "username": ADMIN_USERNAME, "password": password},
        INDENT + account % {"role": _("Service-desk agent"), "username": STAFF_LOGIN, "password": password},
        INDENT
        + account % {"role": _("Client user"), "username": CLIENT_LOGIN, "password": password}
        + " "
        + _("(sees only its own organisation: %(client)s)") % {"client": _client_name(CLIENT_LOGIN)},
    ]
    if not summary.passwords_reset and summary.present["users"]:
        lines.append(_("Users that already existed keep their password; --reset-passwords sets it again."))
    return lines


def _client_name(username: str) -> str:
    client = Client.objects.filter(
        pk__in=ClientMembership.objects.filter(user__username=username).values("client_id")
    ).first()
    return client.name if client else "?"
