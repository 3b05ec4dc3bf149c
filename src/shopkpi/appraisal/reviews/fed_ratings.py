"""Ratings made from records rather than typed: a supervisor-rated item fed by the month's spot checks
(`shopkpi.appraisal.spot_checks`), and a `rated_by: peers` item by its colleagues' ratings
(`shopkpi.appraisal.peer_ratings`). A fed rating stands in for the supervisor's rating of its item,
and its records (`detail`) go into the item's explanation in the review's result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopkpi.appraisal.models import Review
    from shopkpi.scorecard import Template


FED_PREFETCH = ("spot_check_draws__cases", "peer_raters")
"""What a month's computation prefetches for its reviews, so that the feeds read no row per review."""


def prefetched(review: Review, name: str) -> bool:
    return name in getattr(review, "_prefetched_objects_cache", {})


@dataclass(frozen=True)
class FedRating:
    item: str
    rating: Decimal
    detail: Mapping[str, Any]
    """JSON: `kind` (spot_check) and the records the rating was made from."""


def fed_ratings(review: Review | None, template: Template) -> dict[str, FedRating]:
    """The fed ratings of a review by item key (no query for a template without spot checks or peers)."""
    if review is None:
        return {}
    found: dict[str, FedRating] = {}
    if template.spot_check is not None:
        from shopkpi.appraisal.spot_checks.feed import spot_check_feed

        fed = spot_check_feed(review, template)
        if fed is not None:
            found[fed.item] = fed
    if any(item.rated_by_peers for item in template.items):
        from shopkpi.appraisal.peer_ratings.feed import peer_feeds

        found.update(peer_feeds(review, template))
    return found


def fed_items(review: Review) -> dict[str, str]:
    """The items of the review whose supervisor's rating is fed now (the supervisor does not type it),
    with what feeds it (`spot_check` or `peers`)."""
    fed = fed_ratings(review, review.template_version.compiled())
    return {key: str(rating.detail.get("kind", "")) for key, rating in fed.items()}
