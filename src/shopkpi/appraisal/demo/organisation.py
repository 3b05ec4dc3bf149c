"""The demo company's organisation and users, read from the imported `employees` dataset."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group, User

from shopkpi.appraisal.models import Department, Employee, Position
from shopkpi.appraisal.roles import ADMIN, GM, HR
from shopkpi.data.warehouse import Warehouse

DEMO_PASSWORD = "shopkpi-demo"  # demo mode only; printed by `shopkpi demo` and given in the README
DEMO_MAIL_DOMAIN = "demo-shop.example"
HR_CODE = "HR01"  # the HR officer: runs the cycles, not appraised in the demo


@dataclass(frozen=True)
class DemoPeople:
    hr: User
    gm: User
    employees: dict[str, User]  # employee code -> login (username = the code)


def _user(username: str, *groups: str, first_name: str = "") -> User:
    # every demo login has an address (the reserved .example domain), so its notices can be mailed
    email = f"{username.lower()}@{DEMO_MAIL_DOMAIN}"
    user = User.objects.create_user(username, email, password=DEMO_PASSWORD, first_name=first_name)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def organisation_from_warehouse(home: Path, position_templates: dict[str, str]) -> dict[str, Employee]:
    """Departments, positions (bound to their templates) and employees with their supervisors, from the
    imported `employees` dataset; by employee code."""
    connection = Warehouse(home).connect(read_only=True)
    try:
        rows = connection.execute(
            "SELECT employee, name, department, position, supervisor, base_salary, hired_on, left_on "
            "FROM employees ORDER BY employee"
        ).fetchall()
    finally:
        connection.close()
    departments: dict[str, Department] = {}
    positions: dict[str, Position] = {}
    people: dict[str, Employee] = {}
    for code, name, department, position, _supervisor, salary, hired_on, left_on in rows:
        if department not in departments:
            departments[department] = Department.objects.create(name=department)
        if position not in positions:
            positions[position] = Position.objects.create(
                name=position, template_id=position_templates[position]
            )
        people[code] = Employee.objects.create(
            code=code,
            name=name,
            department=departments[department],
            position=positions[position],
            base_salary=salary,
            hired_on=hired_on,
            left_on=left_on,
        )
    for code, _name, _department, _position, supervisor, *_ in rows:
        if supervisor:
            people[code].supervisor = people[supervisor]
            people[code].save(update_fields=["supervisor"])
    return people


def build_organisation(home: Path, position_templates: dict[str, str]) -> DemoPeople:
    """The organisation (organisation_from_warehouse), an HR officer, users and roles."""
    people = organisation_from_warehouse(home, position_templates)
    hr_department = Department.objects.create(name="人事行政部")
    hr_position = Position.objects.create(name="人事专员", template_id="s000-online-customer-service")
    hr_person = Employee.objects.create(
        code=HR_CODE, name="周敏", department=hr_department, position=hr_position, supervisor=None
    )
    hr = _user("hr", HR, ADMIN, first_name="周敏")
    hr_person.user = hr
    hr_person.save(update_fields=["user"])
    gm = _user("gm", GM, first_name="总经理")
    logins: dict[str, User] = {}
    for code, employee in people.items():
        logins[code] = _user(code, first_name=employee.name)
        employee.user = logins[code]
        employee.save(update_fields=["user"])
    return DemoPeople(hr=hr, gm=gm, employees=logins)
