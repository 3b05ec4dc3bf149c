"""Bodies of the month endpoints: cycles, imports and the pay sheet (api/month.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class CycleOut(Schema):
    period: str = Field(description="The period: a month YYYY-MM, a quarter YYYY-Qn or a year YYYY.")
    kind: str = Field(description="`month`, `quarter` or `year`.")
    status: str = Field(description="`open` or `archived`.")
    opened_at: datetime
    archived_at: datetime | None
    self_due: date
    supervisor_due: date
    hr_due: date
    reviews: int = Field(description="How many people the period appraises.")
    approved: int = Field(description="How many of their reviews the GM has approved (published or after).")


class LeftOutOut(Schema):
    employee: str = Field(description="The 工号.")
    name: str
    reason: str = Field(description="`no_evaluator`: no supervisor, and no other GM or HR can evaluate them.")


class CycleOpenedOut(CycleOut):
    left_out: list[LeftOutOut] = Field(
        description="Eligible people the period opened without, as the open-month page leaves them out by default."
    )


class CycleIn(Schema):
    period: str = Field(
        pattern=r"^\d{4}(-\d{2}|-Q[1-4])?$",
        description="The period to open: a month YYYY-MM, a quarter YYYY-Qn or a year YYYY.",
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"period": "2026-11"}, {"period": "2026-Q3"}]})


class ImportProblemOut(Schema):
    file: str
    row: int | None
    column: str | None
    reason: str


class ImportRefusedOut(Schema):
    code: str = Field(description="Always `import_refused`: nothing was imported.")
    detail: str
    problems: list[ImportProblemOut] = Field(
        default_factory=list, description="Every problem found: file, row, column, reason."
    )


class ImportOut(Schema):
    dataset: str = Field(
        description="The dataset imported into (recognised from the file when not named); a prepared "
        "workbook's datasets joined by `+`."
    )
    state: str = Field(
        description="`imported`; `needs_confirmation` (warnings, nothing written: send again with "
        "accept_warnings=true); `previewed` (dry_run: nothing written)."
    )
    outcomes: list[dict[str, Any]] = Field(
        description="Per file: status, batch, rows, profile, replaced batches."
    )
    warnings: list[dict[str, Any]] = Field(description="Per warning: code, file, row, column, params.")


class PayLineOut(Schema):
    employee: str = Field(description="The employee id (工号).")
    name: str
    department: str
    position: str
    score: Decimal | None
    grade: str
    pay_kind: str | None = Field(
        description="`performance` (绩效工资, on top of the base wage), `wage` (the whole month's wage by the "
        "template's design) or null (the position has no performance pay)."
    )
    base_salary: Decimal | None = Field(
        description="基本工资 from the employee record, where the template reads it."
    )
    pay_base: Decimal | None = Field(description="绩效工资基数: the template's standard performance pay.")
    pay: Decimal | None = Field(description="The pay the review computed (pro-rated for a partial month).")
    adjustments: Decimal = Field(description="HR's pay adjustments (奖惩), deductions negative.")
    total: Decimal | None = Field(description="pay + adjustments.")
    reasons: str = Field(description="Each adjustment with its reason.")
    status: str = Field(description="The review's step, in words.")


class PayTotalsOut(Schema):
    performance: Decimal = Field(
        description="Σ 绩效工资: the pay of the lines whose pay_kind is performance."
    )
    wage: Decimal = Field(
        description="Σ 整月工资: the pay of the lines whose pay_kind is wage, never in `performance`."
    )
    adjustments: Decimal = Field(description="Σ 奖惩.")
    payable: Decimal = Field(
        description="应发合计: performance + wage + adjustments (Σ of the lines' total)."
    )


class PaySheetOut(Schema):
    period: str
    lines: list[PayLineOut] = Field(description="One line per approved review, by employee id.")
    totals: PayTotalsOut = Field(description="The sheet's 合计, each kind of pay apart.")
    not_approved: int = Field(description="Reviews not approved yet, left out of the lines.")
