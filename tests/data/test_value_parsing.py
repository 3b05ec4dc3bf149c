"""Cell text → typed value (the SQL of value_sql), as the spec's import rules say."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopkpi.data.datasets import ColumnType
from shopkpi.data.imports.value_sql import Steps, clean_sql, parsed_sql, problem_sql, special_sql, typed_sql

CON = duckdb.connect()


def parse(type_: ColumnType, text: str | None, timezone: str = "Asia/Shanghai") -> tuple[object, str | None]:
    steps = Steps()
    c = steps(clean_sql("raw", steps), "c")
    v = steps(parsed_sql(type_, c, timezone, steps), "v")
    sql = f"SELECT {typed_sql(type_, v)}, {problem_sql(type_, c, v, steps)} FROM {steps.from_sql('(SELECT $1 AS raw)')}"
    row = CON.execute(sql, [text]).fetchone()
    assert row is not None
    return row[0], row[1]


D = Decimal


@pytest.mark.parametrize(
    ("type_", "text", "value"),
    [
        ("integer", "1,234", 1234),
        ("integer", " 12 ", 12),
        ("integer", "1.0", 1),
        ("integer", "1e3", 1000),
        ("integer", "-", None),
        ("integer", "--", None),
        ("integer", "", None),
        ("integer", None, None),
        ("decimal", "¥1,234.56", D("1234.56")),
        ("decimal", "￥12", D("12.00")),
        ("decimal", "12元", D("12.00")),
        ("decimal", "3.2", D("3.20")),
        ("decimal", "1.500", D("1.50")),  # trailing zeros are no precision
        ("decimal", "1.5e-1", D("0.15")),  # two decimals once the exponent is applied
        # a double's noise (what a spreadsheet stores for a cell that shows 37.52) is read as shown
        ("decimal", "37.519999999999996", D("37.52")),
        ("decimal", "194.89000000000001", D("194.89")),
        ("rate", "0.30000000000000004", D("0.3")),
        ("number", "0.30000000000000004", D("0.3")),
        ("decimal", "100000000000000.25", D("100000000000000.25")),  # 17 digits, no noise: as written
        ("rate", "12.3400%", D("0.1234")),
        ("seconds", "1:05.125", D("65.125")),
        ("rate", "38.00%", D("0.38")),
        ("rate", "0.38", D("0.38")),
        ("rate", "12.3456%", D("0.123456")),
        ("rate", "100%", D("1")),
        ("seconds", "25", D("25")),
        ("seconds", "1:05", D("65")),
        ("seconds", "0:01:05", D("65")),
        ("seconds", "1分5秒", D("65")),
        ("seconds", "2小时", D("7200")),
        ("seconds", "12.5s", D("12.5")),
        ("date", "2026-10-01", dt.date(2026, 10, 1)),
        ("date", "2026/10/1", dt.date(2026, 10, 1)),
        ("date", "20261001", dt.date(2026, 10, 1)),
        ("date", "46296", dt.date(2026, 10, 1)),  # Excel serial
        ("date", "2026年10月1日", dt.date(2026, 10, 1)),
        ("date", "2026-10-01 23:59:59", dt.date(2026, 10, 1)),
        ("timestamp", "2026-10-01 09:05", dt.datetime(2026, 10, 1, 9, 5)),
        ("timestamp", "2026/10/1 9:05:07", dt.datetime(2026, 10, 1, 9, 5, 7)),
        ("timestamp", "2026-10-01", dt.datetime(2026, 10, 1)),
        ("timestamp", "46296.5", dt.datetime(2026, 10, 1, 12)),  # Excel serial with a time
        ("timestamp", "1511658000", dt.datetime(2017, 11, 26, 9)),  # unix seconds → Beijing time
        ("timestamp", "1511658000000", dt.datetime(2017, 11, 26, 9)),  # unix milliseconds
        ("timestamp", "2026-10-01T01:00:00Z", dt.datetime(2026, 10, 1, 9)),
        ("timestamp", "2026-10-01 09:00:00+08:00", dt.datetime(2026, 10, 1, 9)),
        ("text", "  旗舰店 ", "旗舰店"),
        ("text", "\u3000旗舰店\u00a0", "旗舰店"),
        ("text", "-5", "-5"),
        ("text", "@旗舰店", "@旗舰店"),  # a Weibo handle, not a formula
        ("text", "-abc", "-abc"),
    ],
)
def test_values(type_: ColumnType, text: str | None, value: object) -> None:
    assert parse(type_, text) == (value, None)


@pytest.mark.parametrize(
    ("type_", "text", "reason"),
    [
        ("integer", "-5", "negative count: -5"),
        ("integer", "1.5", "not a whole number: 1.5"),
        ("integer", "1.0000001", "not a whole number: 1.0000001"),  # DECIMAL(38,6) would round it to 1
        ("decimal", "-3.2", "negative amount: -3.2"),
        ("decimal", "1.005", "more than 2 decimals (the most this column holds): 1.005"),  # never rounded
        ("decimal", "¥1,234.5678", "more than 2 decimals (the most this column holds): ¥1,234.5678"),
        ("decimal", "1.5e-3", "more than 2 decimals (the most this column holds): 1.5e-3"),
        # 15 significant digits is no noise: it is what was written
        (
            "decimal",
            "123456789012.455",
            "more than 2 decimals (the most this column holds): 123456789012.455",
        ),
        ("rate", "12.34567%", "more than 6 decimals (the most this column holds): 12.34567%"),
        ("rate", "0.1234567", "more than 6 decimals (the most this column holds): 0.1234567"),
        ("seconds", "25.1234", "more than 3 decimals (the most this column holds): 25.1234"),
        ("seconds", "0:01:05.1234", "more than 3 decimals (the most this column holds): 0:01:05.1234"),
        ("integer", "abc", "not a number: abc"),
        ("integer", "9" * 40, "number too large: " + "9" * 40),
        ("integer", "12345678901234567890", "number too large: 12345678901234567890"),
        ("decimal", "1e17", "number too large: 1e17"),
        ("integer", "=cmd|' /C calc'!A0", "formula-like cell refused: =cmd|' /C calc'!A0"),
        ("text", '=HYPERLINK("http://x")', 'formula-like cell refused: =HYPERLINK("http://x")'),
        ("text", "@SUM(A1)", "formula-like cell refused: @SUM(A1)"),
        ("text", "+cmd|' /C calc'!A0", "formula-like cell refused: +cmd|' /C calc'!A0"),
        ("text", "-2+3+cmd|' /C calc'!A0", "formula-like cell refused: -2+3+cmd|' /C calc'!A0"),
        ("rate", "101%", "rate outside 0–100%: 101%"),
        ("rate", "38", "rate outside 0–100%: 38"),
        ("rate", "-1%", "rate outside 0–100%: -1%"),
        ("seconds", "-3", "negative duration: -3"),
        ("seconds", "soon", "not a duration: soon"),
        ("date", "2026-13-01", "not a date: 2026-13-01"),
        ("date", "2026-02-30", "not a date: 2026-02-30"),
        ("date", "yesterday", "not a date: yesterday"),
        ("timestamp", "nope", "not a date and time: nope"),
    ],
)
def test_refused_values(type_: ColumnType, text: str, reason: str) -> None:
    assert parse(type_, text)[1] == reason


def test_a_unix_timestamp_takes_the_company_time_zone() -> None:
    assert parse("timestamp", "1511658000", "Europe/London")[0] == dt.datetime(2017, 11, 26, 1)
    assert parse("timestamp", "2026-10-01 09:00", "Europe/London")[0] == dt.datetime(
        2026, 10, 1, 9
    )  # local already


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_thousands_separators_round_trip(n: int) -> None:
    assert parse("integer", f"{n:,}") == (n, None)
    assert parse("decimal", f"¥{n:,}.25") == (Decimal(n) + Decimal("0.25"), None)


@settings(max_examples=50, deadline=None)
@given(st.decimals(min_value=0, max_value=100, places=2))
def test_percentages_are_fractions(p: Decimal) -> None:
    assert parse("rate", f"{p}%") == (p / 100, None)


@settings(max_examples=50, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_spellings_agree(day: dt.date) -> None:
    serial = (day - dt.date(1899, 12, 30)).days
    spellings = [day.isoformat(), f"{day.year}/{day.month}/{day.day}", day.strftime("%Y%m%d"), str(serial)]
    assert {parse("date", s) for s in spellings} == {(day, None)}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=" \t\r\n\u3000\u00a0\ufeff=+-@\u2014\uff0d\u0301a1😀é", max_size=6))
def test_both_ways_of_telling_plain_cells_agree(text: str) -> None:
    row = CON.execute(
        f"SELECT {special_sql('$1')}, {special_sql('$1', many_rows=True)}, regexp_matches($1, '^$|^[=+@-]')",
        [text],
    ).fetchone()
    edges = text[:1] in " \t\r\n\u3000\u00a0\ufeff\u2014\uff0d" or text[-1:] in " \t\r\n\u3000\u00a0\ufeff"
    assert row == (row[2] or edges,) * 2 + (row[2],)
