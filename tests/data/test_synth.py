"""`shopkpi synth`: platform export files that the real import path accepts as they are, the same
bytes for the same seed, a shop handed over on the 16th, realistic figures, and the same data when
generated straight into the warehouse."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from shopkpi.cli.import_command import describe
from shopkpi.cli.main import cli
from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.importer import import_files
from shopkpi.data.imports.sheet_rows import SheetRows, read_sheets
from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot
from shopkpi.data.warehouse.catalogue import Warehouse
from shopkpi.synth import SynthManifest, generate
from shopkpi.synth.calendar import SynthCalendar, traffic_factor
from shopkpi.synth.company import POSITIONS, build_company
from shopkpi.synth.warehouse_load import load_warehouse

EMPLOYEES, MONTHS, SEED, EVENTS_PER_DAY = 12, 2, 11, 400


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> SynthManifest:
    home = tmp_path_factory.mktemp("synth")
    return generate(home, EMPLOYEES, MONTHS, SEED, events_per_day=EVENTS_PER_DAY)


@pytest.fixture(scope="module")
def imported(synth: SynthManifest) -> dict[str, str]:
    """Every synth file through the importer without a profile; file -> what `shopkpi import` prints of it.

    (The command itself also writes the application's audit log; tests/cli/test_import_command.py runs it.)"""
    printed: dict[str, str] = {}
    for entry in synth.files:
        path = synth.home / entry.path
        if DATASETS[entry.dataset].organisation:  # the application's (see `organisation` below)
            continue
        outcomes = import_files(synth.home, entry.dataset, [path])
        printed[entry.path.as_posix()] = "".join(describe(o, entry.dataset) + "\n" for o in outcomes)
    return printed


@pytest.fixture(scope="module")
def sheets(synth: SynthManifest) -> dict[str, SheetRows]:
    """The organisation's sheets (positions, roster, accounts) read as the organisation service reads them."""
    found: dict[str, SheetRows] = {}
    for entry in synth.files:
        if DATASETS[entry.dataset].organisation:
            [found[entry.dataset]] = read_sheets(
                synth.home, entry.dataset, [synth.home / entry.path], timezone="Asia/Shanghai"
            )
    return found


@pytest.fixture(scope="module")
def organisation(sheets: dict[str, SheetRows]) -> OrganisationSnapshot:
    return OrganisationSnapshot.of(
        (cells for _, cells in sheets["employees"].rows), (cells for _, cells in sheets["accounts"].rows)
    )


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_every_file_imports_without_a_profile_and_is_recognised(
    synth: SynthManifest, imported: dict[str, str], sheets: dict[str, SheetRows]
) -> None:
    datasets = {f.dataset for f in synth.files}
    assert datasets == {
        "positions", "employees", "accounts", "shop_daily", "cs_daily", "campaigns", "orders", "traffic_events",
        "sns_posts", "tasks", "targets", "inputs", "ratings",
    }  # fmt: skip
    for entry in synth.files:
        if entry.dataset in sheets:
            assert len(sheets[entry.dataset].rows) == entry.rows
            continue
        out = imported[entry.path.as_posix()]
        assert out.startswith(f"imported   {entry.path.name} → {entry.dataset}: {entry.rows} rows"), out
        assert f"({entry.profile}" in out, out
    profiles = {f.profile for f in synth.files}
    assert {"sycm-shop", "qianniu-cs", "jd-cs", "ztc-campaign", "canonical"} <= profiles
    counts = (
        Warehouse(synth.home)
        .connect()
        .execute("SELECT dataset, sum(row_count) FROM batches WHERE replaced_by IS NULL GROUP BY dataset")
    )
    expected: dict[str, int] = {}
    for entry in synth.files:
        if entry.dataset in sheets:
            continue
        expected[entry.dataset] = expected.get(entry.dataset, 0) + entry.rows
    assert dict(counts.fetchall()) == expected


def test_qianniu_files_carry_six_summary_rows_that_are_not_agents(
    synth: SynthManifest, imported: dict[str, str]
) -> None:
    files = [f for f in synth.files if f.profile == "qianniu-cs"]
    assert files
    for entry in files:
        assert re.fullmatch(r"自制报表-报表查看-客服绩效_\d{8}_\d{8}_全部\.xlsx", entry.path.name)
        rows = CalamineWorkbook.from_path(str(synth.home / entry.path)).get_sheet_by_index(0).to_python()
        assert [r[0] for r in rows[-6:]] == [
            "汇总值",
            "平均值",
            "全店汇总值",
            "全店平均值",
            "同行同层优秀",
            "同行同层均值",
        ]
        assert len(rows) == 1 + entry.rows + 6
        assert "6 summary rows left out" in imported[entry.path.as_posix()]
    agents = Warehouse(synth.home).connect().execute("SELECT DISTINCT agent FROM cs_daily").fetchall()
    assert not {a for (a,) in agents} & {
        "汇总值",
        "平均值",
        "全店汇总值",
        "全店平均值",
        "同行同层优秀",
        "同行同层均值",
    }


def test_platform_formats(synth: SynthManifest) -> None:
    (ztc,) = synth.paths("campaigns", "2026-05")
    raw = ztc.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    lines = list(csv.reader(io.StringIO(raw.decode("gbk"))))
    assert lines[0][:3] == ["日期", "计划名称", "店铺名称"] and lines[-1][0] == "合计"
    sycm = synth.paths("shop_daily", "2026-05")[0]
    text = sycm.read_text("utf-8")
    assert sycm.suffix == ".xls" and text.startswith("<html>") and "店铺名称：" in text
    header_row = text.split("<tr>")[5]  # four banner rows, then the header on row 5
    assert header_row.startswith("<th>统计日期</th>")
    (events,) = synth.paths("traffic_events", "2026-05")
    assert events.read_text("utf-8").splitlines()[0] == "user,ts,behavior,item,category,shop"


def test_the_same_seed_gives_the_same_bytes(synth: SynthManifest, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", EMPLOYEES, MONTHS, SEED, events_per_day=EVENTS_PER_DAY)
    first, second = tree_digest(synth.root), tree_digest(again.root)
    assert len(first) == len(synth.files) + 2  # the files, manifest.json and positions.yaml
    assert first == second
    other = generate(tmp_path / "other", EMPLOYEES, MONTHS, SEED + 1, events_per_day=EVENTS_PER_DAY)
    assert tree_digest(other.root) != first


def test_a_shop_is_handed_over_on_the_16th(
    synth: SynthManifest, imported: dict[str, str], organisation: OrganisationSnapshot
) -> None:
    shop, old, new = synth.handover_shop, synth.handover_from, synth.handover_to
    assert synth.handover_day == dt.date(2026, 6, 16)
    con = Warehouse(synth.home).connect()
    owners = sorted(
        (
            (a.employee, a.valid_from, a.valid_to)
            for a in organisation.accounts
            if (a.kind, a.account) == ("shop", shop)
        ),
        key=lambda owner: owner[1] or dt.date.min,
    )
    assert owners == [(old, dt.date(2026, 5, 1), dt.date(2026, 6, 15)), (new, dt.date(2026, 6, 16), None)]
    # the shop has data on both sides of the hand-over, so June splits between the two operators
    days = con.execute(
        "SELECT count(*) FILTER (WHERE date <= DATE '2026-06-15'), count(*) FILTER (WHERE date >= DATE '2026-06-16') "
        "FROM shop_daily WHERE shop = ? AND date BETWEEN DATE '2026-06-01' AND DATE '2026-06-30'",
        [shop],
    ).fetchone()
    assert days == (15, 15)
    positions = {row.employee: row.position for row in organisation.employees_on(dt.date(2026, 6, 30))}
    assert positions[old] == positions[new] == "运营专员"


def test_figures_are_realistic(synth: SynthManifest, imported: dict[str, str]) -> None:
    con = Warehouse(synth.home).connect()
    rates = con.execute("SELECT shop, sum(buyers) / sum(uv) FROM shop_daily GROUP BY shop").fetchall()
    assert rates and all(0.015 <= rate <= 0.07 for _, rate in rates)
    clicks = con.execute(
        """SELECT shop, count(DISTINCT "user") FILTER (WHERE behavior = 'buy') / count(DISTINCT "user")
           FROM traffic_events GROUP BY shop HAVING count(*) FILTER (WHERE behavior = 'buy') > 0"""
    ).fetchall()
    assert clicks and all(0.01 <= rate <= 0.08 for _, rate in clicks)
    # 618: every shop's busiest June day
    peaks = con.execute(
        "SELECT shop, arg_max(date, uv) FROM shop_daily WHERE date BETWEEN DATE '2026-06-01' AND DATE '2026-06-30' GROUP BY shop"
    ).fetchall()
    assert peaks and {day for _, day in peaks} == {dt.date(2026, 6, 18)}
    low, high = con.execute(
        "SELECT min(first_response_seconds), max(first_response_seconds) FROM cs_daily"
    ).fetchone() or (None, None)
    assert low is not None and high is not None and 10 <= low <= high <= 60
    per_day = con.execute(
        "SELECT CAST(ts AS DATE) AS d, count(*) FROM traffic_events GROUP BY d ORDER BY d"
    ).fetchall()
    assert sum(n for _, n in per_day) == EVENTS_PER_DAY * (31 + 30)
    weekend = [n for d, n in per_day if d.weekday() >= 5 and traffic_factor(d) < 1.3]
    weekday = [n for d, n in per_day if d.weekday() < 5 and traffic_factor(d) < 1.01]
    assert sum(weekend) / len(weekend) > sum(weekday) / len(weekday)


def test_the_company_covers_the_positions_and_reports_to_one_head(synth: SynthManifest) -> None:
    calendar = SynthCalendar.of("2026-05", 2)
    company = build_company(60, SEED, calendar)
    assert {e.position for e in company.employees} == set(POSITIONS)
    ids = {e.id for e in company.employees}
    heads = [e for e in company.employees if e.supervisor is None]
    assert len(heads) == 1 and all(e.supervisor in ids for e in company.employees if e.supervisor)
    kinds = {s.kind for s in company.shops}
    assert kinds == {"sycm", "clickstream", "jd", "live"}
    kind_of = {s.name: s.kind for s in company.shops}
    shops_of: dict[str, set[str]] = {}
    for row in company.accounts:
        if row.kind == "shop":
            shops_of.setdefault(row.employee, set()).add(kind_of[row.account])
    for person in company.employees:
        if person.position == "运营专员":  # every operator runs a 天猫 shop with its 生意参谋 reports
            assert "sycm" in shops_of[person.id], person
        if person.position in ("直播运营", "电商直播主播"):  # and every live-stream person a 直播间
            assert shops_of[person.id] == {"live"}, person
    yaml_text = (synth.root / "positions.yaml").read_text("utf-8")
    assert all(f"{p.name}: {p.template}" in yaml_text for p in POSITIONS.values())


def test_straight_into_the_warehouse_gives_the_rows_an_import_gives(
    synth: SynthManifest, imported: dict[str, str], organisation: OrganisationSnapshot, tmp_path: Path
) -> None:
    home = tmp_path / "direct"
    loaded = load_warehouse(home, EMPLOYEES, MONTHS, SEED, events_rows=EVENTS_PER_DAY * 30)
    assert loaded.period == "2026-06" and loaded.events == EVENTS_PER_DAY * 30
    assert loaded.organisation == organisation  # the same people and owners as the sheets give
    query = """SELECT shop, behavior, count(*), count(DISTINCT "user"), min(ts), max(ts) FROM traffic_events
           WHERE ts >= TIMESTAMP '2026-06-01' GROUP BY ALL ORDER BY ALL"""
    direct = Warehouse(home).connect()
    via_csv = Warehouse(synth.home).connect()
    assert direct.execute(query).fetchall() == via_csv.execute(query).fetchall()
    for dataset, keys in (("shop_daily", "shop, date"), ("cs_daily", "agent, date"), ("orders", "order_id")):
        sql = f"SELECT * EXCLUDE (_batch, _row) FROM {dataset} ORDER BY {keys}"
        assert direct.execute(sql).fetchall() == via_csv.execute(sql).fetchall(), dataset


def test_synth_command(tmp_path: Path) -> None:
    runner = CliRunner()
    home = tmp_path / "home"
    args = ["--home", str(home), "synth", "--employees", "10", "--months", "1", "--seed", "3"]
    result = runner.invoke(cli, [*args, "--events-per-day", "100"])
    assert result.exit_code == 0, result.output
    assert "hand-over:" in result.stdout and "traffic_events" in result.stdout
    assert (home / "synth" / "manifest.json").is_file()
    # a second run replaces its own earlier output
    assert runner.invoke(cli, [*args, "--events-per-day", "100"]).exit_code == 0
    refused = runner.invoke(
        cli, ["--home", str(home), "synth", "--employees", "5", "--months", "1", "--seed", "3"]
    )
    assert refused.exit_code == 2 and "at least 10 employees" in refused.stderr
    (tmp_path / "other" / "synth").mkdir(parents=True)
    (tmp_path / "other" / "synth" / "mine.txt").write_text("not a synth")
    kept = runner.invoke(cli, ["--home", str(tmp_path / "other"), *args[2:]])
    assert kept.exit_code == 2 and "not touching it" in kept.stderr
    assert (tmp_path / "other" / "synth" / "mine.txt").read_text() == "not a synth"


def test_events_parquet_streams_through_duckdb(tmp_path: Path) -> None:
    from shopkpi.synth.events import write_events_parquet

    calendar = SynthCalendar.of("2026-11", 1)
    company = build_company(20, 5, calendar)
    path = tmp_path / "events.parquet"
    rows = write_events_parquet(path, company, calendar.days(), 50_000, 5, batch="b1")
    assert rows == 50_000
    con = duckdb.connect()
    found = con.execute(
        f"SELECT count(*), count(DISTINCT _batch), min(ts)::DATE, max(ts)::DATE FROM read_parquet('{path}')"
    ).fetchone()
    assert found == (50_000, 1, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    busiest = con.execute(
        f"SELECT CAST(ts AS DATE) AS d FROM read_parquet('{path}') GROUP BY d ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    assert busiest == (dt.date(2026, 11, 11),)  # 双11
