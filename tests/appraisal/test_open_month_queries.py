"""Opening a month costs the same queries for 200 people as for 50: each table is read once for everyone
and written in one statement for all its rows (`bulk_rows.insert_all`: on SQLite within the library's
variable limit, not Django's 999, whose batches of ~40 reviews made the statements grow with the head
count: 126 at 100 people, 180 at 1,000). A query per person would add 150; a batch per 40 rows, a dozen.

The company is imported as a company's is (roster, accounts, daily shop figures, targets and the
supervisors' ratings), so the month's values come from the warehouse: E0000 is the GM, E0001 is HR;
every 40th person has no supervisor (the GM evaluates them; the GM is evaluated by HR)."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from pytest_django.fixtures import Settings

from shopkpi.appraisal.importing.imports import ImportRequest, run_import
from shopkpi.appraisal.models import AuditEntry, Employee, Position, Rating, Review, Transition
from shopkpi.appraisal.periods import cycles

pytestmark = pytest.mark.django_db
PERIOD = "2026-10"
TEMPLATE = """\
id: q-open
name: 开启查询
period: month
items:
  - {key: conv, name: 成交转化率, weight: 60, value: conversion_rate, bands: {">= 3%": 100, "< 3%": 50}}
  - {key: sales, name: 销售额完成率, weight: 30, value: gmv, proportional: {target: 计划销售额}}
  - {key: attitude, name: 工作态度, weight: 10, rated_by: supervisor, levels: {优: 100, 良: 80}}
pay:
  amount: base_salary * 10% * score / 100
"""


def _import(home: Path, dataset: str, text: str) -> None:
    path = home / f"{dataset}.csv"
    path.write_text(text, encoding="utf-8")
    run_import(home, ImportRequest(files=(path,), user="hr", dataset=dataset, accept_warnings=True))


def _grow(home: Path, start: int, stop: int) -> None:
    """People E<start>..E<stop - 1> and their month's data, imported."""
    codes = range(start, stop)
    boss = {n: "" if n % 40 == 0 else f"E{(n - 1) // 8:04d}" for n in codes}
    _import(
        home,
        "employees",
        "工号,姓名,部门,岗位,上级工号,基本工资,入职日期\n"
        + "".join(f"E{n:04d},员工{n},运营部,运营,{boss[n]},6000,2024-01-01\n" for n in codes),
    )
    _import(
        home,
        "accounts",
        "employee,kind,account,valid_from,valid_to\n"
        + "".join(f"E{n:04d},shop,店{n},2026-01-01,\n" for n in codes),
    )
    _import(
        home,
        "shop_daily",
        "shop,date,uv,buyers,gmv\n"
        + "".join(f"店{n},2026-10-{d:02d},100,{2 + (n + d) % 3},{1000 + n}\n" for n in codes for d in (1, 2)),
    )
    _import(
        home,
        "targets",
        "工号,考核期间,目标名称,目标值\n" + "".join(f"E{n:04d},{PERIOD},计划销售额,4000\n" for n in codes),
    )
    _import(
        home,
        "ratings",
        "工号,考核期间,考核项目,评分,评分人\n"
        + "".join(f"E{n:04d},{PERIOD},工作态度,{'优' if n % 2 else '良'},上级\n" for n in codes),
    )
    logins = User.objects.bulk_create(User(username=f"e{n:04d}", password="!") for n in codes)
    people = {e.code: e for e in Employee.objects.filter(code__in=[f"E{n:04d}" for n in codes])}
    for n, login in zip(codes, logins, strict=True):
        people[f"E{n:04d}"].user = login
    Employee.objects.bulk_update(people.values(), ["user"])


class Undone(Exception):
    pass


def _opening() -> tuple[list[str], int]:
    """The statements HR's opening the month runs (rolled back after), and the imported ratings it wrote."""
    hr = User.objects.get(username="hr")  # afresh: whether it is HR's is read once per user object
    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    ratings = 0
    try:
        with transaction.atomic():
            with connection.execute_wrapper(count):
                cycles.open_cycle(hr, PERIOD)
            ratings = Rating.objects.filter(review__cycle__period=PERIOD).count()
            raise Undone
    except Undone:
        pass
    return statements, ratings


def _shape(sql: str) -> str:
    """A statement without its numbers and its lists of values (a savepoint's name, an IN list, the
    rows of an INSERT)."""
    return re.sub(r"\d+", "N", re.sub(r"\(…\)(?:, \(…\))+", "(…)", re.sub(r"\((?:%s, )*%s\)", "(…)", sql)))


def _company(settings: Settings, tmp_path: Path, people: int) -> Path:
    settings.HOME = tmp_path / "home"
    home = Path(settings.HOME)
    home.mkdir()
    hr = User.objects.create_user("hr")
    hr.groups.add(Group.objects.get_or_create(name="hr")[0])
    gm = User.objects.create_user("gm")
    gm.groups.add(Group.objects.get_or_create(name="gm")[0])
    cycles.new_template_version(hr, "q-open", TEMPLATE)
    Position.objects.create(name="运营", template_id="q-open")
    _grow(home, 0, people)
    Employee.objects.filter(code="E0000").update(user=gm)
    Employee.objects.filter(code="E0001").update(user=hr)
    return home


def test_opening_a_month_reads_each_table_once_whatever_the_head_count(
    settings: Settings, tmp_path: Path
) -> None:
    home = _company(settings, tmp_path, 50)
    small, small_ratings = _opening()
    _grow(home, 50, 200)
    large, large_ratings = _opening()

    assert (small_ratings, large_ratings) == (50, 200)  # every month computed, its imported ratings kept
    shapes = Counter(_shape(s) for s in small)
    assert Counter(_shape(s) for s in large) == shapes
    # one insert per table: the reviews, their imported ratings, transitions, audit entries (the cycle's
    # and the opening's own entries, and the template versions saved on first use, one statement each)
    inserts = Counter(_shape(s).split(" (")[0] for s in large if s.startswith("INSERT"))
    assert inserts['INSERT INTO "appraisal_review"'] == 1
    assert inserts['INSERT INTO "appraisal_rating"'] == 1
    assert inserts['INSERT INTO "appraisal_transition"'] == 1


def _opened() -> dict[str, list[Any]]:
    """What opening the month writes (rolled back after), without the times of writing (and the audit
    hashes, which chain them)."""
    hr = User.objects.get(username="hr")
    written: dict[str, list[Any]] = {}
    try:
        with transaction.atomic():
            cycles.open_cycle(hr, PERIOD)
            reviews = Review.objects.filter(cycle__period=PERIOD).order_by("employee__code")
            written["reviews"] = [
                {k: v for k, v in row.items() if k not in ("id", "cycle_id")} for row in reviews.values()
            ]
            written["ratings"] = list(
                Rating.objects.filter(review__cycle__period=PERIOD)
                .order_by("review__employee__code", "item_key", "rater")
                .values("review__employee__code", "item_key", "rater", "value", "level", "comment")
            )
            written["transitions"] = list(
                Transition.objects.filter(review__cycle__period=PERIOD)
                .order_by("id")
                .values("review__employee__code", "from_status", "to_status", "action", "reason", "actor")
            )
            written["audit"] = list(
                AuditEntry.objects.order_by("id").values(
                    "actor", "action", "object_type", "object_id", "before", "after", "reason"
                )
            )
            raise Undone
    except Undone:
        pass
    return written


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's variable limit")
def test_the_rows_of_one_statement_are_those_of_many(settings: Settings, tmp_path: Path) -> None:
    """With a SQLite built with the old limit of 999 variables a statement, the rows go in many
    statements (a review has 23 columns: 43 a statement); they are the same rows."""
    _company(settings, tmp_path, 120)
    whole = _opened()
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    assert limit > 999  # (Debian's build: 250,000; SQLite's own default since 3.32: 32,766)
    statements, _ratings = _opening()
    connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        batched = _opened()
        more, _ratings = _opening()
    finally:
        connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    assert len(whole["reviews"]) == 120 and len(whole["ratings"]) == 120
    assert batched == whole
    reviews = [s for s in statements if s.startswith('INSERT INTO "appraisal_review"')]
    assert (len(reviews), len([s for s in more if s.startswith('INSERT INTO "appraisal_review"')])) == (1, 3)
