"""Metrics on real data, imported through the warehouse, against independent plain DuckDB queries.
Who owns which shop is an accounts sheet read as the organisation service reads it, handed to the
metric step as the organisation snapshot.

- Taobao clickstream (../shared/data/taobao-userbehavior): each item category is a product line,
  an account of kind `shop` owned by one of 50 operators (category_id % 50); categories with
  category_id % 50 = 49 belong to no one. Checked: pv, uv, buyers, favorites, carts, conversion_rate
  and the unowned report.
- Olist marketplace sample (../shared/data/olist-sample): each seller is a shop, owned by the
  operator named after the seller id's first hex digit, except that sellers starting with "a" are
  handed over to EH on 2018-01-16. Checked for January 2018: buyers, orders, gmv, aov,
  bad_review_rate, late_delivery_rate and order_growth (December 2017 the previous period).

The expected figures are computed from the raw files with SQL written here, following the
spec's definitions, not from the canonical files the product reads.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from shopkpi.data.imports.importer import DEFAULT_TIMEZONE, import_files
from shopkpi.data.imports.sheet_rows import read_sheets
from shopkpi.data.metrics.catalogue import load_catalogue
from shopkpi.data.metrics.computation import MetricResults, compute_metrics
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot
from shopkpi.data.warehouse.catalogue import Warehouse

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
TAOBAO = DATA / "taobao-userbehavior" / "UserBehavior.csv"
OLIST = DATA / "olist-sample"


def ratio(numerator: object, denominator: object, places: int = 6) -> Decimal | None:
    """numerator / denominator rounded half up, null for a zero denominator (the spec's rule)."""
    if numerator is None or denominator is None or Decimal(str(denominator)) == 0:
        return None
    exact = Decimal(str(numerator)) / Decimal(str(denominator))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)


ORGANISATIONS: dict[Path, OrganisationSnapshot] = {}


def import_csv(home: Path, dataset: str, con: duckdb.DuckDBPyConnection, sql: str) -> None:
    path = home / f"{dataset}.csv"
    con.execute(f"COPY ({sql}) TO '{path}' (HEADER, DELIMITER ',')")
    if dataset == "accounts":
        [sheet] = read_sheets(home, dataset, [path], profile="canonical", timezone=DEFAULT_TIMEZONE)
        ORGANISATIONS[home] = OrganisationSnapshot.of((), (cells for _, cells in sheet.rows))
        return
    import_files(home, dataset, [path], profile="canonical", user="test")


def computed(home: Path, period: str) -> MetricResults:
    connection = Warehouse(home).connect()
    try:
        return compute_metrics(connection, period, load_catalogue(home), organisation=ORGANISATIONS[home])
    finally:
        connection.close()


# ---------------------------------------------------------------- Taobao clickstream


TAOBAO_RAW = (
    f"read_csv('{TAOBAO}', header = false, columns = {{'user_id': 'BIGINT', 'item_id': 'BIGINT', "
    "'category_id': 'BIGINT', 'behavior_type': 'VARCHAR', 'ts': 'BIGINT'})"
)


@pytest.fixture(scope="module")
def taobao(tmp_path_factory: pytest.TempPathFactory) -> MetricResults:
    home = tmp_path_factory.mktemp("taobao")
    con = duckdb.connect()
    # Beijing time is UTC+8 all year; the canonical ts is local time
    import_csv(
        home,
        "traffic_events",
        con,
        "SELECT CAST(user_id AS VARCHAR) AS user, "
        "strftime(make_timestamp(ts * 1000000) + INTERVAL 8 HOUR, '%Y-%m-%d %H:%M:%S') AS ts, "
        "behavior_type AS behavior, item_id AS item, category_id AS category, 'cat-' || category_id AS shop "
        f"FROM {TAOBAO_RAW}",
    )
    import_csv(
        home,
        "accounts",
        con,
        "SELECT DISTINCT 'E' || (category_id % 50) AS employee, 'shop' AS kind, 'cat-' || category_id AS account "
        f"FROM {TAOBAO_RAW} WHERE category_id % 50 <> 49 ORDER BY account",
    )
    return computed(home, "2017-11")


def test_taobao_traffic_metrics_match_plain_duckdb(taobao: MetricResults) -> None:
    expected = duckdb.sql(
        f"""
        WITH per_line AS (
            SELECT 'E' || (category_id % 50) AS employee, category_id,
                   count(*) FILTER (WHERE behavior_type = 'pv') AS pv,
                   count(DISTINCT user_id) AS uv,
                   count(DISTINCT user_id) FILTER (WHERE behavior_type = 'buy') AS buyers,
                   count(DISTINCT user_id) FILTER (WHERE behavior_type = 'fav') AS favorites,
                   count(DISTINCT user_id) FILTER (WHERE behavior_type = 'cart') AS carts
            FROM {TAOBAO_RAW} WHERE category_id % 50 <> 49 GROUP BY ALL)
        SELECT employee, sum(pv), sum(uv), sum(buyers), sum(favorites), sum(carts) FROM per_line GROUP BY employee
        """
    ).fetchall()
    assert len(expected) == 49
    assert set(taobao.employees) == {row[0] for row in expected}
    for employee, pv, uv, buyers, favorites, carts in expected:
        got = taobao.employees[employee].plain()
        assert (got["pv"], got["uv"], got["buyers"], got["favorites"], got["carts"]) == (
            pv,
            uv,
            buyers,
            favorites,
            carts,
        ), employee
        assert got["conversion_rate"] == ratio(buyers, uv), employee
        assert got["pages_per_visitor"] == ratio(pv, uv, 4), employee
    total_pv = sum(row[1] for row in expected)
    assert 90_000 < total_pv < 98_361  # most of the README's 98,361 page views are owned


def test_taobao_unowned_product_lines_are_reported(taobao: MetricResults) -> None:
    ((rows, lines),) = duckdb.sql(
        f"SELECT count(*), count(DISTINCT category_id) FROM {TAOBAO_RAW} WHERE category_id % 50 = 49"
    ).fetchall()
    (report,) = taobao.unowned
    assert (report.dataset, report.rows, len(report.accounts)) == ("traffic_events", rows, lines)


# ---------------------------------------------------------------- Olist marketplace

OLIST_ORDERS = f"read_csv('{OLIST / 'olist_orders_dataset.csv'}')"
OLIST_ITEMS = f"read_csv('{OLIST / 'olist_order_items_dataset.csv'}', types = {{'price': 'DECIMAL(18,2)', 'freight_value': 'DECIMAL(18,2)'}})"
OLIST_CUSTOMERS = f"read_csv('{OLIST / 'olist_customers_dataset.csv'}')"
OLIST_REVIEWS = f"read_csv('{OLIST / 'olist_order_reviews_dataset.csv'}')"
# an order reviewed twice keeps its latest review
LATEST_REVIEW = (
    f"SELECT order_id, arg_max(review_score, (review_creation_date, review_answer_timestamp, review_id)) AS score "
    f"FROM {OLIST_REVIEWS} GROUP BY order_id"
)
STATUS = (
    "CASE o.order_status WHEN 'canceled' THEN 'cancelled' WHEN 'unavailable' THEN 'cancelled' "
    "WHEN 'invoiced' THEN 'paid' WHEN 'processing' THEN 'paid' WHEN 'approved' THEN 'paid' ELSE o.order_status END"
)
HANDOVER = "2018-01-16"


@pytest.fixture(scope="module")
def olist(tmp_path_factory: pytest.TempPathFactory) -> tuple[MetricResults, MetricResults]:
    home = tmp_path_factory.mktemp("olist")
    con = duckdb.connect()
    import_csv(
        home,
        "orders",
        con,
        f"""
        SELECT i.order_id, i.seller_id AS shop, c.customer_unique_id AS buyer,
               strftime(o.order_purchase_timestamp, '%Y-%m-%d %H:%M:%S') AS created_at, {STATUS} AS status,
               sum(i.price) AS amount, sum(i.freight_value) AS freight,
               strftime(o.order_delivered_customer_date, '%Y-%m-%d %H:%M:%S') AS delivered_at,
               strftime(o.order_estimated_delivery_date, '%Y-%m-%d %H:%M:%S') AS promised_at,
               r.score AS review_score
        FROM {OLIST_ITEMS} i JOIN {OLIST_ORDERS} o USING (order_id)
        JOIN {OLIST_CUSTOMERS} c USING (customer_id) LEFT JOIN ({LATEST_REVIEW}) r USING (order_id)
        GROUP BY ALL ORDER BY i.order_id, shop
        """,
    )
    import_csv(
        home,
        "accounts",
        con,
        f"""
        SELECT 'E' || substr(seller_id, 1, 1) AS employee, 'shop' AS kind, seller_id AS account,
               NULL AS valid_from, CASE WHEN seller_id LIKE 'a%' THEN DATE '{HANDOVER}' - 1 END AS valid_to
        FROM (SELECT DISTINCT seller_id FROM {OLIST_ITEMS})
        UNION ALL
        SELECT 'EH', 'shop', seller_id, DATE '{HANDOVER}', NULL FROM (SELECT DISTINCT seller_id FROM {OLIST_ITEMS})
        WHERE seller_id LIKE 'a%'
        ORDER BY account, valid_to NULLS LAST
        """,
    )
    return computed(home, "2018-01"), computed(home, "2017-12")


def olist_expected(first: str, last: str) -> dict[str, tuple[object, ...]]:
    """Per operator: buyers, orders, gmv, bad reviews, reviewed, late, timed (spec definitions, raw files)."""
    rows = duckdb.sql(
        f"""
        WITH parts AS (  -- an order's part in one shop
            SELECT i.order_id, i.seller_id, any_value(c.customer_unique_id) AS buyer,
                   any_value(o.order_purchase_timestamp) AS created, any_value(o.order_status) AS status,
                   sum(i.price) AS amount, any_value(o.order_delivered_customer_date) AS delivered,
                   any_value(o.order_estimated_delivery_date) AS promised, any_value(r.score) AS score
            FROM {OLIST_ITEMS} i JOIN {OLIST_ORDERS} o USING (order_id) JOIN {OLIST_CUSTOMERS} c USING (customer_id)
            LEFT JOIN ({LATEST_REVIEW}) r USING (order_id)
            GROUP BY i.order_id, i.seller_id),
        counted AS (
            SELECT *, CASE WHEN seller_id LIKE 'a%' AND CAST(created AS DATE) >= DATE '{HANDOVER}' THEN 'EH'
                           ELSE 'E' || substr(seller_id, 1, 1) END AS employee
            FROM parts
            WHERE CAST(created AS DATE) BETWEEN DATE '{first}' AND DATE '{last}'
              AND status IN ('delivered', 'shipped', 'invoiced', 'processing', 'approved')),
        per_shop AS (
            SELECT employee, seller_id, count(DISTINCT buyer) AS buyers, count(*) AS orders, sum(amount) AS gmv,
                   count(*) FILTER (WHERE score <= 2) AS bad, count(score) AS reviewed,
                   count(*) FILTER (WHERE delivered > promised) AS late,
                   count(*) FILTER (WHERE delivered IS NOT NULL AND promised IS NOT NULL) AS timed
            FROM counted GROUP BY ALL)
        SELECT employee, sum(buyers), sum(orders), sum(gmv), sum(bad), sum(reviewed), sum(late), sum(timed)
        FROM per_shop GROUP BY employee
        """
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_olist_order_metrics_match_plain_duckdb(olist: tuple[MetricResults, MetricResults]) -> None:
    january, december = olist
    expected = olist_expected("2018-01-01", "2018-01-31")
    previous = olist_expected("2017-12-01", "2017-12-31")
    assert "EH" in expected and "Ea" in expected  # the hand-over splits the a-sellers' month
    assert {e for e, v in january.employees.items() if v.value("orders") is not None} == set(expected)
    for employee, (buyers, orders, gmv, bad, reviewed, late, timed) in expected.items():
        got = january.employees[employee].plain()
        assert (got["buyers"], got["orders"], got["gmv"]) == (buyers, orders, gmv), employee
        assert got["aov"] == ratio(gmv, buyers, 2), employee
        assert got["bad_review_rate"] == ratio(bad, reviewed), employee
        assert got["late_delivery_rate"] == ratio(late, timed), employee
        before = previous.get(employee, (None, None))[1]
        growth = None if before is None else ratio(Decimal(orders) - Decimal(before), before)  # type: ignore[arg-type]
        assert got["order_growth"] == growth, employee
    for employee, row in previous.items():
        assert december.employees[employee].value("orders") == row[1]
    assert january.unowned == ()
