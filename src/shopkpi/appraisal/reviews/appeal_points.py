"""What an appeal can point at: the kinds of `AppealPoint` (申诉要点), one registry.

A kind is a `PointKind`: its name (the point's `kind`), its label, the claims an employee can make
about one thing of that kind, the decisions HR can take on such a claim (besides `refused`), how a
point's `ref` is checked when the appeal is filed (`checked_ref`: the ref as stored, or
`WorkflowError` saying what is wrong), and what an accepted decision does (`decided`: called inside
the decision's transaction, before the review is scored again).

To add a kind: write its module with a `PointKind`, add it to `kinds()` below, document its `ref`
keys in `shopkpi.appraisal.models.appeals`, and give its labels in both languages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

REFUSED = "refused"
"""The decision every kind has: HR does not follow the claim; nothing changes."""


@dataclass(frozen=True)
class PointKind:
    name: str
    label: Any
    """Lazy text: what the point names (数据行)."""
    claims: Mapping[str, Any]
    """claim → lazy text (这单是我接的)."""
    decisions: Mapping[str, Any]
    """decision → lazy text (改计给本人); `refused` is added for every kind."""
    checked_ref: Callable[[Any, Mapping[str, Any], str], dict[str, Any]]
    """(review, ref as given, claim) → the ref as stored; raises WorkflowError."""
    decided: Callable[[Any, Any, Any], None]
    """(user, review, point) after HR's accepting decision was set on the point."""


def kinds() -> dict[str, PointKind]:
    """Every kind by name (each kind's module is imported here: add yours)."""
    from shopkpi.appraisal.reviews import row_appeals

    found = [row_appeals.ROW]
    return {kind.name: kind for kind in found}


def kind(name: str) -> PointKind | None:
    return kinds().get(name)
