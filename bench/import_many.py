"""Benchmark: the demo's imports of many files (issue 14), one `run_import` call per dataset.

    python bench/import_many.py generate DIR --employees 1000 --months 2   # the exports, once
    python bench/import_many.py run DIR [--datasets shop_daily,cs_daily] [--profile FILE] [--dump FILE]

`generate` writes the synthetic company's exports under DIR/synth (as `shopkpi demo` generates them)
and a migrated, empty home DIR/empty. `run` copies that home to DIR/run and imports every dataset
in the demo's order (the organisation first), each dataset's files in one call, as the demo does;
after the organisation's datasets, the home is kept as DIR/organisation, from which a later run
with `--datasets` (warehouse datasets only) starts. For each call: files, wall seconds, CPU seconds
of this process and of its children (the sandboxed file readers), CPU milliseconds a file.
`--profile FILE`: cProfile of the calls into FILE. `--dump FILE`: every warehouse dataset's rows and
every catalogue row (batch ids replaced by file names) and the warnings as JSON, to compare two commits' results.
Not a timed test: the figures depend on the machine's load, printed beside them.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

FIRST = ("positions", "employees", "accounts")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def generate(folder: Path, employees: int, months: int, seed: int) -> None:
    from shopkpi.synth.generate import generate as synth

    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    manifest = synth(folder, employees, months, seed, events_per_day=200)
    files: dict[str, list[str]] = {}
    for f in manifest.files:
        files.setdefault(f.dataset, []).append(f.path.as_posix())
    (folder / "files.json").write_text(json.dumps(files, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"generated {len(manifest.files)} files in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    empty = folder / "empty"
    shutil.rmtree(empty, ignore_errors=True)
    code = "import sys; from pathlib import Path; from shopkpi.cli.django_home import prepare_home; prepare_home(Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", code, str(empty)], check=True)


def _order(datasets: list[str]) -> list[str]:
    return sorted(datasets, key=lambda d: (d not in FIRST, FIRST.index(d) if d in FIRST else 0, d))


def run(folder: Path, only: list[str] | None, profile: Path | None, dump: Path | None) -> None:
    files: dict[str, list[str]] = json.loads((folder / "files.json").read_text(encoding="utf-8"))
    datasets = _order(list(files)) if not only else _order(only)
    home = folder / "run"
    shutil.rmtree(home, ignore_errors=True)
    start_from = folder / "organisation" if only and not set(only) & set(FIRST) else folder / "empty"
    shutil.copytree(start_from, home)
    os.environ["SHOPKPI_HOME"] = str(home)
    from shopkpi.cli.django_home import prepare_home

    prepare_home(home)
    from django.db import connections

    from shopkpi.appraisal.importing.imports import ImportRequest, run_import

    load = os.getloadavg()[0]
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not the load's waits
    totals = {"files": 0, "wall": 0.0, "cpu": 0.0, "children": 0.0}
    warnings: list[list[Any]] = []  # each call's warnings (batch ids left out: they hold a time)
    for dataset in datasets:
        paths = tuple(folder / p for p in files[dataset])
        request = ImportRequest(files=paths, user="hr", dataset=dataset, accept_warnings=True)
        wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        if profiler is not None:
            profiler.enable()
        report = run_import(home, request)
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        children = _children_cpu() - children
        rows = sum(o.rows for o in report.outcomes)
        warnings += [
            [dataset, w.code, w.file, w.row, w.column, {k: v for k, v in w.params.items() if k != "batch"}]
            for w in report.warnings
        ]
        print(
            f"{dataset:16} {len(paths):5} files {rows:9} rows  wall {wall:7.2f} s  cpu {cpu:6.2f} s"
            f" + readers {children:6.2f} s  = {1000 * (cpu + children) / len(paths):6.1f} ms a file",
            flush=True,
        )
        for key, value in (("files", len(paths)), ("wall", wall), ("cpu", cpu), ("children", children)):
            totals[key] += value
        if dataset == FIRST[-1] and start_from.name == "empty":
            connections.close_all()
            shutil.rmtree(folder / "organisation", ignore_errors=True)
            shutil.copytree(home, folder / "organisation")
    print(
        f"{'total':16} {totals['files']:5} files  wall {totals['wall']:.2f} s  cpu {totals['cpu']:.2f} s"
        f" + readers {totals['children']:.2f} s  (load {load:.1f} → {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    if profiler is not None and profile is not None:
        profiler.dump_stats(str(profile))
    if dump is not None:
        dumped = {**_dump(home), "warnings": warnings}
        dump.write_text(json.dumps(dumped, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def _dump(home: Path) -> dict[str, Any]:
    """Every catalogue row and every warehouse row, with file names for batch ids (which hold a time)."""
    from shopkpi.appraisal.models import WarehouseBatch, WarehouseBatchAccount
    from shopkpi.data.datasets import DATASETS
    from shopkpi.data.warehouse.catalogue import Warehouse

    names = dict(WarehouseBatch.objects.values_list("id", "file_name"))
    accounts: dict[str, list[str]] = {}
    for batch, account in WarehouseBatchAccount.objects.values_list("batch_id", "account"):
        accounts.setdefault(names[batch], []).append(str(account))
    catalogue = sorted(
        (
            {
                "dataset": b.dataset,
                "file": b.file_name,
                "sha256": b.sha256,
                "profile": b.profile,
                "rows": b.row_count,
                "replaced_by": names.get(b.replaced_by or ""),
                "period": b.period,
                "scope": [str(b.scope_from), str(b.scope_to)],
                "state": b.state,
                "sheet": b.sheet,
                "accounts": sorted(accounts.get(b.file_name, [])),
            }
            for b in WarehouseBatch.objects.order_by("seq")
        ),
        key=lambda r: (r["dataset"], r["file"]),
    )
    con = Warehouse(home).connect()
    con.execute("CREATE TEMP TABLE names (id VARCHAR, file VARCHAR)")
    con.executemany("INSERT INTO names VALUES (?, ?)", list(names.items()))
    warehouse: dict[str, Any] = {}
    for ds in DATASETS.values():
        if ds.organisation:
            continue
        columns = ", ".join(f'CAST("{c.name}" AS VARCHAR)' for c in ds.columns)
        rows = con.execute(
            f"SELECT n.file, _row, {columns} FROM {ds.name} d LEFT JOIN names n ON n.id = d._batch"
            " ORDER BY ALL"
        ).fetchall()
        text = json.dumps(rows, ensure_ascii=False, default=str)
        warehouse[ds.name] = {"rows": len(rows), "sha256": hashlib.sha256(text.encode()).hexdigest()}
    return {"catalogue": catalogue, "warehouse": warehouse}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("folder", type=Path)
    g.add_argument("--employees", type=int, default=1000)
    g.add_argument("--months", type=int, default=2)
    g.add_argument("--seed", type=int, default=20261022)
    r = sub.add_parser("run")
    r.add_argument("folder", type=Path)
    r.add_argument("--datasets", default="")
    r.add_argument("--profile", type=Path)
    r.add_argument("--dump", type=Path)
    args = parser.parse_args()
    folder = args.folder.resolve()
    if args.command == "generate":
        generate(folder, args.employees, args.months, args.seed)
    else:
        only = [d for d in args.datasets.split(",") if d] or None
        run(folder, only, args.profile.resolve() if args.profile else None, args.dump)


if __name__ == "__main__":
    main()
