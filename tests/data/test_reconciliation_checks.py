"""Reconciliation checks: both figures per shop, the tolerance, keys on one side only, and a
company's own checks refused with what is wrong."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from metric_tables import connection_with

from shopkpi.data.warehouse.reconciliation import CheckError, differences, load_checks
from shopkpi.scorecard.periods import Period

ROWS = {
    "shop_daily": [
        {"shop": "S1", "date": "2026-10-01", "orders": 50, "gmv": "1000.00", "uv": 10},
        {"shop": "S2", "date": "2026-10-01", "orders": 100, "gmv": "500.00", "uv": 10},
        {"shop": "S3", "date": "2026-10-01", "orders": 7},
    ],
    "orders": [  # S1: 51 counted (2% of 50 is 1: agrees); S2: 97 counted and a cancelled one (3 off: differs)
        *(
            {
                "order_id": f"a{i}",
                "shop": "S1",
                "buyer": "b",
                "created_at": "2026-10-01 10:00:00",
                "status": "paid",
            }
            for i in range(51)
        ),
        *(
            {
                "order_id": f"b{i}",
                "shop": "S2",
                "buyer": "b",
                "created_at": "2026-10-01 10:00:00",
                "status": "paid",
            }
            for i in range(97)
        ),
        {
            "order_id": "c",
            "shop": "S2",
            "buyer": "b",
            "created_at": "2026-10-01 10:00:00",
            "status": "cancelled",
        },
    ],
    "cs_daily": [  # S1's agents sold 1004.99 of the shop's 1000.00: within 0.5% (5.00); S9 is no shop of the report
        {"agent": "S1:甲", "date": "2026-10-01", "paid_amount": "1004.99", "received": 10},
        {"agent": "S9:乙", "date": "2026-10-01", "paid_amount": "1.00", "received": 99},
    ],
}


def test_each_shop_whose_figures_differ_beyond_the_tolerance() -> None:
    found = differences(connection_with(ROWS), Period.parse("2026-10"), load_checks(None))
    assert [(d.check, d.key, d.left, d.right) for d in found] == [
        ("orders_match_shop_report", "S2", Decimal(97), Decimal(100))
    ]


def test_a_company_check_is_checked_like_a_metric(tmp_path: Path) -> None:
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "mine.yaml").write_text(
        "checks:\n  leak:\n    label_zh: 泄露\n    label: Leak\n"
        '    left: {dataset: shop_daily, key: shop, value: "sum(uv)"}\n'
        '    right: {dataset: shop_daily, key: "read_csv(\'/etc/passwd\')", value: "sum(pv)"}\n'
        '    compare: "="\n    tolerance: "-1"\n',
        encoding="utf-8",
    )
    with pytest.raises(CheckError) as refused:
        load_checks(tmp_path)
    text = str(refused.value)
    assert "mine.yaml" in text and "read_csv" in text and "tolerance '-1'" in text
