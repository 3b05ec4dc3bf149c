"""What HR and the GM read on their review pages besides the result: the items' values in shop words,
and the appeals with the score each amended one changed (from the version kept before the change)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shopkpi.appraisal.models import Appeal, Review
from shopkpi.appraisal.wording import labels
from shopkpi.scorecard.template import Template
from shopkpi.web.api.schemas import ItemOut, ReviewDetailOut
from shopkpi.web.pages.review.explained import value_text

AMENDED_BEFORE = "申诉修正前的版本"  # the reason workflow gives the snapshot it keeps before an amendment


@dataclass(frozen=True)
class AppealRecord:
    item: str
    reason: str
    outcome: str
    note: str
    handled_at: Any
    score_before: Decimal | None
    score_after: Decimal | None


def item_rows(template: Template, detail: ReviewDetailOut) -> list[tuple[ItemOut, str]]:
    """Each item of the result with its value as people read it (¥, %, 秒 …)."""
    items = {item.key: item for item in template.items}
    return [
        (out, value_text(items[out.key], out.value) if out.key in items else str(out.value or "—"))
        for out in detail.items
    ]


def appeal_records(review: Review, template: Template) -> list[AppealRecord]:
    """The appeals, oldest first; an amended one with the score before it and the score after (the next
    kept version's, or the review's own when it is the latest)."""
    names = {item.key: item.name for item in template.items}
    kept = [s for s in review.snapshots.order_by("created_at", "id") if s.reason.startswith(AMENDED_BEFORE)]
    scores = [_score(s.data.get("score")) for s in kept] + [review.score]
    records = []
    amended = 0
    for appeal in review.appeals.order_by("created_at", "id"):
        before = after = None
        if appeal.status == Appeal.Status.AMENDED and amended < len(kept):
            before, after = scores[amended], scores[amended + 1]
        records.append(
            AppealRecord(
                item=names.get(appeal.item_key, appeal.item_key) if appeal.item_key else "",
                reason=appeal.reason,
                outcome=str(labels.APPEAL_OUTCOMES.get(appeal.status, appeal.status)),
                note=appeal.outcome,
                handled_at=appeal.handled_at,
                score_before=before,
                score_after=after,
            )
        )
        # the appeals of one decision share its snapshot: move on once the decision's last one is read
        if appeal.status == Appeal.Status.AMENDED and _last_of_decision(review, appeal):
            amended += 1
    return records


def _last_of_decision(review: Review, appeal: Appeal) -> bool:
    return not review.appeals.filter(handled_at=appeal.handled_at, id__gt=appeal.pk).exists()


def _score(text: object) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))
