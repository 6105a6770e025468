"""Writes the e-mail corpus (``*.eml``) and its manifest; run again after editing.

    python src/weibao/intake/tests/corpus/make_corpus.py

Bytes are built by hand so that each message carries exactly the encoding it tests
(GB2312 declared over GBK bytes, RFC 2231 continuations, 8-bit headers …).
"""

from __future__ import annotations

import base64
import json
import quopri
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes

HERE = Path(__file__).resolve().parent
ZHANG = "张伟 <zhang@acme.com.cn>"
T7 = "WB-20261121-0007"
T8 = "WB-20261121-0008"
T7_OUT = "<wb-0007-out@weibao.test>"
T8_OUT = "<wb-0008-out@weibao.test>"

ENTRIES: list[dict[str, Any]] = []


def b64w(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(_codec(charset))).decode()}?="


def qw(text: str, charset: str) -> str:
    raw = text.encode(_codec(charset))
    return f"=?{charset}?Q?{''.join(chr(b) if 48 <= b < 123 and chr(b).isalnum() else f'={b:02X}' for b in raw)}?="


def _codec(charset: str) -> str:
    lowered = charset.lower()
    return {"gb2312": "gb18030", "big5": "big5hkscs"}.get(lowered, lowered)


def headers(
    *,
    subject: str,
    sender: str = ZHANG,
    mid: str | None,
    extra: str = "",
    ctype: str = "text/plain; charset=utf-8",
    cte: str = "8bit",
) -> bytes:
    lines = [
        f"From: {sender}",
        "To: support@weibao.test",
        f"Subject: {subject}",
        "Date: Sat, 21 Nov 2026 09:00:00 +0800",
    ]
    if mid:
        lines.append(f"Message-ID: {mid}")
    lines += ["MIME-Version: 1.0", f"Content-Type: {ctype}"]
    if cte:
        lines.append(f"Content-Transfer-Encoding: {cte}")
    if extra:
        lines += extra.strip("\n").split("\n")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def add(name: str, raw: bytes, **expect: Any) -> None:
    (HERE / f"{name}.eml").write_bytes(raw)
    expect.setdefault("attachments", [])
    ENTRIES.append({"file": f"{name}.eml", **expect})


def simple(
    name: str, *, body: str, charset: str, subject_text: str, subject: str | None = None, cte: str = "8bit", **exp: Any
) -> None:
    data = body.encode(_codec(charset))
    if cte == "base64":
        payload = base64.encodebytes(data)
    elif cte == "quoted-printable":
        payload = quopri.encodestring(data)
    else:
        payload = data
    raw = headers(
        subject=subject or b64w(subject_text, "utf-8"),
        mid=f"<{name}@corpus.test>",
        ctype=f"text/plain; charset={charset}",
        cte=cte,
        sender=exp.pop("sender", ZHANG),
        extra=exp.pop("extra", ""),
    )
    add(name, raw + payload + b"\r\n", subject=subject_text, **exp)


def multipart(parts: list[bytes], boundary: str = "==b0undary==") -> bytes:
    out = b""
    for part in parts:
        out += f"--{boundary}\r\n".encode() + part + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def text_part(body: str, charset: str = "utf-8") -> bytes:
    data = base64.encodebytes(body.encode(_codec(charset)))
    return f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: base64\r\n\r\n".encode() + data


def file_part(disposition: str, data: bytes, ctype: str = "application/pdf") -> bytes:
    head = f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: {disposition}\r\n\r\n"
    return head.encode("utf-8") + base64.encodebytes(data)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGBoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==".replace(
        "KGBo", "KGgo"
    )
)


def build() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    new = {"outcome": "new", "client": "acme"}
    # --- Charsets -------------------------------------------------------------------------
    simple(
        "utf8-plain",
        body="服务器无法登录，请尽快处理。\n谢谢",
        charset="utf-8",
        subject_text="服务器无法登录",
        snippet="服务器无法登录，请尽快处理",
        **new,
    )
    simple(
        "utf8-qp",
        body="打印模块报错：代码 E102。",
        charset="utf-8",
        subject_text="打印模块报错",
        subject=qw("打印模块报错", "utf-8"),
        cte="quoted-printable",
        snippet="代码 E102",
        **new,
    )
    simple(
        "gb2312-plain",
        body="系统登录后页面空白。",
        charset="gb2312",
        subject_text="页面空白",
        subject=b64w("页面空白", "gb2312"),
        snippet="系统登录后页面空白",
        **new,
    )
    simple(
        "gb2312-declared-gbk-bytes",
        body="用户喆与赟的账号无法审批。",
        charset="gb2312",
        subject_text="审批失败",
        subject=b64w("审批失败", "gb2312"),
        snippet="用户喆与赟的账号无法审批",
        **new,
    )
    simple(
        "gb2312-declared-gb18030-bytes",
        body="姓名含生僻字𠮷，保存后乱码。",
        charset="gb2312",
        subject_text="生僻字乱码",
        subject=b64w("生僻字乱码", "gb2312"),
        snippet="姓名含生僻字𠮷",
        **new,
    )
    simple(
        "gbk-plain",
        body="社保缴费基数调整后需要修改参数。",
        charset="gbk",
        subject_text="参数调整",
        subject=b64w("参数调整", "gbk"),
        snippet="社保缴费基数调整",
        **new,
    )
    simple(
        "gb18030-plain",
        body="数据库备份任务失败，错误码 ORA-01555。",
        charset="gb18030",
        subject_text="备份失败",
        subject=b64w("备份失败", "gb18030"),
        snippet="ORA-01555",
        **new,
    )
    simple(
        "big5-plain",
        body="系統無法列印報表，請協助處理。",
        charset="big5",
        subject_text="無法列印報表",
        subject=b64w("無法列印報表", "big5"),
        snippet="系統無法列印報表",
        **new,
    )
    simple(
        "big5-qp-subject",
        body="帳號被鎖定。",
        charset="big5",
        subject_text="帳號鎖定",
        subject=qw("帳號鎖定", "big5"),
        cte="quoted-printable",
        snippet="帳號被鎖定",
        **new,
    )
    simple(
        "gbk-base64",
        body="接口调用超时，请检查。",
        charset="gbk",
        subject_text="接口超时",
        subject=b64w("接口超时", "gbk"),
        cte="base64",
        snippet="接口调用超时",
        **new,
    )
    simple(
        "utf8-base64",
        body="报表导出为空。",
        charset="utf-8",
        subject_text="报表导出为空",
        cte="base64",
        snippet="报表导出为空",
        **new,
    )
    simple(
        "gb2312-upper-quoted-charset",
        body="网络中断。",
        charset='"GB2312"',
        subject_text="网络中断",
        subject=b64w("网络中断", "GB2312"),
        snippet="网络中断",
        **new,
    )
    # No charset declared: UTF-8 if it decodes, else GB18030.
    raw = headers(subject=b64w("无字符集", "utf-8"), mid="<no-charset-utf8@corpus.test>", ctype="text/plain")
    add(
        "no-charset-utf8",
        raw + "没有声明字符集的邮件。".encode(),
        subject="无字符集",
        snippet="没有声明字符集的邮件",
        **new,
    )
    raw = headers(subject=b64w("无字符集GBK", "utf-8"), mid="<no-charset-gbk@corpus.test>", ctype="text/plain")
    add(
        "no-charset-gbk",
        raw + "没有声明字符集的GBK邮件。".encode("gbk"),
        subject="无字符集GBK",
        snippet="没有声明字符集的GBK邮件",
        **new,
    )
    # Subjects.
    split = b64w("系统", "utf-8") + " " + b64w("升级咨询", "utf-8")
    simple(
        "subject-split-words",
        body="请问升级窗口。",
        charset="utf-8",
        subject_text="系统升级咨询",
        subject=split,
        snippet="请问升级窗口",
        **new,
    )
    simple(
        "subject-mixed-ascii",
        body="VPN 无法连接。",
        charset="utf-8",
        subject_text="VPN 连接失败",
        subject="VPN " + b64w("连接失败", "utf-8"),
        snippet="VPN 无法连接",
        **new,
    )
    simple(
        "subject-gb2312-with-gbk",
        body="喆的报表。",
        charset="gbk",
        subject_text="喆的报表",
        subject=b64w("喆的报表", "gb2312"),
        snippet="喆的报表",
        **new,
    )
    simple(
        "no-subject",
        body="没有主题。",
        charset="utf-8",
        subject_text="(no subject)",
        subject="",
        snippet="没有主题",
        **new,
    )
    # HTML.
    html = "<html><body><p>页面<b>报错</b></p><script>alert(1)</script><img src=x onerror=alert(2)></body></html>"
    raw = headers(subject=b64w("HTML邮件", "utf-8"), mid="<html-only@corpus.test>", ctype="text/html; charset=utf-8")
    add("html-only-script", raw + html.encode(), subject="HTML邮件", snippet="页面报错", not_in_body="alert", **new)
    html = "<div style='color:red'>单位信息维护出错</div><style>p{}</style>"
    raw = headers(subject=b64w("HTML GB2312", "utf-8"), mid="<html-gb@corpus.test>", ctype="text/html; charset=gb2312")
    add("html-gb2312", raw + html.encode("gb18030"), subject="HTML GB2312", snippet="单位信息维护出错", **new)
    alt = multipart(
        [
            text_part("文本部分：缴费失败。", "gbk"),
            b"Content-Type: text/html; charset=gbk\r\n\r\n" + "<p>HTML部分：缴费失败。</p>".encode("gbk"),
        ],
        "alt1",
    )
    raw = headers(
        subject=b64w("缴费失败", "utf-8"),
        mid="<alt-gbk@corpus.test>",
        ctype='multipart/alternative; boundary="alt1"',
        cte="",
    )
    add("alternative-gbk", raw + alt, subject="缴费失败", snippet="文本部分：缴费失败", **new)
    # Attachments.
    cases = [
        ("rfc2231-utf8", "attachment; filename*=utf-8''" + quote_from_bytes("故障报告.pdf".encode()), "故障报告.pdf"),
        (
            "rfc2231-continuation",
            "attachment;\r\n filename*0*=utf-8''"
            + quote_from_bytes("系统日志".encode())
            + ";\r\n filename*1*="
            + quote_from_bytes("截图说明.pdf".encode()),
            "系统日志截图说明.pdf",
        ),
        ("rfc2231-gbk", "attachment; filename*=gbk''" + quote_from_bytes("配置清单.pdf".encode("gbk")), "配置清单.pdf"),
        ("rfc2047-in-param", f'attachment; filename="{b64w("操作手册.pdf", "gb2312")}"', "操作手册.pdf"),
        ("plain-name", 'attachment; filename="report-2026.pdf"', "report-2026.pdf"),
    ]
    for name, disposition, filename in cases:
        body = multipart([text_part("附件见邮件。"), file_part(disposition, PDF)])
        raw = headers(
            subject=b64w("附件 " + name, "utf-8"),
            mid=f"<{name}@corpus.test>",
            ctype='multipart/mixed; boundary="==b0undary=="',
            cte="",
        )
        add(name, raw + body, subject="附件 " + name, snippet="附件见邮件", attachments=[filename], **new)
    body = multipart(
        [
            text_part("见附件"),
            b'Content-Type: application/pdf; name="'
            + b64w("合同.pdf", "utf-8").encode()
            + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + base64.encodebytes(PDF),
        ]
    )
    raw = headers(
        subject=b64w("名称参数", "utf-8"),
        mid="<name-param@corpus.test>",
        ctype='multipart/mixed; boundary="==b0undary=="',
        cte="",
    )
    add("content-type-name", raw + body, subject="名称参数", snippet="见附件", attachments=["合同.pdf"], **new)
    body = multipart(
        [
            text_part("8位文件名"),
            b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            b'Content-Disposition: attachment; filename="'
            + "需求说明.pdf".encode()
            + b'"\r\n\r\n'
            + base64.encodebytes(PDF),
        ]
    )
    raw = headers(
        subject=b64w("8位文件名", "utf-8"),
        mid="<eightbit-name@corpus.test>",
        ctype='multipart/mixed; boundary="==b0undary=="',
        cte="",
    )
    add("eightbit-filename", raw + body, subject="8位文件名", snippet="8位文件名", attachments=["需求说明.pdf"], **new)
    body = multipart(
        [
            text_part("两个附件"),
            file_part('attachment; filename="a.pdf"', PDF),
            file_part('attachment; filename="screen.png"', PNG, "image/png"),
        ]
    )
    raw = headers(
        subject=b64w("两个附件", "utf-8"),
        mid="<two-files@corpus.test>",
        ctype='multipart/mixed; boundary="==b0undary=="',
        cte="",
    )
    add(
        "two-attachments",
        raw + body,
        subject="两个附件",
        snippet="两个附件",
        attachments=["a.pdf", "screen.png"],
        **new,
    )
    body = multipart(
        [
            text_part("可执行文件"),
            file_part('attachment; filename="setup.exe"', b"MZ\x90\x00", "application/octet-stream"),
        ]
    )
    raw = headers(
        subject=b64w("可执行文件", "utf-8"),
        mid="<refused-exe@corpus.test>",
        ctype='multipart/mixed; boundary="==b0undary=="',
        cte="",
    )
    add(
        "refused-attachment",
        raw + body,
        subject="可执行文件",
        snippet="可执行文件",
        attachments=[],
        refused=["setup.exe"],
        **new,
    )
    body = multipart(
        [
            text_part("内嵌图片"),
            b"Content-Type: image/png\r\nContent-ID: <img1>\r\n"
            b'Content-Disposition: inline; filename="inline.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + base64.encodebytes(PNG),
        ]
    )
    raw = headers(
        subject=b64w("内嵌图片", "utf-8"),
        mid="<inline-image@corpus.test>",
        ctype='multipart/related; boundary="==b0undary=="',
        cte="",
    )
    add("inline-image", raw + body, subject="内嵌图片", snippet="内嵌图片", attachments=["inline.png"], **new)
    # --- Threading ------------------------------------------------------------------------
    reply7 = {"outcome": "reply", "client": "acme", "ticket": T7}
    simple(
        "reply-in-reply-to",
        body="已重启，问题依旧。",
        charset="utf-8",
        subject_text="Re: 服务器无法登录",
        subject="Re: " + b64w("服务器无法登录", "utf-8"),
        extra=f"In-Reply-To: {T7_OUT}\nReferences: {T7_OUT}",
        snippet="已重启，问题依旧",
        **reply7,
    )
    simple(
        "reply-references-only",
        body="补充日志。",
        charset="utf-8",
        subject_text="Re: 日志",
        extra=f"References: <unknown@elsewhere.test> {T7_OUT}",
        snippet="补充日志",
        **reply7,
    )
    simple(
        "reply-subject-token",
        body="今天还是不行。",
        charset="utf-8",
        subject_text=f"回复：[{T7}] 服务器无法登录",
        subject=b64w(f"回复：[{T7}] 服务器无法登录", "utf-8"),
        sender="李娜 <li@acme.com.cn>",
        snippet="今天还是不行",
        **reply7,
    )
    simple(
        "reply-token-unknown-in-reply-to",
        body="跟进。",
        charset="utf-8",
        subject_text=f"Re: [{T7}] 跟进",
        extra="In-Reply-To: <never-seen@corpus.test>",
        snippet="跟进",
        **reply7,
    )
    simple(
        "reply-quoted-original-message",
        charset="gbk",
        subject_text=f"回复: [{T7}] 登录",
        subject=b64w(f"回复: [{T7}] 登录", "gbk"),
        body="问题已解决，谢谢。\n\n-----原始邮件-----\n发件人: support@weibao.test\n主题: 登录\n请重启服务。",
        snippet="问题已解决",
        quoted="请重启服务",
        not_in_body="请重启服务",
        **reply7,
    )
    simple(
        "reply-quoted-on-wrote",
        charset="utf-8",
        subject_text=f"Re: [{T7}] login",
        body="Still failing.\n\nOn Sat, 21 Nov 2026 at 10:00, Support <support@weibao.test> wrote:\n> Please restart.",
        snippet="Still failing",
        quoted="Please restart",
        not_in_body="Please restart",
        **reply7,
    )
    simple(
        "reply-quoted-chinese-wrote",
        charset="utf-8",
        subject_text=f"Re: [{T7}] 登录",
        body="好的。\n\n在 2026年11月21日 10:00，客服 写道：\n> 请清除缓存。",
        snippet="好的",
        quoted="请清除缓存",
        not_in_body="请清除缓存",
        **reply7,
    )
    simple(
        "reply-gt-quotes",
        charset="utf-8",
        subject_text=f"Re: [{T7}] 缓存",
        body="清除后正常。\n> 请清除缓存\n> 谢谢",
        snippet="清除后正常",
        quoted="请清除缓存",
        **reply7,
    )
    simple(
        "reply-with-signature",
        charset="utf-8",
        subject_text=f"Re: [{T7}] 签名",
        body="收到。\n-- \n张伟\n信息科",
        snippet="收到",
        **reply7,
    )
    reply8 = {"outcome": "reply", "client": "bjedu", "ticket": T8}
    simple(
        "reply-big5-token",
        body="已確認修復。",
        charset="big5",
        subject_text=f"回覆: [{T8}] 修復",
        subject=b64w(f"回覆: [{T8}] 修復", "big5"),
        sender="王芳 <wang@bjedu.gov.cn>",
        snippet="已確認修復",
        **reply8,
    )
    simple(
        "reply-in-reply-to-b",
        body="谢谢。",
        charset="utf-8",
        subject_text="Re: 教育局",
        extra=f"In-Reply-To: {T8_OUT}",
        sender="王芳 <wang@bjedu.gov.cn>",
        snippet="谢谢",
        **reply8,
    )
    # Strangers quoting a request number go to review.
    quarantine = {"outcome": "quarantine", "reason": "sender not on the request"}
    simple(
        "stranger-token",
        body="我也有这个问题。",
        charset="utf-8",
        subject_text=f"Re: [{T7}] 服务器",
        sender="evil@gmail.com",
        snippet="我也有这个问题",
        **quarantine,
    )
    simple(
        "other-client-token",
        body="看错了吗？",
        charset="utf-8",
        subject_text=f"Re: [{T7}] 服务器",
        sender="王芳 <wang@bjedu.gov.cn>",
        snippet="看错了吗",
        **quarantine,
    )
    simple(
        "same-domain-not-contact-token",
        body="领导关注。",
        charset="utf-8",
        subject_text=f"Re: [{T7}] 服务器",
        sender="boss@acme.com.cn",
        snippet="领导关注",
        **quarantine,
    )
    simple(
        "stranger-in-reply-to",
        body="插一句。",
        charset="utf-8",
        subject_text="Re: 服务器",
        extra=f"In-Reply-To: {T7_OUT}",
        sender="someone@qq.com",
        snippet="插一句",
        **quarantine,
    )
    # --- Client by address or domain ------------------------------------------------------
    simple(
        "domain-second",
        body="新同事报修。",
        charset="utf-8",
        subject_text="新同事报修",
        sender="new.person@acme.cn",
        snippet="新同事报修",
        contact=False,
        **new,
    )
    simple(
        "address-upper-case",
        body="大写地址。",
        charset="utf-8",
        subject_text="大写地址",
        sender="ZHANG@ACME.COM.CN",
        snippet="大写地址",
        contact=True,
        **new,
    )
    simple(
        "domain-client-b",
        body="教育局报修。",
        charset="utf-8",
        subject_text="教育局报修",
        sender="teacher@bjedu.gov.cn",
        snippet="教育局报修",
        outcome="new",
        client="bjedu",
    )
    simple(
        "contact-client-b",
        body="王芳报修。",
        charset="utf-8",
        subject_text="王芳报修",
        sender="王芳 <wang@bjedu.gov.cn>",
        snippet="王芳报修",
        outcome="new",
        client="bjedu",
        contact=True,
    )
    simple(
        "unknown-domain",
        body="你好。",
        charset="utf-8",
        subject_text="陌生来信",
        sender="x@unknown.example",
        snippet="你好",
        outcome="quarantine",
        reason="sender matches no client",
    )
    simple(
        "subdomain-not-matched",
        body="子域名。",
        charset="utf-8",
        subject_text="子域名",
        sender="a@mail.acme.com.cn",
        snippet="子域名",
        outcome="quarantine",
        reason="sender matches no client",
    )
    raw = headers(subject=b64w("没有Message-ID", "utf-8"), mid=None)
    add("no-message-id", raw + "没有编号。".encode(), subject="没有Message-ID", snippet="没有编号", **new)
    simple(
        "auto-submitted-no",
        body="正常邮件。",
        charset="utf-8",
        subject_text="正常邮件",
        extra="Auto-Submitted: no",
        snippet="正常邮件",
        **new,
    )
    # --- Automatic mail: never a request (RFC 3834) ---------------------------------------
    auto = [
        ("auto-replied", "Auto-Submitted: auto-replied", "auto-submitted"),
        ("auto-generated", "Auto-Submitted: auto-generated", "auto-submitted"),
        ("x-autoreply", "X-Autoreply: yes", "auto-reply"),
        ("x-autorespond", "X-Autorespond: 我不在办公室", "auto-reply"),
        ("precedence-bulk", "Precedence: bulk", "bulk"),
        ("precedence-junk", "Precedence: junk", "bulk"),
        ("precedence-list", "Precedence: list", "bulk"),
        ("list-id", "List-Id: <ops.acme.com.cn>", "list"),
        ("list-unsubscribe", "List-Unsubscribe: <mailto:leave@acme.com.cn>", "list"),
        ("return-path-empty", "Return-Path: <>", "bounce"),
    ]
    for name, header, reason in auto:
        simple(
            name,
            body="我正在休假，回来后回复。",
            charset="utf-8",
            subject_text=f"自动回复: [{T7}]",
            extra=header,
            snippet="",
            outcome="ignored",
            reason=reason,
        )
    report = multipart(
        [
            text_part("邮件无法投递。"),
            b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.acme.com.cn\r\n\r\n"
            b"Final-Recipient: rfc822; nobody@acme.com.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n",
        ],
        "rep",
    )
    raw = headers(
        subject="Undelivered Mail Returned to Sender",
        mid="<bounce1@corpus.test>",
        sender="MAILER-DAEMON@acme.com.cn",
        ctype='multipart/report; report-type=delivery-status; boundary="rep"',
        cte="",
    )
    add(
        "bounce-report",
        raw + report,
        subject="Undelivered Mail Returned to Sender",
        snippet="",
        outcome="ignored",
        reason="bounce",
    )
    simple(
        "bounce-postmaster",
        body="Delivery failed.",
        charset="utf-8",
        subject_text="Delivery Status Notification",
        sender="postmaster@acme.com.cn",
        snippet="",
        outcome="ignored",
        reason="bounce",
    )
    simple(
        "bounce-mailer-daemon-plain",
        body="Delivery failed.",
        charset="utf-8",
        subject_text="failure notice",
        sender="Mail Delivery System <MAILER-DAEMON@mx.acme.com.cn>",
        snippet="",
        outcome="ignored",
        reason="bounce",
    )
    (HERE / "manifest.json").write_text(json.dumps(ENTRIES, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(ENTRIES)} messages")  # noqa: T201 - a script


if __name__ == "__main__":
    build()
