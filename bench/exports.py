"""Benchmark: the Excel exports of a month of 100, 1,000 and 5,000 people, as the request writes them.

A company is made with bulk inserts (one department per 100 people, one template, every review
published with a score and pay, an adjustment on every tenth), in a home of its own, in a child process
(Django is set up once per process). Measured, best of 3, each as HR posts it: the pay sheet
(`paysheet.xlsx`), the department summary (`summary.xlsx`) and the review list (`reviews.xlsx`), each
written within the request whatever its size; wall and CPU seconds of the process, queries, size. The
threshold past which an export is a job (`export_jobs.IN_REQUEST`) is read from these figures. Past the
threshold, the pay sheet as a job: the worker's run (`jobs.work`: written and put into the store) and
the download from the store.

The last line is one JSON object with the machine's load. Not a timed test: under load, compare CPU.

    python bench/exports.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZES = (100, 1000, 5000)
EXPORTS = ("paysheet", "summary", "reviews")
TEMPLATE = """\
id: q-bench
name: 导出测试
period: month
items:
  - {key: attitude, name: 工作态度, weight: 100%, rated_by: supervisor}
pay:
  amount: 1000 * score / 100
"""


def child(people: int, home: Path) -> dict[str, Any]:
    from shopkpi.cli.django_home import prepare_home

    prepare_home(home)
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shopkpi.appraisal.models import (
        Cycle,
        Department,
        Employee,
        PayAdjustment,
        Position,
        Review,
        TemplateVersion,
    )

    hr = User.objects.create_user("hr")
    hr.groups.add(Group.objects.get_or_create(name="hr")[0])
    departments = Department.objects.bulk_create(
        Department(name=f"部门{n}") for n in range(max(1, people // 100))
    )
    TemplateVersion.objects.create(template_id="q-bench", version=1, name="导出测试", text=TEMPLATE)
    position = Position.objects.create(name="专员", template_id="q-bench")
    version = TemplateVersion.objects.get()
    cycle = Cycle.objects.create(
        period="2026-03",
        self_due=dt.date(2026, 4, 3),
        supervisor_due=dt.date(2026, 4, 7),
        hr_due=dt.date(2026, 4, 10),
    )
    made = Employee.objects.bulk_create(
        (
            Employee(
                code=f"E{n:05d}",
                name=f"员工{n}",
                department=departments[n % len(departments)],
                position=position,
            )
            for n in range(people)
        ),
        batch_size=500,
    )
    reviews = Review.objects.bulk_create(
        (
            Review(
                cycle=cycle,
                employee=employee,
                template_version=version,
                status=Review.Status.PUBLISHED,
                score=Decimal(60 + n % 40),
                grade="合格",
                pay=Decimal(600 + n % 40) * 10,
                result={"pay_kind": "performance"},
            )
            for n, employee in enumerate(made)
        ),
        batch_size=500,
    )
    PayAdjustment.objects.bulk_create(
        (
            PayAdjustment(review=r, amount=Decimal("-50.00"), reason="迟到", created_by=hr)
            for r in reviews[::10]
        ),
        batch_size=500,
    )
    from shopkpi.appraisal.background import jobs
    from shopkpi.appraisal.exports import export_jobs

    threshold = export_jobs.IN_REQUEST
    export_jobs.IN_REQUEST = 10**9  # every export written within the request: what the threshold is read from
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(hr)
    client.get("/")
    found: dict[str, Any] = {"people": people}
    for name in EXPORTS:
        best: dict[str, float] = {}
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                wall, cpu = time.perf_counter(), time.process_time()
                answer = client.post(f"/hr/cycles/2026-03/{name}.xlsx")
                cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            assert answer.status_code == 200, (name, answer.status_code)
            if not best or cpu < best["cpu_s"]:
                best = {"s": round(wall, 3), "cpu_s": round(cpu, 3), "queries": len(queries)}
                best["kib"] = round(len(answer.content) / 1024, 1)
        found[name] = best
    export_jobs.IN_REQUEST = threshold
    answer = client.post("/hr/cycles/2026-03/paysheet.xlsx")
    if answer.status_code == 302:  # over the threshold: the worker's run of the job, then the download
        job_id = answer["Location"].rstrip("/").rsplit("/", 1)[-1]
        wall, cpu = time.perf_counter(), time.process_time()
        jobs.work(job_id)
        found["paysheet_job"] = {
            "s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
        }
        wall, cpu = time.perf_counter(), time.process_time()
        assert client.post(f"/hr/exports/{job_id}/download/").status_code == 200
        found["paysheet_download"] = {
            "s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
        }
    return found


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        people = int(sys.argv[2])
        home = Path(tempfile.mkdtemp(prefix=f"bench-exports-{people}-"))
        print(json.dumps(child(people, home)))
        return
    results = []
    for people in SIZES:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(people)], capture_output=True, text=True, check=True
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(results[-1], file=sys.stderr)
    print(json.dumps({"sizes": results, "load": os.getloadavg()}))


if __name__ == "__main__":
    main()
