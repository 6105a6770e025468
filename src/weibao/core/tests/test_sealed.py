from __future__ import annotations

from typing import Any

from weibao.core.sealed import seal, unseal


def test_sealing_round_trips_and_hides_the_value() -> None:
    sealed = seal("SECabc123", purpose="endpoint")
    assert "SECabc123" not in sealed
    assert unseal(sealed, purpose="endpoint") == "SECabc123"


def test_sealing_is_randomised() -> None:
    assert seal("same", purpose="totp") != seal("same", purpose="totp")


def test_a_value_sealed_for_one_purpose_does_not_open_for_another() -> None:
    assert unseal(seal("value", purpose="totp"), purpose="endpoint") == ""


def test_a_value_sealed_under_another_secret_key_reads_as_empty(settings: Any) -> None:
    sealed = seal("value", purpose="totp")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert unseal(sealed, purpose="totp") == ""


def test_a_value_written_before_sealing_reads_as_it_is() -> None:
    assert unseal("JBSWY3DPEHPK3PXP", purpose="totp") == "JBSWY3DPEHPK3PXP"
    assert unseal("", purpose="totp") == ""
