"""`build_demo`: synthetic exports -> the real import (the organisation's sheets into the organisation
service, the rest into the warehouse) -> users -> six months of cycles."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from shopkpi.appraisal.demo.cycles import UNWATCHED, Watch, run_archived_month, run_current_month
from shopkpi.appraisal.demo.held_back import hold_back_inputs
from shopkpi.appraisal.demo.organisation import DEMO_PASSWORD, add_logins, bind_period_templates
from shopkpi.appraisal.importing.imports import ImportRequest, run_import
from shopkpi.appraisal.models import Employee
from shopkpi.synth.generate import DEFAULT_START, generate

Say = Callable[[str], None]
MARKER = "demo.json"
# the order datasets are imported in: positions, people and what they own first, then the facts
FIRST = ("positions", "employees", "accounts")


@dataclass(frozen=True)
class DemoSummary:
    home: Path
    employees: int
    periods: tuple[str, ...]
    usernames: tuple[str, ...]


def already_built(home: Path) -> DemoSummary | None:
    path = home / MARKER
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return DemoSummary(home, data["employees"], tuple(data["periods"]), tuple(data["usernames"]))


def build_demo(
    home: Path,
    *,
    employees: int = 28,
    months: int = 6,
    start: str = DEFAULT_START,
    seed: int = 20261022,
    say: Say = print,
    watch: Watch = UNWATCHED,
) -> DemoSummary:
    """Build the demo company into `home` (a migrated, empty application database); `watch` sees the
    imports and the archived months (bench/month.py)."""
    if Employee.objects.exists():
        raise ValueError(f"{home} already holds a company; the demo is built into a new home")
    started = time.monotonic()
    say(f"generating {employees} employees' platform exports for {months} months …")
    with watch.part("generate"):
        manifest = generate(home, employees, months, seed, start=start, events_per_day=200)
    held_back = hold_back_inputs(manifest, manifest.months[-1])
    datasets = sorted(
        {f.dataset for f in manifest.files},
        key=lambda d: (d not in FIRST, FIRST.index(d) if d in FIRST else 0, d),
    )
    for dataset in datasets:
        paths = [home / f.path for f in manifest.files if f.dataset == dataset]
        request = ImportRequest(files=tuple(paths), user="hr", dataset=dataset, accept_warnings=True)
        with watch.part("import"):
            report = run_import(home, request)
        if report.changes:
            say(f"imported {dataset}: {sum(not c.is_flag for c in report.changes)} organisation changes")
            continue
        accepted = f", {len(report.warnings)} warnings accepted" if report.warnings else ""
        say(
            f"imported {dataset}: {sum(o.rows for o in report.outcomes)} rows from {len(report.outcomes)} files"
            + accepted
        )
    say(f"exports generated and imported in {time.monotonic() - started:.0f} s")
    with transaction.atomic(), watch.part("logins"):
        people = add_logins()
        bind_period_templates(people.hr)
    periods = manifest.months
    for period in periods[:-1]:
        run_archived_month(home, people, period, say, watch)
    run_current_month(home, people, periods[-1], say, at_hr=held_back)
    usernames = ("hr", "gm", *sorted(people.employees))
    summary = DemoSummary(home, len(people.employees), tuple(periods), usernames)
    (home / MARKER).write_text(
        json.dumps(
            {
                "employees": summary.employees,
                "periods": list(periods),
                "usernames": list(usernames),
                "password": DEMO_PASSWORD,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return summary
