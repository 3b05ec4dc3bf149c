"""Every kind of problem is reported with its file, row, column and reason, all in one pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_builders import write_csv

from shopkpi.data.imports.importer import import_files
from shopkpi.data.problems import PROBLEM_CAP, ImportProblem, ImportRefused


def problems(
    tmp_path: Path, dataset: str, rows: list[list[object]], **options: object
) -> list[tuple[object, ...]]:
    path = write_csv(tmp_path / "f.csv", rows)  # type: ignore[arg-type]
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", dataset, [path], **options)  # type: ignore[arg-type]
    assert not (tmp_path / "home" / "warehouse").exists()
    return [(p.row, p.column, p.reason) for p in refused.value.problems]


def test_missing_required_column(tmp_path: Path) -> None:
    [(row, column, reason)] = problems(
        tmp_path, "orders", [["order_id", "shop", "created_at"], ["1", "A", "2026-10-01"]]
    )
    assert (row, column) == (None, None)
    assert str(reason).startswith(
        "no import profile fits this file; closest: canonical (标准格式（订单）) misses buyer"
    )


def test_required_value_missing_and_unknown_status(tmp_path: Path) -> None:
    got = problems(
        tmp_path,
        "orders",
        [
            ["order_id", "shop", "buyer", "created_at", "status"],
            ["1", "A", "", "2026-10-01 10:00", "交易成功"],
            ["2", "A", "b", "2026-10-01 10:00", "发货中"],
            ["3", "A", "c", "2026-10-01 10:00", "PAID"],
        ],
    )
    assert got == [
        (2, "buyer", "required value missing"),
        (
            3,
            "status",
            "unknown value 发货中 (expected created, paid, shipped, delivered, cancelled, refunded)",
        ),
    ]


def test_duplicate_keys_including_an_empty_optional_key_column(tmp_path: Path) -> None:
    got = problems(
        tmp_path,
        "shop_daily",
        [
            ["shop", "date", "item", "uv"],
            ["A", "2026-10-01", "", "1"],
            ["A", "2026/10/1", "-", "2"],  # the same day, also without item
            ["A", "2026-10-01", "x1", "3"],
            ["A", "20261001", "x1", "4"],
        ],
    )
    assert got == [
        (3, None, "duplicate key shop=A, date=2026-10-01, item=(empty) (first on row 2)"),
        (5, None, "duplicate key shop=A, date=2026-10-01, item=x1 (first on row 4)"),
    ]


def test_period_columns_and_ratings(tmp_path: Path) -> None:
    got = problems(
        tmp_path,
        "ratings",
        [
            ["employee", "period", "item", "rating", "rater"],
            ["E1", "2026-10", "态度", "90", "上级"],
            ["E1", "2026年9月", "态度", "A", "自评"],
            ["E2", "10/2026", "态度", "120", "boss"],
        ],
        period="2026-10",
    )
    assert (
        got
        == [  # 2026年9月 is a period, outside the stated one: a warning, not a problem (test_import_warnings)
            (4, "period", "not a period (write 2026-10): 10/2026"),
            (4, "rater", "unknown value boss (expected supervisor, self)"),
            (4, "rating", "rating outside 0–100: 120"),
        ]
    )


def test_a_range_row_must_not_end_before_it_starts(tmp_path: Path) -> None:
    got = problems(tmp_path, "cs_daily", [["agent", "date_from", "date"], ["a", "2026-10-31", "2026-10-01"]])
    assert got == [(2, None, "date_from 2026-10-31 is after date 2026-10-01")]


def test_a_row_wider_than_its_header(tmp_path: Path) -> None:
    got = problems(tmp_path, "sns_posts", [["account", "date"], ["a", "2026-10-01", "surprise"]])
    assert got == [(2, None, "the row has 3 cells, the header 2")]


def test_a_header_only_file_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path, "sns_posts", [["account", "date"]]) == [
        (None, None, "the file has no data rows")
    ]


def test_problems_stop_at_the_cap_and_say_so(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        [["account", "date", "fans"]] + [["a", f"2026-10-{1 + i % 28:02d}", "-1"] for i in range(300)],
    )
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "sns_posts", [path])
    assert len(refused.value.problems) == PROBLEM_CAP
    assert refused.value.truncated
    assert refused.value.report().startswith(
        f"import refused: {PROBLEM_CAP} problem(s) (only the first {PROBLEM_CAP} are listed)"
    )
    assert refused.value.problems[0] == ImportProblem("f.csv", 2, "fans", "negative count: -1")


def test_negative_money_is_refused_in_every_money_column(tmp_path: Path) -> None:
    # no dataset writes refunds as negative amounts (refunds have their own columns), so a negative
    # 花费, 成交金额 or 订单金额 is a wrong cell, not a refund
    got = problems(
        tmp_path,
        "campaigns",
        [
            ["campaign", "date", "cost", "gmv"],
            ["p1", "2026-10-01", "-12.50", "30"],
            ["p1", "2026-10-02", "5", "-1"],
        ],
    )
    assert got == [(2, "cost", "negative amount: -12.50"), (3, "gmv", "negative amount: -1")]
    got = problems(
        tmp_path,
        "orders",
        [["order_id", "shop", "buyer", "created_at", "amount"], ["o1", "A", "b", "2026-10-01 10:00", "-99"]],
    )
    assert got == [(2, "amount", "negative amount: -99")]


def test_a_value_with_more_decimals_than_its_column_keeps_is_refused_not_rounded(tmp_path: Path) -> None:
    got = problems(
        tmp_path,
        "cs_daily",
        [
            ["agent", "date", "paid_amount", "reply_rate", "avg_response_seconds", "received"],
            ["a", "2026-10-01", "12.345", "98.5%", "25.5", "3"],  # money keeps 2 decimals
            ["a", "2026-10-02", "12.34", "98.1234567%", "25.5", "3"],  # a rate 6 (as a fraction)
            ["a", "2026-10-03", "12.34", "98.5%", "25.1234", "3"],  # seconds 3
            ["a", "2026-10-04", "12.3400", "0.985", "25.500", "3.0"],  # trailing zeros lose nothing
        ],
    )
    assert got == [
        (2, "paid_amount", "more than 2 decimals (the most this column holds): 12.345"),
        (3, "reply_rate", "more than 6 decimals (the most this column holds): 98.1234567%"),
        (4, "avg_response_seconds", "more than 3 decimals (the most this column holds): 25.1234"),
    ]


def test_a_file_without_its_header_row_is_refused_at_row_1(tmp_path: Path) -> None:
    # a 直通车 report whose header row was cut off: its first row is data
    got = problems(
        tmp_path,
        "campaigns",
        [
            ["2026-10-01", "计划A", "旗舰店", "1000", "50", "120.50"],
            ["2026-10-02", "计划A", "旗舰店", "900", "40", "99"],
        ],
    )
    assert got == [
        (1, None, "row 1 is not a header: the first row must name the columns (e.g. 计划名称、日期)")
    ]
