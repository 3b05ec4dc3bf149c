"""Naming the colleagues who rate a review's peers items, and a colleague's rating; the tasks waiting
for a person (待我处理). The policy decides who; every change is audited and rescores the review."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.accounts.roles import employee_of
from shopkpi.appraisal.models import Employee, PeerRater, Review
from shopkpi.appraisal.reviews.review_scoring import recompute
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name
from shopkpi.scorecard import RatingError, rating_value
from shopkpi.scorecard.template import Item

MAX_RATERS = 20


def peer_items(review: Review) -> list[Item]:
    return [item for item in review.template_version.compiled().items if item.rated_by_peers]


def name_raters(user: Any, review_id: object, item_key: str, codes: Sequence[str] | str) -> list[PeerRater]:
    """Name the colleagues (by 工号) who rate `item_key` of the review: the list replaces the one before;
    a colleague who has rated already stays named."""
    review = policy.review_for(user, review_id)
    refused = policy.peer_naming_refusal(user, review)
    if refused is not None:
        raise policy.ActionRefused(refused[1], code=refused[0])
    item = next((i for i in peer_items(review) if i.key == item_key), None)
    if item is None:
        raise WorkflowError(_("“%(key)s”不是本考核的互评指标。") % {"key": item_key}, code="not_a_peer_item")
    wanted = _codes(codes)
    people = {e.code: e for e in Employee.objects.filter(code__in=wanted).select_related("user")}
    unknown = [c for c in wanted if c not in people]
    if unknown:
        raise WorkflowError(
            _("没有工号为 %(codes)s 的员工。") % {"codes": "、".join(unknown)}, code="unknown_employee"
        )
    if review.employee.code in people:
        raise WorkflowError(_("员工本人不能为自己互评。"), code="recusal")
    no_login = [c for c in wanted if people[c].user_id is None]
    if no_login:
        raise WorkflowError(
            _("%(codes)s 还没有登录账号，不能互评；请先在“用户与角色”发放账号。")
            % {"codes": "、".join(no_login)},
            code="rater_no_login",
        )
    if len(wanted) > MAX_RATERS:
        raise WorkflowError(_("互评人最多 %(n)s 位。") % {"n": MAX_RATERS}, code="too_many_raters")
    with transaction.atomic():
        existing = {
            p.rater.code: p
            for p in PeerRater.objects.filter(review=review, item_key=item.key).select_related("rater")
        }
        kept_rated = [code for code, p in existing.items() if code not in people and p.rating is not None]
        if kept_rated:
            raise WorkflowError(
                _("%(codes)s 已经评分，不能取消。") % {"codes": "、".join(kept_rated)}, code="rater_has_rated"
            )
        PeerRater.objects.filter(review=review, item_key=item.key).exclude(rater__code__in=wanted).delete()
        for code in wanted:
            if code not in existing:
                PeerRater.objects.create(review=review, item_key=item.key, rater=people[code], named_by=user)
        audit.record(
            actor_name(user),
            "peer.name",
            object_type="review",
            object_id=review.pk,
            before={"item": item.key, "raters": sorted(existing)},
            after={"item": item.key, "raters": wanted},
        )
    return list(PeerRater.objects.filter(review=review, item_key=item.key).select_related("rater"))


def rate(user: Any, peer_id: object, raw: Any, comment: str = "") -> PeerRater:
    """The named colleague's rating: a number 0..100 (two decimals at most) or one of the item's levels."""
    peer: PeerRater = policy.peer_task_for(user, peer_id)
    refused = policy.peer_rating_refusal(peer)
    if refused is not None:
        raise policy.ActionRefused(refused[1], code=refused[0])
    item = peer.review.template_version.compiled().item(peer.item_key)
    text = "" if raw is None else str(raw).strip()
    try:
        value = rating_value(item, text) if text else None
    except RatingError:
        value = None
    if value is None or value != value.quantize(Decimal("0.01")):
        levels = "、".join(getattr(item.rule, "levels", {})) or "—"
        raise WorkflowError(
            _("请给出 0～100 之间（最多两位小数）的评分，或选择等级（%(levels)s）。") % {"levels": levels},
            code="bad_rating",
        )
    with transaction.atomic():
        before = None if peer.rating is None else str(peer.rating)
        peer.rating = value
        peer.level = text if text in getattr(item.rule, "levels", {}) else ""
        peer.comment = comment.strip()
        peer.rated_at = timezone.now()
        peer.save()
        audit.record(
            actor_name(user),
            "peer.rate",
            object_type="review",
            object_id=peer.review_id,
            before=None if before is None else {"item": peer.item_key, "rating": before},
            after={"item": peer.item_key, "rating": str(value), "rater": peer.rater.code},
        )
        recompute(
            Review.objects.select_related("employee", "cycle", "template_version").get(pk=peer.review_id)
        )
    return peer


def waiting(user: Any) -> QuerySet[PeerRater]:
    """The peer ratings asked of the user and not given yet, while they can still be given."""
    me = employee_of(user)
    if me is None:
        return PeerRater.objects.none()
    return (
        PeerRater.objects.filter(
            rater=me,
            rating=None,
            review__cycle__status="open",
            review__status__in=policy.SPOT_CHECK_STATUSES,
        )
        .select_related("review__employee", "review__cycle", "review__template_version")
        .order_by("review__cycle__period", "review__employee__code")
    )


def _codes(given: Sequence[str] | str) -> list[str]:
    parts = re.split(r"[\s,，、;；]+", given) if isinstance(given, str) else [str(c) for c in given]
    seen: list[str] = []
    for part in (p.strip() for p in parts):
        if part and part not in seen:
            seen.append(part)
    return seen
