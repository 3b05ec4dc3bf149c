"""Exclusion calendars: an excluded day leaves every metric as if the day were absent, excluded hours
leave out the rows of those hours, and the drill-down names the calendar and the reason."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from metric_tables import connection_with, employees, organisation_of, owns
from test_metric_catalogue_values import ROWS

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics.calendars import Calendar
from shopkpi.data.metrics.catalogue import (
    MetricCatalogue,
    MetricCatalogueError,
    load_catalogue,
    with_calendars,
)
from shopkpi.data.metrics.computation import compute_metrics
from shopkpi.data.metrics.rows import RowDrill

D = Decimal
PROMOTION_DAY = "2026-10-02"


def _calendar(metrics: list[str], **entry: str) -> Calendar:
    return Calendar.model_validate(
        {
            "label_zh": "大促",
            "label": "Promotions",
            "owner": "platform",
            "metrics": metrics,
            "entries": [entry],
        }
    )


def _without_day(rows: dict[str, list[dict[str, object]]], day: str) -> dict[str, list[dict[str, object]]]:
    """The rows with every row dated `day` (the day attribution reads) removed."""
    kept: dict[str, list[dict[str, object]]] = {}
    for name, found in rows.items():
        column = DATASETS[name].date_column
        kept[name] = [r for r in found if column is None or not str(r.get(column) or "").startswith(day)]
    return kept


def test_an_excluded_promotion_day_leaves_every_metric_as_if_the_day_were_absent() -> None:
    shipped = load_catalogue()
    bases = [name for name, metric in shipped.metrics.items() if metric.sources]
    excluding = with_calendars(
        shipped, {"promotions": _calendar(bases, **{"from": PROMOTION_DAY, "reason": "双11"})}
    )
    organisation = organisation_of(ROWS)
    with_day = compute_metrics(connection_with(ROWS), "2026-10", excluding, organisation=organisation)
    absent = _without_day(ROWS, PROMOTION_DAY)
    without_day = compute_metrics(connection_with(absent), "2026-10", shipped, organisation=organisation)
    assert sum(len(v) for v in ROWS.values()) > sum(len(v) for v in absent.values())  # the day had rows
    for employee, values in without_day.employees.items():
        assert with_day.employees[employee].plain() == values.plain(), employee
    # by hand: E1's S1 rows of 1 and 2 October (uv 10 and 90) and S2's of the 3rd (uv 20): 30 without the 2nd
    assert with_day.employees["E1"].value("uv") == D(30)


ORDERS = {
    "employees": employees("E1"),
    "accounts": [owns("E1", "shop", "S1")],
    "orders": [
        {
            "order_id": f"o{i}",
            "shop": "S1",
            "buyer": f"b{i}",
            "created_at": at,
            "status": "paid",
            "amount": "10.00",
        }
        for i, at in enumerate(
            ["2026-10-05 07:59:00", "2026-10-05 08:00:00", "2026-10-05 22:59:59", "2026-10-05 23:00:00"]
        )
    ],
}


def test_excluded_hours_leave_out_the_rows_of_those_hours_and_the_rows_say_why() -> None:
    calendar = _calendar(["gmv"], **{"from": "2026-10-01", "hours": "23:00-08:00", "reason": "非服务时段"})
    catalogue = with_calendars(load_catalogue(), {"service_hours": calendar})
    values = compute_metrics(
        connection_with(ORDERS), "2026-10", catalogue, organisation=organisation_of(ORDERS)
    )
    # 07:59 and 23:00 are outside 08:00-23:00: two orders of ¥10.00 count
    assert values.employees["E1"].value("gmv") == D("20.00")
    assert values.employees["E1"].value("orders") == D(4)  # the calendar names gmv only
    drill = RowDrill(
        connection_with(ORDERS),
        catalogue,
        "gmv",
        "2026-10",
        organisation=organisation_of(ORDERS),
        employee="E1",
    )
    rows = {r.values["order_id"]: r for r in drill.rows()}
    assert [rows[o].excluded for o in ("o0", "o1", "o2", "o3")] == ["calendar", None, None, "calendar"]
    assert rows["o0"].calendar is not None and rows["o0"].calendar.reason == "非服务时段"
    assert drill.value() == D("20.00")


def test_calendars_from_the_home_and_their_mistakes(tmp_path: Path) -> None:
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "company.yaml").write_text(
        "calendars:\n  stocktaking:\n    label_zh: 盘点停业\n    label: Stock-taking\n    owner: company\n"
        "    metrics: [uv]\n    entries:\n      - {from: 2026-10-02, to: 2026-10-03, reason: 仓库盘点}\n",
        encoding="utf-8",
    )
    catalogue: MetricCatalogue = load_catalogue(tmp_path)
    assert [s.reason for s in catalogue.metrics["uv"].sources[1].excluded] == ["仓库盘点"]
    (tmp_path / "calendars" / "bad.yaml").write_text(
        "calendars:\n  night:\n    label_zh: 夜间\n    label: Night\n    owner: platform\n"
        "    metrics: [cs_inquiries, conversion_rate]\n    entries:\n      - {from: 2026-10-01, hours: '23:00-08:00', reason: 夜间}\n",
        encoding="utf-8",
    )
    with pytest.raises(MetricCatalogueError) as refused:
        load_catalogue(tmp_path)
    text = str(refused.value)
    assert "hours need rows with a time; cs_daily has dates only" in text  # a daily report
    assert "conversion_rate" in text and "base metrics" in text  # a ratio: name its base metrics


def test_a_user_metric_names_its_calendar_and_the_explanation_lists_what_was_left_out(tmp_path: Path) -> None:
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "jd.yaml").write_text(
        "calendars:\n  spring_festival:\n    label_zh: 春节\n    label: Spring Festival\n    owner: platform\n"
        "    entries:\n      - {from: 2026-02-16, to: 2026-02-22, reason: 京东春节不考核}\n",
        encoding="utf-8",
    )
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "cs.yaml").write_text(
        "metrics:\n  jd_received:\n    type: aggregate\n    label_zh: 京东接待量\n    label: JD received\n"
        "    definition: x\n    definition_zh: x\n    dataset: cs_daily\n    expression: sum(received)\n"
        "    exclude: [spring_festival]\n",
        encoding="utf-8",
    )
    catalogue = load_catalogue(tmp_path)
    assert [(s.label_zh, s.reason) for s in catalogue.exclusions("jd_received")] == [
        ("春节", "京东春节不考核")
    ]
    assert catalogue.exclusions("gmv") == ()
