"""PostgreSQL's bulk copy (publish and the session's tables) keeps every value exactly: text that CSV
or COPY's text format would misread (commas, quotes, line breaks, backslashes, `\\.`, `\\N`, the word
NULL, the empty text beside NULL, Chinese), decimals at their scale, timestamps to the microsecond,
dates, the largest integers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from shopkpi.data.datasets import DATASETS
from shopkpi.data.engines.base import dataset_columns
from shopkpi.data.engines.postgres_engine import PostgresEngine

AWKWARD = [
    "",
    None,
    "a,b",
    'say "hi"',
    '"',
    "line 1\nline 2",
    "crlf\r\nend",
    "\r",
    "back\\slash",
    "\\",
    "\\.",
    "before\n\\.\nafter",
    "\\N",
    "NULL",
    "tab\there",
    " padded ",
    "旗舰店，满100减10",
    "'single'",
]


def published_orders() -> pa.Table:
    count = len(AWKWARD)
    moments = [dt.datetime(2026, 11, 30, 23, 59, 59, 999_999), None, dt.datetime(1999, 1, 1)]
    amounts = [Decimal("12.50"), None, Decimal("-0.01"), Decimal("9999999999999999.99")]
    columns: dict[str, Any] = {}
    for name, kind in dataset_columns(DATASETS["orders"]):
        if kind == "VARCHAR":
            columns[name] = pa.array(AWKWARD, pa.string())
        elif kind == "TIMESTAMP":
            columns[name] = pa.array([moments[i % 3] for i in range(count)], pa.timestamp("us"))
        elif kind == "DECIMAL(18,2)":
            columns[name] = pa.array([amounts[i % 4] for i in range(count)], pa.decimal128(18, 2))
        else:
            assert kind == "BIGINT", kind
            columns[name] = pa.array(
                [[2**63 - 1, None, -(2**63), 0][i % 4] for i in range(count)], pa.int64()
            )
    return pa.table(columns)


def shown(value: Any) -> Any:
    """Decimals as printed (12.5 and 12.50 are different answers)."""
    return format(value, "f") if isinstance(value, Decimal) else value


def test_publish_copies_awkward_rows_exactly(postgres_url: str) -> None:
    table = published_orders()
    names = [name for name, _ in dataset_columns(DATASETS["orders"])]
    engine = PostgresEngine(postgres_url)
    try:
        engine.publish([(DATASETS["orders"], table)])
        listed = ", ".join(f'"{name}"' for name in names)
        got = engine.rows(f"SELECT {listed} FROM orders ORDER BY ctid")
    finally:
        engine.close()
    expected = [tuple(row[name] for name in names) for row in table.to_pylist()]
    assert [tuple(map(shown, row)) for row in got] == [tuple(map(shown, row)) for row in expected]
    assert got[0][0] == "" and got[1][0] is None  # the empty text is not NULL


def test_a_session_table_keeps_dates_and_decimals_at_their_scale(postgres_url: str) -> None:
    table = pa.table(
        {
            "day": pa.array([dt.date(2026, 2, 28), None, dt.date(1, 1, 1)], pa.date32()),
            "rate": pa.array([Decimal("0.000001"), Decimal("-123456.100000"), None], pa.decimal128(12, 6)),
            "note": pa.array(["中文\n第二行", None, ""], pa.string()),
        }
    )
    engine = PostgresEngine(postgres_url)
    try:
        engine.put("awkward", table)
        got = engine.rows("SELECT day, rate, note FROM awkward ORDER BY ctid")
    finally:
        engine.close()
    assert [tuple(map(shown, row)) for row in got] == [
        (dt.date(2026, 2, 28), "0.000001", "中文\n第二行"),
        (None, "-123456.100000", None),
        (dt.date(1, 1, 1), None, ""),
    ]
