"""What every step of a review's life shares: the domain errors, the record of a step (a Transition
and an audit entry), and the snapshot of a review's earlier version.

`workflow` (the per-review actions) and `cycles` (opening, archiving, reopening a cycle) both
write through here, so every step leaves the same trace: who, when, from which status to which,
what changed (before/after) and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from shopkpi.appraisal import audit
from shopkpi.appraisal.bulk_rows import insert_all
from shopkpi.appraisal.models import Cycle, Review, ReviewSnapshot, Transition
from shopkpi.scorecard import Template


class WorkflowError(Exception):
    """A domain refusal with a clear message (no interview yet, the review is incomplete …): HTTP 409.

    The message is written in the language active when it is raised (Chinese, or English from the
    `appraisal` locale area); `code` names the refusal for machines and stays the same in every
    language (the API answers it beside the message).
    """

    code = "workflow_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class StaleReview(WorkflowError):
    """The review was saved by someone else after the caller loaded it (optimistic version check)."""

    code = "stale_review"


def actor_name(user: Any) -> str:
    return str(getattr(user, "username", "") or "system")


def locked_current(review: Review, expected: int) -> Review:
    """The review locked for a step (inside a transaction), with its cycle read after the lock (an archive
    may just have committed); StaleReview when it is no longer the version `expected`."""
    fresh = (
        Review.objects.select_for_update(of=("self",))
        .select_related("employee__user", "template_version")  # (the evaluator is read when needed)
        .get(pk=review.pk)
    )
    fresh.cycle = Cycle.objects.get(pk=fresh.cycle_id)
    if fresh.version != expected:
        raise StaleReview(stale_message(fresh, expected))
    return fresh


def as_saved(review: Review, saved: Review) -> None:
    """Make the caller's `review` the review as a step saved it (`saved`, the locked copy), as
    `refresh_from_db` would without reading it again: its fields, its related objects as the step read
    them, and no prefetched rows (they may have changed)."""
    column: Any
    for column in Review._meta.concrete_fields:
        setattr(review, column.attname, getattr(saved, column.attname))
        if column.is_relation:
            if column.is_cached(saved):
                column.set_cached_value(review, column.get_cached_value(saved))
            elif column.is_cached(review):
                column.delete_cached_value(review)
    review._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    for relation in Review._meta.related_objects:
        if relation.is_cached(review):
            relation.delete_cached_value(review)


def stale_message(review: Review, expected: int) -> str:
    """Names who saved the review last, when, and with which step."""
    last = review.transitions.select_related("actor").order_by("-at", "-id").first()
    versions = {"review": review.pk, "expected": expected, "version": review.version}
    if last is None:
        return (
            _(
                "考核 %(review)s 在您打开之后已被他人保存（您打开的是第 %(expected)s 版，现在是第 %(version)s 版）；"
                "请刷新后重试。"
            )
            % versions
        )
    at = timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M:%S")
    return _(
        "考核 %(review)s 在您打开之后已被 %(who)s 于 %(at)s 保存（%(step)s）"
        "（您打开的是第 %(expected)s 版，现在是第 %(version)s 版）；请刷新后重试。"
    ) % {**versions, "who": last.actor.get_username(), "at": at, "step": step_name(last.action)}


def listed(parts: Iterable[str]) -> str:
    """Parts of a message's list, separated the way the language writes lists (、 or a comma)."""
    return pgettext("list separator", "、").join(parts)


def item_name(template: Template, key: str) -> str:
    """An item as the messages name it: 「销售完成率」, 「绩效工资」 for the pay, or the key of an item the
    template lacks."""
    if key == "pay":
        return f"「{pgettext('review part', '绩效工资')}」"
    try:
        return f"「{template.item(key).name}」"
    except KeyError:
        return f"「{key}」"


def item_names(template: Template, keys: Sequence[str]) -> str:
    return listed(item_name(template, key) for key in keys)


# each step's name, translated when it is said (`step_name` used to translate all of them for each)
_STEP_NAMES = {
    "open": pgettext_lazy("step", "开启考核"),
    "save_self": pgettext_lazy("step", "保存自评"),
    "submit_self": pgettext_lazy("step", "提交自评"),
    "withdraw_self": pgettext_lazy("step", "撤回自评"),
    "rate": pgettext_lazy("step", "上级评分"),
    "record_interview": pgettext_lazy("step", "记录面谈"),
    "submit_supervisor": pgettext_lazy("step", "提交人事核准"),
    "return_to_self": pgettext_lazy("step", "退回员工重新自评"),
    "override": pgettext_lazy("step", "人事修正数值"),
    "submit_hr": pgettext_lazy("step", "人事核准"),
    "return_to_supervisor": pgettext_lazy("step", "退回上级"),
    "approve": pgettext_lazy("step", "总经理批准"),
    "return_to_hr": pgettext_lazy("step", "退回人事"),
    "pass_step": pgettext_lazy("step", "审核通过"),
    "return_step": pgettext_lazy("step", "审核退回"),
    "skip_step": pgettext_lazy("step", "回避跳过"),
    "acknowledge": pgettext_lazy("step", "本人签字确认"),
    "appeal": pgettext_lazy("step", "申诉"),
    "decide_appeal": pgettext_lazy("step", "处理申诉"),
    "adjust_pay": pgettext_lazy("step", "奖惩调整"),
    "calibrate": pgettext_lazy("step", "校准调整"),
    "archive": pgettext_lazy("step", "归档"),
    "reopen": pgettext_lazy("step", "重新开启"),
    "data_withdrawn": pgettext_lazy("step", "数据批次撤回后重算"),
}


def step_name(action: str) -> str:
    """The name of a step of a review's life, as the messages say it (the action key if unknown)."""
    name = _STEP_NAMES.get(action)
    return action if name is None else str(name)


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
    return record_steps(user, [Step(review, from_status, before or {}, after or {})], action, reason)[0]


@dataclass(frozen=True)
class Step:
    """One review's part of a step taken on many: the status it left, what else it was and became."""

    review: Review
    from_status: str = ""
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


def record_steps(user: Any, steps: Sequence[Step], action: str, reason: str = "") -> list[Transition]:
    """The same step on many reviews (opening or archiving a month): their Transition rows and audit
    entries, written in a few queries whatever their number."""
    transitions = insert_all(
        Transition,
        [
            Transition(
                review=step.review,
                from_status=step.from_status,
                to_status=step.review.status,
                action=action,
                reason=reason,
                actor=user,
            )
            for step in steps
        ],
    )
    audit.record_many(
        actor_name(user),
        [
            audit.Entry(
                f"review.{action}",
                object_type="review",
                object_id=step.review.pk,
                before={"status": step.from_status, **step.before},
                after={"status": step.review.status, "version": step.review.version, **step.after},
                reason=reason,
            )
            for step in steps
        ],
    )
    return transitions


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
    """A date, or a moment in the company's time zone (with its offset)."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return None if value is None else value.isoformat()
