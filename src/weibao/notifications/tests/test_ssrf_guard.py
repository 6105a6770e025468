"""The outbound address guard: a table of vectors, connect-time checks, rebinding, redirects."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from weibao.notifications.ssrf import OutboundRefusedError, guarded_client, url_check

# Names a fake resolver answers, so that no test depends on real DNS.
FAKE_DNS = {
    "public.test": ["93.184.216.34"],
    "public6.test": ["2606:4700:4700::1111"],
    "inside.test": ["10.0.0.5"],
    "loop.test": ["127.0.0.1"],
    "mixed.test": ["93.184.216.34", "192.168.1.1"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "meta.test": ["169.254.169.254"],
    "ula.test": ["fd00:ec2::254"],
}


def _fake_getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
    if host.replace(".", "").isdigit() or ":" in host:  # a literal address, as the connect step passes it
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (host, port))]
    if host not in FAKE_DNS:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    result = []
    for address in FAKE_DNS[host]:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        result.append((family, socket.SOCK_STREAM, 6, "", (address, port)))
    return result


@pytest.fixture(autouse=True)
def _fake_dns(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _fake_getaddrinfo)
    settings.OUTBOUND_ALLOW = []


REFUSED = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://127.0.0.2:8080/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0x7f.0x0.0x0.0x1/",
    "http://0177.0.0.1/",
    "http://017700000001/",
    "http://0/",
    "http://0.0.0.0/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://app.localhost/",
    "http://[::1]/",
    "http://[::]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:c0a8:101::]/",
    "http://10.0.0.1/",
    "http://10.255.255.255/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://100.127.255.254/",
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.0.1/",
    "http://[fd00:ec2::254]/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    "http://224.0.0.1/",
    "http://239.255.255.250/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.2.1/",
    "http://198.18.0.1/",
    "http://198.51.100.7/",
    "http://203.0.113.9/",
    "http://192.0.0.8/",
    "http://[2001:db8::1]/",
    "http://[100::1]/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata/",
    "http://inside.test/",
    "http://loop.test/",
    "http://mixed.test/",
    "http://mapped.test/",
    "http://meta.test/",
    "http://ula.test/",
    "http://no-such-host.test/",
    "ftp://93.184.216.34/",
    "file:///etc/passwd",
    "gopher://93.184.216.34/",
    "http://user:pass@93.184.216.34/",
    "http://[fe80::1%25eth0]/",
    "http:///nohost",
    "http://93.184.216.34:99999/",
]

ALLOWED = [
    "http://93.184.216.34/",
    "https://93.184.216.34:8443/hook",
    "http://8.8.8.8/",
    "http://1.1.1.1/",
    "http://[2606:4700:4700::1111]/",
    "http://[::ffff:8.8.8.8]/",
    "https://public.test/hook",
    "https://public6.test/hook",
    "http://100.128.0.1/",
    "http://172.32.0.1/",
    "http://192.169.0.1/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_ssrf_guard_refuses(url: str) -> None:
    with pytest.raises(OutboundRefusedError):
        url_check(url)


@pytest.mark.parametrize("url", ALLOWED)
def test_ssrf_guard_lets_public_addresses_through(url: str) -> None:
    url_check(url)


def test_ssrf_guard_has_at_least_fifty_vectors() -> None:
    assert len(REFUSED) + len(ALLOWED) >= 50
    assert len(REFUSED) >= 50


@pytest.mark.parametrize(
    ("allow", "url"),
    [
        (["10.0.0.0/8"], "http://10.1.2.3/"),
        (["10.1.2.3"], "http://10.1.2.3/"),
        (["inside.test"], "http://inside.test/"),
        (["127.0.0.1/32"], "http://[::ffff:127.0.0.1]/"),
        (["fd00::/8"], "http://ula.test/"),
    ],
)
def test_ssrf_guard_lets_allow_listed_addresses_through(settings: Any, allow: list[str], url: str) -> None:
    settings.OUTBOUND_ALLOW = allow
    url_check(url)


def test_ssrf_guard_allow_list_does_not_leak_to_neighbours(settings: Any) -> None:
    settings.OUTBOUND_ALLOW = ["10.1.2.3"]
    with pytest.raises(OutboundRefusedError):
        url_check("http://10.1.2.4/")


def test_ssrf_guard_reads_the_allow_list_from_the_environment(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    del settings.OUTBOUND_ALLOW
    monkeypatch.setenv("WEIBAO_OUTBOUND_ALLOW", "192.168.0.0/16, inside.test")
    url_check("http://192.168.7.7/")
    url_check("http://inside.test/")


class _Listener:
    """A real listening socket on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]

    def accepted(self) -> int:
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, BlockingIOError):
                return count
            conn.close()
            count += 1


@pytest.fixture
def listener() -> Iterator[_Listener]:
    found = _Listener()
    yield found
    found.sock.close()


def test_ssrf_guard_never_opens_a_connection_to_a_refused_address(
    listener: _Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[Any] = []
    real_create_connection = socket.create_connection

    def spy(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        attempts.append(address)
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", spy)
    for url in (
        f"http://127.0.0.1:{listener.port}/",
        f"http://localhost:{listener.port}/",
        f"http://2130706433:{listener.port}/",
        f"http://[::ffff:127.0.0.1]:{listener.port}/",
        f"http://loop.test:{listener.port}/",
    ):
        with guarded_client() as client, pytest.raises(OutboundRefusedError):
            client.get(url)
    assert attempts == []
    assert listener.accepted() == 0


def test_ssrf_guard_checks_at_connect_time_so_dns_rebinding_fails(
    listener: _Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])

    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        address = host if host[0].isdigit() else next(answers)[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://rebind.test:{listener.port}/"
    url_check(url)  # first answer: public, the URL is accepted when saved
    with guarded_client() as client, pytest.raises(OutboundRefusedError):
        client.get(url)  # second answer at connect time: loopback, refused
    assert listener.accepted() == 0


class _Redirecting(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_ssrf_guard_does_not_follow_redirects(settings: Any) -> None:
    settings.OUTBOUND_ALLOW = ["127.0.0.1/32"]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with guarded_client() as client:
            response = client.get(f"http://127.0.0.1:{server.server_address[1]}/")
        assert response.status_code == 302
        assert response.next_request is not None  # known, but not taken
    finally:
        server.shutdown()
        server.server_close()


def test_ssrf_guard_connects_to_an_allow_listed_address(settings: Any, listener: _Listener) -> None:
    settings.OUTBOUND_ALLOW = ["127.0.0.1"]
    with guarded_client(timeout=0.5) as client, pytest.raises(Exception):  # noqa: B017, PT011 - no HTTP answer
        client.get(f"http://127.0.0.1:{listener.port}/")
    assert listener.accepted() == 1
