"""Outbound HTTP that cannot be pointed at the inside (SSRF guard).

Every outbound URL an administrator or a client can influence (webhooks, robots) goes
through ``guarded_client()``. The host is resolved and every address checked *at connect
time*: the connection goes to the checked address (TLS still names the host, for SNI and
certificates), so a DNS answer that changes between check and use (rebinding) cannot
slip through. Refused: loopback, private (RFC 1918, CGNAT 100.64/10, ULA fc00::/7),
link-local (169.254/16, fe80::/10, so the cloud metadata address too), multicast,
reserved and documentation ranges, the unspecified address, IPv4 inside IPv6
(mapped ``::ffff:a.b.c.d``, compatible ``::a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4,
Teredo) when the inner address is refused, metadata host names, and numeric host
spellings other than the plain dotted quad (``2130706433``, ``0x7f.1``, ``017700000001``,
``0``). Redirects are never followed.

Python 3.12.1's ``ipaddress.is_private`` predates the CVE-2024-4032 fix, so the ranges
are listed here rather than taken from it.

An administrator allows addresses with ``WEIBAO_OUTBOUND_ALLOW`` (comma-separated CIDRs,
addresses or host names), e.g. an intranet webhook receiver at ``10.1.2.3``.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import ssl
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from weibao.core.errors import WeibaoError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_BLOCKED_V4 = [
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network", includes 0.0.0.0
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, includes broadcast
    )
]
_BLOCKED_V6 = [
    ipaddress.IPv6Network(n)
    for n in (
        "::/128",
        "::1/128",
        "::/96",  # IPv4-compatible (deprecated); the embedded address is checked too
        "100::/64",  # discard-only
        "2001:2::/48",  # benchmarking
        "2001:10::/28",  # ORCHID
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique local (includes fd00:ec2::254)
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
]
_NAT64 = [ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48")]
_BLOCKED_NAMES = {"localhost", "metadata.google.internal", "metadata", "instance-data", "metadata.azure.internal"}
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)
_DOTTED_QUAD = re.compile(
    r"^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$"
)


class OutboundRefusedError(WeibaoError):
    """The address is inside (or unusable) and not allow-listed."""


def allow_list() -> list[str]:
    """The administrator's allow-list: settings.OUTBOUND_ALLOW, else WEIBAO_OUTBOUND_ALLOW."""
    configured: Any = getattr(settings, "OUTBOUND_ALLOW", None)
    if configured is None:
        configured = os.environ.get("WEIBAO_OUTBOUND_ALLOW", "")
    if isinstance(configured, str):
        configured = configured.split(",")
    return [str(item).strip().lower() for item in configured if str(item).strip()]


def _allowed_networks(entries: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            continue
    return networks


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in net for net in _NAT64) or address in ipaddress.IPv6Network("::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refused(address: IPAddress) -> bool:
    """True if ``address`` lies in a range outbound requests may not reach (ignoring the allow-list)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return True
        inner = _embedded_v4(address)
        if inner is not None and address_refused(inner):
            return True
        if address.ipv4_mapped is not None:
            return False
        return any(address in net for net in _BLOCKED_V6)
    return any(address in net for net in _BLOCKED_V4)


def _allowed(address: IPAddress, host: str, allow: list[str]) -> bool:
    if host in allow:
        return True
    candidates: list[IPAddress] = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)
    return any(c in net for c in candidates for net in _allowed_networks(allow) if c.version == net.version)


def _refuse(host: str) -> OutboundRefusedError:
    return OutboundRefusedError(
        _("The address %(host)s is not reachable from here (internal or reserved).") % {"host": host}
    )


def host_check(host: str) -> str:
    """Normalise a host name and refuse spellings that hide an address; returns the host."""
    host = host.strip().lower().strip("[]")
    allow = allow_list()
    if not host:
        raise _refuse("''")
    if host in allow:
        return host
    bare = host.rstrip(".")
    if bare in _BLOCKED_NAMES or bare.endswith((".localhost", ".internal")):
        raise _refuse(host)
    if "%" in host:
        raise _refuse(host)
    if ":" not in host and _NUMERIC_HOST.match(host) and not _DOTTED_QUAD.match(host):
        # 2130706433, 0x7f000001, 0177.0.0.1, 127.1, 0: inet_aton would read them all.
        raise _refuse(host)
    return host


def resolve_checked(host: str, port: int) -> list[str]:
    """Resolve ``host`` and return its addresses, refusing if any is refused and not allowed."""
    host = host_check(host)
    allow = allow_list()
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise OutboundRefusedError(_("The host %(host)s cannot be resolved.") % {"host": host}) from exc
        addresses = []
        for info in infos:
            text = str(info[4][0])
            try:
                addresses.append(ipaddress.ip_address(text))
            except ValueError as exc:  # scoped addresses such as fe80::1%eth0
                raise _refuse(host) from exc
    if not addresses:
        raise _refuse(host)
    for address in addresses:
        if address_refused(address) and not _allowed(address, host, allow):
            raise _refuse(host)
    return [str(a) for a in dict.fromkeys(addresses)]


def url_check(url: str, *, unresolvable_ok: bool = False) -> None:
    """Refuse a URL that is not http(s), carries credentials, or points at a refused address.

    ``unresolvable_ok``: a host name that does not resolve *now* passes (saving a setting
    while DNS is down); the check at connect time still applies.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundRefusedError(_("The URL is not valid.")) from exc
    if parts.scheme not in {"http", "https"}:
        raise OutboundRefusedError(_("Only http and https URLs are allowed."))
    if parts.username or parts.password:
        raise OutboundRefusedError(_("The URL may not carry a user name or password."))
    if not parts.hostname:
        raise OutboundRefusedError(_("The URL has no host."))
    try:
        resolve_checked(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except OutboundRefusedError as exc:
        if not (unresolvable_ok and isinstance(exc.__cause__, socket.gaierror | UnicodeError)):
            raise


class GuardedBackend(httpcore.NetworkBackend):
    """Connects only to checked addresses; the TLS layer still uses the host name."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in resolve_checked(host, port):
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise OutboundRefusedError(_("Unix sockets are not allowed."))


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(), network_backend=GuardedBackend(), retries=0
        )


def guarded_client(*, timeout: float = 10.0) -> httpx.Client:
    """An httpx client whose every connection passes the guard; no proxies from the environment, no redirects."""
    return httpx.Client(transport=GuardedTransport(), timeout=timeout, follow_redirects=False, trust_env=False)
