"""The organisation as plain data: what a change is applied to, checked on, and compared with.

`load()` reads the whole organisation from the application database (a company of hundreds or a few
thousand people: a handful of queries). Edits change a copy; `check` finds what may not be; the
difference between the two copies is what is written and audited (see `draft`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from shopkpi.appraisal.models import Account, Department, Employee, EmployeeTerms, Position

TERMS_FIELDS = ("department", "position", "supervisor", "base_salary")
PERSON_FIELDS = ("name", "hired_on", "left_on", "email", "mobile")


@dataclass(frozen=True)
class Origin:
    """Where an edit came from: a file's row (import) or nothing (a form or an API call)."""

    file: str | None = None
    row: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    """(field, the header as the file spells it) of the file's columns."""

    def header(self, name: str) -> str:
        return dict(self.headers).get(name, name)


@dataclass(frozen=True)
class Terms:
    """Department, position, supervisor (工号) and base salary from `valid_from` (None: from the start)."""

    valid_from: dt.date | None
    department: str
    position: str
    supervisor: str | None
    base_salary: Decimal | None

    def values(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in TERMS_FIELDS}


@dataclass
class Person:
    code: str
    name: str
    terms: list[Terms]
    hired_on: dt.date | None = None
    left_on: dt.date | None = None
    email: str = ""
    mobile: str = ""
    pk: int | None = None
    origin: Origin = field(default_factory=Origin)

    def terms_on(self, day: dt.date) -> Terms | None:
        """The terms in effect on `day` (None before the first terms begin)."""
        found = None
        for terms in self.terms:
            if terms.valid_from is None or terms.valid_from <= day:
                found = terms
        return found

    def current(self, today: dt.date) -> Terms:
        """The terms in effect today, or the first ones for someone whose terms all begin later."""
        return self.terms_on(today) or self.terms[0]

    def set_terms(self, day: dt.date | None, **values: object) -> None:
        """`values` apply from `day` on: the terms in effect then are split there, and later terms that
        kept the replaced value take the new one (until their own change of that field)."""
        before = self.terms_on(day) if day is not None else (self.terms[0] if self.terms else None)
        if before is None:  # a day before every recorded terms: they begin there
            first = self.terms[0]
            self.terms.insert(0, replace(first, valid_from=day, **values))  # type: ignore[arg-type]
            return
        replaced = before.values()
        index = self.terms.index(before)
        if before.valid_from == day:
            self.terms[index] = replace(before, **values)  # type: ignore[arg-type]
        else:
            index += 1
            self.terms.insert(index, replace(before, valid_from=day, **values))  # type: ignore[arg-type]
        for later in range(index + 1, len(self.terms)):
            kept = {k: v for k, v in values.items() if getattr(self.terms[later], k) == replaced[k]}
            self.terms[later] = replace(self.terms[later], **kept)  # type: ignore[arg-type]
        self._merge()

    def _merge(self) -> None:
        """Terms equal to the ones before them are no change: one run of days."""
        merged: list[Terms] = []
        for terms in self.terms:
            if merged and merged[-1].values() == terms.values():
                continue
            merged.append(terms)
        self.terms = merged


@dataclass
class Window:
    """`employee` owns `account` of `kind` from `valid_from` to `valid_to` (both included; None: open)."""

    employee: str
    kind: str
    account: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    pk: int | None = None
    origin: Origin = field(default_factory=Origin)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.account)

    @property
    def subject(self) -> str:
        return f"{self.kind}:{self.account}"

    def owns_after(self, day: dt.date) -> bool:
        return self.valid_to is None or self.valid_to > day

    def same(self, other: Window) -> bool:
        return (self.employee, self.kind, self.account, self.valid_from, self.valid_to) == (
            other.employee,
            other.kind,
            other.account,
            other.valid_from,
            other.valid_to,
        )


@dataclass
class Organisation:
    departments: set[str] = field(default_factory=set)
    positions: dict[str, str] = field(default_factory=dict)
    """Position name -> template id ('' until one is bound)."""
    period_templates: dict[str, dict[str, str]] = field(default_factory=dict)
    """Position name -> {"quarter": template id, "year": template id} ('' for none)."""
    people: dict[str, Person] = field(default_factory=dict)
    windows: list[Window] = field(default_factory=list)


def load() -> Organisation:
    """The whole organisation as it is in the application database."""
    org = Organisation(
        departments=set(Department.objects.values_list("name", flat=True)),
        positions=dict(Position.objects.values_list("name", "template_id")),
        period_templates={
            name: {"quarter": quarter, "year": year}
            for name, quarter, year in Position.objects.values_list(
                "name", "quarter_template_id", "year_template_id"
            )
        },
    )
    codes = dict(Employee.objects.values_list("pk", "code"))
    departments = dict(Department.objects.values_list("pk", "name"))
    positions = dict(Position.objects.values_list("pk", "name"))
    terms: dict[int, list[Terms]] = {}
    for row in EmployeeTerms.objects.order_by("employee_id", "valid_from").values_list(
        "employee_id", "valid_from", "department_id", "position_id", "supervisor_id", "base_salary"
    ):
        employee, valid_from, department, position, supervisor, salary = row
        terms.setdefault(employee, []).append(
            Terms(
                valid_from,
                departments[department],
                positions[position],
                None if supervisor is None else codes[supervisor],
                salary,
            )
        )
    # named rows, not model instances: a thousand people load in a fraction of the time
    people = Employee.objects.order_by("code").values_list(
        "pk",
        "code",
        "name",
        "department_id",
        "position_id",
        "supervisor_id",
        "base_salary",
        "hired_on",
        "left_on",
        "email",
        "mobile",
        named=True,
    )
    for e in people:
        recorded = sorted(terms.get(e.pk, []), key=_terms_order)
        if not recorded:  # an employee written before terms existed
            recorded = [
                Terms(
                    None,
                    departments[e.department_id],
                    positions[e.position_id],
                    None if e.supervisor_id is None else codes[e.supervisor_id],
                    e.base_salary,
                )
            ]
        org.people[e.code] = Person(
            code=e.code,
            name=e.name,
            terms=recorded,
            hired_on=e.hired_on,
            left_on=e.left_on,
            email=e.email,
            mobile=e.mobile,
            pk=e.pk,
        )
    windows = Account.objects.order_by("kind", "account", "valid_from", "pk").values_list(
        "pk", "employee_id", "kind", "account", "valid_from", "valid_to", named=True
    )
    for a in windows:
        org.windows.append(Window(codes[a.employee_id], a.kind, a.account, a.valid_from, a.valid_to, pk=a.pk))
    return org


def _terms_order(terms: Terms) -> dt.date:
    return terms.valid_from or dt.date.min
