"""The real Taobao clickstream slice: metrics read through the roll-up equal metrics read from the rows,
with a shop handed over mid-month, a batch partly replaced and a batch wholly replaced.

The slice (../shared/data/taobao-userbehavior) is two hours of one day; here each event is moved
back by (item_id % 20) days, so that a visitor of a product line comes back on other days and the
month has a hand-over. Each item category is a product line (an account of kind `shop`) owned by
operator E<category_id % 50>; lines with category_id % 50 < 10 pass to operator EH on 2017-11-16;
lines with category_id % 50 = 49 belong to no one.

Batches: A is every event; B corrects lines with category_id % 3 = 0 on 11-10..11-12 (their
page views of even users dropped), partly replacing A; C restates lines with category_id % 5 = 1
on 11-20, partly replacing A; D corrects C (every third user's events become favourites),
replacing C wholly.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from shopkpi.data.imports.importer import DEFAULT_TIMEZONE, FileOutcome, import_files
from shopkpi.data.imports.sheet_rows import read_sheets
from shopkpi.data.metrics.catalogue import load_catalogue
from shopkpi.data.metrics.computation import MetricResults, compute_metrics
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot
from shopkpi.data.warehouse.catalogue import Warehouse

TAOBAO = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "data"
    / "taobao-userbehavior"
    / "UserBehavior.csv"
)
EVENTS = (
    "SELECT CAST(user_id AS VARCHAR) AS user, "
    "make_timestamp(ts * 1000000) + INTERVAL 8 HOUR - to_days(CAST(item_id % 20 AS INTEGER)) AS ts, "
    "behavior_type AS behavior, item_id AS item, category_id AS category, 'cat-' || category_id AS shop, "
    "user_id, category_id "
    f"FROM read_csv('{TAOBAO}', header = false, columns = {{'user_id': 'BIGINT', 'item_id': 'BIGINT', "
    "'category_id': 'BIGINT', 'behavior_type': 'VARCHAR', 'ts': 'BIGINT'})"
)
CANONICAL = "user, strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, behavior, item, category, shop"
HANDOVER = "2017-11-16"


ORGANISATIONS: dict[Path, OrganisationSnapshot] = {}


def import_query(home: Path, name: str, dataset: str, sql: str) -> FileOutcome | None:
    """A query's rows imported as `dataset`; the accounts sheet read as the organisation service
    reads it, kept as the organisation snapshot the metric step is handed."""
    path = home.parent / f"{name}.csv"
    duckdb.execute(f"COPY ({sql}) TO '{path}' (HEADER, DELIMITER ',')")
    if dataset == "accounts":
        [sheet] = read_sheets(home, dataset, [path], profile="canonical", timezone=DEFAULT_TIMEZONE)
        ORGANISATIONS[home] = OrganisationSnapshot.of((), (cells for _, cells in sheet.rows))
        return None
    [outcome] = import_files(home, dataset, [path], profile="canonical", user="test")
    return outcome


def metrics(home: Path, *, read_rollups: bool) -> MetricResults:
    connection = Warehouse(home).connect()
    try:
        return compute_metrics(
            connection,
            "2017-11",
            load_catalogue(home),
            organisation=ORGANISATIONS[home],
            read_rollups=read_rollups,
        )
    finally:
        connection.close()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("taobao-rollup") / "home"
    lines = f"SELECT DISTINCT category_id FROM ({EVENTS}) WHERE category_id % 50 <> 49"
    import_query(
        home,
        "accounts",
        "accounts",
        f"SELECT 'E' || (category_id % 50) AS employee, 'shop' AS kind, 'cat-' || category_id AS account, "
        f"NULL AS valid_from, CASE WHEN category_id % 50 < 10 THEN DATE '{HANDOVER}' - 1 END AS valid_to "
        f"FROM ({lines}) UNION ALL "
        f"SELECT 'EH', 'shop', 'cat-' || category_id, DATE '{HANDOVER}', NULL FROM ({lines}) WHERE category_id % 50 < 10 "
        "ORDER BY account, valid_to NULLS LAST",
    )
    a = import_query(home, "a", "traffic_events", f"SELECT {CANONICAL} FROM ({EVENTS}) ORDER BY ts")
    b = import_query(
        home,
        "b",
        "traffic_events",
        f"SELECT {CANONICAL} FROM ({EVENTS}) WHERE category_id % 3 = 0 "
        "AND CAST(ts AS DATE) BETWEEN DATE '2017-11-10' AND DATE '2017-11-12' "
        "AND NOT (behavior = 'pv' AND user_id % 2 = 0) ORDER BY ts",
    )
    assert b.partly_replaced == (a.batch,) and b.replaced == ()
    on_the_20th = f"FROM ({EVENTS}) WHERE category_id % 5 = 1 AND CAST(ts AS DATE) = DATE '2017-11-20'"
    c = import_query(home, "c", "traffic_events", f"SELECT {CANONICAL} {on_the_20th} ORDER BY ts")
    assert c.partly_replaced == (a.batch,) and c.replaced == ()
    d = import_query(
        home,
        "d",
        "traffic_events",
        f"SELECT user, strftime(ts, '%Y-%m-%d %H:%M:%S') AS ts, "
        f"CASE WHEN user_id % 3 = 0 THEN 'fav' ELSE behavior END AS behavior, item, category, shop "
        f"{on_the_20th} ORDER BY ts",
    )
    assert d.replaced == (c.batch,)
    return home


def test_the_rollup_gives_the_values_and_provenance_of_the_rows(home: Path) -> None:
    via_rollup = metrics(home, read_rollups=True)
    via_rows = metrics(home, read_rollups=False)
    assert "FROM _rollup_traffic_events AS d JOIN" in via_rollup.sql and "_rollup" not in via_rows.sql
    assert via_rollup.employees == via_rows.employees
    assert via_rollup.unowned == via_rows.unowned and via_rollup.unowned[0].rows > 0
    # the hand-over splits a line's month; B's and D's corrections are what counts
    assert via_rollup.employees["EH"].value("uv") and via_rollup.employees["E0"].value("uv")
    batches = {b for e in via_rollup.employees.values() for s in e.values["uv"].provenance for b in s.batches}
    assert len(batches) == 3  # A (partly), B and D; C is wholly replaced


def test_values_over_the_rollup_match_plain_duckdb_on_the_current_rows(home: Path) -> None:
    """An independent check: the visitors and page views per operator from the current rows."""
    connection = Warehouse(home).connect()
    expected = connection.execute(
        f"""
        WITH owned AS (
            SELECT CASE WHEN line % 50 < 10 AND CAST(ts AS DATE) >= DATE '{HANDOVER}' THEN 'EH'
                        ELSE 'E' || (line % 50) END AS employee, *
            FROM (SELECT *, CAST(category AS BIGINT) AS line FROM traffic_events) WHERE line % 50 <> 49),
        per_line AS (
            SELECT employee, shop, count(*) FILTER (WHERE behavior = 'pv') AS pv, count(DISTINCT "user") AS uv,
                   count(DISTINCT "user") FILTER (WHERE behavior = 'fav') AS favorites
            FROM owned GROUP BY ALL)
        SELECT employee, sum(pv), sum(uv), sum(favorites) FROM per_line GROUP BY employee
        """
    ).fetchall()
    connection.close()
    got = metrics(home, read_rollups=True).employees
    assert len(expected) == 50  # 49 operators and EH
    for employee, pv, uv, favorites in expected:
        values = got[employee].plain()
        assert (values["pv"], values["uv"], values["favorites"]) == (pv, uv, favorites), employee


def test_batches_without_their_rollup_file_give_the_same_values(home: Path, tmp_path: Path) -> None:
    """A warehouse imported before roll-ups existed: the view groups those batches' rows itself."""
    expected = metrics(home, read_rollups=False).employees
    folder = home / "warehouse" / "traffic_events.rollup"
    kept = tmp_path / "kept"
    folder.rename(kept)
    try:
        assert metrics(home, read_rollups=True).employees == expected
    finally:
        kept.rename(folder)
