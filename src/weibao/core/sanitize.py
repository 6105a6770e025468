"""Rich text from users, made safe to show: an allow-list sanitiser and plain text as HTML.

Service-desk text (ticket descriptions, replies, e-mail bodies, knowledge articles)
arrives as HTML from an editor or a mail client. :func:`html_sanitize` keeps the
formatting a reply needs and drops everything that could run script, restyle the page
or leak the reader's address:

- tags: ``p br strong b em i u s ul ol li blockquote pre code h1 h2 h3 h4 table thead
  tbody tr th td a img``; any other tag is removed and its text kept, except the tags
  in :data:`DROPPED_WITH_CONTENT` (script, style, frames, SVG, MathML …), whose content
  goes too;
- attributes: ``a[href title]``, ``img[src alt width height]``, ``th/td[colspan
  rowspan]``; never ``style``, ``class``, ``id`` or an event handler (``on…``);
- links: ``http``, ``https``, ``mailto``, ``tel`` or relative; every link gets
  ``rel="noopener noreferrer nofollow"``;
- images: ``http``, ``https``, relative, or an inline ``data:image/png``, ``jpeg`` or
  ``gif`` (base64). SVG data images are refused (they can carry script). Remote images
  stay in the markup so nothing a user wrote silently disappears, but the Content
  Security Policy (``img-src 'self' data:``) stops browsers from loading them and the
  PDF renderer (:mod:`weibao.core.pdf`) never fetches them, so a remote image cannot
  be used as a tracking pixel or to reach internal addresses.

Sanitise when storing and again when showing (the ``rich_text`` template filter): a
record written before a rule tightened is still shown under the current rule.
"""

from __future__ import annotations

import re
from typing import Final

import nh3
from django.utils.html import escape

ALLOWED_TAGS: Final = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "code",
        "h1",
        "h2",
        "h3",
        "h4",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "img",
    }
)
ALLOWED_ATTRIBUTES: Final = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "th": frozenset({"colspan", "rowspan"}),
    "td": frozenset({"colspan", "rowspan"}),
}
# Removed together with everything inside them: their content is code, styling or
# foreign markup (SVG/MathML namespace confusion is the classic mutation-XSS route),
# never text a reader needs.
DROPPED_WITH_CONTENT: Final = frozenset(
    {
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "noscript",
        "noembed",
        "noframes",
        "template",
        "title",
        "textarea",
        "xmp",
        "select",
        "svg",
        "math",
    }
)
LINK_REL: Final = "noopener noreferrer nofollow"
LINK_SCHEMES: Final = frozenset({"http", "https", "mailto", "tel"})
IMAGE_SCHEMES: Final = frozenset({"http", "https"})
# Only raster formats a browser cannot run script in, base64-encoded.
_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|jpg|gif);base64,[A-Za-z0-9+/]*={0,2}", re.IGNORECASE)
# What a browser's URL parser ignores: leading/trailing C0 controls and spaces, and
# tabs and newlines anywhere ("java\tscript:" is "javascript:").
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_TRIM = "".join(chr(code) for code in range(0x21))
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_SIZE = re.compile(r"[0-9]{1,4}")
_SPAN = re.compile(r"[1-9][0-9]?")
# C0 controls other than tab and newline are not allowed in HTML text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u3000]*\n\s*")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would read from ``url`` (lower case), "" when relative, None when unparseable.

    A colon before the first ``/``, ``?`` or ``#`` that does not follow a valid scheme
    name makes the value unparseable rather than relative: it is junk, not a path.
    """
    cleaned = _URL_IGNORED.sub("", url).strip(_URL_TRIM)
    head = re.split(r"[/?#]", cleaned, maxsplit=1)[0]
    if ":" not in head:
        return ""
    match = _SCHEME.match(head)
    return match.group(1).lower() if match else None


def _url_allowed(tag: str, value: str) -> bool:
    scheme = url_scheme(value)
    if scheme is None:
        return False
    if tag == "a":
        return scheme == "" or scheme in LINK_SCHEMES
    if scheme == "data":
        return _DATA_IMAGE.fullmatch(_URL_IGNORED.sub("", value).strip(_URL_TRIM)) is not None
    return scheme == "" or scheme in IMAGE_SCHEMES


def data_image_url_valid(value: str) -> bool:
    """Whether ``value`` is an inline base64 PNG, JPEG or GIF image (``data:image/…;base64,…``)."""
    return _DATA_IMAGE.fullmatch(value.strip()) is not None


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Second look at each kept attribute's value, after nh3's own URL check."""
    if attribute in {"href", "src"}:
        return value if _url_allowed(tag, value) else None
    if attribute in {"width", "height"}:
        return value.strip() if _SIZE.fullmatch(value.strip()) else None
    if attribute in {"colspan", "rowspan"}:
        return value.strip() if _SPAN.fullmatch(value.strip()) else None
    return value


_CLEANER: Final = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    # "*": nothing, or nh3 would keep its default lang and title on every tag.
    attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel=LINK_REL,
    # data: passes nh3 here only so that _attribute_filter can keep inline raster
    # images; the filter refuses it for links and for anything but png/jpeg/gif.
    url_schemes=set(LINK_SCHEMES | IMAGE_SCHEMES | {"data"}),
)


def html_sanitize(value: str) -> str:
    """``value`` (an HTML fragment from a user) with only the allowed tags, attributes and URLs.

    Safe to mark safe and insert into a page. Idempotent: sanitising the result again
    changes nothing. Never raises for any string.
    """
    if not value:
        return ""
    return _CLEANER.clean(_CONTROL.sub("", value))


def text_to_html(plain: str) -> str:
    """Plain text (a hotline summary, a text e-mail) as escaped HTML paragraphs.

    Blank lines separate ``<p>`` paragraphs; single line breaks become ``<br>``.
    Windows and old Mac line endings count as line breaks; control characters that
    HTML does not allow are dropped. Empty or blank text gives "".
    """
    text = _CONTROL.sub("", (plain or "").replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    if not text.strip():
        return ""
    paragraphs = [part.strip("\n") for part in _PARAGRAPH_BREAK.split(text)]
    return "".join("<p>" + escape(part).replace("\n", "<br>") + "</p>" for part in paragraphs if part.strip())
