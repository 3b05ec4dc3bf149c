"""The synthetic company's exports agree with each other at every size: the shipped reconciliation
checks find no difference in any month (a company of 100 once had agents who sold more than their
shop, and the demo's month close stopped at HR's step). Data layer only: the company goes straight
into the warehouse (`load_warehouse`), which holds what importing its files gives
(`test_synth.test_straight_into_the_warehouse_gives_the_rows_an_import_gives`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopkpi.data.warehouse.catalogue import Warehouse
from shopkpi.data.warehouse.reconciliation import differences, load_checks
from shopkpi.scorecard.periods import Period
from shopkpi.synth.daily import AGENT_SHARE
from shopkpi.synth.warehouse_load import load_warehouse

MONTHS = ("2026-05", "2026-06")


@pytest.mark.parametrize(("employees", "seed"), [(100, 20261022), (1000, 3)])
def test_every_reconciliation_check_agrees_in_every_month(tmp_path: Path, employees: int, seed: int) -> None:
    load_warehouse(tmp_path, employees, len(MONTHS), seed, events_rows=2000)
    con = Warehouse(tmp_path).connect()
    checks = load_checks(None)
    for month in MONTHS:
        assert differences(con, Period.parse(month), checks) == [], month
    # the checks compared something: every 千牛 agent's shop has its 生意参谋 report, and no shop's
    # agents take more than their share of its visitors or of its 支付金额
    shares = con.execute(
        f"""WITH agents AS (
               SELECT regexp_extract(agent, '^[^:]+') AS shop, strftime(date, '%Y-%m') AS month,
                      sum(received) AS received, sum(paid_amount) AS sold
               FROM cs_daily WHERE agent LIKE '%:%' GROUP BY ALL),
           shops AS (
               SELECT shop, strftime(date, '%Y-%m') AS month, sum(uv) AS uv, sum(gmv) AS gmv
               FROM shop_daily GROUP BY ALL)
           SELECT count(*), count(shops.shop), max(received - {AGENT_SHARE} * uv),
                  max(sold - {AGENT_SHARE} * gmv)
           FROM agents LEFT JOIN shops USING (shop, month)"""
    ).fetchone()
    assert shares is not None
    pairs, with_report, visitors_over, sales_over = shares
    assert pairs > employees // 20 and with_report == pairs
    assert visitors_over <= 0 and sales_over <= 0
