"""Drawing and scoring a week's spot checks, and what the spot-check page shows.

The policy decides who (`policy.spot_check_review`, `policy.require_spot_check`); a refused input
changes nothing (WorkflowError naming the field); every draw and score is written to the audit log,
and a score rescores the review at once (its fed item's rating is the month's average).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.models import Review, SpotCheckCase, SpotCheckDraw
from shopkpi.appraisal.reviews.fed_ratings import FedRating
from shopkpi.appraisal.reviews.review_scoring import recompute
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name
from shopkpi.appraisal.spot_checks import draw as drawing
from shopkpi.appraisal.spot_checks.feed import case_score, spot_check_feed
from shopkpi.appraisal.spot_checks.weeks import Week, week_of, weeks_of
from shopkpi.data.metrics.served_cases import ServedOrder
from shopkpi.scorecard.numbers import NumberError, parse_number
from shopkpi.scorecard.template import SpotCheck

MAX_SIZE = 50
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class CaseView:
    case: SpotCheckCase
    score: Decimal | None
    """The average of its points, None until every point is scored."""


@dataclass(frozen=True)
class WeekPage:
    review: Review
    spot: SpotCheck
    item_name: str
    weeks: list[Week]
    week: Week
    draw: SpotCheckDraw | None
    cases: list[CaseView]
    refusal: str | None
    """Why the user may not draw or score now (None: they may)."""
    month: FedRating | None
    """The month's scored cases and their average, as they feed the item."""


def spot_check_of(review: Review) -> SpotCheck:
    spot = review.template_version.compiled().spot_check
    if spot is None:
        raise policy.ReviewNotFound(review.pk)  # no spot-check pages for a template without them
    return spot


def week_page(user: Any, review_id: object, number: int) -> WeekPage:
    review = policy.spot_check_review(user, review_id)
    spot = spot_check_of(review)
    week = _week(review, number)
    draw = SpotCheckDraw.objects.filter(review=review, week=week.number).first()
    cases = (
        [] if draw is None else [CaseView(c, case_score(c.scores, spot.checklist)) for c in draw.cases.all()]
    )
    refused = policy.spot_check_refusal(user, review)
    template = review.template_version.compiled()
    return WeekPage(
        review=review,
        spot=spot,
        item_name=template.item(spot.feeds).name,
        weeks=weeks_of(review.cycle.period),
        week=week,
        draw=draw,
        cases=cases,
        refusal=None if refused is None else refused[1],
        month=spot_check_feed(review, template),
    )


def draw_week(
    user: Any, review_id: object, number: int, home: Path, *, size: Any = None, seed: Any = None
) -> SpotCheckDraw:
    """Draw the week's cases: `size` of them (the template's `per_week` when not given) with `seed`
    (a fresh one when not given). A week already drawn is drawn again only while none of its cases
    has been scored."""
    review = policy.spot_check_review(user, review_id)
    spot = spot_check_of(review)
    policy.require_spot_check(user, review)
    week = _week(review, number)
    wanted = spot.per_week if size in (None, "") else _whole(size, _("抽取数量"), 1, MAX_SIZE)
    chosen = (
        drawing.new_seed() if seed in (None, "") else _whole(seed, _("随机种子"), 0, drawing.SEED_LIMIT - 1)
    )
    candidates = _candidates(home, review, week, spot.cases)
    if not candidates:
        raise WorkflowError(
            _(
                "%(first)s 至 %(last)s 没有可抽取的样本：订单明细里没有该客服接待的订单（订单的“客服”列是其客服账号）。"
            )
            % {"first": week.start.isoformat(), "last": week.end.isoformat()},
            code="no_cases",
        )
    drawn = drawing.draw(chosen, candidates, wanted)
    with transaction.atomic():
        earlier = SpotCheckDraw.objects.select_for_update().filter(review=review, week=week.number).first()
        before = None
        if earlier is not None:
            if earlier.cases.exclude(scored_at=None).exists():
                raise WorkflowError(
                    _("第 %(week)s 周的样本已有打分，不能重新抽取。") % {"week": week.number},
                    code="already_scored",
                )
            before = {
                "seed": earlier.seed,
                "size": earlier.size,
                "cases": list(earlier.cases.values_list("key", flat=True)),
            }
            earlier.delete()
        made = SpotCheckDraw.objects.create(
            review=review,
            week=week.number,
            first_day=week.start,
            last_day=week.end,
            seed=chosen,
            size=wanted,
            cases_of=spot.cases,
            population=len(candidates),
            digest=drawing.digest(candidates),
            drawn_by=user,
        )
        SpotCheckCase.objects.bulk_create(
            SpotCheckCase(draw=made, position=i, key=key, orders=[_order_json(o) for o in candidates[key]])
            for i, key in enumerate(drawn, start=1)
        )
        audit.record(
            actor_name(user),
            "spot_check.draw",
            object_type="review",
            object_id=review.pk,
            before=before,
            after={
                "employee": review.employee.code,
                "period": review.cycle.period,
                "week": week.number,
                "seed": chosen,
                "size": wanted,
                "population": len(candidates),
                "cases": drawn,
            },
        )
    return made


def score_case(
    user: Any, review_id: object, case_id: object, scores: Mapping[str, Any], note: str = ""
) -> SpotCheckCase:
    """Score a drawn case on every point of the checklist (0..100, at most two decimals)."""
    review = policy.spot_check_review(user, review_id)
    spot = spot_check_of(review)
    policy.require_spot_check(user, review)
    values = _scores(spot.checklist, scores)
    with transaction.atomic():
        case = (
            SpotCheckCase.objects.select_for_update()
            .filter(pk=_id(case_id), draw__review=review)
            .select_related("draw")
            .first()
        )
        if case is None:
            raise policy.ReviewNotFound(review_id)
        before = {"scores": dict(case.scores), "note": case.note} if case.scored_at else None
        case.scores = values
        case.note = note.strip()
        case.scored_by = user
        case.scored_at = timezone.now()
        case.save()
        audit.record(
            actor_name(user),
            "spot_check.score",
            object_type="review",
            object_id=review.pk,
            before=before,
            after={"week": case.draw.week, "case": case.key, "scores": values, "note": case.note},
        )
        recompute(review)
    return case


# ---- helpers ---------------------------------------------------------------------------------


def _week(review: Review, number: int) -> Week:
    week = week_of(review.cycle.period, number)
    if week is None:
        raise policy.ReviewNotFound(review.pk)
    return week


def _candidates(home: Path, review: Review, week: Week, cases_of: str) -> dict[str, list[ServedOrder]]:
    """The week's cases by key: each buyer with their orders, or each order (`shop/order number`)."""
    from shopkpi.appraisal.organisation.snapshot import take_snapshot
    from shopkpi.data.metrics.served_cases import served_orders
    from shopkpi.data.warehouse.catalogue import Warehouse

    connection = Warehouse(home).connect()
    try:
        orders = served_orders(connection, take_snapshot(), review.employee.code, week.start, week.end)
    finally:
        connection.close()
    found: dict[str, list[ServedOrder]] = {}
    for order in orders:
        key = order.buyer if cases_of == "customers" else f"{order.shop}/{order.order_id}"
        found.setdefault(key, []).append(order)
    return found


def _order_json(order: ServedOrder) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "shop": order.shop,
        "buyer": order.buyer,
        "agent": order.agent,
        "created_at": order.created_at.isoformat(sep=" ", timespec="minutes"),
        "status": order.status,
        "amount": None if order.amount is None else str(order.amount),
    }


def _scores(checklist: Sequence[str], given: Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for point in checklist:
        raw = given.get(point)
        if raw is None or str(raw).strip() == "":
            raise WorkflowError(_("请给“%(point)s”打分（0～100）。") % {"point": point}, code="score_missing")
        try:
            number = parse_number(str(raw))
        except NumberError:
            number = None
        if number is None or not (0 <= number <= HUNDRED) or number != number.quantize(Decimal("0.01")):
            raise WorkflowError(
                _("“%(point)s”的分数 %(value)s 不是 0～100 之间、最多两位小数的数。")
                % {"point": point, "value": raw},
                code="bad_score",
            )
        values[point] = str(number)
    unknown = sorted(set(given) - set(checklist))
    if unknown:
        raise WorkflowError(
            _("“%(points)s”不是本考核表的抽查项目。") % {"points": "、".join(unknown)}, code="unknown_point"
        )
    return values


def _whole(raw: Any, name: str, low: int, high: int) -> int:
    try:
        number = int(str(raw).strip())
    except ValueError:
        number = None
    if number is None or not (low <= number <= high):
        raise WorkflowError(
            _("%(name)s须是 %(low)s 到 %(high)s 之间的整数，而不是“%(value)s”。")
            % {"name": name, "low": low, "high": high, "value": raw},
            code="bad_number",
        )
    return number


def _id(raw: object) -> int:
    try:
        return int(str(raw))
    except ValueError:
        return -1
