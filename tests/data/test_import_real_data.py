"""Real data (../shared/data): the Taobao clickstream slice and the Olist marketplace sample, turned
into canonical files here, imported, and checked against independent plain DuckDB counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from shopkpi.data.imports.importer import import_files
from shopkpi.data.warehouse.catalogue import Warehouse

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
TAOBAO = DATA / "taobao-userbehavior" / "UserBehavior.csv"
OLIST = DATA / "olist-sample"

pytestmark = pytest.mark.skipif(
    not TAOBAO.exists() or not OLIST.exists(), reason="../shared/data not present"
)


def test_taobao_clickstream_imports_whole(tmp_path: Path) -> None:
    plain = duckdb.connect()
    raw = f"read_csv('{TAOBAO}', header=false, columns={{'user': 'VARCHAR', 'item': 'VARCHAR', 'category': 'VARCHAR', 'behavior': 'VARCHAR', 'ts': 'BIGINT'}})"
    canonical = tmp_path / "traffic_events.csv"
    plain.execute(
        f"COPY (SELECT user, ts, behavior, item, category FROM {raw}) TO '{canonical}' (HEADER, DELIMITER ',')"
    )
    [outcome] = import_files(tmp_path / "home", "traffic_events", [canonical], period="2017-11")
    expected_rows = plain.execute(f"SELECT count(*) FROM {raw}").fetchone()
    assert expected_rows == (110_300,)  # the README's figure
    assert outcome.rows == 110_300
    con = Warehouse(tmp_path / "home").connect()
    by_behavior = plain.execute(f"SELECT behavior, count(*) FROM {raw} GROUP BY 1 ORDER BY 1").fetchall()
    assert (
        con.execute("SELECT behavior, count(*) FROM traffic_events GROUP BY 1 ORDER BY 1").fetchall()
        == by_behavior
    )
    users = plain.execute(f"SELECT count(DISTINCT user) FROM {raw}").fetchone()
    assert con.execute('SELECT count(DISTINCT "user") FROM traffic_events').fetchone() == users == (66_454,)
    # unix seconds become Beijing time: 1511658000 is 2017-11-26 09:00 in Asia/Shanghai
    first = plain.execute(f"SELECT min(ts) FROM {raw}").fetchone()
    assert first == (1511658000,)
    beijing = dt.datetime.fromtimestamp(1511658000, dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
    assert con.execute("SELECT min(ts) FROM traffic_events").fetchone() == (beijing,)


OLIST_STATUS = {
    "delivered": "delivered",
    "shipped": "shipped",
    "canceled": "cancelled",
    "unavailable": "cancelled",
    "invoiced": "paid",
    "processing": "paid",
    "approved": "paid",
    "created": "created",
}


def test_olist_orders_per_shop_import_whole(tmp_path: Path) -> None:
    plain = duckdb.connect()
    for name in ("orders", "order_items", "customers", "order_reviews"):
        plain.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_csv('{OLIST / f'olist_{name}_dataset.csv'}')"
        )
    status = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in OLIST_STATUS.items())
    canonical = tmp_path / "orders.csv"
    # one row per order and seller (a seller is a shop): the order's part in that shop
    plain.execute(
        f"""
        COPY (
            SELECT i.order_id, i.seller_id AS shop, c.customer_unique_id AS buyer,
                   o.order_purchase_timestamp AS created_at, CASE o.order_status {status} END AS status,
                   o.order_approved_at AS paid_at, sum(i.price) AS amount, sum(i.freight_value) AS freight,
                   o.order_delivered_carrier_date AS shipped_at, o.order_delivered_customer_date AS delivered_at,
                   o.order_estimated_delivery_date AS promised_at,
                   (SELECT min(r.review_score) FROM order_reviews r WHERE r.order_id = i.order_id) AS review_score
            FROM order_items i JOIN orders o USING (order_id) JOIN customers c USING (customer_id)
            GROUP BY ALL
        ) TO '{canonical}' (HEADER)
        """
    )
    [outcome] = import_files(tmp_path / "home", "orders", [canonical])
    expected = plain.execute(
        "SELECT count(*) FROM (SELECT DISTINCT order_id, seller_id FROM order_items)"
    ).fetchone()
    assert expected is not None and outcome.rows == expected[0]
    con = Warehouse(tmp_path / "home").connect()
    assert con.execute("SELECT count(*) FROM orders").fetchone() == expected
    total = plain.execute("SELECT sum(price), count(DISTINCT seller_id) FROM order_items").fetchone()
    got = con.execute("SELECT sum(amount), count(DISTINCT shop) FROM orders").fetchone()
    assert got is not None and total is not None
    assert (got[0], got[1]) == (Decimal(str(round(total[0], 2))), total[1])
    reviewed = plain.execute(
        "SELECT count(*) FROM (SELECT DISTINCT i.order_id, i.seller_id FROM order_items i "
        "JOIN order_reviews r USING (order_id))"
    ).fetchone()
    assert con.execute("SELECT count(*) FROM orders WHERE review_score IS NOT NULL").fetchone() == reviewed
    late = plain.execute(
        "SELECT count(*) FROM (SELECT DISTINCT i.order_id, i.seller_id FROM order_items i JOIN orders o USING (order_id) "
        "WHERE o.order_delivered_customer_date > o.order_estimated_delivery_date)"
    ).fetchone()
    assert con.execute("SELECT count(*) FROM orders WHERE delivered_at > promised_at").fetchone() == late
