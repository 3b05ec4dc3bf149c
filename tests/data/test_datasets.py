"""The registry against the normative spec's table (parsed from ../shared/spec/shop-data.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shopkpi.data.datasets import COLUMN_TYPES, DATASETS, DUCKDB_TYPES, dataset

SPEC = Path(__file__).resolve().parents[2] / ".." / "shared" / "spec" / "shop-data.md"


def spec_table() -> dict[str, tuple[set[str], set[str]]]:
    """dataset -> (all columns, required columns) as the spec's table writes them."""
    tables: dict[str, tuple[set[str], set[str]]] = {}
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `(\w+)` \| [^|]+ \| (.+) \|$", line)
        if not m:
            continue
        text = re.sub(r"\([^)]*\)", "", m.group(2))  # drop explanations in parentheses
        required = set(re.findall(r"\*\*(\w+)\*\*", text))
        names = {n for n in re.findall(r"\b([a-z_]+)\b", text.replace("*", "")) if n not in {"or"}}
        tables[m.group(1)] = (names, required)
    return tables


@pytest.mark.skipif(not SPEC.exists(), reason="shared spec not present")
def test_every_dataset_and_column_of_the_spec_is_registered() -> None:
    table = spec_table()
    assert set(table) == {
        "employees",
        "accounts",
        "targets",
        "inputs",
        "ratings",
        "shop_daily",
        "traffic_events",
        "orders",
        "cs_daily",
        "campaigns",
        "sns_posts",
        "tasks",
    }
    # shopkpi's own extensions: the positions workbook (岗位 → 考核表模板) of the organisation, and the
    # chat-level exports the shops' credit rules read (询单明细, 订单归属)
    assert set(DATASETS) - {"positions", "cs_chats", "order_credits"} == set(table)
    for name, (columns, required) in table.items():
        ds = DATASETS[name]
        assert columns <= set(ds.column_names), (name, columns - set(ds.column_names))
        assert set(ds.required_columns) == required, name


def test_columns_have_chinese_labels_and_known_types() -> None:
    for ds in DATASETS.values():
        assert re.search(r"[\u4e00-\u9fff]", ds.label_zh)
        for column in ds.columns:
            assert column.type in COLUMN_TYPES
            assert re.search(r"[\u4e00-\u9fff]", column.label_zh), (ds.name, column.name)
        for key in ds.key:
            ds.column(key)
        if ds.date_column:
            assert ds.column(ds.date_column).type in ("date", "timestamp")
        if ds.account_column:
            assert ds.column(ds.account_column).type == "text"


def test_duckdb_types_are_the_interface_ones() -> None:
    assert DUCKDB_TYPES["rate"] == "DECIMAL(12,6)"
    assert DATASETS["cs_daily"].column("paid_amount").duckdb_type == "DECIMAL(18,2)"
    assert DATASETS["cs_daily"].column("avg_response_seconds").duckdb_type == "DECIMAL(14,3)"


def test_unknown_dataset_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="shop_daily"):
        dataset("shopdaily")
