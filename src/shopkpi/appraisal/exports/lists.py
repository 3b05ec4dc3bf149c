"""The lists of the HR console as Excel sheets (`list_workbook.ListSheet`), built from plain data — the
period, the user, and the filter the person chose on the list's page as its query's text values — so
the request (`web.pages.hr.list_exports`) and `shopkpi worker` (`export_jobs`, past `IN_REQUEST` lines)
write the same cells.

Each list holds what its page lists under the same filter (every row, not one page), through the same
query the page uses (`matching_reviews` for a cycle's reviews)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts.roles import is_hr
from shopkpi.appraisal.company import company_name
from shopkpi.appraisal.exports.list_workbook import Column, ListSheet
from shopkpi.appraisal.models import Cycle, Department, Review
from shopkpi.appraisal.pay import pay_totals
from shopkpi.appraisal.pay.pay_totals import PayTotals
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews import deadlines
from shopkpi.appraisal.reviews.list_filters import of_department_and_person

Filters = Mapping[str, str]  # the list page's query, without its page number
S = Review.Status
STEPS = (S.PENDING_SELF, S.PENDING_SUPERVISOR, S.PENDING_HR)  # the steps with a deadline


def check_hr(user: Any) -> None:
    """The HR console's lists are HR's: ActionRefused for anyone else."""
    if not is_hr(user):
        raise ActionRefused(_("只有人事可以使用人事控制台。"), code="wrong_party")


def titled(what: str) -> str:
    return " ".join(part for part in (company_name(), what) if part)


def words(pairs: list[tuple[str, str]]) -> str:
    return "；".join(f"{label}：{value or _('全部')}" for label, value in pairs)


def department_name(text: str) -> str:
    if not text.isdigit():
        return ""
    return Department.objects.filter(pk=int(text)).values_list("name", flat=True).first() or ""


def review_state(status: str) -> str:
    return str(Review.Status(status).label) if status in Review.Status.values else status


def money_totals(before: int, totals: PayTotals) -> list[Any]:
    """A 合计 row: its label and head count, then the 绩效工资 and 整月工资 sums under their columns
    (the `before` cells ahead of them)."""
    head = [_("合计"), _("%(n)s 人") % {"n": totals.count}]
    return [*head, *[None] * (before - len(head)), totals.performance, totals.wage]


# ---- the reviews of a cycle ------------------------------------------------------------------------


def matching_reviews(user: Any, cycle: Cycle, filters: Filters) -> QuerySet[Review]:
    """The cycle's reviews the user sees that match the list's filter (status, department, 工号 or
    name), by employee code: the page's rows and its export's."""
    reviews = (
        policy.visible_reviews(user)
        .filter(cycle=cycle)
        .select_related(
            "employee__department", "employee__position", "evaluator", "cycle", "template_version"
        )
        .order_by("employee__code")
    )
    status = filters.get("status", "")
    if status in Review.Status.values:
        reviews = reviews.filter(status=status)
    return of_department_and_person(reviews, filters.get("department", ""), filters.get("q", ""))


def review_count(user: Any, period: str, filters: Filters) -> int:
    return matching_reviews(user, Cycle.objects.get(period=period), filters).count()


def _review_columns() -> tuple[Column, ...]:
    return (
        Column(_("工号"), width=10),
        Column(_("姓名"), width=10),
        Column(_("部门")),
        Column(_("岗位")),
        Column(_("考评负责人"), width=10),
        Column(_("状态"), width=12),
        Column(_("本环节截止"), "date"),
        Column(_("逾期"), width=6),
        Column(_("得分"), "score"),
        Column(_("等级"), width=8),
        Column(_("绩效工资（元）"), "money"),
        Column(_("整月工资（元，不计入绩效工资）"), "money"),
        Column(_("缺数据"), width=24),
    )


def reviews(user: Any, period: str, filters: Filters) -> ListSheet:
    """The cycle's review list (考核列表) as `user` sees it under the page's `filters`."""
    cycle = Cycle.objects.get(period=period)
    matching = matching_reviews(user, cycle, filters)
    today = timezone.localdate()
    rows = []
    for review in matching:
        rows.append(
            [
                review.employee.code,
                review.employee.name,
                review.employee.department.name,
                review.employee.position.name,
                review.evaluator.name if review.evaluator else "",
                review_state(review.status),
                deadlines.due_date(review),
                _("逾期") if deadlines.overdue(review, today) else None,
                review.score,
                review.grade,
                *pay_totals.cells(review.pay_kind, review.pay, _("本岗位不计绩效工资")),
                _("缺数据") if review.missing else None,
            ]
        )
    status = filters.get("status", "")
    return ListSheet(
        name="reviews",
        title=titled(_("%(period)s 考核列表") % {"period": cycle.period}),
        note=words(
            [
                (_("状态"), review_state(status) if status in Review.Status.values else ""),
                (_("部门"), department_name(filters.get("department", ""))),
                (_("工号或姓名"), filters.get("q", "").strip()),
            ]
        ),
        columns=_review_columns(),
        rows=rows,
        totals=money_totals(10, pay_totals.of_reviews(matching)),
        filters=dict(filters),
    )


# ---- overdue ---------------------------------------------------------------------------------------


def late_reviews(user: Any, cycle: Cycle, today: dt.date) -> QuerySet[Review]:
    """The cycle's reviews the user sees that wait past their step's deadline."""
    return policy.visible_reviews(user).filter(cycle=cycle).filter(deadlines.overdue_reviews(today))


def listed_late(late: QuerySet[Review], step: str) -> QuerySet[Review]:
    """Of `late`, those of one step (or all), as the list shows them: by 工号 (the page's and the export's)."""
    shown = late.filter(status=step) if step in STEPS else late
    return (
        shown.select_related("employee__department", "employee__position", "evaluator", "cycle")
        .defer("values", "provenance", "result")
        .order_by("employee__code")
    )


def overdue_count(user: Any, period: str, filters: Filters) -> int:
    late = late_reviews(user, Cycle.objects.get(period=period), timezone.localdate())
    return listed_late(late, filters.get("status", "")).count()


def overdue(user: Any, period: str, filters: Filters) -> ListSheet:
    """The cycle's reviews waiting past their step's deadline today (逾期考核), of the step chosen."""
    cycle = Cycle.objects.get(period=period)
    today = timezone.localdate()
    step = filters.get("status", "")
    late = listed_late(late_reviews(user, cycle, today), step)
    rows = []
    for review in late:
        due = deadlines.due_date(review)
        rows.append(
            [
                review_state(review.status),
                due,
                review.employee.code,
                review.employee.name,
                review.employee.department.name,
                review.employee.position.name,
                review.evaluator.name if review.evaluator else "",
                None if due is None else (today - due).days,
            ]
        )
    shown_step = review_state(step) if step in STEPS else ""
    return ListSheet(
        name="overdue",
        title=titled(_("%(period)s 逾期考核") % {"period": cycle.period}),
        note=_("截至 %(today)s") % {"today": today.isoformat()} + "；" + words([(_("环节"), shown_step)]),
        columns=(
            Column(_("环节"), width=12),
            Column(_("截止日期"), "date"),
            Column(_("工号"), width=10),
            Column(_("姓名"), width=10),
            Column(_("部门")),
            Column(_("岗位")),
            Column(_("考评负责人"), width=10),
            Column(_("逾期天数"), "number"),
        ),
        rows=rows,
        filters={"today": today.isoformat(), "status": step},
    )
