"""The data rows behind a review's value (数据明细): one page of them, or all of them for a workbook.

The review is asked of the policy (`policy.rows_review`: as confidential as the review); the rows
are the warehouse's current rows of the review's employee in the review's period, credited by the
organisation as it is now and HR's decisions on single rows (`RowDrill`, `row_appeals`), or, for a value entered for the person (a target or input
of the metric's name, which the month takes instead), that entered row (`entered_rows`). `value` is what they add up to; `recorded` is the value the
review holds, which differs when data or ownership changed after the month was computed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.models import Review
from shopkpi.appraisal.reviews.review_steps import actor_name

PAGE_SIZE = 50


class UnknownMetric(LookupError):
    """No metric of that name in the company's catalogue."""


@dataclass(frozen=True)
class Base:
    """A base metric the value is computed from, with what its rows add up to."""

    name: str
    period: str
    value: Decimal | None


@dataclass(frozen=True)
class RowsPage:
    review: Review
    metric: str
    rows: list[Any]
    """`shopkpi.data.metrics.rows.MetricRow`s of this page."""
    count: int
    page: int
    pages: int
    value: Decimal | None
    recorded: str | None
    additive: bool
    bases: list[Base]
    derived: str | None
    """A derived metric's expression (`buyers / uv`), None for a base metric."""


def rows_page(user: Any, review_id: object, metric: str, home: Path, *, page: int = 1) -> RowsPage:
    review = policy.rows_review(user, review_id)
    return _read(review, metric, home, page=page, size=PAGE_SIZE)


def rows_workbook(
    user: Any, review_id: object, metric: str, home: Path, headers: list[str]
) -> tuple[Review, bytes]:
    """Every row as an XLSX workbook (`headers`: the columns in the page's language); the export is
    written to the audit log."""
    from shopkpi.appraisal.exports import metric_rows_table

    review = policy.rows_review(user, review_id)
    found = _read(review, metric, home, page=1, size=None)
    buffer = io.BytesIO()
    values = metric_rows_table.value_columns(found.rows)
    metric_rows_table.write_xlsx(found.rows, buffer, headers=[*headers, *values])
    audit.record(
        actor_name(user),
        "rows.export",
        object_type="review",
        object_id=review.pk,
        after={
            "metric": metric,
            "employee": review.employee.code,
            "period": review.cycle.period,
            "rows": found.count,
        },
    )
    return review, buffer.getvalue()


def _read(review: Review, metric: str, home: Path, *, page: int, size: int | None) -> RowsPage:
    from shopkpi.appraisal.organisation.snapshot import take_snapshot
    from shopkpi.appraisal.reviews.row_appeals import with_decisions
    from shopkpi.data.metrics.catalogue import load_catalogue
    from shopkpi.data.metrics.reads import month_reads
    from shopkpi.data.metrics.rows import RowDrill, entered_rows
    from shopkpi.data.warehouse.catalogue import Warehouse
    from shopkpi.scorecard.periods import Period

    catalogue = load_catalogue(home)
    if metric not in catalogue.metrics:
        raise UnknownMetric(metric)
    recorded = (review.values or {}).get(metric)
    derived = catalogue.metrics[metric].derived
    # the batches of the dates the value reads (and its row decisions are found in), not the whole history
    connection = Warehouse(home).connect(reads=month_reads(catalogue, [metric], review.cycle.period))
    try:
        catalogue = with_decisions(connection, catalogue, review.cycle.period)
        entered = entered_rows(connection, Period.parse(review.cycle.period), review.employee.code, metric)
        if entered:  # the month takes an entered value over the metric (`month_values`)
            counted = [r.counted for r in entered if r.counted is not None]
            return RowsPage(
                review,
                metric,
                entered,
                len(entered),
                1,
                1,
                counted[0] if counted else None,
                None if recorded is None else str(recorded),
                True,
                [],
                None,
            )
        drill = RowDrill(
            connection,
            catalogue,
            metric,
            review.cycle.period,
            organisation=take_snapshot(),
            employee=review.employee.code,
        )
        count = drill.count()
        pages = max(1, -(-count // size)) if size else 1
        page = min(max(page, 1), pages)
        offset = (page - 1) * size if size else 0
        rows = list(drill.rows(limit=size, offset=offset))
        bases = [Base(n, drill.period_of(o), drill.value_of(n, o)) for n, o in drill.bases]  # ordered
        value = drill.value()
        additive = drill.additive()
    finally:
        connection.close()
    return RowsPage(
        review=review,
        metric=metric,
        rows=rows,
        count=count,
        page=page,
        pages=pages,
        value=value,
        recorded=None if recorded is None else str(recorded),
        additive=additive,
        bases=bases if derived is not None else [],
        derived=None if derived is None else derived.text,
    )
