"""The floor of the shop-data benchmark: ONE hand-written DuckDB statement computing every public
metric of the catalogue for every employee of a period, straight from the warehouse's Parquet files
(and the organisation snapshot's: who owns which account, who is employed).

It applies the spec's definitions as an expert would write them by hand: attribution through the
accounts' validity windows, distinct counts per account (users of a shop grouped once, then
counted), sums of the sources of a base metric (null only when every source is null), ratios of
sums with a zero denominator giving null. No provenance, no checks, no unowned-row report.

The clickstream is read as the warehouse stores it for metrics: its roll-up files
(`traffic_events.rollup/*.parquet`: shop, day, user, behavior, `_n` events), as an analyst who
knows the warehouse would. `rollup=False` gives the earlier statement over the raw event files
(reported as `sql_raw_s`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

COUNTED = "('paid', 'shipped', 'delivered', 'refunded')"


def _add(*terms: str) -> str:
    """Sources of one base metric added; null only when every source is null."""
    return (
        f"CASE WHEN coalesce({', '.join(terms)}) IS NULL THEN NULL ELSE "
        + " + ".join(f"coalesce({t}, 0)" for t in terms)
        + " END"
    )


def _ratio(numerator: str, denominator: str) -> str:
    return f"CAST({numerator} AS DOUBLE) / nullif(CAST({denominator} AS DOUBLE), 0)"


def _clicks_by_user(
    warehouse: Path | None, start: dt.date, end: dt.date, rollup: bool, events: str = "traffic_events"
) -> str:
    """Per (employee, shop, user): page views and whether they bought, favourited, added to cart."""
    flags = "bool_or(e.behavior = 'buy') AS buy, bool_or(e.behavior = 'fav') AS fav, bool_or(e.behavior = 'cart') AS cart"
    if rollup:  # one row per (shop, day, user, behavior) with its count of events
        assert warehouse is not None
        return f"""SELECT o.employee, e.shop, e."user", sum(e._n) FILTER (WHERE e.behavior = 'pv') AS pv, {flags}
       FROM read_parquet('{warehouse / "traffic_events.rollup"}/*.parquet') AS e
       JOIN own AS o ON o.kind = 'shop' AND o.account = e.shop AND e.ts BETWEEN o.f AND o.t
       WHERE e.ts BETWEEN DATE '{start}' AND DATE '{end}'
       GROUP BY 1, 2, 3"""
    after = end + dt.timedelta(days=1)
    return f"""SELECT o.employee, e.shop, e."user", count(*) FILTER (WHERE e.behavior = 'pv') AS pv, {flags}
       FROM {events} AS e
       JOIN own AS o ON o.kind = 'shop' AND o.account = e.shop AND CAST(e.ts AS DATE) BETWEEN o.f AND o.t
       WHERE e.ts >= TIMESTAMP '{start} 00:00:00' AND e.ts < TIMESTAMP '{after} 00:00:00'
       GROUP BY 1, 2, 3"""


def hand_sql(
    warehouse: Path | None,
    start: dt.date,
    end: dt.date,
    prev_start: dt.date,
    prev_end: dt.date,
    *,
    rollup: bool = True,
) -> str:
    """The statement over the warehouse's Parquet files, or (`warehouse` None) over tables named as the
    datasets: an engine's tables (`shopkpi warehouse publish`), the raw clickstream."""

    def files(dataset: str) -> str:
        if warehouse is None:
            return dataset
        # the organisation is the application's: its snapshot is kept beside the warehouse
        folder = warehouse.parent / "organisation" if dataset in ("employees", "accounts") else warehouse
        return f"read_parquet('{folder / dataset}/*.parquet')"

    after, prev_after = end + dt.timedelta(days=1), prev_end + dt.timedelta(days=1)
    period = f"BETWEEN DATE '{start}' AND DATE '{end}'"
    previous = f"BETWEEN DATE '{prev_start}' AND DATE '{prev_end}'"
    return f"""
WITH
own AS (SELECT employee, kind, account, coalesce(valid_from, DATE '0001-01-01') AS f,
               coalesce(valid_to, DATE '9999-12-31') AS t FROM {files("accounts")}),
staff AS (SELECT employee FROM {files("employees")}
          WHERE (hired_on IS NULL OR hired_on <= DATE '{end}') AND (left_on IS NULL OR left_on >= DATE '{start}')),
-- clickstream: one row per (employee, shop, user), then counted: distinct users per shop
tu AS ({_clicks_by_user(warehouse, start, end, rollup, files("traffic_events"))}),
te AS (SELECT employee, coalesce(sum(pv), 0) AS pv, count(*) AS uv, count(*) FILTER (WHERE buy) AS buyers,
              count(*) FILTER (WHERE fav) AS favorites, count(*) FILTER (WHERE cart) AS carts
       FROM tu GROUP BY employee),
sd AS (SELECT o.employee, sum(d.pv) AS pv, sum(d.uv) AS uv, sum(d.buyers) AS buyers, sum(d.orders) AS orders,
              sum(d.gmv) AS gmv, sum(d.favorites) AS favorites, sum(d.carts) AS carts,
              sum(d.avg_stay_seconds * d.uv) AS stay_w, sum(d.uv) FILTER (WHERE d.avg_stay_seconds IS NOT NULL) AS stay_uv,
              sum(d.new_uv) AS new_uv, sum(d.refund_amount) AS refund
       FROM {files("shop_daily")} AS d JOIN own AS o ON o.kind = 'shop' AND o.account = d.shop AND d.date BETWEEN o.f AND o.t
       WHERE d.date {period} GROUP BY 1),
sdp AS (SELECT o.employee, sum(d.orders) AS orders
        FROM {files("shop_daily")} AS d JOIN own AS o ON o.kind = 'shop' AND o.account = d.shop AND d.date BETWEEN o.f AND o.t
        WHERE d.date {previous} GROUP BY 1),
oa AS (SELECT o.employee, d.shop, count(DISTINCT d.buyer) AS buyers, count(DISTINCT d.order_id) AS orders,
              sum(d.amount) AS gmv, sum(d.refund_amount) AS refund,
              count(DISTINCT d.order_id) FILTER (WHERE d.returned = 1) AS returned,
              count(DISTINCT d.order_id) FILTER (WHERE d.review_score <= 2) AS bad,
              count(DISTINCT d.order_id) FILTER (WHERE d.review_score IS NOT NULL) AS reviewed,
              count(DISTINCT d.order_id) FILTER (WHERE d.delivered_at > d.promised_at) AS late,
              count(DISTINCT d.order_id) FILTER (WHERE d.delivered_at IS NOT NULL AND d.promised_at IS NOT NULL) AS timed
       FROM {files("orders")} AS d
       JOIN own AS o ON o.kind = 'shop' AND o.account = d.shop AND CAST(d.created_at AS DATE) BETWEEN o.f AND o.t
       WHERE d.created_at >= TIMESTAMP '{start} 00:00:00' AND d.created_at < TIMESTAMP '{after} 00:00:00'
         AND d.status IN {COUNTED}
       GROUP BY 1, 2),
od AS (SELECT employee, sum(buyers) AS buyers, sum(orders) AS orders, sum(gmv) AS gmv, sum(refund) AS refund,
              sum(returned) AS returned, sum(bad) AS bad, sum(reviewed) AS reviewed, sum(late) AS late, sum(timed) AS timed
       FROM oa GROUP BY 1),
odp AS (SELECT employee, sum(n) AS orders FROM (
          SELECT o.employee, d.shop, count(DISTINCT d.order_id) AS n FROM {files("orders")} AS d
          JOIN own AS o ON o.kind = 'shop' AND o.account = d.shop AND CAST(d.created_at AS DATE) BETWEEN o.f AND o.t
          WHERE d.created_at >= TIMESTAMP '{prev_start} 00:00:00' AND d.created_at < TIMESTAMP '{prev_after} 00:00:00'
            AND d.status IN {COUNTED}
          GROUP BY 1, 2) AS x GROUP BY 1),
cs AS (SELECT o.employee, sum(d.inquiries) AS inquiries, sum(d.paid_buyers) AS paid_buyers, sum(d.paid_amount) AS paid_amount,
              sum(CASE WHEN d.replied IS NOT NULL AND d.received IS NOT NULL THEN d.replied ELSE d.reply_rate * d.inquiries END) AS reply_w,
              sum(CASE WHEN d.replied IS NOT NULL AND d.received IS NOT NULL THEN d.received
                       WHEN d.reply_rate IS NOT NULL THEN d.inquiries END) AS reply_base,
              sum(d.first_response_seconds * d.inquiries) AS first_w,
              sum(d.inquiries) FILTER (WHERE d.first_response_seconds IS NOT NULL) AS first_base,
              sum(d.avg_response_seconds * d.inquiries) AS avg_w,
              sum(d.inquiries) FILTER (WHERE d.avg_response_seconds IS NOT NULL) AS avg_base
       FROM {files("cs_daily")} AS d JOIN own AS o ON o.kind = 'agent' AND o.account = d.agent AND d.date BETWEEN o.f AND o.t
       WHERE d.date {period} GROUP BY 1),
cp AS (SELECT o.employee, sum(d.cost) AS cost, sum(d.gmv) AS gmv, sum(d.impressions) AS impressions, sum(d.clicks) AS clicks
       FROM {files("campaigns")} AS d
       JOIN own AS o ON o.kind = 'campaign' AND o.account = d.campaign AND d.date BETWEEN o.f AND o.t
       WHERE d.date {period} GROUP BY 1),
sa AS (SELECT o.employee, d.account,
              sum(greatest(d.planned_posts - d.posts, 0)) FILTER (WHERE d.planned_posts IS NOT NULL AND d.posts IS NOT NULL) AS missed,
              sum(d.planned_posts) FILTER (WHERE d.planned_posts IS NOT NULL AND d.posts IS NOT NULL) AS planned,
              sum(d.posts) AS posts, sum(d.original_posts) AS original,
              arg_max(d.fans, d.date) FILTER (WHERE d.fans IS NOT NULL) AS fans
       FROM {files("sns_posts")} AS d JOIN own AS o ON o.kind = 'sns' AND o.account = d.account AND d.date BETWEEN o.f AND o.t
       WHERE d.date {period} GROUP BY 1, 2),
sn AS (SELECT employee, sum(missed) AS missed, sum(planned) AS planned, sum(posts) AS posts, sum(original) AS original,
              sum(fans) AS fans FROM sa GROUP BY 1),
snp AS (SELECT employee, sum(fans) AS fans FROM (
          SELECT o.employee, d.account, arg_max(d.fans, d.date) FILTER (WHERE d.fans IS NOT NULL) AS fans
          FROM {files("sns_posts")} AS d JOIN own AS o ON o.kind = 'sns' AND o.account = d.account AND d.date BETWEEN o.f AND o.t
          WHERE d.date {previous} GROUP BY 1, 2) AS x GROUP BY 1),
tk AS (SELECT o.employee, count(*) FILTER (WHERE d.delivered_at <= d.due_at) AS on_time, count(*) AS due,
              count(*) FILTER (WHERE d.passed = 1) AS passed, count(d.passed) AS judged, sum(d.errors) AS errors
       FROM {files("tasks")} AS d
       JOIN own AS o ON o.kind = 'assignee' AND o.account = d.assignee AND CAST(d.due_at AS DATE) BETWEEN o.f AND o.t
       WHERE d.due_at >= TIMESTAMP '{start} 00:00:00' AND d.due_at < TIMESTAMP '{after} 00:00:00' GROUP BY 1),
b AS (
  SELECT s.employee,
         {_add("te.pv", "sd.pv")} AS pv,
         {_add("te.uv", "sd.uv")} AS uv,
         {_add("te.buyers", "sd.buyers", "od.buyers")} AS buyers,
         {_add("sd.gmv", "od.gmv")} AS gmv,
         {_add("te.favorites", "sd.favorites")} AS favorites,
         {_add("te.carts", "sd.carts")} AS carts,
         {_add("sd.orders", "od.orders")} AS orders,
         {_add("sdp.orders", "odp.orders")} AS prev_orders,
         {_add("sd.refund", "od.refund")} AS refund,
         sd.stay_w, sd.stay_uv, sd.new_uv, od.returned, od.orders AS order_rows, od.bad, od.reviewed, od.late, od.timed,
         cs.inquiries, cs.paid_buyers, cs.paid_amount, cs.reply_w, cs.reply_base, cs.first_w, cs.first_base,
         cs.avg_w, cs.avg_base, cp.cost, cp.gmv AS campaign_gmv, cp.impressions, cp.clicks,
         sn.missed, sn.planned, sn.posts, sn.original, sn.fans, snp.fans AS prev_fans,
         tk.on_time, tk.due, tk.passed, tk.judged, tk.errors
  FROM staff AS s
  LEFT JOIN te USING (employee) LEFT JOIN sd USING (employee) LEFT JOIN sdp USING (employee)
  LEFT JOIN od USING (employee) LEFT JOIN odp USING (employee) LEFT JOIN cs USING (employee)
  LEFT JOIN cp USING (employee) LEFT JOIN sn USING (employee) LEFT JOIN snp USING (employee) LEFT JOIN tk USING (employee))
SELECT employee,
       pv, uv, {_ratio("pv", "uv")} AS pages_per_visitor, buyers, {_ratio("buyers", "uv")} AS conversion_rate,
       gmv, {_ratio("gmv", "buyers")} AS aov, favorites, carts, {_ratio("stay_w", "stay_uv")} AS avg_stay_seconds,
       {_ratio("new_uv", "uv")} AS new_uv_ratio, orders, {_ratio("orders", "prev_orders")} - 1 AS order_growth,
       {_ratio("refund", "gmv")} AS refund_rate, {_ratio("returned", "order_rows")} AS return_rate,
       {_ratio("bad", "reviewed")} AS bad_review_rate, {_ratio("late", "timed")} AS late_delivery_rate,
       inquiries AS cs_inquiries, paid_buyers AS cs_paid_buyers, {_ratio("paid_buyers", "inquiries")} AS cs_conversion_rate,
       paid_amount AS cs_paid_amount, {_ratio("paid_amount", "paid_buyers")} AS cs_aov,
       {_ratio("reply_w", "reply_base")} AS cs_reply_rate, {_ratio("first_w", "first_base")} AS cs_first_response_seconds,
       {_ratio("avg_w", "avg_base")} AS cs_avg_response_seconds,
       cost AS campaign_cost, campaign_gmv, {_ratio("campaign_gmv", "cost")} AS campaign_roi,
       {_ratio("clicks", "impressions")} AS ctr, {_ratio("cost", "clicks")} AS cost_per_click,
       {_ratio("missed", "planned")} AS sns_miss_rate, {_ratio("original", "posts")} AS sns_original_ratio,
       {_ratio("prev_fans - fans", "prev_fans")} AS sns_fan_loss_rate,
       {_ratio("on_time", "due")} AS task_on_time_rate, {_ratio("passed", "judged")} AS task_pass_rate,
       errors AS task_errors
FROM b ORDER BY employee
"""
