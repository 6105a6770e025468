"""The text form for a new year's holidays: every good shape and every bad input, named by line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from weibao.sla.yeartext import HOLIDAY, WORKDAY, YearTextError, year_text_parse

D = dt.date


def test_a_notice_typed_as_text_becomes_dated_days_with_names() -> None:
    text = """
    # 2027 年部分节假日安排
    元旦 2027-01-01..2027-01-03 放假
    春节 2027-02-06 .. 2027-02-08 放假; 2027-02-14, 2027-02-20 上班
    2027-10-09 上班   # takes the name before it
    劳动节 2027/5/1~2027/5/2 休
    Tomb-sweeping 2027-04-05 holiday
    """
    entries = year_text_parse(text)
    by_date = {e.date: (e.kind, e.name, e.line) for e in entries}
    assert by_date[D(2027, 1, 1)] == (HOLIDAY, "元旦", 3)
    assert by_date[D(2027, 1, 3)] == (HOLIDAY, "元旦", 3)
    assert by_date[D(2027, 2, 8)] == (HOLIDAY, "春节", 4)
    assert by_date[D(2027, 2, 14)] == (WORKDAY, "春节", 4)
    assert by_date[D(2027, 2, 20)] == (WORKDAY, "春节", 4)
    assert by_date[D(2027, 10, 9)] == (WORKDAY, "春节", 5)
    assert by_date[D(2027, 5, 2)] == (HOLIDAY, "劳动节", 6)
    assert by_date[D(2027, 4, 5)] == (HOLIDAY, "Tomb-sweeping", 7)
    assert [e.date for e in entries] == sorted(by_date)
    assert len(entries) == 3 + 3 + 2 + 1 + 2 + 1


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("春节 2027-02-06..2027-02-13", 1, "must end with 放假"),
        ("春节 2027-02-06 放假吧", 1, "must end with 放假"),
        ("春节 放假", 1, "no dates given"),
        ("# only a comment\n\n", 1, "names no days"),
        ("", 1, "names no days"),
        ("\n春节 2027-02-30 放假", 2, "“2027-02-30” is not a date"),
        ("春节 2027-13-01..2027-13-05 放假", 1, "is not a date"),
        ("春节 2027-02-13..2027-02-06 放假", 1, "ends before it starts"),
        ("长假 2027-01-01..2027-03-01 放假", 1, "longer than 31 days"),
        ("春节 tomorrow 上班", 1, "neither a date"),
        ("春节 2027-02-14,,2027-02-20 上班", 1, "empty item"),
        ("春节 2027-02-14 上班\n国庆 2027-02-14 放假", 2, "already given on line 1"),
        ("a b 2027-02-14 上班", 1, "neither a date"),
    ],
)
def test_every_bad_line_is_named_with_its_problem(text: str, line: int, problem: str) -> None:
    with pytest.raises(YearTextError) as caught:
        year_text_parse(text)
    assert any(e.line == line and problem in e.message for e in caught.value.errors), caught.value.errors
    assert f"Line {line}:" in str(caught.value)


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(YearTextError) as caught:
        year_text_parse("元旦 2027-01-01 放假\n春节 2027-02-30 放假\n国庆 2027-10-01 假期")
    assert [e.line for e in caught.value.errors] == [2, 3]


def test_problems_read_in_chinese_for_a_chinese_reader() -> None:
    with translation.override("zh-hans"):
        with pytest.raises(YearTextError) as caught:
            year_text_parse("春节 2027-02-30 放假")
        message = str(caught.value.errors[0])
    assert "第 1 行" in message
    assert "不是日期" in message
