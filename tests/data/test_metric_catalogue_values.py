"""Every shipped catalogue metric on small data built here, against hand arithmetic.

One company, October 2026, one employee per kind of data so each expectation reads on its own:

    E1 shop_daily (shops S1, S2)   E2 orders (shop S3)      E3 traffic_events (shops S4, S5)
    E4 cs_daily (agents A1, A2)    E5 campaigns (C1)        E6 sns_posts (N1)
    E7 tasks (assignee dx)         E8 shop_daily, all zero  E9 nothing at all
    E10 orders, all cancelled      E11 shop_daily S8 + traffic_events S9 (sources added)

The data is chosen so that a ratio of sums differs from the average of daily ratios, a weighted
average from the plain one, and a per-shop distinct count from a per-employee one.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from metric_tables import connection_with, employees, organisation_of, owns

from shopkpi.data.metrics.catalogue import load_catalogue
from shopkpi.data.metrics.computation import MetricResults, compute_metrics

D = Decimal

SPEC_METRICS = [
    "pv",
    "uv",
    "pages_per_visitor",
    "buyers",
    "conversion_rate",
    "gmv",
    "aov",
    "favorites",
    "carts",
    "avg_stay_seconds",
    "new_uv_ratio",
    "orders",
    "order_growth",
    "refund_rate",
    "return_rate",
    "bad_review_rate",
    "late_delivery_rate",
    "cs_inquiries",
    "cs_paid_buyers",
    "cs_conversion_rate",
    "cs_paid_amount",
    "cs_aov",
    "cs_reply_rate",
    "cs_first_response_seconds",
    "cs_avg_response_seconds",
    "campaign_cost",
    "campaign_gmv",
    "campaign_roi",
    "ctr",
    "cost_per_click",
    "sns_miss_rate",
    "sns_original_ratio",
    "sns_fan_loss_rate",
    "task_on_time_rate",
    "task_pass_rate",
    "task_errors",
]

COUNTED = ("paid", "shipped", "delivered", "refunded")


def _order(
    order_id: str, shop: str, buyer: str, created: str, status: str, amount: str, **more: object
) -> dict[str, object]:
    return {
        "order_id": order_id,
        "shop": shop,
        "buyer": buyer,
        "created_at": created,
        "status": status,
        "amount": amount,
        **more,
    }


def _event(user: str, ts: str, behavior: str, shop: str) -> dict[str, object]:
    return {"user": user, "ts": ts, "behavior": behavior, "shop": shop}


ROWS: dict[str, list[dict[str, object]]] = {
    "employees": employees(*(f"E{i}" for i in range(1, 12))),
    "accounts": [
        owns("E1", "shop", "S1"),
        owns("E1", "shop", "S2"),
        owns("E2", "shop", "S3"),
        owns("E3", "shop", "S4"),
        owns("E3", "shop", "S5"),
        owns("E4", "agent", "A1"),
        owns("E4", "agent", "A2"),
        owns("E5", "campaign", "C1"),
        owns("E6", "sns", "N1"),
        owns("E7", "assignee", "dx"),
        owns("E8", "shop", "S6"),
        owns("E10", "shop", "S7"),
        owns("E11", "shop", "S8"),
        owns("E11", "shop", "S9"),
    ],
    "shop_daily": [
        {"shop": "S1", "date": "2026-09-15", "orders": 5},
        {
            "shop": "S1",
            "date": "2026-10-01",
            "pv": 100,
            "uv": 10,
            "buyers": 1,
            "orders": 1,
            "gmv": "100.00",
            "favorites": 2,
            "carts": 3,
            "avg_stay_seconds": "30",
            "new_uv": 4,
            "refund_amount": "10.00",
        },
        {
            "shop": "S1",
            "date": "2026-10-02",
            "pv": 300,
            "uv": 90,
            "buyers": 3,
            "orders": 4,
            "gmv": "200.50",
            "favorites": 5,
            "carts": 6,
            "avg_stay_seconds": "60",
            "new_uv": 30,
            "refund_amount": "0",
        },
        {
            "shop": "S2",
            "date": "2026-10-03",
            "pv": 50,
            "uv": 20,
            "buyers": 2,
            "orders": 2,
            "gmv": "99.50",
            "carts": 1,
            "new_uv": 5,
        },
        {"shop": "S1", "date": "2026-11-01", "pv": 9999, "uv": 9999, "buyers": 9999},  # next month: left out
        {"shop": "S6", "date": "2026-10-05", "pv": 0, "uv": 0, "buyers": 0, "gmv": "0"},
        {"shop": "S8", "date": "2026-10-05", "pv": 1000, "uv": 100, "buyers": 5},
    ],
    "orders": [
        _order(
            "o1",
            "S3",
            "A",
            "2026-10-02 10:00:00",
            "delivered",
            "100.00",
            freight="10.00",
            delivered_at="2026-10-05 12:00:00",
            promised_at="2026-10-06 00:00:00",
            review_score=5,
            returned=0,
            refund_amount="0",
        ),
        _order(
            "o2",
            "S3",
            "A",
            "2026-10-03 11:00:00",
            "paid",
            "50.00",
            promised_at="2026-10-08 00:00:00",
            review_score=4,
        ),
        _order(
            "o3",
            "S3",
            "B",
            "2026-10-04 09:00:00",
            "refunded",
            "30.00",
            refund_amount="30.00",
            returned=1,
            delivered_at="2026-10-09 08:00:00",
            promised_at="2026-10-07 00:00:00",
            review_score=1,
        ),
        _order("o4", "S3", "C", "2026-10-05 09:00:00", "cancelled", "999.00", review_score=1),
        _order(
            "o5",
            "S3",
            "D",
            "2026-10-31 23:30:00",
            "shipped",
            "20.00",
            review_score=2,
            delivered_at="2026-11-02 10:00:00",
            promised_at="2026-11-02 09:00:00",
        ),
        _order("o6", "S3", "E", "2026-11-01 00:10:00", "paid", "70.00"),
        _order("o7", "S3", "F", "2026-09-20 08:00:00", "delivered", "10.00"),
        _order("o8", "S7", "G", "2026-10-10 08:00:00", "cancelled", "15.00"),
    ],
    "traffic_events": [
        _event("u1", "2026-10-01 09:00:00", "pv", "S4"),
        _event("u1", "2026-10-01 09:01:00", "pv", "S4"),
        _event("u1", "2026-10-01 09:02:00", "cart", "S4"),
        _event("u1", "2026-10-01 09:03:00", "buy", "S4"),
        _event("u2", "2026-10-02 10:00:00", "pv", "S4"),
        _event("u2", "2026-10-02 10:01:00", "fav", "S4"),
        _event("u3", "2026-10-03 10:00:00", "pv", "S4"),
        _event("u1", "2026-10-04 10:00:00", "pv", "S5"),
        _event("u1", "2026-10-04 10:05:00", "buy", "S5"),
        _event("u9", "2026-09-30 23:59:59", "buy", "S4"),  # September: left out
        _event("x1", "2026-10-07 10:00:00", "pv", "S9"),
        _event("x2", "2026-10-07 10:00:00", "buy", "S9"),
    ],
    "cs_daily": [
        {
            "agent": "A1",
            "date": "2026-10-01",
            "inquiries": 10,
            "paid_buyers": 3,
            "paid_amount": "300",
            "received": 20,
            "replied": 18,
            "first_response_seconds": "10",
            "avg_response_seconds": "30",
        },
        {
            "agent": "A1",
            "date": "2026-10-02",
            "inquiries": 30,
            "paid_buyers": 6,
            "paid_amount": "500",
            "received": 40,
            "replied": 40,
            "first_response_seconds": "20",
            "avg_response_seconds": "50",
        },
        {
            "agent": "A2",
            "date": "2026-10-01",
            "inquiries": 20,
            "paid_buyers": 2,
            "paid_amount": "100",
            "reply_rate": "0.9",
            "avg_response_seconds": "40",
        },
    ],
    "campaigns": [
        {
            "campaign": "C1",
            "date": "2026-10-01",
            "impressions": 1000,
            "clicks": 50,
            "cost": "100.00",
            "gmv": "400.00",
        },
        {
            "campaign": "C1",
            "date": "2026-10-02",
            "impressions": 3000,
            "clicks": 30,
            "cost": "60.00",
            "gmv": "0",
        },
    ],
    "sns_posts": [
        {"account": "N1", "date": "2026-09-30", "fans": 1000},
        {
            "account": "N1",
            "date": "2026-10-01",
            "planned_posts": 3,
            "posts": 2,
            "original_posts": 1,
            "fans": 1010,
        },
        {
            "account": "N1",
            "date": "2026-10-02",
            "planned_posts": 2,
            "posts": 3,
            "original_posts": 3,
            "fans": 990,
        },
        {"account": "N1", "date": "2026-10-03", "planned_posts": 2},
    ],
    "tasks": [
        {
            "task_id": "t1",
            "assignee": "dx",
            "kind": "design",
            "due_at": "2026-10-05 18:00:00",
            "delivered_at": "2026-10-04 12:00:00",
            "passed": 1,
            "errors": 0,
        },
        {
            "task_id": "t2",
            "assignee": "dx",
            "kind": "design",
            "due_at": "2026-10-10 18:00:00",
            "delivered_at": "2026-10-12 12:00:00",
            "passed": 0,
            "errors": 2,
        },
        {"task_id": "t3", "assignee": "dx", "kind": "design", "due_at": "2026-10-20 18:00:00"},
        {"task_id": "t4", "assignee": "dx", "kind": "design", "due_at": "2026-11-02 18:00:00", "errors": 7},
    ],
}


@pytest.fixture(scope="module")
def results() -> MetricResults:
    return compute_metrics(
        connection_with(ROWS), "2026-10", load_catalogue(), organisation=organisation_of(ROWS)
    )


def values(results: MetricResults, employee: str) -> dict[str, Decimal | None]:
    return results.employees[employee].plain()


def test_the_catalogue_reports_at_least_the_spec_list(results: MetricResults) -> None:
    assert set(SPEC_METRICS) <= set(results.metrics)


def test_shop_daily_sums_and_ratios_of_sums(results: MetricResults) -> None:
    v = values(results, "E1")
    # S1 10-01 + S1 10-02 + S2 10-03 (September and November rows left out)
    assert v["pv"] == 450 and v["uv"] == 120 and v["buyers"] == 6 and v["orders"] == 7
    assert v["gmv"] == D("400.00") and v["favorites"] == 7 and v["carts"] == 10
    assert v["pages_per_visitor"] == D("3.7500")  # 450 / 120
    # 6 / 120 = 0.05; the mean of the daily ratios (0.1, 0.0333, 0.1) would be 0.0778
    assert v["conversion_rate"] == D("0.050000")
    assert v["aov"] == D("66.67")  # 400 / 6 = 66.666…, half up
    # weighted by uv over the rows that have a stay: (30×10 + 60×90) / (10 + 90) = 57; the plain mean is 45
    assert v["avg_stay_seconds"] == D("57.000")
    assert v["new_uv_ratio"] == D("0.325000")  # 39 / 120
    assert v["refund_rate"] == D("0.025000")  # 10.00 / 400.00
    assert v["order_growth"] == D("0.400000")  # 7 / 5 − 1 (September: 5)


def test_orders_count_only_counted_orders_of_the_period(results: MetricResults) -> None:
    v = values(results, "E2")
    # counted in October: o1 delivered, o2 paid, o3 refunded, o5 shipped (o4 cancelled, o6 November, o7 September)
    assert v["orders"] == 4
    assert v["buyers"] == 3  # A, B, D
    assert v["gmv"] == D("200.00")  # 100 + 50 + 30 + 20, freight excluded
    assert v["aov"] == D("66.67")  # 200 / 3
    assert v["refund_rate"] == D("0.150000")  # 30 / 200
    assert v["return_rate"] == D("0.250000")  # o3 of 4
    assert v["bad_review_rate"] == D("0.500000")  # o3 (1), o5 (2) of o1, o2, o3, o5 reviewed; o4 not counted
    assert v["late_delivery_rate"] == D("0.666667")  # o3, o5 late of o1, o3, o5 with both times
    assert v["order_growth"] == D("3.000000")  # 4 / 1 − 1 (September: o7)
    assert v["uv"] is None and v["conversion_rate"] is None and v["pv"] is None


def test_traffic_events_distinct_users_per_shop_added(results: MetricResults) -> None:
    v = values(results, "E3")
    assert v["pv"] == 5  # S4: u1, u1, u2, u3; S5: u1
    assert v["uv"] == 4  # S4: u1 u2 u3 + S5: u1 (per shop, then added; per employee it would be 3)
    assert v["buyers"] == 2  # u1 in S4 + u1 in S5 (u9's September buy left out)
    assert v["favorites"] == 1 and v["carts"] == 1
    assert v["conversion_rate"] == D("0.500000")  # 2 / 4
    assert v["gmv"] is None and v["aov"] is None


def test_customer_service_sums_and_weighted_averages(results: MetricResults) -> None:
    v = values(results, "E4")
    assert v["cs_inquiries"] == 60 and v["cs_paid_buyers"] == 11 and v["cs_paid_amount"] == D("900")
    assert v["cs_conversion_rate"] == D("0.183333")  # 11 / 60
    assert v["cs_aov"] == D("81.82")  # 900 / 11 = 81.8181…
    # counts where exported (18 + 40 of 20 + 40), the rate weighted by inquiries where not (0.9 × 20 of 20)
    assert v["cs_reply_rate"] == D("0.950000")  # 76 / 80
    # weighted by inquiries: (10×10 + 20×30) / 40 = 17.5 (the plain mean would be 15)
    assert v["cs_first_response_seconds"] == D("17.500")
    assert v["cs_avg_response_seconds"] == D("43.333")  # (30×10 + 50×30 + 40×20) / 60


def test_campaign_ratios_of_sums(results: MetricResults) -> None:
    v = values(results, "E5")
    assert v["campaign_cost"] == D("160.00") and v["campaign_gmv"] == D("400.00")
    assert v["campaign_roi"] == D("2.5000")  # 400 / 160
    assert v["ctr"] == D("0.020000")  # 80 / 4000; the mean of daily CTRs (0.05, 0.01) would be 0.03
    assert v["cost_per_click"] == D("2.00")  # 160 / 80


def test_sns_rates_and_fan_loss_from_the_previous_period(results: MetricResults) -> None:
    v = values(results, "E6")
    # missed: 10-01 3−2 = 1, 10-02 max(2−3, 0) = 0, 10-03 has no posts figure: 1 of 3 + 2 planned
    assert v["sns_miss_rate"] == D("0.200000")
    assert v["sns_original_ratio"] == D("0.800000")  # (1 + 3) / (2 + 3)
    # fans on the last day with a count: October 990 (10-02), September 1000: (1000 − 990) / 1000
    assert v["sns_fan_loss_rate"] == D("0.010000")


def test_tasks_by_due_date(results: MetricResults) -> None:
    v = values(results, "E7")
    assert v["task_on_time_rate"] == D("0.333333")  # t1 of t1, t2, t3 (t3 undelivered, t4 due in November)
    assert v["task_pass_rate"] == D("0.500000")  # t1 of t1, t2 (t3 not judged)
    assert v["task_errors"] == 2


def test_zero_rows_give_zero_and_a_zero_denominator_gives_null(results: MetricResults) -> None:
    v = values(results, "E8")
    assert v["pv"] == 0 and v["uv"] == 0 and v["buyers"] == 0 and v["gmv"] == 0
    assert v["conversion_rate"] is None and v["aov"] is None and v["pages_per_visitor"] is None


def test_no_rows_give_null_for_every_metric(results: MetricResults) -> None:
    assert set(values(results, "E9").values()) == {None}


def test_a_source_filter_no_row_passes_gives_null(results: MetricResults) -> None:
    v = values(results, "E10")  # only a cancelled order
    assert v["orders"] is None and v["gmv"] is None and v["buyers"] is None


def test_sources_of_one_base_metric_are_added(results: MetricResults) -> None:
    v = values(results, "E11")
    assert v["uv"] == 102 and v["buyers"] == 6 and v["pv"] == 1001  # shop_daily S8 + traffic_events S9
    assert v["conversion_rate"] == D("0.058824")  # 6 / 102 = 0.0588235…


def test_values_carry_their_batches_and_row_counts(results: MetricResults) -> None:
    provenance = results.employees["E1"].values["conversion_rate"].provenance
    assert [(p.source, p.period, p.rows, p.batches) for p in provenance] == [
        ("shop_daily", "2026-10", 3, ("shop_daily-1",))
    ]
    growth = results.employees["E2"].values["order_growth"].provenance
    assert {(p.source, p.period, p.rows) for p in growth} == {
        ("orders", "2026-10", 5),
        ("orders", "2026-09", 1),
    }
