from __future__ import annotations

from django.test import RequestFactory, override_settings

from weibao.accounts.middleware import request_address


def test_real_ip_header_is_believed_from_a_trusted_proxy() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.20.30.40")
    assert request_address(request) == "10.20.30.40"


def test_real_ip_header_from_anyone_else_is_ignored() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7", HTTP_X_REAL_IP="10.20.30.40")
    assert request_address(request) == "192.0.2.7"


@override_settings(TRUSTED_PROXIES=frozenset({"192.0.2.1"}))
def test_trusted_proxies_are_configurable() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_REAL_IP="10.0.0.9")
    assert request_address(request) == "10.0.0.9"
    local = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="10.0.0.9")
    assert request_address(local) == "127.0.0.1"


def test_malformed_real_ip_falls_back_to_the_peer() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="not-an-ip'; drop")
    assert request_address(request) == "127.0.0.1"
