"""Rich text keeps its formatting and loses everything that could run, restyle or track."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from weibao.core.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    data_image_url_valid,
    html_sanitize,
    text_to_html,
    url_scheme,
)
from weibao.core.tests.xss_payloads import CLASSIC_XSS, xss_payloads

PNG = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
REL = 'rel="noopener noreferrer nofollow"'


@pytest.mark.parametrize(
    "kept",
    [
        "",
        "纯文本",
        "<p>故障已<strong>排除</strong>，<em>请</em>确认。</p>",
        "<b>b</b><i>i</i><u>u</u><s>s</s><br>",
        "<ul><li>一</li></ul><ol><li>二</li></ol>",
        "<blockquote>引用</blockquote><pre><code>ls -l</code></pre>",
        "<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4>",
        "<table><thead><tr><th>部件</th></tr></thead>"
        '<tbody><tr><td colspan="2" rowspan="3">硬盘</td></tr></tbody></table>',
        f'<a href="https://weibao.example/kb/1" title="知识库" {REL}>文章</a>',
        f'<a href="/tickets/12" {REL}>工单</a>',
        f'<a href="mailto:ops@example.cn" {REL}>邮件</a>',
        f'<a href="tel:+8657112345678" {REL}>电话</a>',
        '<img src="https://img.example/a.png" alt="截图" width="640" height="480">',
        '<img src="/static/weibao/logo.png" alt="">',
        f'<img src="{PNG}" alt="签名">',
        '<img src="data:image/jpeg;base64,/9j/4AAQ" alt="">',
        '<img src="data:image/gif;base64,R0lGODlh">',
        "a &lt; b &amp;&amp; c &gt; d",
    ],
)
def test_html_sanitize_keeps_allowed_formatting_unchanged(kept: str) -> None:
    assert html_sanitize(kept) == kept


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("<h5>e</h5><h6>f</h6>", "ef"),
        (
            "<table><tr><td colspan=2>x</td></tr></table>",
            '<table><tbody><tr><td colspan="2">x</td></tr></tbody></table>',
        ),
        ('<td colspan="0">x</td>', "x"),
        ('<table><tr><td colspan="999">x</td></tr></table>', "<table><tbody><tr><td>x</td></tr></tbody></table>"),
        ('<a href="x" rel="opener" target="_blank">x</a>', f'<a href="x" {REL}>x</a>'),
        ('<a href="ftp://files.example/x">x</a>', f"<a {REL}>x</a>"),
        ('<a href="javascript:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href="data:image/png;base64,AAAA">x</a>', f"<a {REL}>x</a>"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "<img>"),
        ('<img src="data:image/png,raw">', "<img>"),
        ('<img src="data:image/png;base64,AA AA">', "<img>"),
        ('<img src="/static/weibao/logo.png" width="100%" height="-1">', '<img src="/static/weibao/logo.png">'),
        ('<p style="color:red" class="x" id="y" title="t" lang="en" onclick="alert(1)">x</p>', "<p>x</p>"),
        ("<div><span>包裹</span></div>", "包裹"),
        ("<script>alert(1)</script>正文", "正文"),
        ("<style>p{}</style>正文", "正文"),
        ("<iframe src=x>frame text</iframe>正文", "正文"),
        ("<svg><text>矢量</text></svg>正文", "正文"),
        ("<p>a<!-- 注释 -->b</p>", "<p>ab</p>"),
        ("<p>未闭合", "<p>未闭合</p>"),
        ("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"),
        ("空\x00字\x08符", "空字符"),
    ],
)
def test_html_sanitize_keeps_formatting_and_drops_the_rest(given: str, kept: str) -> None:
    assert html_sanitize(given) == kept


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("https://a.example/x", "https"),
        ("HTTP://a.example", "http"),
        ("/relative/path?q=a:b", ""),
        ("relative:colon", "relative"),
        ("page.html#a:b", ""),
        ("//host.example/x", ""),
        (" \tjava\nscript:alert(1)", "javascript"),
        ("\x01javascript:alert(1)", "javascript"),
        ("java\ufffdscript:alert(1)", None),
        ("1http:x", None),
        ("", ""),
    ],
)
def test_url_scheme_reads_urls_as_a_browser_does(url: str, scheme: str | None) -> None:
    assert url_scheme(url) == scheme


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (PNG, True),
        ("data:image/jpeg;base64,/9j/", True),
        ("DATA:IMAGE/GIF;BASE64,R0lG", True),
        ("data:image/svg+xml;base64,PHN2Zz4=", False),
        ("data:image/png;base64,<script>", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("https://img.example/a.png", False),
        ("", False),
    ],
)
def test_data_image_url_valid_accepts_only_base64_raster_images(value: str, valid: bool) -> None:
    assert data_image_url_valid(value) is valid


@pytest.mark.parametrize(
    ("plain", "html"),
    [
        ("", ""),
        ("  \n\n ", ""),
        ("一行", "<p>一行</p>"),
        ("第一行\n第二行", "<p>第一行<br>第二行</p>"),
        ("第一段\n\n第二段", "<p>第一段</p><p>第二段</p>"),
        ("第一段\r\n\r\n第二段\r第二行", "<p>第一段</p><p>第二段<br>第二行</p>"),
        ("第一段\n  \n\n\n第二段", "<p>第一段</p><p>第二段</p>"),
        ("\n\n开头和结尾的空行\n\n", "<p>开头和结尾的空行</p>"),
        (
            "<script>alert('x')</script> & \"引号\"",
            "<p>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;引号&quot;</p>",
        ),
        ("控制\x00字符\x1b", "<p>控制字符</p>"),
    ],
)
def test_text_to_html_escapes_and_keeps_line_breaks(plain: str, html: str) -> None:
    assert text_to_html(plain) == html


class _Inspector(HTMLParser):
    """Collects every tag and attribute of sanitised output, with entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


_EVENT_HANDLER = re.compile(r"on\w+", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"^(?:java|vb)script:", re.IGNORECASE)
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")


def _problems(output: str) -> list[str]:
    """Everything in ``output`` that could run script, as a browser's parser would see it."""
    problems = []
    if "<script" in output.lower():
        problems.append("a <script substring")
    # "onfocus=…" may remain as text (harmless); attributes are judged by the parser below.
    inspector = _Inspector()
    inspector.feed(output)
    inspector.close()
    for tag, attrs in inspector.tags:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, frozenset()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if _EVENT_HANDLER.fullmatch(name):
                problems.append(f"event handler {name} on <{tag}>")
            if name not in allowed:
                problems.append(f"attribute {name} on <{tag}>")
            url = _IGNORED_IN_URL.sub("", value or "")
            if name in {"href", "src"} and _SCRIPT_URL.match(url):
                problems.append(f"script URL in {name}: {value!r}")
            if name == "href" and url.lower().startswith("data:"):
                problems.append(f"data: link {value!r}")
            if name == "src" and url.lower().startswith("data:") and not data_image_url_valid(url):
                problems.append(f"non-raster data: image {value!r}")
    return problems


def test_the_payload_list_holds_the_naughty_strings_and_at_least_seventy_classics() -> None:
    payloads = xss_payloads()
    assert len(CLASSIC_XSS) >= 70
    assert len(payloads) >= 200
    assert "田中さんにあげて下さい" in payloads
    assert "<script>alert(1)</script>" in payloads


@pytest.mark.parametrize("payload", xss_payloads())
def test_no_payload_survives_sanitising(payload: str) -> None:
    output = html_sanitize(payload)
    assert _problems(output) == []
    assert html_sanitize(output) == output, "sanitising is idempotent"


@pytest.mark.parametrize("payload", xss_payloads())
def test_no_payload_survives_plain_text_rendering(payload: str) -> None:
    output = text_to_html(payload)
    inspector = _Inspector()
    inspector.feed(output)
    assert {tag for tag, _attrs in inspector.tags} <= {"p", "br"}
    assert all(attrs == [] for _tag, attrs in inspector.tags)


def test_the_inspector_would_catch_what_the_sanitiser_must_remove() -> None:
    # The check above is only worth something if it fails on raw payloads.
    assert _problems('<img src=x onerror="alert(1)">')
    assert _problems('<a href="java&#x09;script:alert(1)">x</a>')
    assert _problems("<svg onload=alert(1)>")
    assert _problems('<a href="data:text/html,x">x</a>')
    assert _problems('<p style="x">x</p>')


def test_rich_text_filter_sanitises_and_marks_safe() -> None:
    template = Template("{% load rich_text %}<div>{{ body|rich_text }}</div>")
    rendered = template.render(Context({"body": '<p onclick="x">回复<script>alert(1)</script></p>'}))
    assert rendered == "<div><p>回复</p></div>"


def test_rich_text_filter_shows_none_as_nothing_and_other_values_as_text() -> None:
    template = Template("{% load rich_text %}[{{ none|rich_text }}][{{ number|rich_text }}]")
    assert template.render(Context({"none": None, "number": 42})) == "[][42]"


def test_rich_text_filter_sanitises_even_values_already_marked_safe() -> None:
    from django.utils.safestring import mark_safe

    template = Template("{% load rich_text %}{{ body|rich_text }}")
    assert template.render(Context({"body": mark_safe("<img src=x onerror=alert(1)>")})) == '<img src="x">'


def test_plain_text_filter_escapes_and_keeps_paragraphs() -> None:
    template = Template("{% load rich_text %}{{ summary|plain_text }}|{{ none|plain_text }}")
    rendered = template.render(Context({"summary": "来电：<b>打印机</b>\n无法打印\n\n已派单", "none": None}))
    assert rendered == "<p>来电：&lt;b&gt;打印机&lt;/b&gt;<br>无法打印</p><p>已派单</p>|"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(PNG, PNG), ("data:image/svg+xml;base64,PHN2Zz4=", ""), ("https://a.example/s.png", ""), (None, "")],
)
def test_image_data_url_filter_passes_only_raster_data_urls(value: str | None, shown: str) -> None:
    template = Template("{% load rich_text %}{{ value|image_data_url }}")
    assert template.render(Context({"value": value})) == shown
