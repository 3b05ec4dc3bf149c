"""The GM's approvals as an Excel sheet (总经理审批清单): what the approval page lists under the GM's
filter (period, department, state, 工号 or name), every row with its pay, 合计 and signature lines, built from plain
data so that the request and `shopkpi worker` (`export_jobs`, past `IN_REQUEST` lines; the filter in the
job's params) write the same cells."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shopkpi.appraisal.accounts.roles import is_gm
from shopkpi.appraisal.exports.list_workbook import Column, ListSheet
from shopkpi.appraisal.exports.lists import department_name, money_totals, titled, words
from shopkpi.appraisal.pay import pay_totals
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews import approval_list
from shopkpi.appraisal.reviews.approval_list import ApprovalFilter
from shopkpi.appraisal.wording import labels


def check_gm(user: Any) -> None:
    """The approvals are the GM's: ActionRefused for anyone else."""
    if not is_gm(user):
        raise ActionRefused(_("只有总经理可以使用审批页面。"), code="wrong_party")


def filters(chosen: ApprovalFilter) -> dict[str, Any]:
    """The filter as the job's params and the audit entry keep it."""
    return {"period": chosen.period, "department": chosen.department, "state": chosen.state, "q": chosen.q}


def lines(user: Any, chosen: ApprovalFilter) -> int:
    return approval_list.matching(user, chosen).count()


def _columns() -> tuple[Column, ...]:
    return (
        Column(_("期间"), width=9),
        Column(_("工号"), width=10),
        Column(_("姓名"), width=10),
        Column(_("部门")),
        Column(_("岗位")),
        Column(_("状态"), width=12),
        Column(_("得分"), "score"),
        Column(_("等级"), width=8),
        Column(_("绩效工资（元）"), "money"),
        Column(_("整月工资（元，不计入绩效工资）"), "money"),
        Column(_("奖惩（元）"), "money"),
        Column(_("应发合计（元）"), "money"),
    )


def sheet(user: Any, chosen: ApprovalFilter) -> ListSheet:
    """The reviews the approval page lists for `user` under `chosen`, with their pay and its totals."""
    reviews = approval_list.matching(user, chosen)
    rows = []
    for review in approval_list.with_page_columns(reviews):
        one = pay_totals.one(review.pay_kind, review.pay, getattr(review, "adjusted", None) or Decimal(0))
        rows.append(
            [
                review.cycle.period,
                review.employee.code,
                review.employee.name,
                review.employee.department.name,
                review.employee.position.name,
                labels.review_state(review.status),
                review.score,
                review.grade,
                *pay_totals.cells(review.pay_kind, review.pay, _("本岗位不计绩效工资")),
                one.adjustments,
                one.payable,
            ]
        )
    summed = approval_list.totals(reviews)
    state = "" if chosen.state == approval_list.ALL else labels.review_state(chosen.state)
    return ListSheet(
        name="approvals",
        title=titled(_("总经理审批清单")),
        note=words(
            [
                (_("考核期间"), chosen.period),
                (_("部门"), department_name(str(chosen.department or ""))),
                (_("状态"), state),
                (_("工号或姓名"), chosen.q),
            ]
        ),
        columns=_columns(),
        rows=rows,
        totals=[*money_totals(8, summed), summed.adjustments, summed.payable],
        signatures=True,
        filters=filters(chosen),
    )
