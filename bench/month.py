"""Benchmark: a month of a company of 100 and of 1,000 people (5,000 with --large), built and worked
through as the demo builds its company (`shopkpi demo --employees N`): synthetic platform exports,
imported through the real import service, logins, then an archived month whose every review goes
through every step of the workflow, and the month in progress.

Each company is built in a child process of its own (Django is set up once per process, on its
home). Measured while the archived month is worked through (`appraisal.demo.cycles.Watch`): the
imports of the months' files, opening the month (time and queries), recomputing it, the first step
of each review (the employee's self-review; median and the slowest), the supervisors' and HR's steps,
the GM's approve-all, the acknowledgements and the archive; and, with every review at the GM and then
approved, the pages as HR and the GM open them (time, queries, size): HR's team board, HR's review
list, a review page, the GM's list, the pay sheet page and its Excel file.

The last line is one JSON object: every figure per size (`open_month_s_1000` …), `per_review_ratio`
= (the archived month's cost per review at 1,000) / (the same at 100), with the machine's load.
Not a timed test: figures depend on the machine's load, printed beside them (times are wall clock
and CPU seconds of the process; under load, compare the CPU figures).

    make bench-month                   # 100 and 1,000 people
    python bench/month.py --large      # and 5,000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SIZES = (100, 1000)
LARGE = 5000


def child(people: int, home: Path) -> dict[str, Any]:
    """Build a company of `people` into `home` and measure its archived month (runs in its own process)."""
    from query_count import QueryCount

    from shopkpi.cli.django_home import prepare_home

    prepare_home(home)
    from django.db import connection
    from django.test import Client

    from shopkpi.appraisal.demo.build import build_demo
    from shopkpi.appraisal.demo.cycles import Watch
    from shopkpi.appraisal.models import Cycle
    from shopkpi.appraisal.periods import month_close

    class Clock(Watch):
        def __init__(self) -> None:
            self.wall: dict[str, list[float]] = defaultdict(list)
            self.cpu: dict[str, list[float]] = defaultdict(list)
            self.queries: dict[str, int] = defaultdict(int)
            self.pages: dict[str, dict[str, Any]] = {}

        @contextmanager
        def part(self, name: str) -> Iterator[None]:
            # counted as they run, not read from connection.queries: Django keeps only the last 9,000
            # there, a log the imports fill before the month opens (its length then stays 9,000, and
            # CaptureQueriesContext counted the opening's 0 queries)
            counted = QueryCount()
            with connection.execute_wrapper(counted):
                wall, cpu = time.perf_counter(), time.process_time()
                yield
                self.cpu[name].append(time.process_time() - cpu)
                self.wall[name].append(time.perf_counter() - wall)
            self.queries[name] += counted.n

        def at(self, stage: str, cycle: Cycle) -> None:
            if stage == "opened":
                with self.part("recompute"):
                    month_close.recompute_cycle(hr_user(), cycle, home=home)
            if stage == "at_gm":
                review = cycle.reviews.order_by("employee__code").first()
                assert review is not None
                self.page("team_board", "hr", "/team/")
                self.page("hr_reviews", "hr", f"/hr/cycles/{cycle.period}/reviews/")
                self.page("review_page", "hr", f"/reviews/{review.pk}/")
                self.page("gm_list", "gm", "/gm/")
            if stage == "approved":
                self.page("paysheet", "hr", f"/hr/cycles/{cycle.period}/paysheet/")
                self.page("paysheet_xlsx", "hr", f"/hr/cycles/{cycle.period}/paysheet.xlsx", post=True)

        def page(self, name: str, username: str, url: str, *, post: bool = False) -> None:
            client = Client(SERVER_NAME="127.0.0.1")
            client.force_login(user(username))
            client.get("/")  # the session and the first request's one-off work are not the page's
            counted = QueryCount()
            with connection.execute_wrapper(counted):
                wall, cpu = time.perf_counter(), time.process_time()
                answer = client.post(url) if post else client.get(url)
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            assert answer.status_code == 200, (url, answer.status_code)
            self.pages[name] = {
                "s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "queries": counted.n,
                "kib": round(len(answer.content) / 1024, 1),
            }

    def user(username: str) -> Any:
        from django.contrib.auth.models import User

        return User.objects.get(username=username)

    def hr_user() -> Any:
        return user("hr")

    clock = Clock()
    started = time.perf_counter()
    summary = build_demo(home, employees=people, months=2, say=lambda _message: None, watch=clock)
    built_s = time.perf_counter() - started
    reviews = len(clock.wall["first_step"])
    month_parts = (
        "open_month",
        "first_step",
        "supervisor_steps",
        "hr_steps",
        "approve_all",
        "acknowledge",
        "archive",
    )
    month_s = sum(sum(clock.wall[part]) for part in month_parts)
    month_cpu_s = sum(sum(clock.cpu[part]) for part in month_parts)
    return {
        "people": summary.employees,
        "reviews": reviews,
        "demo_s": round(built_s, 1),
        "generate_s": round(sum(clock.wall["generate"]), 1),
        "import_s": round(sum(clock.wall["import"]), 2),
        "import_cpu_s": round(sum(clock.cpu["import"]), 2),
        "import_calls": len(clock.wall["import"]),
        "logins_s": round(sum(clock.wall["logins"]), 2),
        "open_month_s": round(clock.wall["open_month"][0], 2),
        "open_month_cpu_s": round(clock.cpu["open_month"][0], 2),
        "open_month_queries": clock.queries["open_month"],
        "recompute_s": round(clock.wall["recompute"][0], 2),
        "recompute_cpu_s": round(clock.cpu["recompute"][0], 2),
        "first_step_median_ms": round(statistics.median(clock.wall["first_step"]) * 1000, 1),
        "first_step_max_ms": round(max(clock.wall["first_step"]) * 1000, 1),
        "supervisor_steps_s": round(sum(clock.wall["supervisor_steps"]), 2),
        "hr_steps_s": round(sum(clock.wall["hr_steps"]), 2),
        "approve_all_s": round(clock.wall["approve_all"][0], 2),
        "approve_all_queries": clock.queries["approve_all"],
        "acknowledge_s": round(sum(clock.wall["acknowledge"]), 2),
        "archive_s": round(clock.wall["archive"][0], 2),
        "month_s": round(month_s, 2),
        "month_cpu_s": round(month_cpu_s, 2),
        "month_per_review_ms": round(month_s / reviews * 1000, 2),
        "month_cpu_per_review_ms": round(month_cpu_s / reviews * 1000, 2),
        "pages": clock.pages,
        "load": round(os.getloadavg()[0], 1),
    }


def run_child(people: int) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix=f"bench-month-{people}-"))
    answer = subprocess.run(
        [sys.executable, __file__, "--child", str(people), "--home", str(home)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(answer.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", action="store_true", help="also a company of 5,000")
    parser.add_argument(
        "--sizes", type=int, nargs="*", help="other company sizes (the first two give the ratio)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(child(arguments.child, arguments.home), ensure_ascii=False))
        return
    sizes = tuple(arguments.sizes or SIZES) + ((LARGE,) if arguments.large else ())
    load = os.getloadavg()[0]
    found: dict[str, Any] = {}
    by_size = {}
    for people in sizes:
        figures = run_child(people)
        by_size[people] = figures
        print(json.dumps(figures, ensure_ascii=False), flush=True)
        for key, value in figures.items():
            if key == "pages":
                for page, measured in value.items():
                    for what, number in measured.items():
                        found[f"{page}_{what}_{people}"] = number
            elif key != "people":
                found[f"{key}_{people}"] = value
    small, large = sizes[0], sizes[1]
    found["per_review_ratio"] = round(
        by_size[large]["month_per_review_ms"] / by_size[small]["month_per_review_ms"], 2
    )
    found["per_review_cpu_ratio"] = round(
        by_size[large]["month_cpu_per_review_ms"] / by_size[small]["month_cpu_per_review_ms"], 2
    )
    found["machine"] = {
        "cores": os.cpu_count(),
        "load": round(load, 1),
        "load_after": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(found, ensure_ascii=False))


if __name__ == "__main__":
    main()
