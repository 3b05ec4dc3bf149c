"""Shifts: one 子账号 shared by 早班 and 晚班 (seed 002: 早班 9:30–16:30, 晚班 16:30–24:00 by weekday)
credits rows with a time to the person on shift at that time; daily totals stay with the owner."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from export_builders import write_xlsx
from metric_tables import connection_with, employees, organisation_of, owns

from shopkpi.data.metrics.catalogue import MetricCatalogueError, load_catalogue
from shopkpi.data.metrics.computation import compute_metrics
from shopkpi.data.metrics.rows import SHIFT_RULE, RowDrill

D = Decimal
SHARED = "旗舰店:客服1"
HEADER = ["子账号", "班次", "开始", "结束", "星期", "日期", "工号"]
# seed 002: 小冰 (BING) 一三五 早班, 二四六 晚班; 小焦 (JIAO) 一三五日 晚班, 二四 早班; on Wednesday
# 2026-10-07 小焦 takes 小冰's 早班 (an exception). Nobody works Saturday's or Sunday's 早班.
SHIFTS = [
    HEADER,
    [SHARED, "早班", "09:30", "16:30", "一,三,五", None, "BING"],
    [SHARED, "晚班", "16:30", "24:00", "二,四,六", None, "BING"],
    [SHARED, "晚班", "16:30", "24:00", "一,三,五,日", None, "JIAO"],
    [SHARED, "早班", "09:30", "16:30", "2,4", None, "JIAO"],
    [SHARED, "早班", "09:30", "16:30", None, "2026-10-07", "JIAO"],
]


def _chat(buyer: str, ts: str) -> dict[str, Any]:
    return {"agent": SHARED, "buyer": buyer, "ts": ts, "shop": "旗舰店"}


def _credit(order: str, created: str, amount: str) -> dict[str, Any]:
    return {"order_id": order, "shop": "旗舰店", "created_at": created, "agent": SHARED, "amount": amount}


DATA: dict[str, list[dict[str, Any]]] = {
    "employees": employees("BING", "JIAO", "LEAD"),
    "accounts": [owns("LEAD", "agent", SHARED)],  # the shared account's owner: whole days
    "cs_chats": [
        _chat("b1", "2026-10-05 10:00:00"),  # Monday 早班 → 小冰
        _chat("b2", "2026-10-05 20:00:00"),  # Monday 晚班 → 小焦
        _chat("b3", "2026-10-05 08:00:00"),  # before 9:30: no shift → the owner
        _chat("b4", "2026-10-06 10:00:00"),  # Tuesday 早班 → 小焦
        _chat("b5", "2026-10-06 16:30:00"),  # Tuesday 晚班 starts at 16:30 → 小冰
        _chat("b6", "2026-10-07 10:00:00"),  # Wednesday 早班, the exception → 小焦
        _chat("b7", "2026-10-10 10:00:00"),  # Saturday 早班: nobody → the owner
        _chat("b8", "2026-10-10 23:59:00"),  # Saturday 晚班 → 小冰
    ],
    "order_credits": [
        _credit("o1", "2026-10-05 10:00:00", "100.00"),  # Monday 早班 → 小冰
        _credit("o2", "2026-10-05 20:00:00", "200.00"),  # Monday 晚班 → 小焦
    ],
    "cs_daily": [{"agent": SHARED, "date": "2026-10-05", "inquiries": 5}],  # a daily total: no hours
}


def _home(tmp_path: Path, rows: list[list[Any]]) -> Path:
    (tmp_path / "shifts").mkdir()
    write_xlsx(tmp_path / "shifts" / "客服排班.xlsx", rows)
    return tmp_path


def test_a_shared_account_credits_by_the_hour_of_the_shifts(tmp_path: Path) -> None:
    catalogue = load_catalogue(_home(tmp_path, SHIFTS))
    values = compute_metrics(connection_with(DATA), "2026-10", catalogue, organisation=organisation_of(DATA))
    found = {e: values.employees[e] for e in ("BING", "JIAO", "LEAD")}
    # chats: 小冰 b1, b5, b8; 小焦 b2, b4, b6; the owner b3 (08:00) and b7 (Saturday morning): 3 + 3 + 2 = 8
    assert {e: v.value("cs_chat_buyers") for e, v in found.items()} == {
        "BING": D(3),
        "JIAO": D(3),
        "LEAD": D(2),
    }
    # orders at 10:00 and 20:00 on Monday: ¥100 to 小冰, ¥200 to 小焦
    assert {e: v.value("cs_credited_amount") for e, v in found.items()} == {
        "BING": D("100.00"),
        "JIAO": D("200.00"),
        "LEAD": None,
    }
    # the daily report has no hours to split: its 5 inquiries stay with the owner
    assert {e: v.value("cs_inquiries") for e, v in found.items()} == {
        "BING": None,
        "JIAO": None,
        "LEAD": D(5),
    }


def test_the_rows_name_the_shift_and_its_hours_or_why_the_owner_kept_them(tmp_path: Path) -> None:
    catalogue = load_catalogue(_home(tmp_path, SHIFTS))
    organisation = organisation_of(DATA)
    bing = RowDrill(
        connection_with(DATA),
        catalogue,
        "cs_chat_buyers",
        "2026-10",
        organisation=organisation,
        employee="BING",
    )
    credits = {r.values["buyer"]: r.credited_by for r in bing.rows()}
    assert sorted(credits) == ["b1", "b5", "b8"]
    assert {(c.rule, c.account, c.shift, c.shift_hours) for b, c in credits.items() if b == "b1"} == {
        (SHIFT_RULE, SHARED, "早班", "09:30-16:30")
    }
    assert (credits["b8"].shift, credits["b8"].shift_hours) == ("晚班", "16:30-24:00")
    assert bing.value() == D(3)
    lead = RowDrill(
        connection_with(DATA),
        catalogue,
        "cs_chat_buyers",
        "2026-10",
        organisation=organisation,
        employee="LEAD",
    )
    kept = {r.values["buyer"]: r.credited_by for r in lead.rows()}
    assert sorted(kept) == ["b3", "b7"] and all(c.unsplit and c.rule == "owner" for c in kept.values())
    daily = RowDrill(
        connection_with(DATA),
        catalogue,
        "cs_inquiries",
        "2026-10",
        organisation=organisation,
        employee="LEAD",
    )
    assert [r.credited_by.unsplit for r in daily.rows()] == [True]


def test_a_shift_file_with_mistakes_is_refused_with_each_row(tmp_path: Path) -> None:
    rows = [
        HEADER,
        [SHARED, "早班", "09:30", "17:00", "一", None, "BING"],
        [SHARED, "晚班", "16:30", "24:00", "一", None, "JIAO"],  # overlaps 早班 by half an hour
        [SHARED, "中班", "25:00", "26:00", "一", None, "JIAO"],
        [SHARED, "夜班", "20:00", "21:00", "一", "2026-10-07", "JIAO"],
        [SHARED, "早班", "09:30", "17:00", "一", None, "JIAO"],  # two people on Monday's 早班
    ]
    with pytest.raises(MetricCatalogueError) as refused:
        load_catalogue(_home(tmp_path, rows))
    text = str(refused.value)
    assert "客服排班.xlsx: row 4: 开始 '25:00' is not a time like 09:30" in text
    assert "row 5: give either 星期 (a weekly shift) or 日期 (an exception)" in text
    assert "shifts 早班 (09:30-17:00) and 晚班 (16:30-24:00) of 旗舰店:客服1 overlap" in text
    assert "旗舰店:客服1 · 早班 has two people on the same weekday" in text
