"""Targets and inputs hold rates, ratios and amounts exactly: `3.25%` arrives as 0.0325, never as 0.03,
and a value with more decimals than the warehouse holds is refused with its place, never rounded."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from export_builders import write_csv

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.importer import import_files
from shopkpi.data.metrics.entered_values import entered_values
from shopkpi.data.problems import ImportRefused
from shopkpi.data.warehouse.catalogue import Warehouse

HEADER = ["employee", "period", "name", "value"]


def imported(tmp_path: Path, dataset: str, rows: list[list[str]]) -> dict[str, Decimal | None]:
    path = write_csv(tmp_path / f"{dataset}.csv", [HEADER, *rows])
    import_files(tmp_path / "home", dataset, [path])
    connection = Warehouse(tmp_path / "home").connect(read_only=True)
    try:
        return {row.name: row.value for row in entered_values(connection, "2026-10")}
    finally:
        connection.close()


@pytest.mark.parametrize("dataset", ["targets", "inputs"])
def test_rates_ratios_and_amounts_arrive_exactly(tmp_path: Path, dataset: str) -> None:
    values = imported(
        tmp_path,
        dataset,
        [
            ["E1", "2026-10", "转化率目标", "3.25%"],  # 3.25 / 100
            ["E1", "2026-10", "点击率目标", "0.0325"],
            ["E1", "2026-10", "销售额目标", "1.5万"],  # 1.5 × 10,000
            ["E1", "2026-10", "采购量", "12,345.678"],
            ["E1", "2026-10", "ROI目标", "2.5"],
            ["E1", "2026-10", "跳出率目标", "41.2345678%"],  # 0.412345678: nine decimals
            ["E1", "2026-10", "精确比", "0.1234567891"],  # ten decimals: the most it holds
            ["E1", "2026-10", "件数", "3k"],
            ["E1", "2026-10", "成本", "¥2,000.50"],
            ["E1", "2026-10", "增长", "-5%"],
        ],
    )
    assert values == {
        "转化率目标": Decimal("0.0325"),
        "点击率目标": Decimal("0.0325"),
        "销售额目标": Decimal("15000"),
        "采购量": Decimal("12345.678"),
        "ROI目标": Decimal("2.5"),
        "跳出率目标": Decimal("0.412345678"),
        "精确比": Decimal("0.1234567891"),
        "件数": Decimal("3000"),
        "成本": Decimal("2000.5"),
        "增长": Decimal("-0.05"),
    }
    # the values are the exact decimals, written the plain way (no trailing zeros of the storage scale)
    assert str(values["转化率目标"]) == "0.0325" and str(values["销售额目标"]) == "15000"


@pytest.mark.parametrize("dataset", ["targets", "inputs"])
def test_more_decimals_than_held_are_refused_with_their_place(tmp_path: Path, dataset: str) -> None:
    path = write_csv(
        tmp_path / "f.csv",
        [
            HEADER,
            ["E1", "2026-10", "ok", "0.0325"],
            ["E1", "2026-10", "a", "0.12345678901"],  # eleven decimals
            ["E1", "2026-10", "b", "3.123456789%"],  # 0.03123456789: eleven decimals
            ["E1", "2026-10", "c", "0.10000000000000"],  # trailing zeros are not decimals: 0.1
            ["E1", "2026-10", "d", "1.5亿"],  # not a suffix of the template language
            ["E1", "2026-10", "e", "1" + "0" * 28],  # 29 digits: more than it holds
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", dataset, [path])
    got = [(p.file, p.row, p.column, p.reason) for p in refused.value.problems]
    assert got == [
        ("f.csv", 3, "value", "more than 10 decimals (the most this column holds): 0.12345678901"),
        ("f.csv", 4, "value", "more than 10 decimals (the most this column holds): 3.123456789%"),
        ("f.csv", 6, "value", "not a number: 1.5亿"),
        ("f.csv", 7, "value", "number too large: " + "1" + "0" * 28),
    ]
    assert not (tmp_path / "home" / "warehouse").exists()  # nothing was imported


def test_the_values_are_stored_with_ten_decimals() -> None:
    for name in ("targets", "inputs"):
        assert DATASETS[name].column("value").duckdb_type == "DECIMAL(38,10)"
