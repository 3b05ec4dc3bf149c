"""Quick measurement of a month's linearity: open a month for N people, then take the first step of each
review (the employee's submit_self). Before the month's values were computed once per cycle, that first
step read the warehouse for its employee (and the metric step computed everyone to keep one).

    .venv/bin/python bench/month_steps.py 100        # prints one JSON line

The company: N 运营 in one department (8 reports per supervisor), each owning one shop with 31 days of
生意参谋 figures and a target, the roster, accounts, shop data and targets imported through the import
service. Not a timed test: figures depend on the machine's load, which is printed beside them.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = """\
id: t-ops
name: 运营
period: month
rounding: 1
items:
  - {key: conv, name: 成交转化率, weight: 60, value: conversion_rate, bands: {">= 3%": 100, "[2%, 3%)": 80, "< 2%": 0}}
  - {key: sales, name: 销售额完成率, weight: 30, value: gmv, proportional: {target: 计划销售额}}
  - {key: attitude, name: 工作态度, weight: 10, rated_by: supervisor, levels: {优: 100, 良: 80}}
pay:
  amount: base_salary * 10% * score / 100
"""


def files(work: Path, codes: list[str]) -> dict[str, Path]:
    texts = {
        "employees": "工号,姓名,部门,岗位,上级工号,基本工资,入职日期\n"
        + "".join(
            f"{c},员工{c},运营部,运营,{'' if i == 0 else codes[(i - 1) // 8]},6000,2024-01-01\n"
            for i, c in enumerate(codes)
        ),
        "accounts": "employee,kind,account,valid_from,valid_to\n"
        + "".join(f"{c},shop,店{c},2026-01-01,\n" for c in codes),
        "shop_daily": "shop,date,uv,buyers,gmv\n"
        + "".join(
            f"店{c},2026-10-{d:02d},100,{2 + (i + d) % 3},{1000 + i}\n"
            for i, c in enumerate(codes)
            for d in range(1, 32)
        ),
        "targets": "工号,考核期间,目标名称,目标值\n"
        + "".join(f"{c},2026-10,计划销售额,40000\n" for c in codes),
    }
    paths = {}
    for dataset, text in texts.items():
        paths[dataset] = work / f"{dataset}.csv"
        paths[dataset].write_text(text, encoding="utf-8")
    return paths


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    home = Path(tempfile.mkdtemp(prefix=f"month-steps-{people}-"))
    os.environ["SHOPKPI_HOME"] = str(home)
    from shopkpi.cli.django_home import prepare_home

    prepare_home(home)
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shopkpi.appraisal.importing.imports import ImportRequest, run_import
    from shopkpi.appraisal.models import Employee, Position, Review
    from shopkpi.appraisal.periods import cycles
    from shopkpi.appraisal.reviews import workflow

    codes = [f"E{i:04d}" for i in range(people)]
    hr = User.objects.create(username="hr", password="!")
    hr.groups.add(Group.objects.get_or_create(name="hr")[0])
    cycles.new_template_version(hr, "t-ops", TEMPLATE)
    Position.objects.create(name="运营", template_id="t-ops")
    for dataset, path in files(home, codes).items():
        run_import(home, ImportRequest(files=(path,), user="hr", dataset=dataset, accept_warnings=True))
    User.objects.bulk_create([User(username=c.lower(), password="!") for c in codes])
    logins = {u.username: u for u in User.objects.all()}
    for employee in Employee.objects.all():
        # E0001 is HR's login: the evaluator of E0000, who has no supervisor
        employee.user = logins["hr" if employee.code == "E0001" else employee.code.lower()]
        employee.save(update_fields=["user"])
    with CaptureQueriesContext(connection) as opened:
        start = time.perf_counter()
        cycles.open_cycle(hr, "2026-10")
        open_s = time.perf_counter() - start
    steps: list[float] = []
    begun = time.perf_counter()
    for review in Review.objects.filter(cycle__period="2026-10").select_related("employee", "cycle"):
        user = User.objects.get(pk=review.employee.user_id)
        start = time.perf_counter()
        workflow.perform(user, review, "submit_self")
        steps.append(time.perf_counter() - start)
    total_s = time.perf_counter() - begun
    print(
        json.dumps(
            {
                "people": people,
                "open_s": round(open_s, 2),
                "open_queries": len(opened.captured_queries),
                "first_step_median_ms": round(statistics.median(steps) * 1000, 1),
                "first_step_max_ms": round(max(steps) * 1000, 1),
                "first_steps_total_s": round(total_s, 2),
                "load": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
