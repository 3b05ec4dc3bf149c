"""The company's months for an HRIS or payroll system: GET/POST /api/cycles, POST /api/imports and
GET /api/cycles/{period}/paysheet.

Only HR, GM and admin users reach these (others: 403 `wrong_party`, before any body is read); opening
a month and importing are HR's, the pay sheet HR's and the GM's, as on the pages. The rules live in
the application services (`cycles.open_cycle`, `imports.run_import`, `paysheet`); refusals answer
`{code, detail}` (an import's also lists every problem).
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Status, UploadedFile

from shopkpi.appraisal.accounts.roles import ADMIN, GM, HR
from shopkpi.appraisal.importing.imports import ImportRequest, outcome_fields, run_import, warning_fields
from shopkpi.appraisal.models import Cycle
from shopkpi.appraisal.pay import paysheet
from shopkpi.appraisal.periods import cycles
from shopkpi.scorecard import Period
from shopkpi.web.api.auth import BearerToken
from shopkpi.web.api.errors import documented
from shopkpi.web.api.month_schemas import (
    CycleIn,
    CycleOpenedOut,
    CycleOut,
    ImportOut,
    ImportRefusedOut,
    LeftOutOut,
    PayLineOut,
    PaySheetOut,
    PayTotalsOut,
)
from shopkpi.web.api.schemas import Page, Paged

router = Router(tags=["month"])
COMPANY = BearerToken(roles=(HR, GM, ADMIN))
HR_ONLY = BearerToken(roles=(HR,))
PAY = BearerToken(roles=(HR, GM))
UPLOADS = ".api-uploads"


def _cycles() -> QuerySet[Cycle]:
    return Cycle.objects.annotate(
        review_count=Count("reviews"),
        approved_count=Count("reviews", filter=Q(reviews__status__in=paysheet.APPROVED)),
    )


def _cycle_out(cycle: Cycle) -> CycleOut:
    return CycleOut(
        period=cycle.period,
        kind=Period.parse(cycle.period).kind,
        status=cycle.status,
        opened_at=cycle.opened_at,
        archived_at=cycle.archived_at,
        self_due=cycle.self_due,
        supervisor_due=cycle.supervisor_due,
        hr_due=cycle.hr_due,
        reviews=cycle.review_count,  # type: ignore[attr-defined]
        approved=cycle.approved_count,  # type: ignore[attr-defined]
    )


@router.get(
    "/cycles",
    auth=COMPANY,
    operation_id="list_cycles",
    response={200: Paged[CycleOut], **documented(401, 403, 422)},
)
def list_cycles(request: HttpRequest, page: Query[Page]) -> Paged[CycleOut]:
    """The periods opened so far (months, quarters, years), newest first: by their last day, a quarter
    after its last month (HR, GM, admin)."""
    rows = sorted(_cycles(), key=lambda c: Period.parse(c.period), reverse=True)
    return Paged[CycleOut](
        items=[_cycle_out(c) for c in rows[page.offset : page.offset + page.limit]], count=len(rows)
    )


@router.post(
    "/cycles",
    auth=HR_ONLY,
    operation_id="open_cycle",
    response={201: CycleOpenedOut, **documented(400, 401, 403, 409, 422)},
)
def open_month(request: HttpRequest, body: CycleIn) -> Status[CycleOpenedOut]:
    """Open a month, a quarter (`2026-Q3`) or a year (`2026`) (HR) with the default participants
    (everyone active in it, hired by the 15th of its last month, but those nobody can evaluate, who
    are named in `left_out`) and deadlines, as the page does; its values are computed at once, a
    quarter's or a year's aggregates from its published months. Refusals (409): `cycle_exists`,
    `bad_period`, `no_participants`, `template_missing` and `no_evaluator` (when nobody could be
    evaluated; each lists every employee concerned)."""
    cycle, left = cycles.open_by_default_rule(request.auth, body.period, home=Path(settings.HOME))  # type: ignore[attr-defined]
    opened = _cycle_out(_cycles().get(pk=cycle.pk))
    left_out = [LeftOutOut(employee=e.code, name=e.name, reason="no_evaluator") for e in left]
    return Status(201, CycleOpenedOut(**opened.model_dump(), left_out=left_out))


@router.post(
    "/imports",
    auth=HR_ONLY,
    operation_id="import_file",
    response={200: ImportOut, 400: ImportRefusedOut, **documented(401, 403, 422)},
)
def import_file(
    request: HttpRequest,
    file: File[UploadedFile],
    dataset: Form[str] = "",
    period: Form[str] = "",
    accept_warnings: Form[bool] = False,
    dry_run: Form[bool] = False,
) -> ImportOut:
    """Import one file (multipart, field `file`; HR), all or nothing, as the import page does: the dataset
    is recognised from the file when `dataset` is not given; a workbook of `shopkpi prepare` imports its
    three sheets. With warnings and without `accept_warnings`, nothing is written (`needs_confirmation`).
    Refused files answer 400 `import_refused` with every problem."""
    folder = Path(settings.HOME) / UPLOADS / secrets.token_hex(8)
    folder.mkdir(parents=True)
    try:
        path = folder / (Path(str(file.name or "")).name.strip() or "upload")
        with path.open("wb") as out:
            for chunk in file.chunks():
                out.write(chunk)
        report = run_import(
            Path(settings.HOME),
            ImportRequest(
                files=(path,),
                user=request.auth.get_username(),  # type: ignore[attr-defined]
                dataset=dataset.strip() or None,
                period=period.strip() or None,
                accept_warnings=accept_warnings,
                dry_run=dry_run,
            ),
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return ImportOut(
        dataset=report.dataset,
        state=report.state,
        outcomes=[outcome_fields(o) for o in report.outcomes],
        warnings=[warning_fields(w) for w in report.warnings],
    )


@router.get(
    "/cycles/{period}/paysheet",
    auth=PAY,
    operation_id="cycle_paysheet",
    response={200: PaySheetOut, **documented(401, 403, 404, 422)},
)
def cycle_paysheet(request: HttpRequest, period: str) -> PaySheetOut:
    """The month's pay sheet (HR, GM): one line per approved review; the export is in the audit log."""
    cycle = get_object_or_404(Cycle, period=period)
    lines = paysheet.exported_rows(cycle, request.auth, format="json")  # type: ignore[attr-defined]
    summed = paysheet.totals(lines)
    return PaySheetOut(
        period=cycle.period,
        lines=[
            PayLineOut(
                employee=line.code,
                name=line.name,
                department=line.department,
                position=line.position,
                score=line.score,
                grade=line.grade,
                pay_kind=line.pay_kind,
                base_salary=line.base_salary,
                pay_base=line.pay_base,
                pay=line.pay,
                adjustments=line.adjustments,
                total=line.total,
                reasons=line.reasons,
                status=line.status,
            )
            for line in lines
        ],
        totals=PayTotalsOut(
            performance=summed.performance,
            wage=summed.wage,
            adjustments=summed.adjustments,
            payable=summed.payable,
        ),
        not_approved=paysheet.not_approved(cycle),
    )
