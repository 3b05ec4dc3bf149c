"""What every step of a review's life shares: the domain errors, the record of a step (a Transition
and an audit entry), and the snapshot of a review's earlier version.

`workflow` (the per-review actions) and `cycles` (opening, archiving, reopening a cycle) both
write through here, so every step leaves the same trace: who, when, from which status to which,
what changed (before/after) and why.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import Review, ReviewSnapshot, Transition


class WorkflowError(Exception):
    """A domain refusal with a clear message (no interview yet, the review is incomplete …): HTTP 409."""


class StaleReview(WorkflowError):
    """The review was saved by someone else after the caller loaded it (optimistic version check)."""


def actor_name(user: Any) -> str:
    return str(getattr(user, "username", "") or "system")


def stale_message(review: Review, expected: int) -> str:
    """Names who saved the review last, when, and with which step."""
    last = review.transitions.select_related("actor").order_by("-at", "-id").first()
    if last is None:
        who = "someone else"
    else:
        at = timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M:%S")
        who = f"{last.actor.get_username()} at {at} ({last.action})"
    return (
        f"review {review.pk} was saved by {who} after you loaded it "
        f"(your version {expected}, now version {review.version}); reload it and try again"
    )


def record_step(
    user: Any,
    review: Review,
    action: str,
    *,
    from_status: str,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Transition:
    """One step of a review: a Transition row and an audit entry (who, when, before/after, why)."""
    transition = Transition.objects.create(
        review=review,
        from_status=from_status,
        to_status=review.status,
        action=action,
        reason=reason,
        actor=user,
    )
    audit.record(
        actor_name(user),
        f"review.{action}",
        object_type="review",
        object_id=review.pk,
        before={"status": from_status, **(before or {})},
        after={"status": review.status, "version": review.version, **(after or {})},
        reason=reason,
    )
    return transition


def review_state(review: Review) -> dict[str, Any]:
    """Everything a review holds, as plain JSON: what a snapshot keeps."""
    return {
        "status": review.status,
        "version": review.version,
        "evaluator": review.evaluator_id,
        "template_version": review.template_version_id,
        "self_assessment": review.self_assessment,
        "supervisor_comment": review.supervisor_comment,
        "values": review.values,
        "provenance": review.provenance,
        "values_frozen_at": _when(review.values_frozen_at),
        "result": review.result,
        "score": _text(review.score),
        "grade": review.grade,
        "pay": _text(review.pay),
        "missing": review.missing,
        "submitted_self_at": _when(review.submitted_self_at),
        "published_at": _when(review.published_at),
        "acknowledged_at": _when(review.acknowledged_at),
        "appeal_deadline": _when(review.appeal_deadline),
        "ratings": [
            {
                "item_key": r.item_key,
                "rater": r.rater,
                "value": _text(r.value),
                "level": r.level,
                "comment": r.comment,
            }
            for r in review.ratings.order_by("item_key", "rater")
        ],
        "overrides": [
            {
                "name": o.name,
                "value": _text(o.value),
                "previous": o.previous,
                "reason": o.reason,
                "by": o.created_by.get_username(),
                "at": _when(o.created_at),
            }
            for o in review.overrides.select_related("created_by").order_by("created_at", "id")
        ],
        "adjustments": [
            {"amount": _text(a.amount), "reason": a.reason, "by": a.created_by.get_username()}
            for a in review.adjustments.select_related("created_by").order_by("created_at", "id")
        ],
        "appeals": [
            {"item_key": a.item_key, "reason": a.reason, "status": a.status, "outcome": a.outcome}
            for a in review.appeals.order_by("created_at", "id")
        ],
    }


def take_snapshot(review: Review, reason: str) -> ReviewSnapshot:
    """Keep the review as it is now (its current version) before it changes."""
    return ReviewSnapshot.objects.create(
        review=review, version=review.version, data=review_state(review), reason=reason
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _when(value: Any) -> str | None:
    return None if value is None else value.isoformat()
