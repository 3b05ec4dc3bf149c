"""At the year's close: each employee's proposed change of 薪级 from the year's result and the adjustment
table, approved by HR and then by the GM (two audited steps: a simple HR -> GM approval, not the
configurable chain), then applied to the employees' current 薪级.

Proposal of one employee: the year cycle's published grade (calibrated if it was) -> the table's steps;
the new 薪级 is the current one plus the steps, kept within the band's 薪级 (capped at its top or bottom,
marked so); amounts before and after from the pay-grade table. Employees without a published year result,
a current 薪等/薪级 or a row of the table for their grade are listed as left out, with why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.accounts.roles import employee_of, is_gm, is_hr
from shopkpi.appraisal.models import AdjustmentRule, Cycle, EmployeePayGrade, PayProposal, PayStep, Review
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name
from shopkpi.scorecard import Period

P = PayProposal.Status


@dataclass(frozen=True)
class LeftOut:
    employee: str  # 工号 姓名
    why: str


@dataclass(frozen=True)
class Proposed:
    made: list[PayProposal]
    left_out: list[LeftOut]


def year_cycle(period: str) -> Cycle:
    """The year cycle (`2026`) the proposals are made from; refused for another kind of period."""
    try:
        kind: str = Period.parse(period).kind
    except ValueError:
        kind = ""
    cycle = Cycle.objects.filter(period=period).first()
    if kind != "year" or cycle is None:
        raise WorkflowError(
            _("没有年度考核期 %(period)s：调薪建议按年度考核期（如 2026）的结果生成。") % {"period": period},
            code="no_year_cycle",
        )
    return cycle


def propose(user: Any, period: str) -> Proposed:
    """Make (or make again, while none is approved) the year's proposals. HR only."""
    if not is_hr(user):
        raise policy.ActionRefused(_("只有人事可以生成调薪建议。"), code="wrong_party")
    cycle = year_cycle(period)
    with transaction.atomic():
        if PayProposal.objects.filter(period=period).exclude(status=P.PROPOSED).exists():
            raise WorkflowError(
                _("%(period)s 年度的调薪建议已经审核，不能重新生成。") % {"period": period},
                code="already_approved",
            )
        PayProposal.objects.filter(period=period).delete()
        rules = {rule.grade: rule for rule in AdjustmentRule.objects.all()}
        steps = _steps_by_band()
        made: list[PayProposal] = []
        left_out: list[LeftOut] = []
        reviews = (
            Review.objects.filter(cycle=cycle)
            .select_related("employee__pay_grade")
            .order_by("employee__code")
        )
        for review in reviews:
            who = f"{review.employee.code} {review.employee.name}"
            current = getattr(review.employee, "pay_grade", None)
            why = _why_left_out(review, current, rules)
            if why:
                left_out.append(LeftOut(who, why))
                continue
            assert current is not None
            made.append(_proposal(period, review, current, rules[review.grade], steps[current.band]))
        PayProposal.objects.bulk_create(made)
        audit.record(
            actor_name(user),
            "pay_grades.propose",
            object_type="cycle",
            object_id=period,
            after={"proposals": len(made), "left_out": [f"{x.employee}：{x.why}" for x in left_out]},
        )
    return Proposed(made, left_out)


def step_change(step: int, by: int, top: int) -> tuple[int, bool]:
    """The new 薪级 within 1..top, and whether it was capped."""
    wanted = step + by
    kept = min(max(wanted, 1), top)
    return kept, kept != wanted


def _proposal(
    period: str, review: Review, current: EmployeePayGrade, rule: AdjustmentRule, amounts: dict[int, Decimal]
) -> PayProposal:
    to, capped = step_change(current.step, rule.steps, max(amounts))
    return PayProposal(
        period=period,
        employee=review.employee,
        review=review,
        grade=review.grade,
        band=current.band,
        step_from=current.step,
        step_to=to,
        amount_from=amounts[current.step],
        amount_to=amounts[to],
        capped=capped,
        promotion=rule.promotion,
        training=rule.training,
    )


def _why_left_out(review: Review, current: EmployeePayGrade | None, rules: dict[str, AdjustmentRule]) -> str:
    if review.published_at is None:
        return _("年度考核结果尚未发布")
    if not review.grade:
        return _("年度考核没有等级")
    if current is None:
        return _("没有登记当前薪等薪级")
    if review.grade not in rules:
        return _("调薪对照表中没有等级“%(grade)s”") % {"grade": review.grade}
    return ""


def _steps_by_band() -> dict[str, dict[int, Decimal]]:
    found: dict[str, dict[int, Decimal]] = {}
    for cell in PayStep.objects.all():
        found.setdefault(cell.band, {})[cell.step] = cell.amount
    return found


def approve(user: Any, period: str, reason: str = "") -> int:
    """Move every proposal of the year the user may approve one step: HR's (待人事审核 -> 待总经理批准),
    then the GM's (-> 已批准, the new step takes effect). Recusal as on reviews: nobody approves their
    own proposal (it waits for another), a GM may take HR's step of an HR officer's proposal and HR the
    GM's step of a GM's, and the two steps of one proposal are taken by two people. Each step is audited;
    returns how many proposals moved."""
    if not (is_hr(user) or is_gm(user)):
        raise policy.ActionRefused(_("只有人事和总经理可以审批调薪建议。"), code="wrong_party")
    with transaction.atomic():
        found = [
            p
            for p in PayProposal.objects.select_for_update(of=("self",))
            .filter(period=period, status__in=(P.PROPOSED, P.HR_APPROVED))
            .select_related("employee__user")
            .order_by("employee__code")
            if may_approve(user, p)
        ]
        if not found:
            raise WorkflowError(
                _("%(period)s 年度没有等待您审批的调薪建议（您本人的建议须由另一位人事或总经理审批）。")
                % {"period": period},
                code="nothing_to_approve",
            )
        now = timezone.now()
        moved: dict[str, list[str]] = {"pay_grades.hr_approve": [], "pay_grades.gm_approve": []}
        for proposal in found:
            words = f"{proposal.employee.code} {proposal.band} {proposal.step_from}→{proposal.step_to}"
            if proposal.status == P.PROPOSED:
                proposal.status, proposal.hr_by, proposal.hr_at = P.HR_APPROVED, user, now
                moved["pay_grades.hr_approve"].append(words)
            else:
                proposal.status, proposal.gm_by, proposal.gm_at = P.APPROVED, user, now
                EmployeePayGrade.objects.filter(employee=proposal.employee).update(step=proposal.step_to)
                moved["pay_grades.gm_approve"].append(words)
            proposal.save()
        for action, approved in moved.items():
            if approved:
                audit.record(
                    actor_name(user),
                    action,
                    object_type="cycle",
                    object_id=period,
                    after={"approved": approved},
                    reason=str(reason).strip(),
                )
    return len(found)


def may_approve(user: Any, proposal: PayProposal) -> bool:
    """Whether the user may take the proposal's next step now (see `approve`)."""
    own = employee_of(user)
    if own is not None and proposal.employee_id == own.pk:
        return False
    subject = proposal.employee.user
    if proposal.status == P.PROPOSED:
        return is_hr(user) or (is_gm(user) and subject is not None and is_hr(subject))
    if proposal.status == P.HR_APPROVED and proposal.hr_by_id != getattr(user, "pk", None):
        return is_gm(user) or (is_hr(user) and subject is not None and is_gm(subject))
    return False


def of_employee(employee: Any) -> Sequence[PayProposal]:
    """The employee's own proposals and decisions, the latest year first."""
    return list(PayProposal.objects.filter(employee=employee).order_by("-period"))
