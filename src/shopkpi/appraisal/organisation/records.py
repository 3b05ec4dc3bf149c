"""Reading the organisation for the pages and the API: who may see it, and one employee's record with
their terms over time and the accounts they own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from shopkpi.appraisal.models import Account, Employee, EmployeeTerms
from shopkpi.appraisal.roles import ADMIN, GM, HR, group_roles

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


def employees(
    *, q: str = "", department: str = "", position: str = "", status: str = ""
) -> QuerySet[Employee]:
    """Employees by 工号, narrowed by a search (工号, 姓名, 邮箱, 手机), a department, a position and
    `status` (`active`: not left before today; `left`: left before today)."""
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
