"""Benchmark of the shop-data layer: import throughput, the metric step, the whole close, peak memory,
against one hand-written DuckDB statement (the floor) and an idiomatic pandas implementation.

    python bench/data_metrics.py --employees 1000 --events 10000000      # make bench-small
    python bench/data_metrics.py --employees 10000 --events 100000000    # make bench-large (by hand)
    python bench/data_metrics.py --only-import --import-runs 5            # the import and its floor alone

The synthetic company goes straight into the warehouse (`load_warehouse`: no CSV, no parsing).
Then, on that same data, each measured part runs in its own child process (so that its peak RSS is
its own), the parts taking turns so that a busy machine slows them alike; every time is the median
of several runs, each from files on disk to results in memory:

- metrics: `compute_metrics` for every employee of the period (a fresh warehouse connection each run);
- sql: the hand-written statement of `data_hand_sql` over the same Parquet files, reading the
  clickstream's roll-up files as the warehouse stores them for metrics (the floor);
- sql_raw: the same statement reading the raw clickstream files instead (`sql_raw_s`);
- pandas: `data_pandas` over the same Parquet files (the raw clickstream: platforms export no roll-up);
- close: `month_close.close_month` (what `shopkpi run` does with no cycle open: metrics, every
  template, scores, pay, actions; the organisation is in the home's application database);
- import: one large clickstream CSV through `import_files` (the pipeline of `shopkpi import`,
  writing the batch and its roll-up), rows/s; and its floor, DuckDB alone writing the same typed
  Parquet batch and roll-up from the same CSV (`import_vs_floor` = import / floor, medians; the two
  take turns).

Medians are reported next to minima (`*_min_s`), and for the import and its floor the CPU time of
each run too (`*_cpu_s`: this process's and its waited-for children's user and system time, DuckDB's
threads included), steadier than wall time on a machine others share. `--only-import` measures only
the import and its floor (no warehouse is generated: a minute instead of several) and prints their
JSON line. The metric implementations must agree on every
value (checked, reported). Progress goes to
standard error; the last line of standard output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PANDAS_MAX_ROWS = 30_000_000  # beyond this pandas needs more memory than the machine has


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM: unlike ru_maxrss it does not inherit the parent's
    peak through fork and exec)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User and system time of this process (all its threads: DuckDB's too) and its waited-for children
    (the import's reading process)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _plain(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return repr(float(value))


ORGANISATION = ("employees", "accounts")  # the application's, not the warehouse's


# ---- children -------------------------------------------------------------------------------------


def child(kind: str, home: Path, period: str, runs: int, out: Path, csv_path: Path | None) -> None:
    # every module is imported before the clock starts: a run is from the files on disk to the results
    import duckdb
    from data_hand_sql import hand_sql

    from shopkpi.data.imports.importer import import_files
    from shopkpi.data.metrics.catalogue import load_catalogue
    from shopkpi.data.metrics.computation import compute_metrics
    from shopkpi.data.warehouse.catalogue import Warehouse
    from shopkpi.scorecard.periods import Period

    if kind == "pandas":
        from data_pandas import pandas_metrics
    if kind in ("close", "metrics"):
        from shopkpi.cli.django_home import prepare_home

        prepare_home(home, migrate=False)
        from shopkpi.appraisal.organisation.snapshot import take_snapshot
        from shopkpi.appraisal.periods.month_close import close_month

    p = Period.parse(period)
    q = p.previous()
    times: list[float] = []
    values: dict[str, dict[str, str | None]] = {}
    extra: dict[str, Any] = {"cpu": []}
    for run in range(runs):
        if kind == "import":
            assert csv_path is not None
            target = Path(tempfile.mkdtemp(prefix="bench-import-", dir=home.parent))
            try:
                start, cpu = time.perf_counter(), cpu_seconds()
                outcome = import_files(target, "traffic_events", [csv_path], user="bench")
                times.append(time.perf_counter() - start)
                extra["cpu"].append(cpu_seconds() - cpu)
                extra["rows"] = outcome[0].rows
            finally:
                shutil.rmtree(target, ignore_errors=True)
            continue
        if kind == "import_floor":
            assert csv_path is not None
            target = Path(tempfile.mkdtemp(prefix="bench-floor-", dir=home.parent))
            try:
                start, cpu = time.perf_counter(), cpu_seconds()
                extra["rows"] = import_floor(csv_path, target)
                times.append(time.perf_counter() - start)
                extra["cpu"].append(cpu_seconds() - cpu)
            finally:
                shutil.rmtree(target, ignore_errors=True)
            continue
        start = time.perf_counter()
        if kind == "metrics":
            connection = Warehouse(home).connect()
            results = compute_metrics(connection, p, load_catalogue(home), organisation=take_snapshot())
            times.append(time.perf_counter() - start)
            connection.close()
            if run == 0:
                values = {
                    e: {k: _plain(v) for k, v in m.plain().items()} for e, m in results.employees.items()
                }
        elif kind == "close":
            closed = close_month(home, period)
            times.append(time.perf_counter() - start)
            extra["scored"] = sum(1 for c in closed.cards if c.scored.outcome.status == "ok")
            extra["closed"] = len(closed.cards)
        elif kind in ("sql", "sql_raw"):
            connection = duckdb.connect(":memory:")
            statement = hand_sql(home / "warehouse", p.start, p.end, q.start, q.end, rollup=kind == "sql")
            cursor = connection.execute(statement)
            rows = cursor.fetchall()
            times.append(time.perf_counter() - start)
            names = [d[0] for d in cursor.description or ()]
            connection.close()
            if run == 0:
                values = {r[0]: {n: _plain(v) for n, v in zip(names[1:], r[1:], strict=True)} for r in rows}
        elif kind == "pandas":
            frame = pandas_metrics(home / "warehouse", p.start, p.end, q.start, q.end)
            times.append(time.perf_counter() - start)
            if run == 0:
                values = {str(e): {k: _plain(v) for k, v in row.items()} for e, row in frame.iterrows()}
        else:
            raise SystemExit(f"unknown child {kind}")
    out.write_text(json.dumps({"times": times, "rss_mib": peak_rss_mib(), "values": values, **extra}))


def import_floor(csv_path: Path, target: Path) -> int:
    """The import's floor: DuckDB alone reading the CSV with the dataset's types and writing what the
    import leaves in the warehouse, the typed Parquet batch and its roll-up (zstd, as the warehouse
    writes them); no checking, no catalogue, no commit."""
    import duckdb

    from shopkpi.data.datasets import DATASETS
    from shopkpi.data.metrics.attribution import quoted
    from shopkpi.data.warehouse import rollups

    dataset = DATASETS["traffic_events"]
    typed = ", ".join(
        f"CAST({quoted(c.name)} AS {c.duckdb_type}) AS {quoted(c.name)}" for c in dataset.columns
    )
    connection = duckdb.connect(":memory:")
    try:
        connection.execute(
            f"CREATE TEMP TABLE batch AS SELECT {typed}, 'floor' AS _batch "
            f"FROM read_csv(?, header = true, all_varchar = true)",
            [str(csv_path)],
        )
        connection.execute(f"COPY batch TO '{target / 'batch.parquet'}' (FORMAT parquet, COMPRESSION zstd)")
        connection.execute(
            f"COPY ({rollups.grouped_sql(dataset, 'batch')}) TO '{target / 'rollup.parquet'}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
        found = connection.execute("SELECT count(*) FROM batch").fetchone()
        return int(found[0]) if found else 0
    finally:
        connection.close()


def keep_organisation(home: Path, snapshot: Any, period: str) -> None:
    """The application's organisation snapshot, as Parquet under <home>/organisation/ for the children:
    the metric step is handed it, the hand SQL and pandas read it as they read the warehouse."""
    import duckdb

    from shopkpi.scorecard.periods import Period

    connection = duckdb.connect(":memory:")
    snapshot.register(connection, Period.parse(period).end)
    for table in ORGANISATION:
        folder = home / "organisation" / table
        folder.mkdir(parents=True, exist_ok=True)
        connection.execute(f"COPY {table} TO '{folder / 'snapshot.parquet'}' (FORMAT parquet)")
    connection.close()


def run_child(
    kind: str, home: Path, period: str, runs: int, work: Path, csv_path: Path | None = None
) -> dict[str, Any]:
    out = work / f"{kind}-{time.monotonic_ns()}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--home", str(home)]
    command += ["--period", period, "--runs", str(runs), "--out", str(out)]
    if csv_path is not None:
        command += ["--csv", str(csv_path)]
    subprocess.run(command, check=True, cwd=HERE)
    result: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return result


# ---- checks ---------------------------------------------------------------------------------------


def disagreements(
    name: str,
    ours: dict[str, dict[str, str | None]],
    theirs: dict[str, dict[str, str | None]],
    decimals: dict[str, int | None],
) -> list[str]:
    found: list[str] = []
    if set(ours) != set(theirs):
        found.append(f"{name}: employees differ ({len(set(ours) ^ set(theirs))})")
    for employee in sorted(set(ours) & set(theirs)):
        for metric, value in ours[employee].items():
            other = theirs[employee].get(metric)
            if (value is None) != (other is None):
                found.append(f"{name}: {employee} {metric}: {value} vs {other}")
                continue
            if value is None or other is None:
                continue
            a, b = float(value), float(other)
            places = decimals.get(metric)
            tolerance = max(10.0**-places if places is not None else 0.0, 1e-9 * max(1.0, abs(b)))
            if abs(a - b) > tolerance:
                found.append(f"{name}: {employee} {metric}: {value} vs {other}")
    return found


# ---- the run --------------------------------------------------------------------------------------


def organisation(home: Path, snapshot: Any, position_templates: dict[str, str]) -> None:
    """The synthetic company's organisation into the home's application database, as a company puts
    its own there: its positions, roster and accounts workbooks through `shopkpi import`'s service."""
    import csv

    from shopkpi.cli.django_home import prepare_home

    prepare_home(home)
    from shopkpi.appraisal.importing.imports import ImportRequest, run_import

    sheets = home / "organisation-sheets"
    sheets.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[list[Any]]] = {
        "positions": [["岗位", "考核表模板"], *([name, t] for name, t in position_templates.items())],
        "employees": [
            ["工号", "姓名", "部门", "岗位", "上级工号", "基本工资", "入职日期", "离职日期"],
            *(
                [
                    t.employee,
                    t.name,
                    t.department,
                    t.position,
                    t.supervisor,
                    t.base_salary,
                    t.hired_on,
                    t.left_on,
                ]
                for t in snapshot.terms
            ),
        ],
        "accounts": [
            ["工号", "账号类型", "账号", "生效日期", "失效日期"],
            *([a.employee, a.kind, a.account, a.valid_from, a.valid_to] for a in snapshot.accounts),
        ],
    }
    for dataset, table in rows.items():
        path = sheets / f"{dataset}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([["" if v is None else v for v in row] for row in table])
        run_import(home, ImportRequest(files=(path,), user="bench", dataset=dataset))


@dataclass(frozen=True)
class ImportMeasured:
    summary: dict[str, Any]  # the figures the JSON line reports
    rss_mib: float  # the import's peak resident set


def measure_import(args: argparse.Namespace, home: Path, work: Path, period: str) -> ImportMeasured:
    """A clickstream CSV of --import-rows rows through the import and through its floor, the two
    taking turns: medians and minima of wall and CPU time."""
    from shopkpi.synth import events as synth_events
    from shopkpi.synth.calendar import SynthCalendar
    from shopkpi.synth.company import build_company

    say(f"writing a {args.import_rows:,}-row clickstream CSV to import")
    calendar = SynthCalendar.of(period, 1)
    company = build_company(args.employees, args.seed, calendar)
    csv_path = work / "traffic_events.csv"
    connection = synth_events.connection(work)
    clicks = synth_events.event_allocation(company, calendar.days(), args.import_rows, args.seed)
    synth_events.write_events_csv(connection, csv_path, clicks, args.seed)
    connection.close()
    import_times: dict[str, list[float]] = {"import": [], "import_floor": []}
    import_cpu: dict[str, list[float]] = {"import": [], "import_floor": []}
    for _turn in range(args.import_runs or args.runs):  # the import and its floor take turns
        for kind in import_times:
            imported_turn = run_child(kind, home, period, 1, work, csv_path)
            import_times[kind] += imported_turn["times"]
            import_cpu[kind] += imported_turn["cpu"]
            if kind == "import":
                imported = imported_turn
    import_s = statistics.median(import_times["import"])
    floor_s = statistics.median(import_times["import_floor"])
    say(f"import: {imported['rows']:,} rows, runs {fmt(import_times['import'])} s")
    say(f"import floor (DuckDB writing the same files): runs {fmt(import_times['import_floor'])} s")
    csv_path.unlink()
    cpu_s = statistics.median(import_cpu["import"])
    floor_cpu_s = statistics.median(import_cpu["import_floor"])
    say(
        f"import CPU: runs {fmt(import_cpu['import'])} s; floor CPU: runs {fmt(import_cpu['import_floor'])} s"
    )
    summary = {
        "import_rows_per_s": round(imported["rows"] / import_s),
        "import_s": round(import_s, 2),
        "import_min_s": round(min(import_times["import"]), 2),
        "import_floor_s": round(floor_s, 2),
        "import_floor_min_s": round(min(import_times["import_floor"]), 2),
        "import_vs_floor": round(import_s / floor_s, 2),
        "import_cpu_s": round(cpu_s, 2),
        "import_floor_cpu_s": round(floor_cpu_s, 2),
        "import_vs_floor_cpu": round(cpu_s / floor_cpu_s, 2),
        "import_rows": imported["rows"],
    }
    return ImportMeasured(summary, imported["rss_mib"])


def machine() -> dict[str, Any]:
    import duckdb

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10_000_000, help="clickstream rows in the period")
    parser.add_argument("--months", type=int, default=2, help="months of data (the last one is measured)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--import-rows", type=int, default=1_000_000, help="rows of the CSV imported")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each measurement (the median is reported)"
    )
    parser.add_argument("--import-runs", type=int, help="runs of the import (default: --runs)")
    parser.add_argument(
        "--only-import", action="store_true", help="measure only the import and its floor (no warehouse)"
    )
    parser.add_argument("--home", type=Path, help="work here (default: a temporary folder, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the home")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--period", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.home, args.period, args.runs, args.out, args.csv)
        return

    from shopkpi.data.metrics.catalogue import load_catalogue
    from shopkpi.synth.calendar import SynthCalendar
    from shopkpi.synth.company import POSITIONS
    from shopkpi.synth.generate import DEFAULT_START
    from shopkpi.synth.warehouse_load import load_warehouse

    root = args.home or Path(tempfile.mkdtemp(prefix="shopkpi-bench-"))
    home = root / "home"
    work = root / "work"
    if home.exists():
        shutil.rmtree(home)
    work.mkdir(parents=True, exist_ok=True)
    try:
        info = machine()
        say(f"machine: {info}")
        if args.only_import:
            home.mkdir(parents=True)
            calendar = SynthCalendar.of(DEFAULT_START, args.months)
            measured = measure_import(args, home, work, calendar.months[-1].text)
            summary = measured.summary | {"machine": info | {"load_after": round(os.getloadavg()[0], 1)}}
            print(json.dumps(summary, ensure_ascii=False))
            return
        say(
            f"generating {args.employees:,} employees and {args.events:,} clickstream rows into the warehouse"
        )
        start = time.perf_counter()
        loaded = load_warehouse(
            home, args.employees, args.months, args.seed, events_rows=args.events, progress=say
        )
        generate_s = time.perf_counter() - start
        organisation(home, loaded.organisation, {p.name: p.template for p in POSITIONS.values()})
        keep_organisation(home, loaded.organisation, loaded.period)
        say(f"generated in {generate_s:.1f} s: {loaded.rows}")
        period = loaded.period

        measured = measure_import(args, home, work, period)

        runs: dict[str, list[float]] = {"metrics": [], "sql": [], "sql_raw": [], "pandas": [], "close": []}
        rss: dict[str, float] = {}
        values: dict[str, dict[str, dict[str, str | None]]] = {}
        closed: dict[str, Any] = {}
        kinds = ["metrics", "sql", "sql_raw", "close"] + (
            ["pandas"] if args.events <= PANDAS_MAX_ROWS else []
        )
        if "pandas" not in kinds:
            say(f"pandas skipped: {args.events:,} rows need more memory than this machine has")
        for turn in range(args.runs):
            for kind in kinds:
                result = run_child(kind, home, period, 1, work)
                runs[kind] += result["times"]
                rss[kind] = max(rss.get(kind, 0.0), result["rss_mib"])
                if turn == 0 and result["values"]:
                    values[kind] = result["values"]
                if kind == "close":
                    closed = {"closed": result["closed"], "scored": result["scored"]}
                say(
                    f"run {turn + 1}/{args.runs} {kind}: {result['times'][0]:.2f} s, peak RSS {result['rss_mib']:.0f} MiB"
                )

        catalogue = load_catalogue(home)
        decimals = {name: metric.decimals for name, metric in catalogue.metrics.items()}
        problems = disagreements("shopkpi vs hand SQL", values["metrics"], values["sql"], decimals)
        problems += disagreements("shopkpi vs hand SQL (raw)", values["metrics"], values["sql_raw"], decimals)
        if "pandas" in values:
            problems += disagreements("shopkpi vs pandas", values["metrics"], values["pandas"], decimals)
        for line in problems[:20]:
            say(f"DISAGREE {line}")
        say(
            f"values checked: {len(values['metrics'])} employees x {len(catalogue.public)} metrics, {len(problems)} disagreements"
        )

        metrics_s = statistics.median(runs["metrics"])
        sql_s = statistics.median(runs["sql"])
        sql_raw_s = statistics.median(runs["sql_raw"])
        pandas_s = statistics.median(runs["pandas"]) if runs["pandas"] else None
        close_s = statistics.median(runs["close"])
        summary = {
            "metrics_vs_sql": round(metrics_s / sql_s, 2),
            "pandas_vs_metrics": round(pandas_s / metrics_s, 2) if pandas_s is not None else None,
            "close_s": round(close_s, 2),
            "close_min_s": round(min(runs["close"]), 2),
            "peak_rss_mib": round(max(rss["metrics"], rss["close"], measured.rss_mib)),
            "rows": loaded.events,
            "employees": loaded.employees,
            "metrics_s": round(metrics_s, 2),
            "metrics_min_s": round(min(runs["metrics"]), 2),
            "sql_s": round(sql_s, 2),
            "sql_min_s": round(min(runs["sql"]), 2),
            "sql_raw_s": round(sql_raw_s, 2),
            "sql_raw_min_s": round(min(runs["sql_raw"]), 2),
            "pandas_s": round(pandas_s, 2) if pandas_s is not None else None,
            "pandas_min_s": round(min(runs["pandas"]), 2) if runs["pandas"] else None,
            **measured.summary,
            "pandas_peak_rss_mib": round(rss["pandas"]) if "pandas" in rss else None,
            "values_agree": not problems,
            "closed": closed,
            "generate_s": round(generate_s, 1),
            "runs": args.runs,
            "machine": info | {"load_after": round(os.getloadavg()[0], 1)},
        }
        say(
            "targets: metrics within 1.5x the hand SQL: "
            f"{'met' if summary['metrics_vs_sql'] <= 1.5 else 'MISSED'}; at least 10x faster than pandas: "
            f"{'met' if pandas_s is not None and summary['pandas_vs_metrics'] >= 10 else 'MISSED'}"
        )
        print(json.dumps(summary, ensure_ascii=False))
    finally:
        if not args.keep and args.home is None:
            shutil.rmtree(root, ignore_errors=True)
        elif not args.keep:
            shutil.rmtree(home, ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)


def fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
