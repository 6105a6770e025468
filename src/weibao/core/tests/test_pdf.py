"""Printed documents: Chinese text in a valid A4 PDF, page numbers, sign-off, and nothing fetched from outside."""

from __future__ import annotations

import datetime as dt
import io
import logging
import socket
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pypdf
import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.utils import translation

from weibao.core.pdf import (
    PRINT_BASE_URL,
    URLRefusedError,
    css_string,
    page_label_css,
    pdf_render,
    pdf_response,
    resource_fetch,
    static_file_for,
    static_name_for,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SAMPLE = "core_tests/print_sample.html"
PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PRINT_HOST = "print.weibao.invalid"
A4_POINTS = (595, 842)


@pytest.fixture(autouse=True)
def _sample_templates(settings: Any) -> None:
    settings.TEMPLATES = [{**django_settings.TEMPLATES[0], "DIRS": [str(TEMPLATES_DIR)]}]


@pytest.fixture(autouse=True)
def _chinese() -> Any:
    with translation.override("zh-hans"):
        yield


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "title": "维修工单 WB-2026-0001",
        "client_name": "杭州市西湖区社区服务中心",
        "description": "服务器宕机\n无法登录系统",
        "body": "<p>现场<strong>更换</strong>硬盘，系统恢复。</p>",
        **extra,
    }


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True)
    return result.stdout


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    return _text(pdf, tmp_path).split("\f")[:-1]


def test_chinese_field_values_are_in_the_pdf(tmp_path: Path) -> None:
    text = _text(pdf_render(SAMPLE, _context()), tmp_path)
    for expected in ("维修工单 WB-2026-0001", "杭州市西湖区社区服务中心", "服务器宕机", "无法登录系统", "现场更换硬盘"):
        assert expected in text


def test_the_pdf_is_valid_a4_with_the_document_title() -> None:
    pdf = pdf_render(SAMPLE, _context())
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    assert reader.metadata is not None
    assert reader.metadata.title == "维修工单 WB-2026-0001"


def test_every_page_has_the_header_and_its_number_of_the_total(tmp_path: Path) -> None:
    pdf = pdf_render(SAMPLE, _context(lines=[f"第{number}行记录" for number in range(120)]))
    pages = _pages(pdf, tmp_path)
    assert len(pages) == len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "维保 · 售后服务与运维管理平台" in page
        # pdftotext drops the spaces between Chinese characters and digits.
        assert f"第{number}页/共{len(pages)}页" in page.replace(" ", "")


def test_page_numbers_follow_the_language(tmp_path: Path) -> None:
    with translation.override("en"):
        text = _text(pdf_render(SAMPLE, _context()), tmp_path)
    assert "Page 1 of 1" in text
    assert "Client sign-off" in text


def test_the_header_names_the_vendor_when_given(tmp_path: Path) -> None:
    text = _text(pdf_render(SAMPLE, _context(print_vendor="浙江某某信息技术有限公司")), tmp_path)
    assert "浙江某某信息技术有限公司" in text
    assert "售后服务与运维管理平台" not in text


def test_an_unsigned_sign_off_leaves_room_to_sign_by_hand(tmp_path: Path) -> None:
    text = _text(pdf_render(SAMPLE, _context()), tmp_path)
    assert "客户签字确认" in text
    assert "签字人" in text
    assert "请客户手写签名并填写日期" in text


def test_a_signed_sign_off_shows_who_when_and_the_drawn_signature(tmp_path: Path) -> None:
    signed_at = dt.datetime(2026, 5, 1, 2, 5, tzinfo=dt.UTC)
    pdf = pdf_render(SAMPLE, _context(signer_name="张三", signed_at=signed_at, signature_data_url=PNG))
    text = _text(pdf, tmp_path)
    assert "张三" in text
    assert "2026-05-01 10:05" in text
    assert "请客户手写签名并填写日期" not in text
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(page.images) == 1


def test_a_signature_that_is_not_a_raster_data_url_is_left_out(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="weibao.core.pdf"):
        pdf = pdf_render(SAMPLE, _context(signer_name="张三", signature_data_url="http://127.0.0.1:1/sig.png"))
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images) == 0
    assert "127.0.0.1:1" not in caplog.text, "the template never even asked for it"


@pytest.fixture
def listener() -> Any:
    """A TCP port on 127.0.0.1 that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def _connections(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            connection, _address = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def test_outside_urls_in_the_template_are_never_fetched_and_do_not_fail_the_render(
    listener: socket.socket, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = listener.getsockname()[1]
    outside = [
        "http://127.0.0.1:1/x",
        f"http://127.0.0.1:{port}/image.png",
        f"http://localhost:{port}/image.png",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
    ]
    attempts: list[object] = []

    def no_network(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError("PDF rendering opened a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    body = f'<p>见附件</p><img src="http://127.0.0.1:{port}/in-rich-text.png">'
    with caplog.at_level(logging.INFO):
        pdf = pdf_render(
            SAMPLE,
            _context(body=body, image_urls=outside, stylesheet_urls=[f"http://127.0.0.1:{port}/a.css", *outside]),
        )
    assert _connections(listener) == 0
    assert attempts == []
    assert "现场" not in _text(pdf, tmp_path)
    assert "见附件" in _text(pdf, tmp_path)
    refused = [record.getMessage() for record in caplog.records if record.name == "weibao.core.pdf"]
    assert any("/etc/passwd" in message for message in refused)
    assert any(f"127.0.0.1:{port}/in-rich-text.png" in message for message in refused)
    assert any("169.254.169.254" in message for message in refused)
    # A refusal is policy, not a failure: WeasyPrint's own error lines for it are dropped.
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_file_urls_are_refused_without_reading_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    real_open = Path.open

    def watched_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", watched_open)
    with pytest.raises(URLRefusedError):
        resource_fetch("file:///etc/passwd", hosts=frozenset())
    assert opened == []


def test_our_own_static_files_are_served_from_disk(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="weibao.core.pdf"):
        pdf_render(SAMPLE, _context(with_static_stylesheet=True))
    assert "refused" not in caplog.text
    content, content_type = resource_fetch(f"{PRINT_BASE_URL}static/weibao/weibao.css", hosts=frozenset())
    assert content == Path(django_settings.BASE_DIR / "core" / "static" / "weibao" / "weibao.css").read_bytes()
    assert content_type == "text/css"


def test_data_urls_are_decoded_in_memory() -> None:
    content, content_type = resource_fetch(PNG, hosts=frozenset())
    assert content.startswith(b"\x89PNG")
    assert content_type == "image/png"
    assert resource_fetch("data:text/plain,%E4%BD%A0%E5%A5%BD", hosts=frozenset())[0] == "你好".encode()


@pytest.mark.parametrize("url", ["data:nocomma", "data:image/png;base64,A"])
def test_a_broken_data_url_is_refused(url: str) -> None:
    with pytest.raises(URLRefusedError):
        resource_fetch(url, hosts=frozenset())


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (f"https://{PRINT_HOST}/static/weibao/weibao.css", "weibao/weibao.css"),
        (f"http://{PRINT_HOST}/static/weibao/weibao.css?v=2#x", "weibao/weibao.css"),
        ("https://weibao.example.cn/static/weibao/logo%20zh.png", "weibao/logo zh.png"),
        (f"https://{PRINT_HOST}/media/x.png", None),
        (f"https://{PRINT_HOST}/static/", None),
        (f"https://{PRINT_HOST}/static/../secret_key", None),
        (f"https://{PRINT_HOST}/static/weibao/%2e%2e/%2e%2e/secret_key", None),
        (f"https://{PRINT_HOST}/static/%2Fetc/passwd", None),
        (f"https://{PRINT_HOST}/static/weibao%5c..%5csecret", None),
        (f"https://{PRINT_HOST}/static/weibao//weibao.css", None),
        (f"https://{PRINT_HOST}/static/a%00b", None),
        ("https://evil.example/static/weibao/weibao.css", None),
        (f"ftp://{PRINT_HOST}/static/weibao/weibao.css", None),
        ("file:///static/weibao/weibao.css", None),
        ("/static/weibao/weibao.css", None),
    ],
)
def test_static_name_for_accepts_only_our_hosts_under_static_url(url: str, name: str | None) -> None:
    hosts = frozenset({PRINT_HOST, "weibao.example.cn"})
    assert static_name_for(url, hosts=hosts) == name


def test_a_hashed_static_name_from_the_manifest_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    storage = SimpleNamespace(hashed_files={"weibao/weibao.css": "weibao/weibao.0123abcd.css"})
    monkeypatch.setattr("weibao.core.pdf.staticfiles_storage", storage)
    found = static_file_for("weibao/weibao.0123abcd.css")
    assert found is not None
    assert found.name == "weibao.css"
    assert static_file_for("weibao/unknown.0123abcd.css") is None


def test_the_request_host_counts_as_ours() -> None:
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    pdf = pdf_render(SAMPLE, _context(stylesheet_urls=["http://localhost/static/weibao/weibao.css"]), request=request)
    assert pdf.startswith(b"%PDF-")
    assert resource_fetch("http://localhost/static/weibao/weibao.css", hosts=frozenset({"localhost"}))[0]
    with pytest.raises(URLRefusedError):
        resource_fetch("http://localhost/static/weibao/weibao.css", hosts=frozenset())


def test_a_request_with_a_host_we_do_not_serve_still_renders() -> None:
    request = RequestFactory().get("/", HTTP_HOST="evil.example")
    assert pdf_render(SAMPLE, _context(), request=request).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("text", "css"),
    [
        ("第 ", '"第 "'),
        ("Page ", '"Page "'),
        (" / ", '" \\2f  "'),
        ('"</style><script>', '"\\22 \\3c \\2f style\\3e \\3c script\\3e "'),
        ("a\\b\n", '"a\\5c b\\a "'),
    ],
)
def test_css_string_escapes_everything_but_letters_digits_and_spaces(text: str, css: str) -> None:
    assert css_string(text) == css


def test_page_label_uses_counters_in_the_active_language() -> None:
    assert page_label_css() == '"第 " counter(page) " 页 \\2f  共 " counter(pages) " 页"'
    with translation.override("en"):
        assert page_label_css() == '"Page " counter(page) " of " counter(pages)'


def test_pdf_response_is_a_named_download() -> None:
    response = pdf_response("维修工单 WB-2026-0001.pdf", b"%PDF-1.7")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="____ WB-2026-0001.pdf"; ')
    assert response.content == b"%PDF-1.7"


def test_the_fetcher_has_no_handler_that_could_reach_the_network_or_disk() -> None:
    from weibao.core.pdf import _fetcher_class

    fetcher = _fetcher_class()(hosts=frozenset())
    assert fetcher.handlers == []
    with pytest.raises(URLRefusedError):
        fetcher.open("http://127.0.0.1:1/x")
    with pytest.raises(URLRefusedError):
        fetcher("file:///etc/passwd")
