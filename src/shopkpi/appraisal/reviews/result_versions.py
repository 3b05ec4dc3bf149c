"""Versions of a review's result and what changed between two of them (结果版本与差异).

A review's earlier versions are its snapshots (`review_steps.take_snapshot`: kept before an appeal's
amendment, a reopening …); `difference` compares two states (`review_steps.review_state`) item by item:
the values the month read, each item's value and points, and the score, grade and pay. It is written
into the audit entry of the step that made the new version and shown to the employee (`changes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shopkpi.appraisal.models import Review


def difference(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What changed from `before` to `after` (as plain JSON: [before, after] pairs of text)."""
    old_items = {i["key"]: i for i in (before.get("result") or {}).get("items", [])}
    items = []
    for item in (after.get("result") or {}).get("items", []):
        old = old_items.get(item["key"], {})
        pair = {f: [old.get(f), item.get(f)] for f in ("value", "rating", "points")}
        if any(b != a for b, a in pair.values()):
            items.append({"key": item["key"], "name": item.get("name", item["key"]), **pair})
    old_values, new_values = before.get("values") or {}, after.get("values") or {}
    values = {
        name: [old_values.get(name), new_values.get(name)]
        for name in sorted(set(old_values) | set(new_values))
        if old_values.get(name) != new_values.get(name)
    }
    totals = {f: [before.get(f), after.get(f)] for f in ("score", "grade", "pay")}
    return {
        **{f: pair for f, pair in totals.items() if pair[0] != pair[1]},
        "items": items,
        "values": values,
    }


@dataclass(frozen=True)
class Change:
    """One new version of the result: the version kept, why it was kept, and what changed since."""

    version: int
    reason: str
    at: Any
    difference: dict[str, Any]


def changes(review: Review) -> list[Change]:
    """Each kept version and the difference to the version that followed it, newest first."""
    from shopkpi.appraisal.reviews.review_steps import review_state

    kept = list(review.snapshots.order_by("created_at", "id"))
    states = [s.data for s in kept] + [review_state(review)]
    found = [
        Change(s.version, s.reason, s.created_at, difference(states[i], states[i + 1]))
        for i, s in enumerate(kept)
    ]
    return list(reversed(found))
