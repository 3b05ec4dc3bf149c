"""Loading metric definitions: the shipped catalogue, user YAML in <home>/metrics/, and every problem at once."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from metric_tables import connection_with, employees, organisation_of, owns

from shopkpi.data.metrics.catalogue import (
    SHIPPED,
    MetricCatalogueError,
    catalogue_from_texts,
    load_catalogue,
    shipped_json_text,
)
from shopkpi.data.metrics.compiler import compile_period
from shopkpi.data.metrics.computation import MetricValueError, compute_metrics
from shopkpi.scorecard.periods import Period

LABELS = "label_zh: 测试\n    label: Test\n    definition: test\n    definition_zh: 测试"


def user_file(body: str) -> str:
    return "metrics:\n" + body.replace("LABELS", LABELS)


def test_the_shipped_catalogue_loads_with_chinese_labels_and_definitions() -> None:
    catalogue = load_catalogue()
    for name, metric in catalogue.metrics.items():
        assert re.search(r"[\u4e00-\u9fff]", metric.definition.label_zh), name
        assert re.search(r"[\u4e00-\u9fff]", metric.definition.definition_zh), name
        assert metric.definition.definition, name


def test_user_metrics_in_home_are_added_and_computed(tmp_path: Path) -> None:
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "ours.yaml").write_text(
        user_file(
            """
  paid_gmv_by_query:
    type: query
    by: shop
    LABELS
    sql: >-
      SELECT o.shop AS account, CAST(o.created_at AS DATE) AS date, sum(o.amount) AS value, o._batch AS batch
      FROM orders o JOIN shop_daily s ON s.shop = o.shop AND s.date = CAST(o.created_at AS DATE)
      WHERE o.status = 'paid' GROUP BY ALL
  conversion_change:
    type: derived
    LABELS
    expression: conversion_rate - prev(conversion_rate)
  big_days:
    type: aggregate
    LABELS
    dataset: shop_daily
    expression: count(*)
    filter: uv >= 100
"""
        ),
        encoding="utf-8",
    )
    catalogue = load_catalogue(tmp_path)
    rows: dict[str, Any] = {
        "employees": employees("E1"),
        "accounts": [owns("E1", "shop", "S1")],
        "shop_daily": [
            {"shop": "S1", "date": "2026-09-03", "uv": 100, "buyers": 2},
            {"shop": "S1", "date": "2026-10-03", "uv": 200, "buyers": 10},
            {"shop": "S1", "date": "2026-10-04", "uv": 50, "buyers": 0},
        ],
        "orders": [
            {
                "order_id": "1",
                "shop": "S1",
                "buyer": "b",
                "created_at": "2026-10-03 10:00:00",
                "status": "paid",
                "amount": "12.50",
                "_batch": "orders-7",
            },
            {
                "order_id": "2",
                "shop": "S1",
                "buyer": "b",
                "created_at": "2026-10-03 11:00:00",
                "status": "paid",
                "amount": "7.50",
                "_batch": "orders-7",
            },
            {
                "order_id": "3",
                "shop": "S1",
                "buyer": "b",
                "created_at": "2026-10-05 11:00:00",
                "status": "paid",
                "amount": "99.00",
                "_batch": "orders-7",
            },  # no shop_daily row that day: not joined
        ],
    }
    con = connection_with(rows)
    names = ["paid_gmv_by_query", "conversion_change", "big_days"]
    result = compute_metrics(
        con, "2026-10", catalogue, organisation=organisation_of(rows), names=names
    ).employees["E1"]
    assert result.value("paid_gmv_by_query") == Decimal("20.00")
    assert result.values["paid_gmv_by_query"].provenance[0].batches == ("orders-7",)
    # buyers add shop_daily and the distinct buyers of counted orders (b): October (10 + 1) / 250 = 0.044,
    # September 2 / 100 = 0.02
    assert result.value("conversion_change") == Decimal("0.024000")
    assert result.value("big_days") == 1  # only 10-03 has uv >= 100


def test_shipped_metrics_cannot_be_redefined(tmp_path: Path) -> None:
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "x.yaml").write_text(
        user_file(
            "  uv:\n    type: aggregate\n    LABELS\n    dataset: shop_daily\n    expression: sum(pv)\n"
        )
    )
    with pytest.raises(MetricCatalogueError) as refused:
        load_catalogue(tmp_path)
    assert [(p.metric, p.reason) for p in refused.value.problems] == [
        ("uv", "is a fixed shipped metric and cannot be redefined")
    ]


def test_every_problem_is_reported_at_once() -> None:
    text = user_file(
        """
  a:
    type: derived
    LABELS
    expression: b + 1
  b:
    type: derived
    LABELS
    expression: a * 2
  c:
    type: derived
    LABELS
    expression: nothing / 2
  d:
    type: aggregate
    LABELS
    dataset: payroll
    expression: sum(salary)
  e:
    type: aggregate
    LABELS
    dataset: shop_daily
    expression: sum(pv)
    by: region
  f:
    type: derived
    LABELS
    expression: prev(g)
  g:
    type: derived
    LABELS
    expression: prev(e)
  h:
    type: aggregate
    label_zh: 缺
    dataset: shop_daily
    expression: sum(pv)
  Bad-Name:
    type: derived
    LABELS
    expression: "1"
"""
    )
    with pytest.raises(MetricCatalogueError) as refused:
        catalogue_from_texts([("shipped.yaml", "metrics: {}"), ("user.yaml", text)])
    reasons: dict[str, str] = {}
    for problem in refused.value.problems:
        reasons[problem.metric] = reasons.get(problem.metric, "") + problem.reason + "\n"
    assert "cycle" in reasons["a"] or "cycle" in reasons["b"]
    assert "unknown metric 'nothing'" in reasons["c"]
    assert "unknown dataset 'payroll'" in reasons["d"]
    assert "no account column for kind 'region'" in reasons["e"]
    assert "prev() cannot be nested" in reasons["f"]
    assert "metrics.h.aggregate.label: Field required" in reasons["h"]
    assert "must be lower_snake_case" in reasons["Bad-Name"]
    assert all(p.file == "user.yaml" for p in refused.value.problems)


def test_missing_labels_are_reported_with_their_location() -> None:
    text = "metrics:\n  x:\n    type: aggregate\n    dataset: shop_daily\n    expression: sum(pv)\n"
    with pytest.raises(MetricCatalogueError) as refused:
        catalogue_from_texts([("shipped.yaml", "metrics: {}"), ("user.yaml", text)])
    assert {p.reason.split(":")[0] for p in refused.value.problems} >= {
        "metrics.x.aggregate.label_zh",
        "metrics.x.aggregate.definition_zh",
    }


def test_an_expression_that_gives_no_number_is_refused() -> None:
    text = "metrics:\n  last_user:\n    type: aggregate\n    " + LABELS + "\n    dataset: traffic_events\n"
    text += "    expression: max(user)\n"
    with pytest.raises(MetricCatalogueError, match=r"last_user: .*value must be a number, not TEXT"):
        catalogue_from_texts([("shipped.yaml", text)])


def test_a_value_whose_type_is_only_known_when_it_runs_must_still_be_a_number() -> None:
    text = "metrics:\n  last_item:\n    type: aggregate\n    " + LABELS + "\n    dataset: traffic_events\n"
    text += "    expression: arg_max(item, ts)\n"
    catalogue = catalogue_from_texts([("shipped.yaml", text)])
    rows: dict[str, Any] = {
        "accounts": [owns("E1", "shop", "S1")],
        "traffic_events": [
            {"user": "u1", "ts": "2026-10-01 10:00:00", "behavior": "pv", "shop": "S1", "item": "i"}
        ],
    }
    con = connection_with(rows)
    with pytest.raises(MetricValueError, match="metrics for 2026-10 could not be computed"):
        compute_metrics(con, "2026-10", catalogue, organisation=organisation_of(rows))


def test_an_aggregate_gives_one_source_or_a_sources_list_not_both() -> None:
    both = (
        "metrics:\n  x:\n    type: aggregate\n    "
        + LABELS
        + "\n    dataset: shop_daily\n    expression: sum(pv)\n"
        "    sources: [{dataset: shop_daily, expression: sum(uv)}]\n"
    )
    neither = "metrics:\n  x:\n    type: aggregate\n    " + LABELS + "\n    dataset: shop_daily\n"
    for text, reason in ((both, "not both"), (neither, "give dataset and expression")):
        with pytest.raises(MetricCatalogueError, match=reason):
            catalogue_from_texts([("shipped.yaml", text)])


def test_the_shipped_json_is_the_shipped_yaml() -> None:
    committed = (
        Path(__file__).resolve().parents[2] / "src" / "shopkpi" / "data" / "metrics" / "catalogue.json"
    )
    assert committed.read_text(encoding="utf-8") == shipped_json_text(), (
        "regenerate: python -m shopkpi.data.metrics.catalogue > src/shopkpi/data/metrics/catalogue.json"
    )


def test_the_shipped_catalogue_passes_every_check_and_compiles_as_when_trusted() -> None:
    texts = [(SHIPPED, shipped_json_text())]
    checked = catalogue_from_texts(texts, check_shipped=True)  # what run time skips for shipped SQL
    trusted = catalogue_from_texts(texts)
    assert checked is not trusted
    for period in ("2026-10", "2026-Q4"):
        assert (
            compile_period(checked, checked.public, Period.parse(period)).sql
            == compile_period(trusted, trusted.public, Period.parse(period)).sql
        )
