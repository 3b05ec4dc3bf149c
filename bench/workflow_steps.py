"""The workflow's cost per action: a demo company's second month worked through every step, each
`workflow.perform` timed (CPU) and its queries counted by action, and the GM's approve-all.

Building the company (the demo's exports, imports, logins and its first month archived) takes minutes,
so it is done once into a base home; each measurement works on a copy of it:

    .venv/bin/python bench/workflow_steps.py build 1000 /tmp/wf-1000      # once (~3 min quiet)
    .venv/bin/python bench/workflow_steps.py run /tmp/wf-1000             # one JSON line
    .venv/bin/python bench/workflow_steps.py run /tmp/wf-1000 --profile /tmp/steps.prof

Per action: calls, CPU ms a call, queries a call (the driver's own reads around each step are not in
them); per part of the month as `bench/month.py` names them: CPU s and queries. Not a timed test: the
figures depend on the machine's load, printed beside them; compare CPU time, taking turns.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
SEED = 20261022


def build(people: int, home: Path) -> None:
    """The demo company of `people` with its first month archived (the second month's data imported)."""
    from shopkpi.cli.django_home import prepare_home

    prepare_home(home)
    from django.db import transaction

    from shopkpi.appraisal.demo.build import FIRST
    from shopkpi.appraisal.demo.cycles import run_archived_month
    from shopkpi.appraisal.demo.organisation import add_logins, bind_period_templates
    from shopkpi.appraisal.importing.imports import ImportRequest, run_import
    from shopkpi.synth.generate import DEFAULT_START, generate

    manifest = generate(home, people, 2, SEED, start=DEFAULT_START, events_per_day=200)
    datasets = sorted(
        {f.dataset for f in manifest.files},
        key=lambda d: (d not in FIRST, FIRST.index(d) if d in FIRST else 0, d),
    )
    for dataset in datasets:
        paths = [home / f.path for f in manifest.files if f.dataset == dataset]
        run_import(home, ImportRequest(files=tuple(paths), user="hr", dataset=dataset, accept_warnings=True))
    with transaction.atomic():
        demo_people = add_logins()
        bind_period_templates(demo_people.hr)
    run_archived_month(home, demo_people, manifest.months[0], lambda _message: None)
    (home / "workflow-bench.json").write_text(json.dumps({"period": manifest.months[1]}), encoding="utf-8")


def run(base: Path, profile: Path | None) -> dict[str, Any]:
    """Work the base home's second month through on a copy of it."""
    home = Path(tempfile.mkdtemp(prefix="wf-run-")) / "home"
    shutil.copytree(base, home)
    try:
        return _measure(home, profile)
    finally:
        shutil.rmtree(home.parent, ignore_errors=True)


def _measure(home: Path, profile: Path | None) -> dict[str, Any]:
    from query_count import QueryCount

    from shopkpi.cli.django_home import prepare_home

    prepare_home(home)
    from django.contrib.auth.models import User
    from django.db import connection

    from shopkpi.appraisal.demo import cycles
    from shopkpi.appraisal.demo.organisation import DemoPeople
    from shopkpi.appraisal.models import Employee
    from shopkpi.appraisal.reviews import workflow

    period = json.loads((home / "workflow-bench.json").read_text(encoding="utf-8"))["period"]
    users = {u.username: u for u in User.objects.all()}
    people = DemoPeople(
        hr=users["hr"],
        gm=users["gm"],
        employees={e.code: users[e.code] for e in Employee.objects.exclude(user=None) if e.code in users},
    )
    profiler = cProfile.Profile() if profile else None
    cpu: dict[str, float] = defaultdict(float)
    queries: dict[str, int] = defaultdict(int)
    calls: dict[str, int] = defaultdict(int)
    performing = workflow.perform
    inside: list[str] = []

    def perform(user: Any, review: Any, action: str, **data: Any) -> Any:
        if inside:  # approve-all's own steps are counted in approve_all
            return performing(user, review, action, **data)
        counted = QueryCount()
        inside.append(action)
        try:
            with connection.execute_wrapper(counted):
                if profiler:
                    profiler.enable()
                started = time.process_time()
                try:
                    return performing(user, review, action, **data)
                finally:
                    cpu[action] += time.process_time() - started
                    if profiler:
                        profiler.disable()
        finally:
            inside.pop()
            calls[action] += 1
            queries[action] += counted.n

    class Clock(cycles.Watch):
        def __init__(self) -> None:
            self.cpu: dict[str, float] = defaultdict(float)
            self.queries: dict[str, int] = defaultdict(int)

        @contextmanager
        def part(self, name: str) -> Iterator[None]:
            counted = QueryCount()
            if name == "approve_all":
                inside.append(name)
            try:
                with connection.execute_wrapper(counted):
                    if profiler and name in ("approve_all", "archive"):
                        profiler.enable()
                    started = time.process_time()
                    yield
                    self.cpu[name] += time.process_time() - started
                    if profiler and name in ("approve_all", "archive"):
                        profiler.disable()
            finally:
                if name == "approve_all":
                    inside.pop()
            self.queries[name] += counted.n

    clock = Clock()
    workflow.perform = perform  # type: ignore[assignment]
    try:
        started = time.process_time()
        cycle = cycles.run_archived_month(home, people, period, lambda _message: None, clock)
        month_cpu = time.process_time() - started
    finally:
        workflow.perform = performing  # type: ignore[assignment]
    if profiler and profile:
        profiler.dump_stats(str(profile))
    reviews = cycle.reviews.count()
    return {
        "reviews": reviews,
        "actions": {
            action: {
                "calls": calls[action],
                "cpu_ms": round(cpu[action] / calls[action] * 1000, 2),
                "queries": round(queries[action] / calls[action], 1),
            }
            for action in sorted(calls)
        },
        "parts": {
            name: {"cpu_s": round(clock.cpu[name], 2), "queries": clock.queries[name]} for name in clock.cpu
        },
        "month_cpu_s": round(month_cpu, 2),
        "month_cpu_per_review_ms": round(month_cpu / reviews * 1000, 2),
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    building = commands.add_parser("build", help="build a base home (the company, its first month archived)")
    building.add_argument("people", type=int)
    building.add_argument("home", type=Path)
    running = commands.add_parser("run", help="work the second month through on a copy of the base home")
    running.add_argument("home", type=Path)
    running.add_argument("--profile", type=Path, help="write cProfile statistics of the steps here")
    arguments = parser.parse_args()
    if arguments.command == "build":
        build(arguments.people, arguments.home)
        return
    print(json.dumps(run(arguments.home, arguments.profile), ensure_ascii=False))


if __name__ == "__main__":
    main()
