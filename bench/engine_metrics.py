"""Benchmark of the metric step on the other metric engines: PostgreSQL and Spark local.

    python bench/engine_metrics.py --employees 1000 --events 10000000     # the small scale (make bench-engines)

The synthetic company goes into a warehouse (`load_warehouse`), then `shopkpi warehouse publish`'s
step copies it to a PostgreSQL database of its own (on SHOPKPI_TEST_DATABASE_URL's server, else
127.0.0.1:5432; dropped afterwards) and to Spark's Parquet folders. On each engine, turn by turn:

- metrics: `compute_metrics` for every employee of the last month on that engine (the organisation
  put into its session, the statement translated to its dialect, each value cast to DuckDB's type);
- sql: the hand-written statement of `data_hand_sql` over the engine's tables (the raw clickstream:
  engines hold no roll-up), translated by the same rules, the organisation in the session alike.

Publishing is timed once per engine: wall time, this process's CPU time (reading the warehouse,
writing what the engine reads) and rows per second of wall time. Every other time is the median of
several runs (`--runs`); the ratio metrics / sql is the figure (both run on the same
engine, with the same load). The metric values must be DuckDB's (checked). Progress goes to standard
error; the last line of standard output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def timed(runs: int, work: Any) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10_000_000, help="clickstream rows in the period")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="postgresql,spark", help="comma-separated: postgresql, spark")
    args = parser.parse_args()

    import psycopg
    from data_hand_sql import hand_sql

    from shopkpi.data.engines import open_engine
    from shopkpi.data.engines.dialect_sql import engine_sql
    from shopkpi.data.engines.publish import publish
    from shopkpi.data.metrics.catalogue import load_catalogue
    from shopkpi.data.metrics.computation import compute_metrics
    from shopkpi.scorecard.periods import Period
    from shopkpi.synth.warehouse_load import load_warehouse

    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="shopkpi-bench-engines-"))
    server = os.environ.get("SHOPKPI_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database = f"shopkpi_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(server.replace("postgres://", "postgresql://", 1), autocommit=True)
    admin.execute(f"CREATE DATABASE {database}")
    urls = {
        "postgresql": f"{server.rsplit('/', 1)[0]}/{database}".replace("postgres://", "postgresql://", 1),
        "spark": f"spark-local?tables={work / 'spark'}",
    }
    results: dict[str, Any] = {}
    try:
        home = work / "home"
        load = load_warehouse(home, args.employees, 2, args.seed, events_rows=args.events, progress=say)
        period = Period.parse(load.period)
        previous = period.previous()
        catalogue = load_catalogue(home, engine="duckdb")
        duck = open_engine(None, home)
        expected = compute_metrics(duck, period, catalogue, organisation=load.organisation)
        duck.close()
        statement = hand_sql(None, period.start, period.end, previous.start, previous.end, rollup=False)
        for kind in args.engines.split(","):
            url = urls[kind]
            start, cpu = time.perf_counter(), time.process_time()
            rows = sum(p.rows for p in publish(home, url))
            published, published_cpu = time.perf_counter() - start, time.process_time() - cpu
            say(f"{kind}: {rows:,} rows published in {published:.1f} s")
            engine = open_engine(url, home)
            try:
                got = compute_metrics(engine, period, catalogue, organisation=load.organisation)
                same = {e: m.values for e, m in got.employees.items()} == {
                    e: m.values for e, m in expected.employees.items()
                }
                translated = engine_sql(statement, engine.dialect, engine.tables)

                def metric_step(engine: Any = engine) -> None:
                    compute_metrics(engine, period, catalogue, organisation=load.organisation)

                def hand(engine: Any = engine, translated: str = translated) -> None:
                    for name, table in load.organisation.tables(period.end).items():
                        engine.put(name, table)
                    engine.rows(translated)

                metric_times, sql_times = [], []
                for _ in range(args.runs):  # taking turns, so that a busy machine slows both alike
                    metric_times += timed(1, metric_step)
                    sql_times += timed(1, hand)
                metrics_s, sql_s = statistics.median(metric_times), statistics.median(sql_times)
                results[kind] = {
                    "publish_s": round(published, 2),
                    "publish_cpu_s": round(published_cpu, 2),
                    "publish_rows_per_s": round(rows / published),
                    "metrics_s": round(metrics_s, 3),
                    "sql_s": round(sql_s, 3),
                    "ratio": round(metrics_s / sql_s, 2),
                    "same_values_as_duckdb": same,
                }
                say(f"{kind}: {results[kind]}")
            finally:
                engine.close()
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.close()
        shutil.rmtree(work, ignore_errors=True)
    summary = {
        "employees": args.employees,
        "events": args.events,
        "runs": args.runs,
        "load_before": round(load_before, 1),
        "load_after": round(os.getloadavg()[0], 1),
        **results,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
