"""GET /api/me and GET /api/employees.

The employee list (工号, name, department, position, supervisor) is the organisation chart: no
scores, no pay, no review data, so every signed-in user may read it.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from shopkpi.appraisal.models import Employee
from shopkpi.appraisal.roles import employee_of, roles
from shopkpi.web.api.errors import documented
from shopkpi.web.api.schemas import EmployeeOut, MeOut, Page, Paged

router = Router(tags=["people"])


@router.get("/me", operation_id="me", response={200: MeOut, **documented(401)})
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    employee = employee_of(user)
    return MeOut(
        username=user.get_username(),
        employee=None if employee is None else employee.code,
        roles=sorted(roles(user)),
    )


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
