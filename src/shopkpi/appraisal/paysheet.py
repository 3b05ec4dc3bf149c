"""The pay sheet of a cycle: one pay line per approved review, and its Excel export for payroll.

A pay line is the engine's pay (the template's `pay.amount`, pro-rated for a partial month, see
`review_scoring`) plus the sum of HR's pay adjustments (奖惩), each with its reason. Only approved
reviews (published, acknowledged or appealed) have a pay line; reviews still on their way are left
out until the GM approves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from shopkpi.appraisal import audit, export_cells
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.review_steps import actor_name
from shopkpi.appraisal.roles import is_gm, is_hr

APPROVED = (Review.Status.PUBLISHED, Review.Status.ACKNOWLEDGED, Review.Status.APPEALED)
COLUMNS = ("工号", "姓名", "部门", "岗位", "考核得分", "等级", "绩效工资", "奖惩调整", "应发绩效", "调整原因")
_WIDTHS = (10, 10, 14, 16, 10, 8, 12, 12, 12, 48)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PayRow:
    review_id: int
    code: str
    name: str
    department: str
    position: str
    score: Decimal | None
    grade: str
    pay: Decimal | None  # the engine's pay; None when the template has no pay formula
    adjustments: Decimal  # Σ pay adjustments
    total: Decimal | None  # pay + adjustments; None when there is neither
    reasons: str

    def cells(self) -> tuple[Any, ...]:
        return (
            self.code,
            self.name,
            self.department,
            self.position,
            self.score,
            self.grade,
            self.pay,
            self.adjustments,
            self.total,
            self.reasons,
        )


def rows(cycle: Cycle) -> list[PayRow]:
    """The cycle's pay lines, by employee code."""
    reviews = (
        Review.objects.filter(cycle=cycle, status__in=APPROVED)
        .select_related("employee__department", "employee__position")
        .prefetch_related("adjustments")
        .order_by("employee__code")
    )
    lines = []
    for review in reviews:
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
                pay=pay,
                adjustments=adjusted,
                total=total,
                reasons="；".join(f"{a.amount:+.2f} {a.reason}" for a in adjustments),
            )
        )
    return lines


def to_xlsx(cycle: Cycle, path_or_stream: str | Path | IO[bytes], *, user: Any = None) -> list[PayRow]:
    """Write the pay sheet as an Excel workbook (amounts as numbers with 2 decimals). With `user`, the
    export is checked (HR or GM only) and written to the audit log as an export of confidential data."""
    if user is not None and not (is_hr(user) or is_gm(user)):
        raise ActionRefused(_("只有人事或总经理可以导出绩效工资表。"), code="wrong_party")
    lines = rows(cycle)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"绩效工资 {cycle.period}"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append(line.cells())
    for row in sheet.iter_rows(min_row=2, min_col=7, max_col=9):
        for cell in row:
            cell.number_format = "0.00"
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = width
    sheet.freeze_panes = "A2"
    export_cells.save_workbook(book, path_or_stream)
    if user is not None:
        audit.record(
            actor_name(user),
            "paysheet.export",
            object_type="cycle",
            object_id=cycle.period,
            after={"rows": len(lines), "format": "xlsx"},
        )
    return lines
