"""Benchmark: every page of the application opened on a company of 5,000 people (`--people N`), as HR,
the GM, a supervisor with a big team and an employee; the target of issue 14 is every page under 300 ms.

The company is built in a child process on a temporary home, straight into the tables
(`shopkpi.appraisal.demo.scale`, the company of tests/web/test_list_pages_at_scale.py, in seconds
rather than the hours of the demo's imports): 10 departments, everyone's first terms (as the roster's import
records them), four managers evaluating everyone in turn
(boss1 has a quarter of the company, all in steps of their own: waiting for them, at the GM, appealed),
an open month whose reviews are in turn at every step, each scored by the engine (a result as the
workflow stores it), pay lines and adjustments, one shop account a person, incidents, the month's
opening in the audit log and the supervisors' notices.

The pages are the URL conf's (`shopkpi.web.pages`), each route's parameters filled for the user (their
own review, the month, a person …); every page is asked with GET (downloads are POSTs, and past 1,000
lines jobs: not asked; the pay sheet's Excel writer is timed on its own, as the job runs it). A page
that answers 200 is timed three times (wall and CPU, median) with its queries and size; 403 and 405
are counted, not timed. Pages at or over 300 ms are flagged `SLOW`, and `(CPU)` when their CPU time is
too (under load the wall clock counts the other processes' turns).

    make bench-pages                    # 5,000 people
    python bench/pages.py --people 1000
    python bench/pages.py --only 'hr /hr/cycles/new/$'   # one page (the company is built all the same)

The last line is one JSON object: each page's figures by `user path`, the slow ones (`slow`, `slow_cpu`),
the pay sheet's Excel writer (`paysheet_xlsx`), the machine's load.
Not a timed test: figures depend on the machine's load, printed beside them (compare CPU under load).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LIMIT_S = 0.3
USERS = ("hr", "gm", "boss1", "E0004")  # boss1 evaluates n % 4 == 1; E0004's review is published
REVIEW_OF = {"hr": "E0002", "gm": "E0003", "boss1": "E0001", "E0004": "E0004"}  # at HR, at the GM …
TEMPLATE = """\
id: q-list
name: 列表测试
period: month
items:
  - {key: attitude, name: 工作态度, weight: 40%, rated_by: supervisor, levels: {优: 100, 良: 80, 中: 60}}
  - {key: teamwork, name: 团队协作, weight: 30%, rated_by: supervisor}
  - {key: learning, name: 学习成长, weight: 30%, rated_by: supervisor}
pay:
  amount: 1000 * score / 100
"""


def build(people: int) -> dict[str, Any]:
    """The company (see the module's docstring); returns what it took."""
    import datetime as dt

    from django.contrib.auth.models import User

    from shopkpi.appraisal import audit
    from shopkpi.appraisal.demo import scale
    from shopkpi.appraisal.models import Account, Employee, Incident, Notice, Review
    from shopkpi.appraisal.reviews import review_scoring

    started = time.perf_counter()
    cycle = scale.start(TEMPLATE)
    reviews = scale.grow(0, people)
    # every review carries a result as the engine writes it (one scored per step, its result copied)
    for status in scale.TURN:
        scored = review_scoring.recompute(
            Review.objects.filter(cycle=cycle, status=status).select_related("cycle", "employee").first(),
            save=False,
        )
        Review.objects.filter(cycle=cycle, status=status).update(
            result=scored.result, values=scored.values, provenance=scored.provenance, missing=scored.missing
        )
    employees = list(Employee.objects.filter(code__startswith="E").order_by("code"))
    Account.objects.bulk_create(
        (
            Account(employee=e, kind="shop", account=f"店{e.code}", valid_from=dt.date(2026, 1, 1))
            for e in employees
        ),
        batch_size=1000,
    )
    hr = User.objects.get(username="hr")
    Incident.objects.bulk_create(
        (
            Incident(
                employee=e,
                occurred_on=dt.date(2026, 3, 1 + n % 28),
                kind="late",
                amount=1,
                note="迟到",
                recorded_by=hr,
            )
            for n, e in enumerate(employees[::7])
        ),
        batch_size=1000,
    )
    audit.record_many(
        "hr",
        [audit.Entry("review.open", "review", r.pk, after={"employee": r.employee.code}) for r in reviews],
    )
    Notice.objects.bulk_create(
        (
            Notice(
                kind=Notice.Kind.OVERDUE,
                recipient_id=r.evaluator.user_id,
                review=r,
                employee=r.employee,
                params={
                    "period": scale.PERIOD,
                    "name": r.employee.name,
                    "status": r.status,
                    "due": "2020-04-07",
                    "days": 3,
                },
            )
            for r in reviews
            if r.status == scale.S.PENDING_SUPERVISOR
        ),
        batch_size=1000,
    )
    return {"build_s": round(time.perf_counter() - started, 1), "reviews": len(reviews)}


def routes() -> list[str]:
    """Every route of the pages' URL conf, as written (`hr/cycles/<str:period>/` …)."""
    from django.urls import URLPattern, URLResolver

    from shopkpi.web.pages.urls import urlpatterns

    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append(route)

    walk(urlpatterns, "")
    return found


def parameters(username: str) -> dict[str, str]:
    """The value of each route parameter for `username`; a route with another one is not asked."""
    from django.contrib.auth.models import User

    from shopkpi.appraisal.demo import scale
    from shopkpi.appraisal.models import Employee, Incident, Position, Review

    review = Review.objects.get(employee__code=REVIEW_OF[username], cycle__period=scale.PERIOD)
    person = Employee.objects.get(code=REVIEW_OF[username])
    incident = Incident.objects.filter(employee=person).first() or Incident.objects.order_by("pk").first()
    assert incident is not None
    return {
        "period": scale.PERIOD,
        "review_id": str(review.pk),
        "code": person.code,
        "user_id": str(User.objects.get(username=person.code).pk),
        "position_id": str(Position.objects.get().pk),
        "kind": "quarter",
        "template_id": scale.TEMPLATE_ID,
        "incident_id": str(incident.pk),
        "item_key": "attitude",
        "week": "1",
    }


def url_of(route: str, given: dict[str, str]) -> str | None:
    """The route with its parameters filled, or None if one is not given."""
    if route.startswith("pay-grades/<str:period>"):
        given = {**given, "period": given["period"][:4]}
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(2)
        if name not in given:
            missing = True
            return ""
        return given[name]

    filled = re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
    return None if missing else "/" + filled


def measure(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection
    from query_count import QueryCount

    walls, cpus = [], []
    for _ in range(3):
        queries = QueryCount()
        with connection.execute_wrapper(queries):
            wall, cpu = time.perf_counter(), time.process_time()
            answer = client.get(url)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        if answer.status_code != 200:
            return {"status": answer.status_code}
    return {
        "status": 200,
        "ms": round(statistics.median(walls) * 1000, 1),
        "cpu_ms": round(statistics.median(cpus) * 1000, 1),
        "queries": queries.n,
        "kib": round(len(answer.content) / 1024, 1),
    }


def paysheet_xlsx() -> dict[str, Any]:
    """The pay sheet's Excel file as its writer makes it (within the request up to 1,000 lines, else
    by the job): time, CPU and lines."""
    from django.contrib.auth.models import User

    from shopkpi.appraisal.demo import scale
    from shopkpi.appraisal.models import Cycle
    from shopkpi.appraisal.pay import paysheet

    cycle = Cycle.objects.get(period=scale.PERIOD)
    hr = User.objects.get(username="hr")
    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        paysheet.to_xlsx(cycle, io.BytesIO(), user=hr)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    lines = len(paysheet.rows(cycle))
    return {
        "lines": lines,
        "ms": round(statistics.median(walls) * 1000, 1),
        "cpu_ms": round(statistics.median(cpus) * 1000, 1),
        "ms_per_line": round(statistics.median(walls) * 1000 / lines, 3),
        "cpu_ms_per_line": round(statistics.median(cpus) * 1000 / lines, 3),
    }


def child(people: int, home: Path, only: str = "") -> dict[str, Any]:
    os.environ["SHOPKPI_HOME"] = str(home)
    from shopkpi.cli.django_home import prepare_home

    prepare_home(home)
    from django.contrib.auth.models import User
    from django.test import Client

    built = build(people)
    pages: dict[str, dict[str, Any]] = {}
    skipped: dict[str, int] = {}
    others: dict[str, int] = {}  # neither 200 nor 403/405: a redirect, a page this company has not …
    for username in USERS:
        client = Client(SERVER_NAME="127.0.0.1", raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        client.get("/")  # the session and the first request's one-off work are not a page's
        given = parameters(username)
        for route in routes():
            url = url_of(route, given)
            if url is not None and only and not re.search(only, f"{username} {url}"):
                continue
            if url is None:
                skipped["no parameter"] = skipped.get("no parameter", 0) + 1
                continue
            found = measure(client, url)
            if found["status"] == 200:
                pages[f"{username} {url}"] = found
            else:
                skipped[str(found["status"])] = skipped.get(str(found["status"]), 0) + 1
                if found["status"] not in (403, 405):
                    others[f"{username} {url}"] = found["status"]
    return {
        "people": people,
        **built,
        "pages": pages,
        "skipped": skipped,
        "not_200": others,
        "paysheet_xlsx": paysheet_xlsx(),
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000, help="the company's head count (5,000)")
    parser.add_argument(
        "--only", default="", help="only the pages whose `user path` matches this regular expression"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(child(arguments.people, arguments.home, arguments.only), ensure_ascii=False))
        return
    load = os.getloadavg()
    home = Path(tempfile.mkdtemp(prefix=f"bench-pages-{arguments.people}-"))
    command = [sys.executable, __file__, "--child", "--people", str(arguments.people), "--home", str(home)]
    try:
        answer = subprocess.run(
            [*command, "--only", arguments.only], check=True, stdout=subprocess.PIPE, text=True
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    found = json.loads(answer.stdout.strip().splitlines()[-1])
    print(f"{'page':<58} {'ms':>8} {'cpu ms':>8} {'queries':>8} {'KiB':>8}")
    for page, figures in sorted(found["pages"].items(), key=lambda item: -item[1]["ms"]):
        flag = "  SLOW" if figures["ms"] >= LIMIT_S * 1000 else ""
        flag += " (CPU)" if figures["cpu_ms"] >= LIMIT_S * 1000 else ""
        print(
            f"{page:<58} {figures['ms']:>8} {figures['cpu_ms']:>8} {figures['queries']:>8} "
            f"{figures['kib']:>8}{flag}"
        )
    xlsx = found["paysheet_xlsx"]
    print(
        f"pay sheet's Excel writer: {xlsx['lines']} lines, {xlsx['ms']} ms, CPU {xlsx['cpu_ms']} ms "
        f"({xlsx['ms_per_line']} ms, CPU {xlsx['cpu_ms_per_line']} ms a line)"
    )
    print(f"not timed: {found['skipped']}; built in {found['build_s']} s")
    found["slow"] = sorted(page for page, f in found["pages"].items() if f["ms"] >= LIMIT_S * 1000)
    found["slow_cpu"] = sorted(page for page, f in found["pages"].items() if f["cpu_ms"] >= LIMIT_S * 1000)
    found["machine"] = {
        "cores": os.cpu_count(),
        "load": [round(n, 1) for n in load],
        "load_after": [round(n, 1) for n in os.getloadavg()],
    }
    print(json.dumps(found, ensure_ascii=False))


if __name__ == "__main__":
    main()
