"""The organisation for an HRIS or payroll script: employees, departments, positions and account
ownership — list, create, change — through the same organisation service as the pages and imports.

Confidentiality as for reviews: HR, GM and admin see the organisation (GM only reads); anybody else
is refused (403 `organisation_forbidden`), except that an employee sees their own record
(`GET /api/me/employee`, `GET /api/employees/{code}` with their own 工号; another's answers 404).
A refused change answers 400 with the service's code (`unknown_supervisor`, `supervisor_loop`,
`two_owners`, `leaver_owns_accounts`, `unknown_template`, `unknown_account_type` …), the field in
`field`, and changes nothing. `?dry_run=true` on a change answers what it would change, writing nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from shopkpi.appraisal.accounts.roles import employee_of
from shopkpi.appraisal.models import Account, Department, Employee, Position
from shopkpi.appraisal.organisation import records, service
from shopkpi.appraisal.organisation.changes import OrganisationChange
from shopkpi.appraisal.organisation.kinds import KINDS
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.web.api.errors import documented
from shopkpi.web.api.schemas import (
    AccountChangeIn,
    AccountIn,
    AccountOut,
    ChangeOut,
    DepartmentIn,
    DepartmentOut,
    EmployeeChangeIn,
    EmployeeIn,
    EmployeeRecordOut,
    OrganisationChangesOut,
    Page,
    Paged,
    PositionChangeIn,
    PositionIn,
    PositionOut,
    TermsOut,
)

router = Router(tags=["organisation"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _reader(request: HttpRequest) -> None:
    if not records.may_read(_user(request)):
        raise ActionRefused(_("只有人事、总经理和管理员可以查看组织架构。"), code="organisation_forbidden")


def _writer(request: HttpRequest) -> str:
    user = _user(request)
    if not records.may_change(user):
        raise ActionRefused(_("只有人事和管理员可以修改组织架构。"), code="organisation_forbidden")
    return str(user.get_username())


def _changes(
    changes: tuple[OrganisationChange, ...], dry_run: bool, employee: EmployeeRecordOut | None = None
) -> OrganisationChangesOut:
    return OrganisationChangesOut(
        written=not dry_run,
        employee=employee,
        changes=[
            ChangeOut(
                kind=c.kind,
                subject=c.subject,
                field=c.field,
                before=None if c.before is None else str(c.before),
                after=None if c.after is None else str(c.after),
                valid_from=c.valid_from,
            )
            for c in changes
        ],
    )


def _record(employee: Employee, *, with_terms: bool = True) -> EmployeeRecordOut:
    return EmployeeRecordOut(
        id=employee.code,
        name=employee.name,
        department=employee.department.name,
        position=employee.position.name,
        supervisor=None if employee.supervisor is None else employee.supervisor.code,
        base_salary=None if employee.base_salary is None else str(employee.base_salary),
        hired_on=employee.hired_on,
        left_on=employee.left_on,
        email=employee.email,
        mobile=employee.mobile,
        terms=[
            TermsOut(
                valid_from=t.valid_from,
                valid_to=t.valid_to,
                department=t.department,
                position=t.position,
                supervisor=t.supervisor,
                base_salary=None if t.base_salary is None else str(t.base_salary),
            )
            for t in records.terms_of(employee)
        ]
        if with_terms
        else [],
    )


def _employee(code: str) -> Employee:
    found = Employee.objects.select_related("department", "position", "supervisor").filter(code=code).first()
    if found is None:
        raise Http404("no such employee")
    return found


# ---- employees ------------------------------------------------------------------------------------


@router.get(
    "/employees",
    operation_id="list_employees",
    response={200: Paged[EmployeeRecordOut], **documented(401, 403, 422)},
)
def list_employees(
    request: HttpRequest,
    page: Query[Page],
    q: str = "",
    department: str = "",
    position: str = "",
    status: str = "",
) -> Paged[EmployeeRecordOut]:
    """Employees by 工号 (HR, GM, admin): `q` searches 工号, 姓名, e-mail and mobile; `status` is
    `active` or `left`."""
    _reader(request)
    rows = records.employees(q=q, department=department, position=position, status=status)
    return Paged[EmployeeRecordOut](
        items=[_record(e, with_terms=False) for e in rows[page.offset : page.offset + page.limit]],
        count=rows.count(),
    )


@router.get(
    "/me/employee", operation_id="my_employee", response={200: EmployeeRecordOut, **documented(401, 404)}
)
def my_employee(request: HttpRequest) -> EmployeeRecordOut:
    """The signed-in user's own employee record (404 for a login that is no employee)."""
    employee = employee_of(_user(request))
    if employee is None:
        raise Http404("no employee")
    return _record(_employee(employee.code))


@router.get(
    "/employees/{code}",
    operation_id="get_employee",
    response={200: EmployeeRecordOut, **documented(401, 404)},
)
def get_employee(request: HttpRequest, code: str) -> EmployeeRecordOut:
    """One employee with their terms over time (HR, GM, admin; an employee: their own only)."""
    own = employee_of(_user(request))
    if not records.may_read(_user(request)) and (own is None or own.code != code):
        raise Http404("no such employee")
    return _record(_employee(code))


@router.post(
    "/employees",
    operation_id="create_employee",
    response={201: OrganisationChangesOut, 200: OrganisationChangesOut, **documented(400, 401, 403, 422)},
)
def create_employee(request: HttpRequest, body: EmployeeIn, dry_run: bool = False) -> Any:
    """A new employee (HR, admin); departments and positions not yet known are created (listed in
    `changes`). With `dry_run` (200) nothing is written."""
    actor = _writer(request)
    changes = service.add_employee(actor, body.model_dump(exclude_unset=True), dry_run=dry_run)
    if dry_run:
        return _changes(changes, dry_run)
    return Status(201, _changes(changes, dry_run, _record(_employee(body.code))))


@router.patch(
    "/employees/{code}",
    operation_id="change_employee",
    response={200: OrganisationChangesOut, **documented(400, 401, 403, 404, 422)},
)
def change_employee(
    request: HttpRequest, code: str, body: EmployeeChangeIn, dry_run: bool = False
) -> OrganisationChangesOut:
    """Change the fields given (HR, admin). Department, position, supervisor and base salary apply from
    `effective` (default: today); `left_on` makes the employee a leaver."""
    actor = _writer(request)
    _employee(code)
    values = body.model_dump(exclude_unset=True)
    effective = values.pop("effective", None)
    changes = service.change_employee(actor, code, values, effective=effective, dry_run=dry_run)
    return _changes(changes, dry_run, None if dry_run else _record(_employee(code)))


# ---- departments and positions ------------------------------------------------------------------------


@router.get(
    "/departments",
    operation_id="list_departments",
    response={200: list[DepartmentOut], **documented(401, 403)},
)
def list_departments(request: HttpRequest) -> list[DepartmentOut]:
    _reader(request)
    return [
        DepartmentOut(name=d.name, employees=d.employees.count())
        for d in Department.objects.order_by("name").prefetch_related("employees")
    ]


@router.post(
    "/departments",
    operation_id="create_department",
    response={201: DepartmentOut, **documented(400, 401, 403, 422)},
)
def create_department(request: HttpRequest, body: DepartmentIn) -> Status[DepartmentOut]:
    service.add_department(_writer(request), body.name)
    return Status(201, DepartmentOut(name=body.name.strip(), employees=0))


def _position(position: Position) -> PositionOut:
    return PositionOut(
        name=position.name, template=position.template_id or None, employees=position.employees.count()
    )


@router.get(
    "/positions", operation_id="list_positions", response={200: list[PositionOut], **documented(401, 403)}
)
def list_positions(request: HttpRequest) -> list[PositionOut]:
    _reader(request)
    return [_position(p) for p in Position.objects.order_by("name")]


@router.post(
    "/positions",
    operation_id="create_position",
    response={201: PositionOut, **documented(400, 401, 403, 422)},
)
def create_position(request: HttpRequest, body: PositionIn) -> Status[PositionOut]:
    """A position, bound to a template (its id or name) or waiting for one."""
    service.put_position(_writer(request), body.name, body.template)
    return Status(201, _position(Position.objects.get(name=body.name.strip())))


@router.patch(
    "/positions/{name}",
    operation_id="change_position",
    response={200: PositionOut, **documented(400, 401, 403, 404, 422)},
)
def change_position(request: HttpRequest, name: str, body: PositionChangeIn) -> PositionOut:
    """Bind the position to a template (its id or name)."""
    actor = _writer(request)
    if not Position.objects.filter(name=name).exists():
        raise Http404("no such position")
    service.put_position(actor, name, body.template)
    return _position(Position.objects.get(name=name))


# ---- account ownership ------------------------------------------------------------------------------


def _account(window: Account) -> AccountOut:
    return AccountOut(
        id=window.pk,
        employee=window.employee.code,
        kind=window.kind,
        kind_label=str(KINDS.get(window.kind, window.kind)),
        account=window.account,
        valid_from=window.valid_from,
        valid_to=window.valid_to,
    )


@router.get(
    "/accounts", operation_id="list_accounts", response={200: Paged[AccountOut], **documented(401, 403, 422)}
)
def list_accounts(
    request: HttpRequest,
    page: Query[Page],
    employee: str = "",
    kind: str = "",
    account: str = "",
    on: dt.date | None = None,
) -> Paged[AccountOut]:
    """Who owns which account when (HR, GM, admin), narrowed by owner, kind, account and a day."""
    _reader(request)
    rows = records.accounts(employee=employee, kind=kind, account=account, on=on)
    return Paged[AccountOut](
        items=[_account(w) for w in rows[page.offset : page.offset + page.limit]], count=rows.count()
    )


@router.post(
    "/accounts",
    operation_id="assign_account",
    response={201: OrganisationChangesOut, 200: OrganisationChangesOut, **documented(400, 401, 403, 422)},
)
def assign_account(request: HttpRequest, body: AccountIn, dry_run: bool = False) -> Any:
    """`employee` owns the account from `valid_from`: inside another owner's open-ended window it is a
    hand-over (that window ends the day before, listed in `changes`); two owners on one day is refused."""
    actor = _writer(request)
    changes = service.assign_account(
        actor, body.employee, body.kind, body.account, body.valid_from, body.valid_to, dry_run=dry_run
    )
    return _changes(changes, dry_run) if dry_run else Status(201, _changes(changes, dry_run))


@router.patch(
    "/accounts/{account_id}",
    operation_id="change_account",
    response={200: OrganisationChangesOut, **documented(400, 401, 403, 404, 422)},
)
def change_account(
    request: HttpRequest, account_id: int, body: AccountChangeIn, dry_run: bool = False
) -> OrganisationChangesOut:
    """End an ownership on `valid_to` (null: open-ended again)."""
    actor = _writer(request)
    if not Account.objects.filter(pk=account_id).exists():
        raise Http404("no such ownership")
    return _changes(service.end_account(actor, account_id, body.valid_to, dry_run=dry_run), dry_run)
