"""The peers' ratings of a review as the ratings of its `rated_by: peers` items: each item's rating is
the exact average of the ratings given (nothing rounded here). The result records the ratings without
the raters' names (互评 is anonymous to the employee) and how many of the named colleagues rated."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from shopkpi.appraisal.models import PeerRater, Review
from shopkpi.appraisal.reviews.fed_ratings import FedRating, prefetched
from shopkpi.scorecard import Template
from shopkpi.scorecard.engine import SPEC_CONTEXT
from shopkpi.scorecard.numbers import format_decimal, plain


def peer_feeds(review: Review, template: Template) -> dict[str, FedRating]:
    """The fed rating of each peers item with at least one rating given."""
    keys = [item.key for item in template.items if item.rated_by_peers]
    if not keys or review.pk is None:
        return {}
    named: dict[str, list[PeerRater]] = {}
    raters = (
        sorted(review.peer_raters.all(), key=lambda peer: peer.pk)
        if prefetched(review, "peer_raters")  # a month's computation read them for every review at once
        else PeerRater.objects.filter(review=review, item_key__in=keys).order_by("id")
    )
    for peer in raters:
        if peer.item_key in keys:
            named.setdefault(peer.item_key, []).append(peer)
    found: dict[str, FedRating] = {}
    for key, peers in named.items():
        given = [p.rating for p in peers if p.rating is not None]
        if not given:
            continue
        with decimal.localcontext(SPEC_CONTEXT):
            average = sum(given, Decimal(0)) / len(given)
        detail: dict[str, Any] = {
            "kind": "peers",
            "ratings": [_text(r) for r in given],
            "count": len(given),
            "named": len(peers),
            "average": _text(average),
        }
        found[key] = FedRating(key, average, detail)
    return found


def _text(value: Decimal) -> str:
    return format_decimal(plain(value))
