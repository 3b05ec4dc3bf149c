"""The month's spot checks as the rating of the item they feed: the average of the scored cases'
scores, each case's score being the average of its checklist points. Exact decimals (the spec's
context); nothing is rounded here, the engine rounds the final score only.

A case counts once every point of the checklist has a score; a month without a scored case feeds
nothing (the supervisor then rates the item directly, as without spot checks).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from shopkpi.appraisal.models import Review, SpotCheckCase
from shopkpi.appraisal.reviews.fed_ratings import FedRating, prefetched
from shopkpi.scorecard import Template
from shopkpi.scorecard.engine import SPEC_CONTEXT
from shopkpi.scorecard.numbers import format_decimal, plain


def case_score(scores: Mapping[str, Any], checklist: Sequence[str]) -> Decimal | None:
    """The average of a case's points, or None while a point of the checklist has no score."""
    if not checklist or any(scores.get(point) in (None, "") for point in checklist):
        return None
    with decimal.localcontext(SPEC_CONTEXT):
        return sum((Decimal(str(scores[point])) for point in checklist), Decimal(0)) / len(checklist)


def spot_check_feed(review: Review, template: Template) -> FedRating | None:
    """The rating the month's scored cases give the fed item, or None (no spot check, none scored)."""
    spot = template.spot_check
    if spot is None or review.pk is None:
        return None
    if prefetched(review, "spot_check_draws"):  # a month's computation read them for every review at once
        cases = [case for draw in review.spot_check_draws.all() for case in draw.cases.all()]
        cases.sort(key=lambda case: (case.draw.week, case.position))
    else:
        cases = list(
            SpotCheckCase.objects.filter(draw__review=review)
            .select_related("draw")
            .order_by("draw__week", "position")
        )
    listed: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    scored: list[Decimal] = []
    for case in cases:
        found = case_score(case.scores, spot.checklist)
        if found is None:  # drawn, not scored: it does not count
            continue
        if case.dropped_at is not None:  # left out by an appeal HR accepted
            dropped.append(
                {
                    "week": case.draw.week,
                    "key": case.key,
                    "score": _text(found),
                    "reason": case.dropped_reason,
                }
            )
            continue
        scored.append(found)
        listed.append(
            {
                "case": case.pk,
                "week": case.draw.week,
                "first_day": case.draw.first_day.isoformat(),
                "last_day": case.draw.last_day.isoformat(),
                "seed": case.draw.seed,
                "key": case.key,
                "orders": [o.get("order_id") for o in case.orders],
                "scores": {point: str(case.scores[point]) for point in spot.checklist},
                "score": _text(found),
                "note": case.note,
            }
        )
    if not scored:
        return None
    with decimal.localcontext(SPEC_CONTEXT):
        average = sum(scored, Decimal(0)) / len(scored)
    detail = {
        "kind": "spot_check",
        "cases": listed,
        "count": len(scored),
        "average": _text(average),
        "dropped": dropped,
    }
    return FedRating(spot.feeds, average, detail)


def _text(value: Decimal) -> str:
    return format_decimal(plain(value))
