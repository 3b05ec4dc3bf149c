"""The large datasets of the synthetic company, generated inside DuckDB and streamed to disk:
the clickstream (`traffic_events`) of the clickstream shops and the order details (`orders`) of
the 京东 shops.

Python only decides how many events (orders) each shop has on each day (a few numbers per
shop-day: the day's traffic factor × the shop's size × noise, allocated so that the total is
exact). DuckDB then expands every shop-day into its rows, drawing every value from `hash()` of
(seed, shop, day, row number), so the output is the same bytes for the same seed whatever the
thread scheduling, and is written by `COPY` in chunks: 100 million rows never sit in memory.

Visitors browse in sessions of `pages` events; a session ends with a purchase with the shop's
conversion probability (higher on promotion days), so buyers / visitors is about 2–5 %.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from shopkpi.data.imports.value_sql import quote
from shopkpi.synth.calendar import conversion_factor, traffic_factor
from shopkpi.synth.company import Company, Shop

# Share of a day's visits in each hour (Taobao's evening peak), as a 1000-entry lookup list.
_HOURLY = (3.0, 1.6, 0.9, 0.6, 0.5, 0.6, 1.2, 2.2, 3.2, 4.3, 5.2, 5.0,
           4.6, 4.8, 5.2, 5.3, 5.0, 4.6, 4.6, 5.3, 6.3, 7.0, 6.5, 4.8)  # fmt: skip


def _hour_lookup() -> str:
    total = sum(_HOURLY)
    hours: list[int] = []
    cumulative = 0.0
    for hour, weight in enumerate(_HOURLY):
        cumulative += weight
        while len(hours) < round(1000 * cumulative / total):
            hours.append(hour)
    return "[" + ", ".join(str(h) for h in hours[:1000]) + "]"


HOUR_LOOKUP = _hour_lookup()


@dataclass(frozen=True)
class Allocation:
    """Rows per shop and day; `first_row` numbers them across the whole allocation."""

    table: pa.Table
    rows: int

    @property
    def empty(self) -> bool:
        return self.rows == 0


def _largest_remainder(weights: Sequence[float], total: int) -> list[int]:
    whole = sum(weights)
    if whole <= 0 or total <= 0:
        return [0] * len(weights)
    exact = [w * total / whole for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _allocation(
    shops: Sequence[Shop], days: Sequence[dt.date], weights: list[float], total: int, agents: dict[str, str]
) -> Allocation:
    pairs = [(shop, day) for shop in shops for day in days]
    # a shop's visitors come from its own pool of people, three per visit: some come back
    return _counted(pairs, _largest_remainder(weights, total), agents, lambda shop, n: 3 * n // shop.pages)


def _counted(
    pairs: Sequence[tuple[Shop, dt.date]],
    counts: Sequence[int],
    agents: dict[str, str],
    people: Callable[[Shop, int], int],
) -> Allocation:
    """The allocation table; `people(shop, rows of the shop)` is the size of the shop's pool of people."""
    columns: dict[str, list[object]] = {
        k: []
        for k in (
            "shop_idx", "shop", "day", "n", "first_row", "conv_bp", "pages", "items", "line", "agent", "pool"
        )
    }  # fmt: skip
    per_shop: dict[str, int] = {}
    for (shop, _), n in zip(pairs, counts, strict=True):
        per_shop[shop.name] = per_shop.get(shop.name, 0) + n
    offset = 0
    for (shop, day), n in zip(pairs, counts, strict=True):
        if n == 0:
            continue
        columns["shop_idx"].append(shop.index)
        columns["shop"].append(shop.name)
        columns["day"].append(day)
        columns["n"].append(n)
        columns["first_row"].append(offset)
        # returning visitors make the month's visitors about 85 % of its visits: keep buyers / visitors
        # near the shop's conversion
        conversion = 0.0 if shop.kind == "jd" else min(0.2, 0.85 * shop.conversion * conversion_factor(day))
        columns["conv_bp"].append(round(10000 * conversion))
        columns["pages"].append(shop.pages)
        columns["items"].append(shop.items)
        columns["line"].append(abs(hash_line(shop.line)))
        columns["agent"].append(agents.get(shop.name))
        columns["pool"].append(max(50, people(shop, per_shop[shop.name])))
        offset += n
    types = {
        "shop_idx": pa.int64(),
        "shop": pa.string(),
        "day": pa.date32(),
        "n": pa.int64(),
        "first_row": pa.int64(),
        "conv_bp": pa.int64(),
        "pages": pa.int64(),
        "items": pa.int64(),
        "line": pa.int64(),
        "agent": pa.string(),
        "pool": pa.int64(),
    }
    table = pa.table({k: pa.array(v, types[k]) for k, v in columns.items()})
    return Allocation(table, offset)


def hash_line(line: str) -> int:
    """A stable small number for a product line (Python's hash() of a str changes per process)."""
    return sum((i + 1) * ord(c) for i, c in enumerate(line)) % 97


def event_allocation(company: Company, days: Sequence[dt.date], total: int, seed: int) -> Allocation:
    """How many of `total` events each clickstream or 京东 shop has on each of `days`.

    A 京东 shop's log has no `buy` events (conversion 0): its purchases are its orders.
    """
    rng = random.Random(f"shopkpi-synth-events-{seed}-{days[0] if days else ''}")
    shops = [s for s in company.shops if s.kind in ("clickstream", "jd")]
    weights = [
        shop.visitors * shop.pages * traffic_factor(day) * math.exp(rng.gauss(0, 0.12))
        for shop in shops
        for day in days
    ]
    return _allocation(shops, days, weights, total, {})


def order_allocation(company: Company, clicks: Allocation, seed: int) -> Allocation:
    """Orders of each 京东 shop-day: its visits in `clicks` × the shop's conversion × noise."""
    shops = {s.name: s for s in company.shops if s.kind == "jd"}
    table = clicks.table
    rows = [
        (shops[shop], day, n)
        for shop, day, n in zip(
            table.column("shop").to_pylist(),
            table.column("day").to_pylist(),
            table.column("n").to_pylist(),
            strict=True,
        )
        if shop in shops
    ]
    rng = random.Random(f"shopkpi-synth-orders-{seed}-{rows[0][1] if rows else ''}")
    counts = [
        round(n / shop.pages * shop.conversion * conversion_factor(day) * math.exp(rng.gauss(0, 0.15)))
        for shop, day, n in rows
    ]
    agents: dict[str, str] = {}
    for agent in company.agents:
        if agent.platform == "jd":
            agents.setdefault(agent.shop, agent.account)
    return _counted([(shop, day) for shop, day, _ in rows], counts, agents, lambda _shop, n: 2 * n)


def connection(temp: Path, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {
        "temp_directory": str(temp),
        "preserve_insertion_order": True,
        "memory_limit": "2GB",
    }
    if threads is not None:
        config["threads"] = threads
    return duckdb.connect(":memory:", config=config)


def events_sql(seed: int) -> str:
    """The clickstream rows of the registered table `alloc`, typed as the canonical dataset."""
    s = int(seed)
    return f"""
    WITH e AS (SELECT a.*, unnest(range(a.n)) AS j FROM alloc AS a),
    h AS (
        SELECT shop, day, pages, items, line, conv_bp, j, pool,
               CAST(hash({s}, shop_idx, day, j // pages) >> 1 AS BIGINT) AS hs,
               CAST(hash({s}, shop_idx, day, j, 'e') >> 1 AS BIGINT) AS he,
               shop_idx
        FROM e
    ),
    x AS (
        SELECT *, least((he >> 10) % items, (he >> 30) % items) AS item_no FROM h
    )
    SELECT
        CAST(shop_idx * 100000000 + 10000000 + hs % pool AS VARCHAR) AS "user",
        CAST(day AS TIMESTAMP) + to_seconds(CAST(least(86399,
            {HOUR_LOOKUP}[1 + CAST((hs >> 8) % 1000 AS INTEGER)] * 3600 + (hs >> 20) % 3600
            + (j % pages) * (15 + (he >> 40) % 120)) AS BIGINT)) AS ts,
        CASE WHEN j % pages = pages - 1 AND (hs >> 32) % 10000 < conv_bp THEN 'buy'
             WHEN he % 1000 < 55 THEN 'cart'
             WHEN he % 1000 < 86 THEN 'fav'
             ELSE 'pv' END AS behavior,
        CAST(600000000000 + shop_idx * 100000 + item_no AS VARCHAR) AS item,
        CAST(50010000 + line * 100 + item_no % 7 AS VARCHAR) AS category,
        shop
    FROM x
    """


def orders_sql(seed: int) -> str:
    """The order rows of the registered table `alloc` (京东 shops), typed as the canonical dataset."""
    s = int(seed)
    return f"""
    WITH e AS (SELECT a.*, unnest(range(a.n)) AS j FROM alloc AS a),
    h AS (
        SELECT shop, day, first_row + j AS seq, agent, shop_idx, price, pool,
               CAST(hash({s}, shop_idx, day, j, 'o') >> 1 AS BIGINT) AS h1,
               CAST(hash({s}, shop_idx, day, j, 'p') >> 1 AS BIGINT) AS h2,
               (last_day(day) - day) AS age
        FROM e
    ),
    t AS (
        SELECT *,
            CAST(day AS TIMESTAMP) + to_seconds(CAST(
                {HOUR_LOOKUP}[1 + CAST(h1 % 1000 AS INTEGER)] * 3600 + (h1 >> 10) % 3600 AS BIGINT)) AS created_at,
            CASE WHEN (h1 >> 24) % 1000 < 20 THEN 'created'
                 WHEN (h1 >> 24) % 1000 < 75 THEN 'cancelled'
                 WHEN (h1 >> 24) % 1000 < 125 THEN 'refunded'
                 WHEN age = 0 AND (h2 >> 5) % 10 < 5 THEN 'paid'
                 WHEN age <= 3 AND (h2 >> 5) % 10 < 7 THEN 'shipped'
                 ELSE 'delivered' END AS status,
            CAST(round(price * (0.4 + (h2 >> 10) % 1600 / 1000.0), 2) AS DECIMAL(18,2)) AS amount
        FROM h
    ),
    p AS (
        SELECT *,
            CASE WHEN status = 'created' OR (status = 'cancelled' AND h2 % 2 = 0) THEN NULL
                 ELSE created_at + to_seconds(CAST(30 + (h1 >> 40) % 1800 AS BIGINT)) END AS paid_at
        FROM t
    ),
    s AS (
        SELECT *,
            CASE WHEN status IN ('shipped', 'delivered') OR (status = 'refunded' AND h2 % 2 = 0)
                 THEN paid_at + to_seconds(CAST(7200 + (h2 >> 20) % 100800 AS BIGINT)) END AS shipped_at
        FROM p
    )
    SELECT
        -- order numbers run per month (an allocation covers one month)
        CAST(280000000000 + ((year(day) - 2000) * 12 + month(day)) * 100000000 + seq AS VARCHAR) AS order_id,
        shop,
        'jd_' || CAST(shop_idx * 100000000 + 10000000 + h1 % pool AS VARCHAR) AS buyer,
        created_at,
        status,
        paid_at,
        amount,
        CAST(CASE WHEN amount >= 99 THEN 0 ELSE 8 END AS DECIMAL(18,2)) AS freight,
        shipped_at,
        CASE WHEN status = 'delivered' THEN shipped_at + to_seconds(CAST(64800 + (h2 >> 36) % 129600 AS BIGINT))
             END AS delivered_at,
        CASE WHEN paid_at IS NOT NULL THEN paid_at + INTERVAL 72 HOUR END AS promised_at,
        CASE WHEN (h2 >> 30) % 10 < 3 THEN agent END AS cs_agent,
        CAST(CASE WHEN status = 'refunded' THEN amount
                  WHEN status = 'delivered' AND (h2 >> 40) % 100 < 3 THEN round(amount * 0.3, 2) END
             AS DECIMAL(18,2)) AS refund_amount,
        CAST(CASE WHEN status = 'refunded' AND (h2 >> 44) % 2 = 0 THEN 1 ELSE 0 END AS BIGINT) AS returned,
        CAST(CASE WHEN status <> 'delivered' OR (h2 >> 50) % 100 >= 60 THEN NULL
                  WHEN (h1 >> 50) % 100 < 80 THEN 5
                  WHEN (h1 >> 50) % 100 < 89 THEN 4
                  WHEN (h1 >> 50) % 100 < 93 THEN 3
                  WHEN (h1 >> 50) % 100 < 95 THEN 2
                  ELSE 1 END AS BIGINT) AS review_score
    FROM s
    """


STATUS_WORDS = {
    "created": "等待买家付款",
    "paid": "等待卖家发货",
    "shipped": "卖家已发货",
    "delivered": "交易成功",
    "cancelled": "交易关闭",
    "refunded": "退款成功",
}
_STAMP = "'%Y-%m-%d %H:%M:%S'"


@contextlib.contextmanager
def _registered(
    con: duckdb.DuckDBPyConnection, allocation: Allocation, prices: Mapping[str, float] | None = None
) -> Iterator[None]:
    table = allocation.table
    if prices is not None:
        table = table.append_column(
            "price", pa.array([prices[s] for s in table.column("shop").to_pylist()], pa.float64())
        )
    con.register("alloc", table)
    try:
        yield
    finally:
        con.unregister("alloc")


def _copy(con: duckdb.DuckDBPyConnection, select: str, path: Path, options: str) -> None:
    """Stream the rows of `select` into `path` (DuckDB writes in chunks, never the whole table).

    CSV is written by one thread: with several, DuckDB's order-preserving CSV writer buffers the
    other threads' output (10 million rows ran out of 2 GB), while one thread streams in constant
    memory at about a million rows a second.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    threads = None
    if options == _CSV:
        threads = con.execute("SELECT current_setting('threads')").fetchone()
        con.execute("SET threads = 1")
    try:
        con.execute(f"COPY ({select}) TO {quote(str(path))} ({options})")
    finally:
        if threads is not None:
            con.execute(f"SET threads = {int(threads[0])}")


_CSV = "HEADER, DELIMITER ','"
_PARQUET = "FORMAT parquet, COMPRESSION zstd"


def write_events_csv(con: duckdb.DuckDBPyConnection, path: Path, clicks: Allocation, seed: int) -> int:
    """The clickstream as a CSV with the canonical headers (user, ts, behavior, item, category, shop)."""
    select = f'SELECT "user", strftime(ts, {_STAMP}) AS ts, behavior, item, category, shop FROM ({events_sql(seed)})'
    with _registered(con, clicks):
        _copy(con, select, path, _CSV)
    return clicks.rows


def write_events_parquet(
    path: Path,
    company: Company,
    days: Sequence[dt.date],
    total: int,
    seed: int,
    *,
    batch: str,
    con: duckdb.DuckDBPyConnection | None = None,
) -> int:
    """`total` clickstream events over `days` as a warehouse batch file: the canonical columns of
    `traffic_events` typed as the warehouse stores them, plus `_batch`. Returns the rows written."""
    clicks = event_allocation(company, days, total, seed)
    own = con is None
    connection_ = con if con is not None else connection(path.parent)
    try:
        select = f"SELECT *, {quote(batch)} AS _batch FROM ({events_sql(seed)})"
        with _registered(connection_, clicks):
            _copy(connection_, select, path, _PARQUET)
    finally:
        if own:
            connection_.close()
    return clicks.rows


def write_orders_csv(
    con: duckdb.DuckDBPyConnection, path: Path, orders: Allocation, prices: Mapping[str, float], seed: int
) -> int:
    """The order detail export of the 京东 shops: Chinese headers and status words, 是/否 flags."""
    status = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in STATUS_WORDS.items())
    select = f"""
    SELECT order_id AS "订单编号", shop AS "店铺", buyer AS "买家",
           strftime(created_at, {_STAMP}) AS "下单时间", CASE status {status} END AS "订单状态",
           strftime(paid_at, {_STAMP}) AS "付款时间", amount AS "订单金额", freight AS "运费",
           strftime(shipped_at, {_STAMP}) AS "发货时间", strftime(delivered_at, {_STAMP}) AS "签收时间",
           strftime(promised_at, {_STAMP}) AS "承诺送达时间", cs_agent AS "客服", refund_amount AS "退款金额",
           CASE WHEN returned = 1 THEN '是' ELSE '否' END AS "是否退货", review_score AS "评价分"
    FROM ({orders_sql(seed)})
    """
    with _registered(con, orders, prices):
        _copy(con, select, path, _CSV)
    return orders.rows


def write_orders_parquet(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    orders: Allocation,
    prices: Mapping[str, float],
    seed: int,
    *,
    batch: str,
) -> int:
    """The orders as a warehouse batch file (canonical columns, typed, plus `_batch`)."""
    with _registered(con, orders, prices):
        _copy(con, f"SELECT *, {quote(batch)} AS _batch FROM ({orders_sql(seed)})", path, _PARQUET)
    return orders.rows
