"""HR's target distribution (校准目标): per grade, the share it may have at most and must have at least,
company-wide or for one department. Setting a scope's targets replaces them all at once (a refused
input changes nothing) and is written to the audit log with the targets before and after."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.accounts.roles import is_hr
from shopkpi.appraisal.models import CalibrationTarget, Department
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TargetRow:
    """One grade's bounds as given (text from a form or the API; blank: no bound)."""

    grade: str
    at_most: str = ""
    at_least: str = ""


def targets_of(department: Department | None) -> dict[str, CalibrationTarget]:
    """The scope's own targets by grade (a department without any: empty)."""
    found = CalibrationTarget.objects.filter(department=department)
    return {target.grade: target for target in found}


def set_targets(
    user: Any, department: Department | None, rows: Sequence[TargetRow]
) -> list[CalibrationTarget]:
    """Replace the scope's targets by `rows` (rows without a bound are left out; none at all clears the
    scope: a department then follows the company's targets). HR only."""
    if not is_hr(user):
        raise policy.ActionRefused(_("只有人事可以设置校准目标。"), code="wrong_party")
    parsed = [_parsed(row) for row in rows]
    wanted = [(grade, most, least) for grade, most, least in parsed if most is not None or least is not None]
    seen: set[str] = set()
    for grade, _most, _least in wanted:
        if grade in seen:
            raise WorkflowError(_("等级“%(grade)s”写了两次。") % {"grade": grade}, code="duplicate_grade")
        seen.add(grade)
    with transaction.atomic():
        before = _described(targets_of(department).values())
        CalibrationTarget.objects.filter(department=department).delete()
        made = [
            CalibrationTarget.objects.create(
                department=department, grade=grade, at_most=most, at_least=least, set_by=user
            )
            for grade, most, least in wanted
        ]
        audit.record(
            actor_name(user),
            "calibration.targets",
            object_type="department" if department is not None else "company",
            object_id=department.name if department is not None else "",
            before=before,
            after=_described(made),
        )
    return made


def _parsed(row: TargetRow) -> tuple[str, Decimal | None, Decimal | None]:
    grade = row.grade.strip()
    if not grade:
        raise WorkflowError(_("请填写等级名称。"), code="grade_missing")
    most = _percent(row.at_most, grade, _("至多"))
    least = _percent(row.at_least, grade, _("至少"))
    if most is not None and least is not None and least > most:
        raise WorkflowError(
            _("等级“%(grade)s”：至少 %(least)s%% 大于至多 %(most)s%%，没有比例能同时满足。")
            % {"grade": grade, "least": least, "most": most},
            code="bounds_crossed",
        )
    return grade, most, least


def _percent(text: str, grade: str, which: str) -> Decimal | None:
    cleaned = str(text).strip().rstrip("%％").strip()
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        number = Decimal(-1)
    if (
        not number.is_finite()
        or not Decimal(0) <= number <= HUNDRED
        or number != number.quantize(Decimal("0.01"))
    ):
        raise WorkflowError(
            _("等级“%(grade)s”的“%(which)s”应为 0 到 100 之间的百分比（最多两位小数），收到“%(text)s”。")
            % {"grade": grade, "which": which, "text": text},
            code="bad_percent",
        )
    return number


def _described(targets: Any) -> dict[str, str]:
    """The targets as the audit log shows them: {"targets": "优秀 ≤ 20%；差 ≥ 5%"}."""
    return {"targets": "；".join(words(t) for t in targets)}


def words(target: CalibrationTarget) -> str:
    bounds = []
    if target.at_most is not None:
        bounds.append(f"≤ {format(target.at_most.normalize(), 'f')}%")
    if target.at_least is not None:
        bounds.append(f"≥ {format(target.at_least.normalize(), 'f')}%")
    return f"{target.grade} {' '.join(bounds)}"


def rows_from(mapping: Mapping[str, Any]) -> list[TargetRow]:
    """Rows from a form: grade_N, at_most_N, at_least_N for N = 0, 1, …"""
    rows = []
    index = 0
    while f"grade_{index}" in mapping:
        rows.append(
            TargetRow(
                str(mapping.get(f"grade_{index}", "")),
                str(mapping.get(f"at_most_{index}", "")),
                str(mapping.get(f"at_least_{index}", "")),
            )
        )
        index += 1
    return [row for row in rows if row.grade.strip() or row.at_most.strip() or row.at_least.strip()]
