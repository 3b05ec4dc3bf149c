"""A period's metrics read each dataset over the dates they need (`metrics.reads`), and the warehouse
makes its views over only the batches of those dates (`Warehouse.connect(reads=...)`): the same values,
provenance and rows as over every batch, whatever the history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from export_builders import write_csv

from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.importer import import_files
from shopkpi.data.imports.sheet_rows import read_sheets
from shopkpi.data.metrics.catalogue import MetricCatalogue, load_catalogue
from shopkpi.data.metrics.computation import compute_metrics
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot
from shopkpi.data.metrics.reads import credit_reads, metric_reads, month_reads
from shopkpi.data.metrics.rows import RowDrill
from shopkpi.data.warehouse.catalogue import Warehouse
from shopkpi.data.warehouse.read_windows import WHOLE, DateWindow
from shopkpi.synth import generate

D = dt.date


@pytest.fixture(scope="module")
def catalogue() -> MetricCatalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, OrganisationSnapshot]:
    """A synthetic company of four months (May to August 2026), imported file by file."""
    synth = generate(tmp_path_factory.mktemp("company"), 10, 4, 11, events_per_day=60)
    sheets = {}
    for entry in synth.files:
        path = synth.home / entry.path
        if DATASETS[entry.dataset].organisation:
            [sheets[entry.dataset]] = read_sheets(synth.home, entry.dataset, [path], timezone="Asia/Shanghai")
        else:
            import_files(synth.home, entry.dataset, [path])
    organisation = OrganisationSnapshot.of(
        (cells for _, cells in sheets["employees"].rows), (cells for _, cells in sheets["accounts"].rows)
    )
    return synth.home, organisation


def _batches(con: object, dataset: str) -> set[str]:
    return {str(b) for (b,) in con.execute(f"SELECT DISTINCT _batch FROM {dataset}").fetchall()}  # type: ignore[attr-defined]


def test_every_shipped_metric_reads_the_same_over_the_batches_of_its_dates(
    company: tuple[Path, OrganisationSnapshot], catalogue: MetricCatalogue
) -> None:
    home, organisation = company
    names = list(catalogue.metrics)
    for period in ("2026-07", "2026-08"):
        reads = metric_reads(catalogue, names, period)
        whole = Warehouse(home).connect()
        pruned = Warehouse(home).connect(reads=reads)
        full = compute_metrics(whole, period, catalogue, organisation=organisation, names=names)
        narrow = compute_metrics(pruned, period, catalogue, organisation=organisation, names=names)
        assert narrow.employees == full.employees  # values and provenance (rows, batches) alike
        assert (narrow.unowned, narrow.range_crossings) == (full.unowned, full.range_crossings)
        assert sum(v.value is not None for e in full.employees.values() for v in e.values.values()) > 100
        for name in names:  # the rows behind every value, their parts and their batches
            rows = [
                list(RowDrill(c, catalogue, name, period, organisation=organisation).rows())
                for c in (whole, pruned)
            ]
            assert rows[0] == rows[1], (period, name)
        # what was left out: the batches of May (and June for August), never read
        skipped = {d for d in reads if _batches(pruned, d) < _batches(whole, d)}
        assert "shop_daily" in skipped
        whole.close()
        pruned.close()


def _shop_day(home: Path, name: str, rows: list[list[object]]) -> str:
    path = write_csv(home.parent / name, [["shop", "date", "uv", "gmv"], *rows])
    [outcome] = import_files(home, "shop_daily", [path])
    return outcome.batch


def test_a_batch_spanning_months_is_read_for_each_of_them_and_one_outside_is_not(tmp_path: Path) -> None:
    home = tmp_path / "home"
    march = _shop_day(home, "march.csv", [["A", "2026-03-05", "1", "1"]])
    spanning = _shop_day(home, "apr-may.csv", [["A", "2026-04-28", "2", "2"], ["B", "2026-05-02", "3", "3"]])
    june = _shop_day(home, "june.csv", [["A", "2026-06-01", "4", "4"]])
    may = {"shop_daily": DateWindow(D(2026, 5, 1), D(2026, 5, 31))}
    con = Warehouse(home).connect(reads=may)
    assert _batches(con, "shop_daily") == {spanning}
    assert con.execute("SELECT shop, date FROM shop_daily ORDER BY date").fetchall() == [
        ("A", D(2026, 4, 28)),  # the batch's rows of April too: the view holds batches, statements filter
        ("B", D(2026, 5, 2)),
    ]
    april = Warehouse(home).connect(reads={"shop_daily": DateWindow(D(2026, 4, 1), D(2026, 4, 30))})
    assert _batches(april, "shop_daily") == {spanning}
    onward = Warehouse(home).connect(reads={"shop_daily": DateWindow(D(2026, 5, 2), None)})  # its last day
    assert _batches(onward, "shop_daily") == {spanning, june}
    # fail safe: a window without bounds, or a dataset not named, is read whole
    for reads in ({"shop_daily": WHOLE}, {"orders": may["shop_daily"]}):
        assert _batches(Warehouse(home).connect(reads=reads), "shop_daily") == {march, spanning, june}


def test_a_batch_whose_dates_the_catalogue_does_not_know_is_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    march = _shop_day(home, "march.csv", [["A", "2026-03-05", "1", "1"]])
    june = _shop_day(home, "june.csv", [["A", "2026-06-01", "4", "4"]])
    import duckdb

    path = home / "warehouse" / "catalogue.duckdb"
    with duckdb.connect(str(path)) as db:  # a batch recorded before batches kept their dates
        db.execute("UPDATE batches SET scope_from = NULL, scope_to = NULL WHERE id = ?", [march])
    con = Warehouse(home).connect(reads={"shop_daily": DateWindow(D(2026, 6, 1), D(2026, 6, 30))})
    assert _batches(con, "shop_daily") == {march, june}


def test_the_dates_a_month_reads(catalogue: MetricCatalogue) -> None:
    july = DateWindow(D(2026, 7, 1), D(2026, 7, 31))
    june_july = DateWindow(D(2026, 6, 1), D(2026, 7, 31))
    assert metric_reads(catalogue, ["gmv"], "2026-07") == {"shop_daily": july, "orders": july}
    # a growth rate reads the month before too (prev())
    grown = metric_reads(catalogue, ["order_growth"], "2026-07")
    assert grown and set(grown.values()) == {june_july}
    # finding HR's decisions on rows reads the month before as well
    assert set(month_reads(catalogue, ["gmv"], "2026-07").values()) == {june_july}
    assert metric_reads(catalogue, [], "2026-07") == {}


def test_a_query_metric_reads_its_datasets_whole(tmp_path: Path) -> None:
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "ours.yaml").write_text(
        """metrics:
  paid_gmv_by_query:
    type: query
    by: shop
    label_zh: 测试
    label: Test
    definition: test
    definition_zh: 测试
    sql: >-
      SELECT o.shop AS account, CAST(o.created_at AS DATE) AS date, sum(o.amount) AS value
      FROM orders o JOIN shop_daily s ON s.shop = o.shop GROUP BY ALL
""",
        encoding="utf-8",
    )
    catalogue = load_catalogue(tmp_path)
    reads = metric_reads(catalogue, ["paid_gmv_by_query", "pv"], "2026-07")
    # what a SELECT reads cannot be bounded: both datasets whole, even where pv reads shop_daily's July
    assert reads["orders"] == WHOLE and reads["shop_daily"] == WHOLE
    assert reads["traffic_events"] == DateWindow(D(2026, 7, 1), D(2026, 7, 31))


def test_a_query_metric_whose_cte_shadows_a_dataset_still_reads_that_dataset_whole(tmp_path: Path) -> None:
    """`WITH orders AS (SELECT … FROM orders)` reads the real orders inside the CTE: the CTE's name must
    not hide it (every order of history would otherwise not be seen by a "first-time buyer" metric)."""
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "ours.yaml").write_text(
        """metrics:
  paid_gmv_shadowed:
    type: query
    by: shop
    label_zh: 测试
    label: Test
    definition: test
    definition_zh: 测试
    sql: >-
      WITH orders AS (SELECT shop, created_at, amount FROM orders WHERE amount > 0)
      SELECT shop AS account, CAST(created_at AS DATE) AS date, sum(amount) AS value
      FROM orders GROUP BY ALL
""",
        encoding="utf-8",
    )
    catalogue = load_catalogue(tmp_path)
    reads = metric_reads(catalogue, ["paid_gmv_shadowed", "pv"], "2026-07")
    assert reads["orders"] == WHOLE


def test_credit_rules_read_the_orders_of_both_months_and_the_chats_of_their_windows(
    catalogue: MetricCatalogue,
) -> None:
    from shopkpi.data.metrics.credit_rules import CreditRule, CreditRules

    rule = CreditRule.model_validate(
        {"shops": ["S1"], "judge": "order", "window_days": 3, "from": "2026-01-01"}
    )
    credited = catalogue.__class__(catalogue.metrics, catalogue.order, CreditRules({"r": rule}))
    assert credit_reads(credited, D(2026, 6, 1), D(2026, 7, 31)) == {
        "orders": DateWindow(D(2026, 6, 1), D(2026, 7, 31)),
        "cs_chats": DateWindow(D(2026, 5, 29), None),  # a chat after July may decide an order paid later
    }


def test_batches_written_before_a_column_existed_are_read_with_the_later_ones(tmp_path: Path) -> None:
    import duckdb

    home = tmp_path / "home"
    march = _shop_day(home, "march.csv", [["A", "2026-03-05", "1", "1"]])
    june = _shop_day(home, "june.csv", [["A", "2026-06-01", "4", "4"]])
    old = home / "warehouse" / "shop_daily" / f"{march}.parquet"
    with duckdb.connect() as db:  # March's file as a batch written before shop_daily had `gmv`
        db.execute(
            f"COPY (SELECT * EXCLUDE (gmv) FROM read_parquet('{old}')) TO '{old}.new' (FORMAT parquet)"
        )
    old.with_name(old.name + ".new").replace(old)
    con = Warehouse(home).connect(reads={"shop_daily": DateWindow(D(2026, 3, 1), D(2026, 3, 31))})
    assert con.execute("SELECT _batch, gmv FROM shop_daily ORDER BY date").fetchall() == [
        (march, None),
        (june, 4),
    ]


def _in(dataset: str, row: dict[str, object], window: DateWindow) -> bool:
    """Whether a row's days (`scope`: a 千牛 row's date_from..date) meet the window."""
    ds = DATASETS[dataset]
    assert ds.date_column is not None
    last = dt.date.fromisoformat(str(row[ds.date_column])[:10])
    first = dt.date.fromisoformat(str(row.get("date_from") or last)[:10])
    return window.meets(first, last)


@pytest.mark.parametrize("rule", ["下单判定 3天", "付款判定 1天", "下单优先 3天"])
def test_with_credit_rules_the_rows_outside_the_dates_read_change_nothing(rule: str) -> None:
    """Every row outside its dataset's dates dropped (as if each row were a batch of its own): the
    credited values and their rows are the same. October's last order is paid on 1 November after a
    chat that day (a chat after the month decides it); August's order and chat are never read."""
    from metric_tables import connection_with, organisation_of
    from test_credit_rules import RULES, _data, _order, _rules

    from shopkpi.data.metrics.catalogue import with_credit_rules

    data = _data()
    data["orders"] = [
        *data["orders"],
        _order(8, "b8", "2026-10-31 23:00:00", "2026-11-01 10:00:00"),
        _order(9, "b9", "2026-08-03 10:00:00", "2026-08-03 10:05:00"),
    ]
    data["cs_chats"] = [
        *data["cs_chats"],
        {"agent": "B", "buyer": "b8", "ts": "2026-11-01 09:00:00", "shop": "S1"},
        {"agent": "A", "buyer": "b9", "ts": "2026-08-03 09:00:00", "shop": "S1"},
    ]
    catalogue = with_credit_rules(load_catalogue(), _rules(**RULES[rule][0]))
    names = [
        n
        for n in catalogue.public
        if any(s.dataset in ("order_credits", "cs_chats") for s in catalogue.metrics[n].sources)
    ]
    reads = month_reads(catalogue, names, "2026-10")
    assert reads["cs_chats"].last is None and reads["orders"].first == D(2026, 9, 1)
    kept = {d: [r for r in rows if d not in reads or _in(d, r, reads[d])] for d, rows in data.items()}
    assert (
        len(kept["orders"]) == len(data["orders"]) - 1 and len(kept["cs_chats"]) == len(data["cs_chats"]) - 1
    )
    organisation = organisation_of(data)
    found = []
    for rows in (data, kept):
        con = connection_with(rows)
        results = compute_metrics(con, "2026-10", catalogue, organisation=organisation, names=names)
        drilled = [  # rows of one day and batch without file rows come in any order
            sorted(map(repr, RowDrill(con, catalogue, n, "2026-10", organisation=organisation).rows()))
            for n in names
        ]
        found.append((results.employees, results.unowned, drilled))
    assert found[0] == found[1]
    assert any(v.value is not None for e in found[0][0].values() for v in e.values.values())
