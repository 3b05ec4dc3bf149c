"""The rows behind a value (`RowDrill`): each row's part, why a row takes none, who it was credited to,
and the parts adding up to the value the metric step computes, for every shipped metric."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from metric_tables import connection_with, employees, organisation_of, owns
from test_metric_catalogue_values import ROWS as CATALOGUE_ROWS

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.importer import import_files
from shopkpi.data.imports.sheet_rows import read_sheets
from shopkpi.data.metrics.catalogue import MetricCatalogue, load_catalogue
from shopkpi.data.metrics.computation import compute_metrics
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot
from shopkpi.data.metrics.rows import RowDrill, entered_rows
from shopkpi.data.warehouse.catalogue import Warehouse
from shopkpi.scorecard.periods import Period
from shopkpi.synth import generate

D = Decimal


def _order(row: int, order_id: str, buyer: str, created: str, status: str, amount: str) -> dict[str, object]:
    return {
        "order_id": order_id,
        "shop": "S1",
        "buyer": buyer,
        "created_at": created,
        "status": status,
        "amount": amount,
        "_batch": "orders-b1",
        "_row": row,
    }


# shop S1 is E1's until 15 October and E2's from the 16th
ROWS: dict[str, list[dict[str, object]]] = {
    "employees": employees("E1", "E2"),
    "accounts": [owns("E1", "shop", "S1", None, "2026-10-15"), owns("E2", "shop", "S1", "2026-10-16")],
    "orders": [
        _order(2, "o1", "b1", "2026-10-03 10:00:00", "paid", "100.00"),
        _order(3, "o2", "b1", "2026-10-05 11:00:00", "delivered", "50.50"),
        _order(4, "o3", "b2", "2026-10-07 12:00:00", "cancelled", "80.00"),
        _order(5, "o4", "b3", "2026-10-20 09:00:00", "shipped", "30.00"),
        _order(6, "o5", "b4", "2026-11-01 09:00:00", "paid", "10.00"),
    ],
}


@pytest.fixture(scope="module")
def catalogue() -> MetricCatalogue:
    return load_catalogue()


def drill(metric: str, employee: str, catalogue: MetricCatalogue) -> RowDrill:
    con = connection_with(ROWS)
    con.execute("CREATE TABLE batches AS SELECT 'orders-b1' AS id, '订单导出.csv' AS file_name")
    return RowDrill(con, catalogue, metric, "2026-10", organisation=organisation_of(ROWS), employee=employee)


def test_each_row_with_its_part_or_the_reason_it_takes_none(catalogue: MetricCatalogue) -> None:
    rows = list(drill("gmv", "E1", catalogue).rows())
    # E1's October orders on S1 up to the 15th: o1, o2 counted, o3 cancelled (not a counted order)
    assert [(r.source.row, r.values["order_id"], r.counted, r.excluded) for r in rows] == [
        (2, "o1", D("100.00"), None),
        (3, "o2", D("50.50"), None),
        (4, "o3", None, "filter"),
    ]
    assert rows[0].source.file == "订单导出.csv" and rows[0].source.batch == "orders-b1"
    assert set(rows[0].values) == {"order_id", "shop", "created_at", "status", "amount"}
    credit = rows[0].credited_by
    assert (credit.rule, credit.employee, credit.account, credit.valid_from, credit.valid_to) == (
        "owner",
        "E1",
        "S1",
        None,
        date(2026, 10, 15),
    )
    assert drill("gmv", "E1", catalogue).value() == D("150.50")  # 100.00 + 50.50


def test_a_distinct_count_counts_a_buyer_once_and_says_so_for_the_repeat(catalogue: MetricCatalogue) -> None:
    rows = list(drill("buyers", "E1", catalogue).rows())
    assert [(r.values["buyer"], r.counted, r.excluded) for r in rows] == [
        ("b1", 1, None),
        ("b1", None, "repeat"),  # o2: b1 again
        ("b2", None, "filter"),
    ]


def test_the_new_owner_gets_the_days_after_the_hand_over(catalogue: MetricCatalogue) -> None:
    rows = list(drill("gmv", "E2", catalogue).rows())
    assert [(r.values["order_id"], r.counted) for r in rows] == [("o4", D("30.00"))]  # o5 is November's
    assert rows[0].credited_by.valid_from == date(2026, 10, 16)


def test_a_ratio_drills_into_its_base_metrics(catalogue: MetricCatalogue) -> None:
    aov = drill("aov", "E1", catalogue)
    assert [name for name, _ in aov.bases] == ["buyers", "gmv"]
    assert {r.metric for r in aov.rows()} == {"buyers", "gmv"}
    assert aov.value() == D("150.50")  # gmv 150.50 / 1 buyer
    assert aov.count() == 6 and [r.values["order_id"] for r in aov.rows(limit=2, offset=2)] == ["o3", "o1"]


def _check_every_metric(
    con: object, catalogue: MetricCatalogue, organisation: OrganisationSnapshot, period: str
) -> int:
    """For every metric and employee: the drill's value equals the metric step's, and the parts of a
    base metric's rows add up to it. Returns how many values were compared."""
    results = compute_metrics(
        con, period, catalogue, organisation=organisation, names=list(catalogue.metrics)
    )  # type: ignore[arg-type]
    compared = 0
    for name, metric in catalogue.metrics.items():
        rows = RowDrill(con, catalogue, name, period, organisation=organisation)  # type: ignore[arg-type]
        parts: dict[str, Decimal] = {}
        if metric.is_base:
            for row in rows.rows():
                if row.counted is not None:
                    parts[row.employee] = parts.get(row.employee, D(0)) + row.counted
        for employee, values in results.employees.items():
            value = values.value(name)
            assert rows.value(employee) == value, (name, employee)
            if metric.is_base and value is not None and metric.decimals is None:
                assert parts.get(employee, D(0)) == value, (name, employee)
            compared += value is not None
    return compared


def test_every_shipped_metric_adds_up_on_the_hand_made_company(catalogue: MetricCatalogue) -> None:
    con = connection_with(CATALOGUE_ROWS)
    assert _check_every_metric(con, catalogue, organisation_of(CATALOGUE_ROWS), "2026-10") > 80


def test_every_shipped_metric_adds_up_on_the_synthetic_company(
    tmp_path: Path, catalogue: MetricCatalogue
) -> None:
    synth = generate(tmp_path, 12, 2, 7, events_per_day=200)
    sheets = {}
    for entry in synth.files:
        path = synth.home / entry.path
        if DATASETS[entry.dataset].organisation:
            [sheets[entry.dataset]] = read_sheets(synth.home, entry.dataset, [path], timezone="Asia/Shanghai")
        else:
            import_files(synth.home, entry.dataset, [path])
    organisation = OrganisationSnapshot.of(
        (cells for _, cells in sheets["employees"].rows), (cells for _, cells in sheets["accounts"].rows)
    )
    con = Warehouse(synth.home).connect()
    compared = sum(_check_every_metric(con, catalogue, organisation, p) for p in ("2026-05", "2026-06"))
    assert compared > 200
    # imported rows name their file and their row in it
    rows = list(RowDrill(con, catalogue, "cs_inquiries", "2026-06", organisation=organisation).rows())
    assert rows and all(r.source.file and r.source.row and r.source.row > 1 for r in rows)


def test_an_entered_value_is_its_row_and_an_input_replaces_a_target_of_the_same_name() -> None:
    rows = {
        "targets": [{"employee": "E1", "period": "2026-10", "name": "gmv", "value": "500", "_row": 4}],
        "inputs": [
            {"employee": "E1", "period": "2026-10", "name": "gmv", "value": "612.5", "_row": 7},
            {"employee": "E2", "period": "2026-10", "name": "gmv", "value": "1", "_row": 8},
        ],
    }
    found = entered_rows(connection_with(rows), Period.parse("2026-10"), "E1", "gmv")
    assert [(r.dataset, r.source.row, r.counted, r.excluded) for r in found] == [
        ("targets", 4, None, "replaced"),
        ("inputs", 7, D("612.5"), None),
    ]
    assert found[1].credited_by.rule == "entered" and found[1].credited_by.employee == "E1"
