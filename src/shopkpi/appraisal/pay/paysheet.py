"""The pay sheet of a cycle: one pay line per approved review, and its Excel export for payroll.

A pay line is the engine's pay (the template's `pay.amount`, pro-rated for a partial month, see
`review_scoring`) plus the sum of HR's pay adjustments (奖惩), each with its reason. The pay is the
performance pay (绩效工资), paid on top of the base wage; a template whose pay is a whole wage by design
(`pay.kind: wage`) has it in a column of its own (整月工资), and a template without pay says
本岗位不计绩效工资. Where the template reads the wage (base_salary), the line shows it too, and the
template's 绩效工资基数 (`pay.base`), each amount in its own column with its meaning in the header. Only approved
reviews (published, acknowledged or appealed) have a pay line; reviews still on their way are left
out until the GM approves them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from shopkpi.appraisal import audit
from shopkpi.appraisal.accounts.roles import is_gm, is_hr
from shopkpi.appraisal.company import company_name
from shopkpi.appraisal.exports import export_cells, list_workbook
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.models.reviews import pay_kind
from shopkpi.appraisal.pay import pay_totals
from shopkpi.appraisal.pay.pay_totals import PayTotals
from shopkpi.appraisal.periods.period_names import period_label
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.review_steps import actor_name

APPROVED = (Review.Status.PUBLISHED, Review.Status.ACKNOWLEDGED, Review.Status.APPEALED)
CENT = Decimal("0.01")


def columns() -> tuple[str, ...]:
    """The pay sheet's columns, each amount's meaning in its header (the page and the Excel file)."""
    return (
        _("工号"),
        _("姓名"),
        _("部门"),
        _("岗位"),
        _("考核得分"),
        _("等级"),
        _("基本工资（员工档案，另行发放，不计入合计）"),
        _("绩效工资基数（考核表的绩效工资标准）"),
        _("绩效工资（按考核结果计算，在基本工资之外发放）"),
        _("整月工资（考核表按整月工资计算，已含底薪）"),
        _("奖惩（人事调整，扣款为负）"),
        _("合计（绩效工资或整月工资＋奖惩）"),
        _("奖惩原因"),
        _("状态"),
    )


AMOUNT_COLUMNS = range(7, 13)  # 基本工资 .. 合计, 1-based
_WIDTHS = (10, 10, 14, 16, 10, 8, 16, 16, 18, 18, 14, 16, 40, 12)
MONEY = "#,##0.00"
HEADER_ROW = 3  # 1: the title, 2: what is left out, 3: the columns


@dataclass(frozen=True)
class PayRow:
    review_id: int
    code: str
    name: str
    department: str
    position: str
    score: Decimal | None
    grade: str
    pay_kind: str | None  # performance | wage | None: the template has no pay
    base_salary: Decimal | None  # where the template reads the wage (base_salary)
    pay_base: Decimal | None  # the template's 绩效工资基数 (pay.base)
    pay: Decimal | None  # the engine's pay, pro-rated; None when the template has no pay formula
    adjustments: Decimal  # Σ pay adjustments (奖惩)
    total: Decimal | None  # pay + adjustments; None when there is neither
    reasons: str
    status: str  # the review's step in words (已发布, 已签字确认, 申诉中)

    @property
    def performance_pay(self) -> Decimal | None:
        performance: Decimal | None = pay_totals.cells(self.pay_kind, self.pay)[0]
        return performance

    @property
    def wage(self) -> Decimal | None:
        wage: Decimal | None = pay_totals.cells(self.pay_kind, self.pay)[1]
        return wage

    def cells(self) -> tuple[Any, ...]:
        return (
            self.code,
            self.name,
            self.department,
            self.position,
            self.score,
            self.grade,
            self.base_salary,
            self.pay_base,
            _("本岗位不计绩效工资") if self.pay_kind is None else self.performance_pay,
            self.wage,
            self.adjustments,
            self.total,
            self.reasons,
            self.status,
        )


def approved(cycle: Cycle) -> QuerySet[Review]:
    """The cycle's reviews that have a pay line, by employee code."""
    return Review.objects.filter(cycle=cycle, status__in=APPROVED).order_by("employee__code")


def with_line_columns(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """`reviews` with everything their pay lines show read with them: of the stored month and result
    only the four entries a line shows, not every value, provenance and explanation (decoding those
    was a third of the time of a pay sheet of thousands)."""
    return (
        reviews.select_related("employee__department", "employee__position", "template_version")
        .prefetch_related("adjustments")
        .defer("values", "provenance", "result", "missing", "self_assessment", "supervisor_comment")
        .annotate(
            line_has_pay_kind=Q(result__has_key="pay_kind"),
            line_pay_kind=F("result__pay_kind"),
            line_pay_base=F("result__pay_base"),
            line_overrides=F("result__overrides"),
            line_base_salary=F("values__base_salary"),
        )
    )


def rows(cycle: Cycle) -> list[PayRow]:
    """The cycle's pay lines, by employee code."""
    return lines_of(with_line_columns(approved(cycle)))


def lines_of(reviews: Iterable[Review]) -> list[PayRow]:
    """The pay lines of approved reviews (read `with_line_columns`): the whole sheet, or a page of it."""
    reads_wage: dict[int, bool] = {}  # template version -> does its template read base_salary
    lines = []
    for review in reviews:
        version = review.template_version
        if version.pk not in reads_wage:
            reads_wage[version.pk] = "base_salary" in version.compiled().variables
        adjustments = sorted(review.adjustments.all(), key=lambda a: (a.created_at, a.pk))
        adjusted = sum((a.amount for a in adjustments), Decimal(0)).quantize(CENT)
        pay = None if review.pay is None else review.pay.quantize(CENT)
        total = None if pay is None and not adjustments else ((pay or Decimal(0)) + adjusted).quantize(CENT)
        employee = review.employee
        lines.append(
            PayRow(
                review_id=review.pk,
                code=employee.code,
                name=employee.name,
                department=employee.department.name,
                position=employee.position.name,
                score=review.score,
                grade=review.grade,
                pay_kind=_pay_kind(review),
                base_salary=_salary(review) if reads_wage[version.pk] else None,
                pay_base=_pay_base(review),
                pay=pay,
                adjustments=adjusted,
                total=total,
                reasons="；".join(f"{a.amount:+.2f} {a.reason}" for a in adjustments),
                status=str(Review.Status(review.status).label),
            )
        )
    return lines


def totals(lines: list[PayRow]) -> PayTotals:
    """The 合计 of the pay sheet's payable columns (基本工资 and the 基数 are no payouts of this sheet),
    by the rule of `pay_totals`: whole wages apart from 绩效工资."""
    return pay_totals.added(pay_totals.one(line.pay_kind, line.pay, line.adjustments) for line in lines)


def summed(reviews: QuerySet[Review]) -> PayTotals:
    """`totals` of the pay lines of `reviews` without making them (a pay sheet of thousands shown a page
    at a time keeps its 合计 of every line)."""
    return pay_totals.of_reviews(reviews)


def not_approved(cycle: Cycle) -> int:
    """How many of the cycle's reviews are not approved yet (left out of the pay sheet)."""
    return Review.objects.filter(cycle=cycle).exclude(status__in=APPROVED).count()


def title(cycle: Cycle) -> str:
    """ "<company> 2026年10月绩效工资表"."""
    period = period_label(cycle.period)
    return " ".join(part for part in (company_name(), _("%(period)s绩效工资表") % {"period": period}) if part)


def _pay_kind(review: Any) -> str | None:
    """`Review.pay_kind` from the entries `with_line_columns` reads."""
    return pay_kind(review.line_has_pay_kind, review.line_pay_kind, review.pay)


def _pay_base(review: Any) -> Decimal | None:
    return _amount(review.line_pay_base)


def _salary(review: Any) -> Decimal | None:
    """The base wage the review was scored with: HR's override of base_salary, else the value read
    (from the entries `with_line_columns` reads)."""
    overrides = review.line_overrides
    for override in overrides or []:
        if override.get("name") == "base_salary":
            return _amount(override.get("value"))
    return _amount(review.line_base_salary)


def _amount(text: Any) -> Decimal | None:
    return None if text is None or text == "" else Decimal(str(text)).quantize(CENT)


def exported_rows(cycle: Cycle, user: Any, *, format: str) -> list[PayRow]:
    """The pay lines handed to another system (the API's JSON): HR or GM only, written to the audit log
    as an export of confidential data, as the Excel file is."""
    check_export(user)
    lines = rows(cycle)
    record_export(user, cycle, len(lines), format)
    return lines


def check_export(user: Any) -> None:
    """Only HR and the GM may take the pay sheet out (confidential): ActionRefused for anyone else."""
    if not (is_hr(user) or is_gm(user)):
        raise ActionRefused(_("只有人事或总经理可以导出绩效工资表。"), code="wrong_party")


def record_export(user: Any, cycle: Cycle, lines: int, format: str) -> None:
    """The audit entry of the pay sheet taken out by `user` (`lines` pay lines, in `format`)."""
    audit.record(
        actor_name(user),
        "paysheet.export",
        object_type="cycle",
        object_id=cycle.period,
        after={"rows": lines, "format": format},
    )


def to_xlsx(
    cycle: Cycle,
    path_or_stream: str | Path | IO[bytes],
    *,
    user: Any = None,
    progress: Callable[[int], None] | None = None,
) -> list[PayRow]:
    """Write the pay sheet as an Excel workbook (amounts as numbers with 2 decimals). With `user`, the
    export is checked (HR or GM only) and written to the audit log as an export of confidential data.
    `progress` is told how many lines are written, as they are."""
    if user is not None:
        check_export(user)
    lines = rows(cycle)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"绩效工资 {cycle.period}"
    width = len(columns())
    sheet.append([title(cycle)])
    sheet["A1"].font = Font(bold=True, size=14)
    left_out = not_approved(cycle)
    sheet.append([_("%(n)s 份尚未批准，未列入") % {"n": left_out} if left_out else _("全部考核均已批准")])
    for row in (1, 2):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet.append(columns())
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for written, line in enumerate(lines, start=1):
        sheet.append(line.cells())
        if progress is not None:
            progress(written)
    summed = totals(lines)
    total_row = [_("合计"), _("%(n)s 人") % {"n": len(lines)}, *[None] * 6]
    sheet.append([*total_row, summed.performance, summed.wage, summed.adjustments, summed.payable])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    last = sheet.max_row
    for row in sheet.iter_rows(
        min_row=HEADER_ROW + 1, max_row=last, min_col=AMOUNT_COLUMNS.start, max_col=AMOUNT_COLUMNS.stop - 1
    ):
        for cell in row:
            cell.number_format = MONEY
    sheet.append([])
    sheet.append(list_workbook.signature_row())
    for index, column_width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = column_width
    list_workbook.print_on_a4(sheet, HEADER_ROW)
    export_cells.save_workbook(book, path_or_stream)
    if user is not None:
        record_export(user, cycle, len(lines), "xlsx")
    return lines
