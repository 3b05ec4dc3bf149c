"""GET /api/me and POST /api/me/password (the organisation's endpoints are in organisation.py)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from shopkpi.appraisal.accounts import logins
from shopkpi.appraisal.accounts.roles import employee_of, roles
from shopkpi.web.api.auth import BEFORE_PASSWORD_CHANGE
from shopkpi.web.api.errors import documented
from shopkpi.web.api.schemas import MeOut, PasswordChangeIn

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
