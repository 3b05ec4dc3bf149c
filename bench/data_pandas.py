"""What a data analyst would write today: the same metrics with pandas, reading the same Parquet files.

Idiomatic pandas: read each dataset, attribute rows to owners with a merge on the account and a
filter on the validity window, `groupby(...).nunique()` / `.sum()` per (employee, account), then
per employee, and the derived ratios column by column.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

COUNTED = ["paid", "shipped", "delivered", "refunded"]
KEYS = ["employee", "account"]


def _read(
    root: Path, dataset: str, columns: list[str] | None = None, filters: list | None = None
) -> pd.DataFrame:
    if dataset in ("employees", "accounts"):  # the application's organisation snapshot, beside the warehouse
        root = root.parent / "organisation"
    frame = pd.read_parquet(root / dataset, columns=columns, filters=filters)
    for column in frame.columns:
        if frame[column].dtype == object:
            sample = frame[column].dropna()
            if len(sample) and isinstance(sample.iloc[0], Decimal):
                frame[column] = frame[column].astype("float64")  # Decimal -> float, as analysts do
    return frame


def _window(frame: pd.DataFrame, column: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    day = pd.to_datetime(frame[column]).dt.normalize()
    return frame[(day >= pd.Timestamp(start)) & (day <= pd.Timestamp(end))]


def _attribute(
    frame: pd.DataFrame, owners: pd.DataFrame, kind: str, account: str, day_column: str
) -> pd.DataFrame:
    mine = owners[owners["kind"] == kind][["employee", "account", "valid_from", "valid_to"]]
    merged = frame.rename(columns={account: "account"}).merge(mine, on="account")
    day = pd.to_datetime(merged[day_column]).dt.normalize()
    return merged[(day >= merged["valid_from"]) & (day <= merged["valid_to"])]


def _add(*series: pd.Series) -> pd.Series:
    return pd.concat(series, axis=1).sum(axis=1, min_count=1)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator / denominator.replace(0, np.nan)


def pandas_metrics(
    root: Path, start: dt.date, end: dt.date, prev_start: dt.date, prev_end: dt.date
) -> pd.DataFrame:
    owners = _read(root, "accounts")
    owners["valid_from"] = pd.to_datetime(owners["valid_from"]).fillna(pd.Timestamp("1900-01-01"))
    owners["valid_to"] = pd.to_datetime(owners["valid_to"]).fillna(pd.Timestamp("2200-01-01"))
    staff = _read(root, "employees")
    hired = pd.to_datetime(staff["hired_on"])
    left = pd.to_datetime(staff["left_on"])
    staff = staff[
        (hired.isna() | (hired <= pd.Timestamp(end))) & (left.isna() | (left >= pd.Timestamp(start)))
    ]
    out = pd.DataFrame(index=pd.Index(sorted(staff["employee"]), name="employee"))

    # clickstream: distinct users per shop, added over the employee's shops
    events = _read(
        root,
        "traffic_events",
        ["user", "ts", "behavior", "shop"],
        [("ts", ">=", pd.Timestamp(start)), ("ts", "<", pd.Timestamp(end + dt.timedelta(days=1)))],
    )
    events = _attribute(events, owners, "shop", "shop", "ts")
    by_shop = events.groupby(KEYS)
    traffic = pd.DataFrame(
        {
            "pv": events[events["behavior"] == "pv"].groupby(KEYS).size(),
            "uv": by_shop["user"].nunique(),
            "buyers": events[events["behavior"] == "buy"].groupby(KEYS)["user"].nunique(),
            "favorites": events[events["behavior"] == "fav"].groupby(KEYS)["user"].nunique(),
            "carts": events[events["behavior"] == "cart"].groupby(KEYS)["user"].nunique(),
        }
    ).fillna(0)
    te = traffic.groupby("employee").sum()
    del events, by_shop

    shops = _read(root, "shop_daily")
    current = _attribute(_window(shops, "date", start, end), owners, "shop", "shop", "date")
    current = current.assign(stay_w=current["avg_stay_seconds"] * current["uv"])
    current = current.assign(stay_uv=current["uv"].where(current["avg_stay_seconds"].notna()))
    sd = current.groupby("employee")[
        [
            "pv",
            "uv",
            "buyers",
            "orders",
            "gmv",
            "favorites",
            "carts",
            "stay_w",
            "stay_uv",
            "new_uv",
            "refund_amount",
        ]
    ].sum(min_count=1)
    earlier = _attribute(_window(shops, "date", prev_start, prev_end), owners, "shop", "shop", "date")
    sdp = earlier.groupby("employee")["orders"].sum(min_count=1)

    orders = _read(root, "orders")
    orders = orders[orders["status"].isin(COUNTED)]
    now = _attribute(_window(orders, "created_at", start, end), owners, "shop", "shop", "created_at")
    per_shop = now.groupby(KEYS)
    counted = pd.DataFrame(
        {
            "buyers": per_shop["buyer"].nunique(),
            "orders": per_shop["order_id"].nunique(),
            "gmv": per_shop["amount"].sum(min_count=1),
            "refund_amount": per_shop["refund_amount"].sum(min_count=1),
            "returned": now[now["returned"] == 1].groupby(KEYS)["order_id"].nunique(),
            "bad": now[now["review_score"] <= 2].groupby(KEYS)["order_id"].nunique(),
            "reviewed": now[now["review_score"].notna()].groupby(KEYS)["order_id"].nunique(),
            "late": now[now["delivered_at"] > now["promised_at"]].groupby(KEYS)["order_id"].nunique(),
            "timed": now[now["delivered_at"].notna() & now["promised_at"].notna()]
            .groupby(KEYS)["order_id"]
            .nunique(),
        }
    )
    counted[["returned", "bad", "reviewed", "late", "timed"]] = counted[
        ["returned", "bad", "reviewed", "late", "timed"]
    ].fillna(0)
    od = counted.groupby("employee").sum(min_count=1)
    before = _attribute(
        _window(orders, "created_at", prev_start, prev_end), owners, "shop", "shop", "created_at"
    )
    odp = before.groupby(KEYS)["order_id"].nunique().groupby("employee").sum()

    cs = _attribute(_window(_read(root, "cs_daily"), "date", start, end), owners, "agent", "agent", "date")
    both = cs["replied"].notna() & cs["received"].notna()
    cs = cs.assign(
        reply_w=cs["replied"].where(both, cs["reply_rate"] * cs["inquiries"]),
        reply_base=cs["received"].where(both, cs["inquiries"].where(cs["reply_rate"].notna())),
        first_w=cs["first_response_seconds"] * cs["inquiries"],
        first_base=cs["inquiries"].where(cs["first_response_seconds"].notna()),
        avg_w=cs["avg_response_seconds"] * cs["inquiries"],
        avg_base=cs["inquiries"].where(cs["avg_response_seconds"].notna()),
    )
    service = cs.groupby("employee")[
        [
            "inquiries",
            "paid_buyers",
            "paid_amount",
            "reply_w",
            "reply_base",
            "first_w",
            "first_base",
            "avg_w",
            "avg_base",
        ]
    ].sum(min_count=1)

    plans = _attribute(
        _window(_read(root, "campaigns"), "date", start, end), owners, "campaign", "campaign", "date"
    )
    promotion = plans.groupby("employee")[["cost", "gmv", "impressions", "clicks"]].sum(min_count=1)

    posts = _read(root, "sns_posts")

    def fans(frame: pd.DataFrame) -> pd.Series:
        last = frame[frame["fans"].notna()].sort_values("date").groupby(KEYS)["fans"].last()
        return last.groupby("employee").sum()

    sns_now = _attribute(_window(posts, "date", start, end), owners, "sns", "account", "date")
    full = sns_now["planned_posts"].notna() & sns_now["posts"].notna()
    sns_now = sns_now.assign(
        missed=(sns_now["planned_posts"] - sns_now["posts"]).clip(lower=0).where(full),
        planned=sns_now["planned_posts"].where(full),
    )
    sns = sns_now.groupby("employee")[["missed", "planned", "posts", "original_posts"]].sum(min_count=1)
    sns_fans = fans(sns_now)
    sns_prev_fans = fans(
        _attribute(_window(posts, "date", prev_start, prev_end), owners, "sns", "account", "date")
    )

    tasks = _attribute(
        _window(_read(root, "tasks"), "due_at", start, end), owners, "assignee", "assignee", "due_at"
    )
    work = tasks.groupby("employee").agg(
        on_time=("delivered_at", lambda s: (s <= tasks.loc[s.index, "due_at"]).sum()),
        due=("task_id", "size"),
        passed=("passed", lambda s: (s == 1).sum()),
        judged=("passed", "count"),
        errors=("errors", lambda s: s.sum(min_count=1)),
    )

    def col(frame: pd.DataFrame | pd.Series, name: str | None = None) -> pd.Series:
        series = frame if isinstance(frame, pd.Series) else frame[name]
        return series.reindex(out.index)

    out["pv"] = _add(col(te, "pv"), col(sd, "pv"))
    out["uv"] = _add(col(te, "uv"), col(sd, "uv"))
    out["pages_per_visitor"] = _ratio(out["pv"], out["uv"])
    out["buyers"] = _add(col(te, "buyers"), col(sd, "buyers"), col(od, "buyers"))
    out["conversion_rate"] = _ratio(out["buyers"], out["uv"])
    out["gmv"] = _add(col(sd, "gmv"), col(od, "gmv"))
    out["aov"] = _ratio(out["gmv"], out["buyers"])
    out["favorites"] = _add(col(te, "favorites"), col(sd, "favorites"))
    out["carts"] = _add(col(te, "carts"), col(sd, "carts"))
    out["avg_stay_seconds"] = _ratio(col(sd, "stay_w"), col(sd, "stay_uv"))
    out["new_uv_ratio"] = _ratio(col(sd, "new_uv"), out["uv"])
    out["orders"] = _add(col(sd, "orders"), col(od, "orders"))
    out["order_growth"] = _ratio(out["orders"], _add(col(sdp), col(odp))) - 1
    out["refund_rate"] = _ratio(_add(col(sd, "refund_amount"), col(od, "refund_amount")), out["gmv"])
    out["return_rate"] = _ratio(col(od, "returned"), col(od, "orders"))
    out["bad_review_rate"] = _ratio(col(od, "bad"), col(od, "reviewed"))
    out["late_delivery_rate"] = _ratio(col(od, "late"), col(od, "timed"))
    out["cs_inquiries"] = col(service, "inquiries")
    out["cs_paid_buyers"] = col(service, "paid_buyers")
    out["cs_conversion_rate"] = _ratio(out["cs_paid_buyers"], out["cs_inquiries"])
    out["cs_paid_amount"] = col(service, "paid_amount")
    out["cs_aov"] = _ratio(out["cs_paid_amount"], out["cs_paid_buyers"])
    out["cs_reply_rate"] = _ratio(col(service, "reply_w"), col(service, "reply_base"))
    out["cs_first_response_seconds"] = _ratio(col(service, "first_w"), col(service, "first_base"))
    out["cs_avg_response_seconds"] = _ratio(col(service, "avg_w"), col(service, "avg_base"))
    out["campaign_cost"] = col(promotion, "cost")
    out["campaign_gmv"] = col(promotion, "gmv")
    out["campaign_roi"] = _ratio(out["campaign_gmv"], out["campaign_cost"])
    out["ctr"] = _ratio(col(promotion, "clicks"), col(promotion, "impressions"))
    out["cost_per_click"] = _ratio(out["campaign_cost"], col(promotion, "clicks"))
    out["sns_miss_rate"] = _ratio(col(sns, "missed"), col(sns, "planned"))
    out["sns_original_ratio"] = _ratio(col(sns, "original_posts"), col(sns, "posts"))
    out["sns_fan_loss_rate"] = _ratio(col(sns_prev_fans) - col(sns_fans), col(sns_prev_fans))
    out["task_on_time_rate"] = _ratio(col(work, "on_time"), col(work, "due"))
    out["task_pass_rate"] = _ratio(col(work, "passed"), col(work, "judged"))
    out["task_errors"] = col(work, "errors")
    return out
