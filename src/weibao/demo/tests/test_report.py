from __future__ import annotations

import pytest
from django.utils import translation

from weibao.demo.loader import COUNTED, DemoSummary
from weibao.demo.report import site_url, summary_lines


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080/"),
        ("[::]:8000", "http://127.0.0.1:8000/"),
        ("::1:8000", "http://[::1]:8000/"),
        ("[::1]:8000", "http://[::1]:8000/"),
        ("weibao.intra.example:80", "http://weibao.intra.example:80/"),
        ("weibao.intra.example", "http://weibao.intra.example/"),
    ],
)
def test_site_url_turns_a_bind_address_into_one_a_browser_can_open(bind: str, url: str) -> None:
    assert site_url(bind) == url


@pytest.mark.django_db
def test_summary_names_the_sign_in_page_and_every_demo_account() -> None:
    summary = DemoSummary(
        created=dict.fromkeys(COUNTED, 1), present=dict.fromkeys(COUNTED, 0), passwords_reset=0, event_id=1
    )

    with translation.override("en"):
        text = "\n".join(summary_lines(summary, password="Weibao@2026", bind="0.0.0.0:9000"))

    assert "http://127.0.0.1:9000/accounts/login/" in text
    assert "admin / Weibao@2026" in text
    assert "liyan / Weibao@2026" in text
    assert "mrxc.staff / Weibao@2026" in text
    assert "sees only its own organisation" in text
