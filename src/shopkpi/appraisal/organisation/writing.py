"""Writing a checked draft: the difference between the organisation before and after, and its audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import Account, Department, Employee, EmployeeTerms, Position
from shopkpi.appraisal.organisation.changes import OrganisationChange
from shopkpi.appraisal.organisation.state import PERSON_FIELDS, Organisation, Person

AUDIT_ACTIONS = {
    "new_department": "org.department.add",
    "new_position": "org.position.add",
    "position_template": "org.position.template",
    "new_employee": "org.employee.add",
    "changed_field": "org.employee.change",
    "leaver": "org.employee.leave",
    "new_owner": "org.account.assign",
    "hand_over": "org.account.hand_over",
    "ownership_end": "org.account.end",
    "ownership_removed": "org.account.remove",
}


def write(before: Organisation, after: Organisation, today: dt.date) -> None:
    departments = {d.name: d for d in Department.objects.all()}
    for name in sorted(after.departments - set(departments)):
        departments[name] = Department.objects.create(name=name)
    positions = {p.name: p for p in Position.objects.all()}
    for name, template in sorted(after.positions.items()):
        if name not in positions:
            positions[name] = Position.objects.create(name=name, template_id=template)
        elif positions[name].template_id != template:
            positions[name].template_id = template
            positions[name].save(update_fields=["template_id"])
    for name, bound in sorted(after.period_templates.items()):
        if bound != before.period_templates.get(name):
            Position.objects.filter(name=name).update(
                quarter_template_id=bound.get("quarter", ""), year_template_id=bound.get("year", "")
            )
    employees = {e.code: e for e in Employee.objects.all()}
    changed: list[Person] = []
    for code, person in sorted(after.people.items()):
        old = before.people.get(code)
        if old is not None and _same(old, person):
            continue
        changed.append(person)
        current = person.current(today)
        employee = employees.get(code) or Employee(code=code)
        for name in PERSON_FIELDS:
            setattr(employee, name, getattr(person, name))
        employee.department = departments[current.department]
        employee.position = positions[current.position]
        employee.base_salary = current.base_salary
        employee.supervisor = None if employee.pk is None else employee.supervisor
        employee.save()
        employees[code] = employee
    for person in changed:
        employee = employees[person.code]
        current = person.current(today)
        employee.supervisor = None if current.supervisor is None else employees[current.supervisor]
        employee.save(update_fields=["supervisor"])
        EmployeeTerms.objects.filter(employee=employee).delete()
        EmployeeTerms.objects.bulk_create(
            EmployeeTerms(
                employee=employee,
                valid_from=terms.valid_from,
                department=departments[terms.department],
                position=positions[terms.position],
                supervisor=None if terms.supervisor is None else employees[terms.supervisor],
                base_salary=terms.base_salary,
            )
            for terms in person.terms
        )
    kept = {w.pk for w in after.windows if w.pk is not None}
    Account.objects.filter(pk__in=[w.pk for w in before.windows if w.pk not in kept]).delete()
    recorded = {w.pk: w for w in before.windows}
    for window in after.windows:
        was = recorded.get(window.pk) if window.pk is not None else None
        if was is not None and was.same(window):
            continue
        fields = {
            "employee": employees[window.employee],
            "kind": window.kind,
            "account": window.account,
            "valid_from": window.valid_from,
            "valid_to": window.valid_to,
        }
        if window.pk is None:
            window.pk = Account.objects.create(**fields).pk
        else:
            Account.objects.filter(pk=window.pk).update(**fields)


def _same(old: Person, new: Person) -> bool:
    return old.terms == new.terms and all(getattr(old, n) == getattr(new, n) for n in PERSON_FIELDS)


def audit_changes(actor: str, changes: Sequence[OrganisationChange], after: Organisation) -> None:
    """One audit entry per change: who (actor), when, what (before and after) and from which day."""
    for change in changes:
        action = AUDIT_ACTIONS.get(change.kind)
        if action is None:  # a flag (a position without a template), not a change
            continue
        object_type = action.split(".")[1]
        if change.kind == "new_employee":
            person = after.people[change.subject]
            first = person.terms[0]
            after_fields: dict[str, object] = {
                "name": person.name,
                **first.values(),
                **{n: getattr(person, n) for n in PERSON_FIELDS if n != "name" and getattr(person, n)},
            }
            audit.record(actor, action, object_type=object_type, object_id=change.subject, after=after_fields)
            continue
        key = change.field or object_type
        before = None if change.before is None and change.kind.startswith("new_") else {key: change.before}
        after_value: dict[str, object] = {key: change.after}
        if change.valid_from is not None:
            after_value["valid_from"] = change.valid_from
        audit.record(
            actor, action, object_type=object_type, object_id=change.subject, before=before, after=after_value
        )
