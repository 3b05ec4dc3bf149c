"""Recording, changing and removing incidents: the one service the page, the API and the workbook
import call. Every change is checked whole (every problem named with its field), audited (who, when,
before and after, why) and followed by the employee's open months (`feeding.refresh_employee`).

An incident is read-only once its month is closed for the employee: the cycle of the month is
archived, or HR has checked the employee's review of it (submitted to the GM: the values are frozen).
From then on only an appeal of that incident changes it (HR's decision, `appeals`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.incidents import evidence, feeding
from shopkpi.appraisal.incidents.kinds import Kind, kinds_for
from shopkpi.appraisal.models import Cycle, Employee, Incident, IncidentEvidence, Review
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name
from shopkpi.scorecard.numbers import format_decimal, plain
from shopkpi.scorecard.periods import Period

MAX_AMOUNT = Decimal("1000000000")
FIELDS = ("employee", "occurred_on", "kind", "amount", "note")


@dataclass(frozen=True)
class IncidentInput:
    """What a form, an API body or a workbook row gives, as given (text or typed values)."""

    employee: object
    occurred_on: object
    kind: object
    amount: object
    note: object


@dataclass(frozen=True)
class Problem:
    field: str  # one of FIELDS, or "evidence"
    message: str


class IncidentRefused(WorkflowError):
    """Nothing was changed; `problems` names every problem with its field."""

    code = "incident_refused"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(p.message for p in self.problems))


@dataclass(frozen=True)
class Checked:
    employee: Employee
    occurred_on: dt.date
    kind: str
    amount: Decimal
    note: str


def check(
    given: IncidentInput, home: Path, *, today: dt.date | None = None
) -> tuple[Checked | None, list[Problem]]:
    """The input typed and checked against the organisation and the employee's template: every problem."""
    problems: list[Problem] = []
    code = str(given.employee or "").strip()
    employee = Employee.objects.select_related("position").filter(code=code).first() if code else None
    if employee is None:
        problems.append(
            Problem("employee", _("没有工号为“%(code)s”的员工；请写花名册里的工号。") % {"code": code})
            if code
            else Problem("employee", _("请选择员工（工号）。"))
        )
    day = _day(given.occurred_on, problems)
    today = today or timezone.localdate()
    if day is not None and day > today:
        problems.append(Problem("occurred_on", _("日期 %(day)s 还没到；只能记录已发生的事。") % {"day": day}))
        day = None
    amount = _amount(given.amount, problems)
    note = str(given.note or "").strip()
    if not note:
        problems.append(Problem("note", _("请写明说明（发生了什么，如“9月3日 顾客张某差评：回复超时”）。")))
    kind = str(given.kind or "").strip()
    if not kind:
        problems.append(Problem("kind", _("请选择类型（考核表里计次数或金额的扣分、加分项）。")))
    elif employee is not None and day is not None:
        offered = kinds_for(home, employee, day)
        if kind not in {k.name for k in offered}:
            problems.append(Problem("kind", unknown_kind(employee, day, kind, offered)))
    if problems or employee is None or day is None or amount is None:
        return None, problems
    return Checked(employee, day, kind, amount, note), []


def unknown_kind(employee: Employee, day: dt.date, kind: str, offered: Sequence[Kind]) -> str:
    names = "、".join(k.name for k in offered) or _("无（这张考核表没有计次数或金额的扣分、加分项）")
    return _("“%(kind)s”不是 %(name)s %(month)s 的考核表计数的类型（可选：%(kinds)s）。") % {
        "kind": kind,
        "name": employee.name,
        "month": day.strftime("%Y-%m"),
        "kinds": names,
    }


def closed_reason(employee: Employee, day: dt.date) -> tuple[str, str] | None:
    """(code, message) when the employee's incidents of `day` are read-only (see the module docstring)."""
    for review in Review.objects.filter(employee=employee).select_related("cycle"):
        span = Period.parse(review.cycle.period)
        if not span.start <= day <= span.end:
            continue
        if review.cycle.status == Cycle.Status.ARCHIVED:
            return "cycle_archived", _("考核期 %(period)s 已归档，奖惩记录只读。") % {"period": span.text}
        if review.values_frozen_at is not None:
            return "values_frozen", _(
                "人事已核准 %(name)s 的 %(period)s 考核（数值已冻结），这一期的奖惩记录只读；如有异议请通过申诉处理。"
            ) % {"name": employee.name, "period": span.text}
    return None


def record(
    user: Any, given: IncidentInput, *, home: Path, files: Iterable[evidence.Upload] = (), source: str = ""
) -> Incident:
    """A new incident, with its evidence files; ActionRefused before anything is checked when the user
    may not record the employee's incidents; IncidentRefused (nothing written) on any problem."""
    code = str(given.employee or "").strip()
    policy.require_incident_recorder(user, Employee.objects.filter(code=code).first() if code else None)
    found, problems = check(given, home)
    if found is not None:
        problems += _closed_problems(found.employee, [found.occurred_on])
    if problems or found is None:
        raise IncidentRefused(problems)
    kept = _kept(home, files)
    with transaction.atomic():
        incident = Incident.objects.create(
            employee=found.employee,
            occurred_on=found.occurred_on,
            kind=found.kind,
            amount=found.amount,
            note=found.note,
            source=source,
            recorded_by=user,
        )
        _attach(incident, kept, user)
        audit.record(
            actor_name(user),
            "incident.record",
            object_type="incident",
            object_id=incident.pk,
            after=described(incident),
        )
        feeding.refresh_employee(found.employee.pk, [found.occurred_on], actor=actor_name(user), home=home)
    return incident


def change(
    user: Any,
    incident: Incident,
    given: IncidentInput,
    *,
    reason: str,
    home: Path,
    files: Iterable[evidence.Upload] = (),
) -> Incident:
    """The incident changed (the employee stays the same), with a reason; audited before and after."""
    policy.require_incident_recorder(user, incident.employee)
    given = IncidentInput(incident.employee.code, given.occurred_on, given.kind, given.amount, given.note)
    found, problems = check(given, home)
    problems += _closed_problems(
        incident.employee, [incident.occurred_on] + ([found.occurred_on] if found else [])
    )
    if not str(reason).strip():
        problems.append(Problem("reason", _("修改奖惩记录需要写明原因。")))
    if problems or found is None:
        raise IncidentRefused(problems)
    kept = _kept(home, files)
    with transaction.atomic():
        before = described(incident)
        days = {incident.occurred_on, found.occurred_on}
        incident.occurred_on = found.occurred_on
        incident.kind = found.kind
        incident.amount = found.amount
        incident.note = found.note
        incident.save()
        _attach(incident, kept, user)
        audit.record(
            actor_name(user),
            "incident.change",
            object_type="incident",
            object_id=incident.pk,
            before=before,
            after=described(incident),
            reason=str(reason).strip(),
        )
        feeding.refresh_employee(incident.employee_id, days, actor=actor_name(user), home=home)
    return incident


def remove(user: Any, incident: Incident, *, reason: str, home: Path) -> Incident:
    """The incident no longer counts (kept, marked removed, with the reason); audited."""
    policy.require_incident_recorder(user, incident.employee)
    problems = _closed_problems(incident.employee, [incident.occurred_on])
    if not str(reason).strip():
        problems.append(Problem("reason", _("删除奖惩记录需要写明原因。")))
    if incident.status == Incident.Status.REMOVED:
        problems.append(Problem("reason", _("这条奖惩记录已经删除。")))
    if problems:
        raise IncidentRefused(problems)
    with transaction.atomic():
        before = described(incident)
        incident.status = Incident.Status.REMOVED
        incident.removed_reason = str(reason).strip()
        incident.save()
        audit.record(
            actor_name(user),
            "incident.remove",
            object_type="incident",
            object_id=incident.pk,
            before=before,
            reason=incident.removed_reason,
        )
        feeding.refresh_employee(
            incident.employee_id, [incident.occurred_on], actor=actor_name(user), home=home
        )
    return incident


def described(incident: Incident) -> dict[str, Any]:
    """What the audit log keeps of an incident."""
    return {
        "employee": incident.employee.code,
        "occurred_on": incident.occurred_on.isoformat(),
        "kind": incident.kind,
        "amount": format_decimal(plain(Decimal(incident.amount))),
        "note": incident.note,
        "evidence": [e.name for e in incident.evidence.all()],
    }


def _closed_problems(employee: Employee, days: Iterable[dt.date]) -> list[Problem]:
    found = {closed_reason(employee, day) for day in set(days)} - {None}
    return [Problem("occurred_on", message) for _code, message in sorted(f for f in found if f)]


def _kept(home: Path, files: Iterable[evidence.Upload]) -> list[evidence.Stored]:
    try:
        return evidence.keep_all(home, files)
    except evidence.EvidenceRefused as exc:
        raise IncidentRefused([Problem("evidence", str(exc))]) from None


def _attach(incident: Incident, kept: Sequence[evidence.Stored], user: Any) -> None:
    IncidentEvidence.objects.bulk_create(
        IncidentEvidence(
            incident=incident,
            name=s.name,
            content_type=s.content_type,
            size=s.size,
            sha256=s.sha256,
            path=s.path,
            uploaded_by=user,
        )
        for s in kept
    )


def _day(value: object, problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:  # an Excel date cell: midnight of the day
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is not None and moment.time() == dt.time(0):
        return moment.date()
    problems.append(
        Problem("occurred_on", _("“%(text)s”不是日期；请写作 YYYY-MM-DD（如 2026-09-03）。") % {"text": text})
    )
    return None


def _amount(value: object, problems: list[Problem]) -> Decimal | None:
    text = str(value if value is not None else "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if (
        number is None
        or not number.is_finite()
        or number <= 0
        or number >= MAX_AMOUNT
        or number != number.quantize(Decimal("0.01"))
    ):
        problems.append(
            Problem(
                "amount",
                _("次数/金额“%(text)s”不对：请写大于 0 的数，最多两位小数（如 1、0.5 天、200 元）。")
                % {"text": text},
            )
        )
        return None
    return number
