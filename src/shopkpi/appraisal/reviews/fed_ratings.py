"""Ratings made from records rather than typed: a supervisor-rated item fed by the month's spot checks
(`shopkpi.appraisal.spot_checks`). A fed rating stands in for the supervisor's rating of its item,
and its records (`detail`) go into the item's explanation in the review's result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopkpi.appraisal.models import Review
    from shopkpi.scorecard import Template


@dataclass(frozen=True)
class FedRating:
    item: str
    rating: Decimal
    detail: Mapping[str, Any]
    """JSON: `kind` (spot_check) and the records the rating was made from."""


def fed_ratings(review: Review | None, template: Template) -> dict[str, FedRating]:
    """The fed ratings of a review by item key (none for a template without spot checks: no query)."""
    if review is None or template.spot_check is None:
        return {}
    from shopkpi.appraisal.spot_checks.feed import spot_check_feed

    fed = spot_check_feed(review, template)
    return {} if fed is None else {fed.item: fed}


def fed_items(review: Review) -> set[str]:
    """The items of the review whose supervisor's rating is fed now (the supervisor does not type it)."""
    return set(fed_ratings(review, review.template_version.compiled()))
