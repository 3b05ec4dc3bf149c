"""Reading the organisation for the pages and the API: who may see it, and one employee's record with
their terms over time and the accounts they own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from shopkpi.appraisal.accounts.roles import ADMIN, GM, HR, group_roles
from shopkpi.appraisal.models import Account, Department, Employee, EmployeeTerms, Position
from shopkpi.scorecard.periods import Period

READERS = frozenset({HR, GM, ADMIN})  # who sees the organisation: people, salaries, ownership
WRITERS = frozenset({HR, ADMIN})  # who changes it


def may_read(user: Any) -> bool:
    return bool(group_roles(user) & READERS)


def may_change(user: Any) -> bool:
    return bool(group_roles(user) & WRITERS)


@dataclass(frozen=True)
class TermsRecord:
    valid_from: dt.date | None
    valid_to: dt.date | None
    department: str
    position: str
    supervisor: str | None
    base_salary: Decimal | None


def terms_of(employee: Employee) -> list[TermsRecord]:
    """The employee's terms, oldest first, each with its last day (None: still in effect)."""
    rows = list(
        EmployeeTerms.objects.filter(employee=employee)
        .select_related("department", "position", "supervisor")
        .order_by("valid_from")
    )
    rows.sort(key=lambda t: t.valid_from or dt.date.min)
    found = []
    for n, terms in enumerate(rows):
        following = rows[n + 1].valid_from if n + 1 < len(rows) else None
        found.append(
            TermsRecord(
                terms.valid_from,
                None if following is None else following - dt.timedelta(days=1),
                terms.department.name,
                terms.position.name,
                None if terms.supervisor is None else terms.supervisor.code,
                terms.base_salary,
            )
        )
    return found


def bring_up_to_date(today: dt.date | None = None) -> int:
    """Copy the terms in effect today onto each employee's current fields where a change recorded for a
    later day has come into effect since; how many employees were brought up to date."""
    day = today or timezone.localdate()
    rows: dict[int, list[EmployeeTerms]] = {}
    for terms in EmployeeTerms.objects.filter(valid_from__isnull=False, valid_from__lte=day).order_by(
        "valid_from"
    ):
        rows.setdefault(terms.employee_id, []).append(terms)
    if not rows:
        return 0
    stale = []
    for employee in Employee.objects.filter(pk__in=rows):
        latest = rows[employee.pk][-1]
        current = (employee.department_id, employee.position_id, employee.supervisor_id, employee.base_salary)
        due = (latest.department_id, latest.position_id, latest.supervisor_id, latest.base_salary)
        if current != due:
            (
                employee.department_id,
                employee.position_id,
                employee.supervisor_id,
                employee.base_salary,
            ) = due
            stale.append(employee)
    Employee.objects.bulk_update(stale, ["department", "position", "supervisor", "base_salary"])
    return len(stale)


def employees(
    *, q: str = "", department: str = "", position: str = "", status: str = ""
) -> QuerySet[Employee]:
    """Employees by 工号 (their current fields brought up to date first), narrowed by a search (工号, 姓名, 邮箱, 手机), a department, a position and
    `status` (`active`: not left before today; `left`: left before today)."""
    bring_up_to_date()
    rows = Employee.objects.select_related("department", "position", "supervisor").order_by("code")
    if q:
        rows = rows.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(email__icontains=q) | Q(mobile__icontains=q)
        )
    if department:
        rows = rows.filter(department__name=department)
    if position:
        rows = rows.filter(position__name=position)
    today = timezone.localdate()
    if status == "active":
        rows = rows.filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
    elif status == "left":
        rows = rows.filter(left_on__lt=today)
    return rows


def accounts(
    *, employee: str = "", kind: str = "", account: str = "", on: dt.date | None = None
) -> QuerySet[Account]:
    """Ownership windows by account and first day, narrowed by owner, kind, account (a part of its
    name) and the day they cover."""
    rows = Account.objects.select_related("employee").order_by("kind", "account", "valid_from", "pk")
    if employee:
        rows = rows.filter(employee__code=employee)
    if kind:
        rows = rows.filter(kind=kind)
    if account:
        rows = rows.filter(account__icontains=account)
    if on is not None:
        rows = rows.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
    return rows


def apply_month_terms(
    people: Sequence[Employee], period: str, among: QuerySet[Employee] | None = None
) -> None:
    """Set each employee's department, position, supervisor and base salary (on the instances, not
    saved) to their terms on the month's last day, or on their leaving day when that is earlier: the
    terms a month is appraised with (its template, its evaluator, its base salary). The terms are read
    as values and the departments, positions and supervisors attached once each (`share_organisation`).
    `among`, the query `people` were read with, selects their terms in the database (thousands of ids
    are not sent back to it)."""
    if not people:
        return
    last = Period.parse(period).end
    rows: dict[int, list[tuple[Any, ...]]] = {}
    whose = among.values("pk") if among is not None else [p.pk for p in people]
    for row in (
        EmployeeTerms.objects.filter(employee__in=whose)
        .order_by("employee_id", F("valid_from").asc(nulls_first=True))  # each one's first terms first
        .values_list(
            "employee_id", "valid_from", "department_id", "position_id", "supervisor_id", "base_salary"
        )
    ):
        rows.setdefault(row[0], []).append(row)
    for person in people:
        recorded = rows.get(person.pk)
        if not recorded:
            continue
        day = min(last, person.left_on) if person.left_on else last
        chosen = recorded[0]
        for terms in recorded:
            if terms[1] is None or terms[1] <= day:
                chosen = terms
        if chosen[2:] != (person.department_id, person.position_id, person.supervisor_id, person.base_salary):
            # setting an id drops the related instance read with it when the id changes
            person.department_id, person.position_id, person.supervisor_id = chosen[2:5]
            person.base_salary = chosen[5]
    share_organisation(people)


def share_organisation(people: Sequence[Employee]) -> None:
    """Attach each employee's department, position and supervisor where not already read with them:
    one instance of each for everyone (a supervisor among `people` is that person), the others read in
    one query each, so that thousands of people cost thousands of rows, not four times as many."""
    wanted = [p for p in people if not all(f.is_cached(p) for f in (_DEPARTMENT, _POSITION, _SUPERVISOR))]
    if not wanted:
        return
    departments = Department.objects.in_bulk({p.department_id for p in wanted})
    positions = Position.objects.in_bulk({p.position_id for p in wanted})
    supervisors: dict[int, Employee] = {p.pk: p for p in people}
    missing = {p.supervisor_id for p in wanted if p.supervisor_id is not None} - supervisors.keys()
    supervisors.update(Employee.objects.in_bulk(missing))
    for person in wanted:
        _DEPARTMENT.set_cached_value(person, departments[person.department_id])
        _POSITION.set_cached_value(person, positions[person.position_id])
        boss = None if person.supervisor_id is None else supervisors[person.supervisor_id]
        _SUPERVISOR.set_cached_value(person, boss)


_DEPARTMENT = Employee._meta.get_field("department")
_POSITION = Employee._meta.get_field("position")
_SUPERVISOR = Employee._meta.get_field("supervisor")
