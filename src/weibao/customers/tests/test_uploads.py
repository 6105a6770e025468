from __future__ import annotations

import pytest

from weibao.customers.uploads import attachment_disposition, clean_file_name, extension_allowed, sniff_content_type


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("报告.pdf", "报告.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\张三\\设计说明书.docx", "设计说明书.docx"),
        ("bad\x00name\n.txt", "badname.txt"),
        (".hidden", "hidden"),
        ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(raw, clean):
    assert clean_file_name(raw) == clean


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("a.PDF", True), ("a.pdf.exe", False), ("pdf", False), ("archive.tar.gz", True), ("a.", False)],
)
def test_extension_allow_list(name, allowed):
    assert extension_allowed(name, ["pdf", "gz", ".zip"]) is allowed


@pytest.mark.parametrize(
    ("head", "name", "declared", "expected"),
    [
        (b"%PDF-1.4", "a.txt", "text/plain", "application/pdf"),
        (b"PK\x03\x04", "a.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (b"PK\x03\x04", "a.zip", None, "application/zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a.xls", None, "application/vnd.ms-excel"),
        (b"\x89PNG\r\n\x1a\n", "a.png", "image/png", "image/png"),
        (b"hello", "a.csv", "text/csv; charset=utf-8", "text/csv"),
        (b"hello", "a.log", "application/octet-stream", "application/octet-stream"),
        (b"hello", "a.txt", "", "text/plain"),
    ],
)
def test_content_type_is_sniffed_before_it_is_believed(head, name, declared, expected):
    assert sniff_content_type(head, name, declared) == expected


def test_chinese_names_use_rfc_5987_with_an_ascii_fallback():
    header = attachment_disposition("部署手册.txt")
    assert header == "attachment; filename=\"download.txt\"; filename*=UTF-8''%E9%83%A8%E7%BD%B2%E6%89%8B%E5%86%8C.txt"


def test_quotes_in_names_cannot_break_the_header():
    header = attachment_disposition('a";b.txt')
    assert header.startswith('attachment; filename="a__b.txt";')
