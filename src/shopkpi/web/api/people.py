"""GET /api/me, POST /api/me/password and GET /api/employees.

The employee list (工号, name, department, position, supervisor) is the organisation chart: no
scores, no pay, no review data, so every signed-in user may read it.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from shopkpi.appraisal import logins
from shopkpi.appraisal.models import Employee
from shopkpi.appraisal.roles import employee_of, roles
from shopkpi.web.api.auth import BEFORE_PASSWORD_CHANGE
from shopkpi.web.api.errors import documented
from shopkpi.web.api.schemas import EmployeeOut, MeOut, Page, Paged, PasswordChangeIn

router = Router(tags=["people"])


@router.get("/me", auth=BEFORE_PASSWORD_CHANGE, operation_id="me", response={200: MeOut, **documented(401)})
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    employee = employee_of(user)
    return MeOut(
        username=user.get_username(),
        employee=None if employee is None else employee.code,
        roles=sorted(roles(user)),
        must_change_password=logins.must_change_password(user),
    )


@router.post(
    "/me/password",
    auth=BEFORE_PASSWORD_CHANGE,
    operation_id="change_password",
    response={204: None, **documented(400, 401, 422)},
)
def change_password(request: HttpRequest, change: PasswordChangeIn) -> Status[None]:
    """Change one's own password (the one-time password first of all); Django's password validators apply.

    Refusals: 400 `wrong_password`, `password_unchanged` or `password_invalid` (too short, too common …)."""
    logins.change_password(request.auth, change.old_password, change.new_password)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get(
    "/employees", operation_id="list_employees", response={200: Paged[EmployeeOut], **documented(401, 422)}
)
def employees(request: HttpRequest, page: Query[Page]) -> Paged[EmployeeOut]:
    rows = Employee.objects.select_related("department", "position", "supervisor").order_by("code")
    return Paged[EmployeeOut](
        items=[
            EmployeeOut(
                id=e.code,
                name=e.name,
                department=e.department.name,
                position=e.position.name,
                supervisor=None if e.supervisor is None else e.supervisor.code,
            )
            for e in rows[page.offset : page.offset + page.limit]
        ],
        count=rows.count(),
    )
