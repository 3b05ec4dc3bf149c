"""The company's approval chain (审批流程) as HR sets it: the steps after the supervisor, for the
company and, optionally, for a department (a department's chain replaces the company's for its
people). With no steps set, the company follows the default chain, 人事核准 → 总经理批准.

`replace` checks every step of the new chain at once (a refused chain changes nothing: each problem
names its step and field) and writes and audits it. The chain in force when a cycle opens is copied to
each of its reviews (`reviews.chain.attach`); a later change applies to the next cycle only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import ApprovalStep, Department, Employee
from shopkpi.appraisal.models.chain import Actor, ReturnTo
from shopkpi.appraisal.organisation.problems import OrganisationRefused, Problem

MAX_STEPS = 8
MAX_NAME = 60
MAX_DAYS = 60


@dataclass(frozen=True)
class StepSetting:
    """One step as HR sets it: name, who acts (hr, gm, or person with the person's 工号), the deadline
    in days after the previous step's (None: the period's rule) and where a return sends the review."""

    name: str
    actor: str
    person: str = ""  # the named reviewer's 工号 when actor is "person"
    person_name: str = ""
    person_id: int | None = None
    due_days: int | None = None
    returns_to: str = ReturnTo.PREVIOUS

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "actor": self.actor,
            "person": self.person or None,
            "due_days": self.due_days,
            "returns_to": self.returns_to,
        }


def _setting(row: ApprovalStep) -> StepSetting:
    person = row.person
    return StepSetting(
        name=row.name,
        actor=row.actor,
        person=person.code if person is not None else "",
        person_name=person.name if person is not None else "",
        person_id=row.person_id,
        due_days=row.due_days,
        returns_to=row.returns_to,
    )


def configured() -> dict[int | None, list[StepSetting]]:
    """Every chain that is set: None -> the company's, a department id -> that department's."""
    chains: dict[int | None, list[StepSetting]] = {}
    for row in ApprovalStep.objects.select_related("person").order_by("department_id", "order"):
        chains.setdefault(row.department_id, []).append(_setting(row))
    return chains


def chain(department: Department | None) -> list[StepSetting]:
    """The steps set for the department (or the company when None); empty when none are set."""
    rows = ApprovalStep.objects.filter(department=department).select_related("person").order_by("order")
    return [_setting(row) for row in rows]


def default_settings() -> list[StepSetting]:
    """The default chain as settings: what a company follows until HR sets its own."""
    from shopkpi.appraisal.reviews.review_steps import step_name

    return [
        StepSetting(step_name("submit_hr"), Actor.HR, returns_to=ReturnTo.SUPERVISOR),
        StepSetting(step_name("approve"), Actor.GM, returns_to=ReturnTo.PREVIOUS),
    ]


def in_force(department: Department | None) -> list[StepSetting]:
    """The chain a department's people follow: its own, else the company's, else the default."""
    if department is not None:
        own = chain(department)
        if own:
            return own
    return chain(None) or default_settings()


def replace(
    actor: str, department: Department | None, steps: Sequence[Mapping[str, Any]]
) -> list[StepSetting]:
    """Set the company's chain (department None) or a department's; an empty list for a department
    removes its own chain (its people follow the company's), for the company restores the default.
    Every problem is reported at once (OrganisationRefused); nothing is written then."""
    checked, people = _checked(steps)
    before = [s.as_dict() for s in chain(department)]
    with transaction.atomic():
        ApprovalStep.objects.filter(department=department).delete()
        ApprovalStep.objects.bulk_create(
            ApprovalStep(
                department=department,
                order=n,
                name=s.name,
                actor=s.actor,
                person=people.get(s.person),
                due_days=s.due_days,
                returns_to=s.returns_to,
            )
            for n, s in enumerate(checked)
        )
        audit.record(
            actor,
            "approval_chain.replace",
            object_type="department" if department is not None else "company",
            object_id=department.name if department is not None else "",
            before={"steps": before},
            after={"steps": [s.as_dict() for s in checked]},
        )
    return chain(department)


def _checked(steps: Sequence[Mapping[str, Any]]) -> tuple[list[StepSetting], dict[str, Employee]]:
    problems: list[Problem] = []
    if len(steps) > MAX_STEPS:
        problems.append(Problem("too_many_steps", "steps", _("审批流程最多 %(n)s 步。") % {"n": MAX_STEPS}))
    codes = {str(s.get("person") or "").strip() for s in steps} - {""}
    people = {e.code: e for e in Employee.objects.filter(code__in=codes).select_related("user")}
    checked: list[StepSetting] = []
    names: set[str] = set()
    for n, raw in enumerate(steps, start=1):
        step, found = _step(n, raw, people, names)
        problems += found
        names.add(str(raw.get("name") or "").strip())
        if step is not None:
            checked.append(step)
    if problems:
        raise OrganisationRefused(problems)
    return checked, people


def _step(
    n: int, raw: Mapping[str, Any], people: Mapping[str, Employee], names: set[str]
) -> tuple[StepSetting | None, list[Problem]]:
    where = {"n": n}
    problems: list[Problem] = []
    name = str(raw.get("name") or "").strip()
    actor = str(raw.get("actor") or "").strip()
    code = str(raw.get("person") or "").strip()
    returns_to = str(raw.get("returns_to") or ReturnTo.PREVIOUS).strip()
    if not name:
        problems.append(Problem("step_name_missing", "name", _("第 %(n)s 步：请填写步骤名称。") % where))
    elif len(name) > MAX_NAME:
        problems.append(
            Problem(
                "step_name_too_long",
                "name",
                _("第 %(n)s 步：步骤名称最多 %(max)s 个字。") % {**where, "max": MAX_NAME},
            )
        )
    elif name in names:
        problems.append(
            Problem(
                "step_name_repeated",
                "name",
                _("第 %(n)s 步：步骤名称“%(name)s”与前面的步骤重复。") % {**where, "name": name},
            )
        )
    if actor not in Actor.values:
        problems.append(
            Problem(
                "step_actor_unknown", "actor", _("第 %(n)s 步：审批人须是人事、总经理或指定人员。") % where
            )
        )
    person = people.get(code)
    if actor == Actor.PERSON:
        if not code:
            problems.append(
                Problem(
                    "step_person_missing", "person", _("第 %(n)s 步：请选择指定的审批人（工号）。") % where
                )
            )
        elif person is None:
            problems.append(
                Problem(
                    "step_person_unknown",
                    "person",
                    _("第 %(n)s 步：没有工号为 %(code)s 的员工。") % {**where, "code": code},
                )
            )
        elif person.left_on is not None or person.user is None or not person.user.is_active:
            problems.append(
                Problem(
                    "step_person_no_login",
                    "person",
                    _(
                        "第 %(n)s 步：%(name)s（%(code)s）没有可用的登录账号（或已离职），不能审批；请先在“用户”页为其开通账号。"
                    )
                    % {**where, "name": person.name, "code": code},
                )
            )
    elif code and actor in Actor.values:
        problems.append(
            Problem(
                "step_person_not_named",
                "person",
                _("第 %(n)s 步：只有“指定人员”一步才填写审批人工号。") % where,
            )
        )
    days, day_problem = _days(n, raw.get("due_days"))
    problems += day_problem
    if returns_to not in ReturnTo.values:
        problems.append(
            Problem(
                "step_return_unknown", "returns_to", _("第 %(n)s 步：退回只能到上一步或考评负责人。") % where
            )
        )
    if problems:
        return None, problems
    return (
        StepSetting(
            name,
            actor,
            code if actor == Actor.PERSON else "",
            person.name if person is not None and actor == Actor.PERSON else "",
            person.pk if person is not None and actor == Actor.PERSON else None,
            days,
            returns_to,
        ),
        [],
    )


def _days(n: int, raw: Any) -> tuple[int | None, list[Problem]]:
    if raw is None or str(raw).strip() == "":
        return None, []
    try:
        days = int(str(raw).strip())
    except ValueError:
        days = -1
    if not 0 <= days <= MAX_DAYS:
        return None, [
            Problem(
                "step_days_bad",
                "due_days",
                _("第 %(n)s 步：期限须是 0–%(max)s 的整数天，或留空（按考核期的规则）。")
                % {"n": n, "max": MAX_DAYS},
            )
        ]
    return days, []
