"""The year's pay-grade adjustments for payroll (调薪清单), by the one list writer: one row per employee
with the grade, 薪等, 薪级 and amount before and after, the change, promotion eligibility, training need
and the decision; a 合计 row of the amounts; signature lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shopkpi.appraisal.accounts.roles import is_gm, is_hr
from shopkpi.appraisal.company import company_name
from shopkpi.appraisal.exports.list_workbook import Column, ListSheet
from shopkpi.appraisal.models import PayProposal
from shopkpi.appraisal.policy import ActionRefused


def columns() -> list[Column]:
    return [
        Column(_("工号"), width=10),
        Column(_("姓名"), width=10),
        Column(_("部门")),
        Column(_("岗位")),
        Column(_("年度等级"), width=9),
        Column(_("薪等"), width=8),
        Column(_("原薪级"), "number"),
        Column(_("新薪级"), "number"),
        Column(_("原金额（元）"), "money"),
        Column(_("新金额（元）"), "money"),
        Column(_("调整额（元）"), "money"),
        Column(_("晋升资格"), width=9),
        Column(_("培训需求"), width=9),
        Column(_("状态"), width=12),
    ]


def check_reader(user: Any) -> None:
    """Only HR and the GM see the year's adjustments (pay: confidential); ActionRefused for anyone else."""
    if not (is_hr(user) or is_gm(user)):
        raise ActionRefused(_("只有人事和总经理可以查看调薪建议。"), code="wrong_party")


def listed(period: str) -> ListSheet:
    proposals = list(
        PayProposal.objects.filter(period=period)
        .select_related("employee__department", "employee__position")
        .order_by("employee__code")
    )
    yes = _("是")
    rows = [
        [
            p.employee.code,
            p.employee.name,
            p.employee.department.name,
            p.employee.position.name,
            p.grade,
            p.band,
            p.step_from,
            p.step_to,
            p.amount_from,
            p.amount_to,
            p.amount_to - p.amount_from,
            yes if p.promotion else "",
            yes if p.training else "",
            str(p.get_status_display()),
        ]
        for p in proposals
    ]
    before = sum((p.amount_from for p in proposals), Decimal(0))
    after = sum((p.amount_to for p in proposals), Decimal(0))
    return ListSheet(
        name="pay_adjustments",
        title=" ".join(
            part for part in (company_name(), _("%(period)s 年度调薪清单") % {"period": period}) if part
        ),
        note=_("年度：%(period)s") % {"period": period},
        columns=columns(),
        rows=rows,
        totals=[_("合计"), *[None] * 7, before, after, after - before, None, None, None],
        signatures=True,
        filters={"period": period},
    )
