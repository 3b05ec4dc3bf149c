"""Roles: HR, GM and admin are Django groups; employee and evaluator follow from the organisation."""

from __future__ import annotations

from typing import Any

HR = "hr"
GM = "gm"
ADMIN = "admin"
EMPLOYEE = "employee"
EVALUATOR = "evaluator"
GROUP_ROLES = (HR, GM, ADMIN)


def group_roles(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_shopkpi_group_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=GROUP_ROLES).values_list("name", flat=True))
        user._shopkpi_group_roles = cached
    return cached


def roles(user: Any) -> frozenset[str]:
    """Every role the user holds: a team lead is an employee and an evaluator."""
    from shopkpi.appraisal.models import Employee

    found = set(group_roles(user))
    employee = employee_of(user)
    if employee is not None:
        found.add(EMPLOYEE)
        if Employee.objects.filter(supervisor=employee).exists():
            found.add(EVALUATOR)
    return frozenset(found)


def employee_of(user: Any) -> Any:
    """The Employee linked to the user, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    from shopkpi.appraisal.models import Employee

    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


def is_hr(user: Any) -> bool:
    return HR in group_roles(user)


def is_gm(user: Any) -> bool:
    return GM in group_roles(user)
