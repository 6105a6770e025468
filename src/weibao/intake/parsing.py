"""Reading an RFC 822 message: headers, Chinese charsets, attachments, automatic mail.

Pure functions, no database. Declared charsets are read with their supersets
(GB2312 and GBK as GB18030, Big5 as Big5-HKSCS): Chinese mailers often declare
GB2312 and send GBK bytes.
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.utils
import hashlib
import html as html_module
import re
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import unquote_to_bytes

from weibao.core.sanitize import html_sanitize, text_to_html

SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "unknown-8bit": "utf-8",
    "x-unknown": "utf-8",
}

TOKEN = re.compile(r"\[(WB-\d{8}-\d{3,})\]")


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    subject: str
    sender: str
    sender_name: str
    text: str
    html: str
    quoted: str
    attachments: list[Attachment] = field(default_factory=list)
    automatic: str = ""

    @property
    def thread_ids(self) -> list[str]:
        """Referenced Message-IDs, the most direct first."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen

    @property
    def subject_token(self) -> str:
        found = TOKEN.search(self.subject)
        return found.group(1) if found else ""

    def body_html(self) -> str:
        """The new part of the message as safe HTML (HTML part preferred over text)."""
        if self.text.strip():
            return text_to_html(self.text)
        return self.html


def decode_bytes(data: bytes, charset: str | None) -> str:
    """``data`` as text in ``charset`` (or its superset); undeclared: UTF-8, else GB18030."""
    name = (charset or "").strip().strip('"').lower()
    name = SUPERSETS.get(name, name)
    if name:
        try:
            return data.decode(name)
        except LookupError:
            pass
        except UnicodeDecodeError:
            if name == "utf-8":
                pass
            else:
                return data.decode(name, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def decode_header(value: str | None) -> str:
    """An RFC 2047 header value as text, charsets read with their supersets."""
    if not value:
        return ""
    raw = str(value)
    try:
        chunks = email.header.decode_header(raw)
    except email.errors.HeaderParseError:
        return raw
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset or "utf-8"))
        else:
            out.append(chunk)
    # decode_header keeps the whitespace between an encoded word and plain text.
    return re.sub(r"\s+", " ", "".join(out)).strip()


def header_text(message: Message, name: str) -> str:
    """Header ``name`` as text: RFC 2047 words decoded, raw 8-bit bytes (UTF-8 or GB18030) read too."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            text = str(value)
            if any("\udc80" <= c <= "\udcff" for c in text):
                text = decode_bytes(text.encode("ascii", "surrogateescape"), None)
                return re.sub(r"\s+", " ", text).strip() if "=?" not in text else decode_header(text)
            return decode_header(text)
    return ""


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", str(value or ""))


def _file_name(part: Message) -> str:
    name = part.get_param("filename", header="content-disposition")
    if name is None:
        name = part.get_param("name")
    if name is None:
        return ""
    if isinstance(name, tuple):  # RFC 2231: (charset, language, value)
        charset, _lang, value = name
        raw = value.encode("latin-1", errors="replace") if isinstance(value, str) else bytes(value)
        return decode_bytes(unquote_to_bytes(raw), charset or "utf-8")
    text = str(name)
    if "\ufffd" in text:  # raw 8-bit bytes in the header: read them from the stored value
        text = _raw_8bit_name(part) or text
    elif "=?" in text:  # RFC 2047 inside a parameter: not standard, but common
        text = decode_header(text)
    return text


def _raw_8bit_name(part: Message) -> str:
    for key, value in part.raw_items():
        if key.lower() not in {"content-disposition", "content-type"}:
            continue
        found = re.search(r'(?:file)?name\s*=\s*"([^"]*)"', str(value), re.IGNORECASE)
        if found:
            return decode_bytes(found.group(1).encode("ascii", "surrogateescape"), None)
    return ""


def _payload_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


QUOTE_STARTS = re.compile(
    r"^(?:-{2,}\s*(?:原始邮件|Original Message|原始郵件|Forwarded message|转发邮件)\s*-{2,}"
    r"|On .{3,200} wrote:\s*$"
    r"|在\s?.{3,200}写道[：:]\s*$"
    r"|(?:发件人|寄件者|From)\s*[:：].+$)",
    re.IGNORECASE | re.MULTILINE,
)


def split_quoted(text: str) -> tuple[str, str]:
    """The new part of a plain-text reply and the quoted history under it."""
    lines = text.replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        stripped = line.strip()
        if index > 0 and QUOTE_STARTS.match(stripped):
            return "\n".join(lines[:index]).rstrip(), "\n".join(lines[index:]).strip()
        if stripped.startswith(">") and index > 0:
            rest = lines[index:]
            if all(not r.strip() or r.lstrip().startswith(">") for r in rest):
                return "\n".join(lines[:index]).rstrip(), "\n".join(rest).strip()
    return text.strip(), ""


def html_to_text(html: str) -> str:
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", "", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>|</h\d>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html_module.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def automatic_reason(message: Message) -> str:
    """Why ``message`` is automatic mail that must not open a request nor be answered (RFC 3834)."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    local = email.utils.parseaddr(str(message.get("From", "")))[1].lower().split("@", 1)[0]
    checks = [
        (bool(auto) and auto != "no", "auto-submitted"),
        (any(message.get(h) for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")), "auto-reply"),
        (str(message.get("Precedence", "")).strip().lower() in {"bulk", "junk", "list", "auto_reply"}, "bulk"),
        (bool(message.get("List-Id") or message.get("List-Unsubscribe")), "list"),
        (message.get_content_type() == "multipart/report" or bool(message.get("X-Failed-Recipients")), "bounce"),
        ("Return-Path" in message and str(message.get("Return-Path", "")).strip() in {"<>", ""}, "bounce"),
        (local in {"mailer-daemon", "postmaster"}, "bounce"),
    ]
    return next((reason for hit, reason in checks if hit), "")


def dedup_key(raw: bytes, message_id: str) -> str:
    if message_id and len(message_id) <= 240:
        return "mid:" + message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parse(raw: bytes) -> ParsedMail:
    message = email.message_from_bytes(raw)
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        name = _file_name(part)
        ctype = part.get_content_type()
        if (
            disposition == "attachment"
            or (name and ctype not in {"text/plain", "text/html"})
            or (name and disposition == "inline" and not ctype.startswith("text/"))
        ):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                attachments.append(Attachment(name=name or "attachment.bin", content_type=ctype, data=data))
            continue
        if ctype == "text/plain":
            texts.append(_payload_text(part))
        elif ctype == "text/html":
            htmls.append(_payload_text(part))
        elif ctype in {"message/delivery-status", "message/rfc822"}:
            continue
    text = "\n\n".join(t for t in texts if t.strip())
    html = "\n".join(htmls)
    if not text.strip() and html.strip():
        text = html_to_text(html)
    main, quoted = split_quoted(text)
    sender_name, sender = email.utils.parseaddr(header_text(message, "From"))
    message_ids = _ids(message.get("Message-ID"))
    return ParsedMail(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=_ids(message.get("In-Reply-To")),
        references=_ids(message.get("References")),
        subject=header_text(message, "Subject"),
        sender=sender.lower(),
        sender_name=sender_name,
        text=main,
        html=html_sanitize(html),
        quoted=quoted,
        attachments=attachments,
        automatic=automatic_reason(message),
    )
