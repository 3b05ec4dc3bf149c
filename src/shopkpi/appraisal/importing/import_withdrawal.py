"""Withdrawing (撤回) an imported batch: HR on the import page and `shopkpi import --withdraw BATCH`.

The batch's rows leave the current data (a batch it replaced counts again); the warehouse keeps it
in its history as withdrawn. In one database transaction, while the warehouse already reads the
batch as withdrawn: the `data.withdraw` audit entry (who, why, the batch), and every review of an
open month whose values came from the batch recomputed, each saying so in its record of steps (a
review whose values HR has already checked keeps them, and says that too). Only then is the batch
withdrawn for good; if the transaction fails it is current again (`Warehouse.withdraw`).

A batch a review of an archived month used cannot be withdrawn: that month is reopened first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.importing.imports import BATCH, WITHDRAW_ACTION
from shopkpi.appraisal.models import Cycle, MonthComputation, Review
from shopkpi.appraisal.periods.month_close import refresh_cycle
from shopkpi.appraisal.reviews.review_steps import WorkflowError, listed, record_step
from shopkpi.data.warehouse.catalogue import BatchInfo, BatchNotWithdrawable, Warehouse

STEP = "data_withdrawn"  # the step each review concerned records


class WithdrawRefused(WorkflowError):
    """A withdrawal that changed nothing: no reason, no such batch, or a batch an archived month used."""


@dataclass(frozen=True)
class ReviewChange:
    """A review of an open month that used the withdrawn batch: its result before and after."""

    period: str
    employee: str
    recomputed: bool  # False: its values were frozen at HR's check and stay
    score_before: Decimal | None
    score_after: Decimal | None
    pay_before: Decimal | None
    pay_after: Decimal | None


@dataclass(frozen=True)
class WithdrawReport:
    batch: BatchInfo
    reviews: tuple[ReviewChange, ...]


def uses(review: Review, batch: str) -> bool:
    """Whether any of the review's values came from `batch` (its provenance names the batch)."""
    return any(batch in str(source) for source in review.provenance.values())


def withdraw_batch(home: Path, batch: str, *, user: str, reason: str) -> WithdrawReport:
    """Withdraw `batch`; WithdrawRefused (and no change) when it cannot be."""
    reason = reason.strip()
    if not reason:
        raise WithdrawRefused(_("撤回导入批次需要填写原因。"), code="reason_required")
    _refuse_if_archived(batch)
    changes: list[ReviewChange] = []

    def confirm(info: BatchInfo) -> None:
        with transaction.atomic():
            _refuse_if_archived(batch)
            changes[:] = _recompute(home, batch, info, user, reason)
            audit.record(
                user,
                WITHDRAW_ACTION,
                object_type=BATCH,
                object_id=batch,
                before={"state": "current", **_info_fields(info)},
                after={
                    "state": "withdrawn",
                    "reviews": [f"{c.period} {c.employee}" for c in changes if c.recomputed],
                    "frozen": [f"{c.period} {c.employee}" for c in changes if not c.recomputed],
                },
                reason=reason,
            )

    try:
        info = Warehouse(home).withdraw(batch, confirm)
    except BatchNotWithdrawable as error:
        if error.state is None:
            raise WithdrawRefused(
                _("没有导入批次 %(batch)s。") % {"batch": batch}, code="no_such_batch"
            ) from None
        raise WithdrawRefused(
            _("导入批次 %(batch)s 不是当前数据（%(state)s），不能撤回。")
            % {"batch": batch, "state": _state_name(error.state)},
            code="batch_not_current",
        ) from None
    return WithdrawReport(info, tuple(changes))


def _refuse_if_archived(batch: str) -> None:
    archived = sorted(
        {
            r.cycle.period
            for r in Review.objects.filter(cycle__status=Cycle.Status.ARCHIVED).select_related("cycle")
            if uses(r, batch)
        }
    )
    if archived:
        raise WithdrawRefused(
            _("已归档的考核期 %(periods)s 用到了导入批次 %(batch)s：请先重新开启这些考核期，再撤回。")
            % {"periods": listed(archived), "batch": batch},
            code="batch_in_archived_month",
        )


def _recompute(home: Path, batch: str, info: BatchInfo, user: str, reason: str) -> list[ReviewChange]:
    """Compute the open months that used `batch` again (the warehouse reads it as withdrawn already),
    and record on each review that used it that it was recomputed, or kept its frozen values."""
    used = [
        r
        for r in Review.objects.filter(cycle__status=Cycle.Status.OPEN)
        .select_related("cycle")
        .order_by("cycle__period", "employee__code")
        if uses(r, batch)
    ]
    before = {r.pk: (r.score, r.pay) for r in used}
    for cycle in sorted({r.cycle for r in used}, key=lambda c: c.period):
        refresh_cycle(cycle, reason=MonthComputation.Reason.WITHDRAW, actor=user, home=home)
    reviews = list(
        Review.objects.filter(pk__in=before)
        .select_related("cycle", "employee")
        .order_by("cycle__period", "employee__code")
    )
    actor = get_user_model().objects.filter(username=user).first()
    note = _("导入批次 %(batch)s（%(file)s）已撤回：%(reason)s") % {
        "batch": batch,
        "file": info.file_name,
        "reason": reason,
    }
    changes = []
    for review in reviews:
        change = ReviewChange(
            period=review.cycle.period,
            employee=review.employee.code,
            recomputed=review.values_frozen_at is None,
            score_before=before[review.pk][0],
            score_after=review.score,
            pay_before=before[review.pk][1],
            pay_after=review.pay,
        )
        changes.append(change)
        fields: dict[str, Any] = {"batch": batch, "recomputed": change.recomputed}
        step_before = {"score": change.score_before, "pay": change.pay_before}
        step_after = {"score": change.score_after, "pay": change.pay_after, **fields}
        if actor is not None:
            record_step(
                actor,
                review,
                STEP,
                from_status=review.status,
                reason=note,
                before=step_before,
                after=step_after,
            )
        else:  # `shopkpi import --withdraw --user NAME` for a name without a login: the log says so
            audit.record(
                user,
                f"review.{STEP}",
                object_type="review",
                object_id=review.pk,
                before=step_before,
                after=step_after,
                reason=note,
            )
    return changes


def _info_fields(info: BatchInfo) -> dict[str, Any]:
    return {
        "dataset": info.dataset,
        "file": info.file_name,
        "rows": info.row_count,
        "period": info.period,
        "imported_by": info.imported_by,
    }


def _state_name(state: str) -> str:
    names = {"withdrawn": _("已撤回"), "withdrawing": _("正在撤回"), "pending": _("导入尚未完成")}
    return str(names.get(state, state))
