"""The month close: one application service for the web cycle and `shopkpi run`.

`compute_month` is the close of a month for a list of people, each with their template version and,
inside a cycle, their review. For everyone whose values are not frozen it reads the month from the
warehouse once (`month_values`: metrics, targets, inputs, imported ratings), lays it over what the
review stores, lays the period's incident records over that (`incidents.feeding`: the sum of the
incidents of a kind is the value of that variable), takes the ratings (entered on the review's page, else imported), and scores each
person through `review_scoring.score_month` (the engine, HR's overrides, pro-rating, pay, the
consequence rules over the earlier published months). Nothing is written.

- `refresh_cycle` is that close written into a cycle's reviews (values with their provenance,
  imported ratings, results), recorded as a `MonthComputation`: on opening, on HR's recompute and
  after an import. Workflow steps only re-score what the review stores.
- `close_month` is `shopkpi run`: the month's cycle as it stands (its frozen template versions,
  its reviews' ratings and overrides, fresh values where they are not frozen), or, with no cycle
  for the month, the month as opening it now would compute it: the employees it would appraise
  (`participants.eligible_employees`), their positions' current template versions, the imported
  ratings, no overrides; read-only either way.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.bulk_rows import insert_all
from shopkpi.appraisal.incidents import feeding
from shopkpi.appraisal.models import Cycle, Employee, MonthComputation, Rating, Review, TemplateVersion
from shopkpi.appraisal.organisation.records import apply_month_terms
from shopkpi.appraisal.periods import month_values
from shopkpi.appraisal.periods.month_values import ImportedRating
from shopkpi.appraisal.periods.participants import eligible_employees, position_versions
from shopkpi.appraisal.reviews.fed_ratings import FED_PREFETCH, fed_ratings
from shopkpi.appraisal.reviews.review_scoring import (
    STORED_FIELDS,
    PersonMonth,
    Scored,
    fresh_values,
    histories,
    latest_calibration,
    latest_overrides,
    score_month,
    store,
)
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name
from shopkpi.scorecard import RatingError, Template, rating_value
from shopkpi.scorecard.collector import collector_paused
from shopkpi.scorecard.periods import Period, PeriodError

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Candidate:
    """One person of the month: their template version and, inside a cycle, their review."""

    employee: Employee
    version: TemplateVersion
    review: Review | None = None

    @property
    def live(self) -> bool:
        """Whether the month's values are read afresh (not frozen by HR's check)."""
        return self.review is None or self.review.values_frozen_at is None


@dataclass(frozen=True)
class RatingProblem:
    """An imported rating that cannot be used: `code` unknown_item, item_not_rated or bad_rating."""

    employee: str
    item: str
    rating: str
    rater: str
    code: str

    def text(self) -> str:
        reasons = {
            "unknown_item": _("考核表没有这个指标（写指标的 key 或名称）"),
            "item_not_rated": _("这个指标由数据计算得出，不用评分"),
            "bad_rating": _("不是这个指标的评分（0–100 的数，最多两位小数，或指标的等级名称）"),
            "duplicate_rating": _("同一指标有两行评分"),
        }
        return _("评分 ratings：工号 %(employee)s，指标“%(item)s”，评分“%(rating)s”：%(reason)s") % {
            "employee": self.employee,
            "item": self.item,
            "rating": self.rating,
            "reason": reasons[self.code],
        }


@dataclass(frozen=True)
class Card:
    """One person's closed month."""

    candidate: Candidate
    month: PersonMonth
    scored: Scored
    imported: tuple[tuple[str, str, Decimal, str, str], ...] = ()  # (item key, rater, value, level, batch)

    @property
    def employee(self) -> Employee:
        return self.candidate.employee

    @property
    def template(self) -> Template:
        return self.month.template


@dataclass(frozen=True)
class MonthCards:
    period: str
    source: str  # "cycle": the month's cycle; "preview": no cycle, computed as opening one would
    cards: tuple[Card, ...]
    problems: tuple[RatingProblem, ...] = ()
    batches: tuple[str, ...] = field(default=())


def compute_month(
    home: Path, period: str, candidates: Sequence[Candidate], *, source: str = "cycle"
) -> MonthCards:
    """Score everyone of `candidates` for `period`; reads the warehouse once for all; writes nothing."""
    apply_month_terms([c.employee for c in candidates], period)  # the month's base salary
    live = [c for c in candidates if c.live]
    codes = [c.employee.code for c in live]
    names: set[str] = set()
    for candidate in live:
        names |= candidate.version.compiled().variables
    # one connection for both reads (opening one costs ~0.3 s with a big catalogue); none for nobody
    # each dataset's view over the batches of the dates the month's metrics read, not the whole history
    reads = month_values.month_reads(home, period, names) if live else None
    with month_values.warehouse_connection(home, reads) if live else contextlib.nullcontext() as warehouse:
        fetched = (
            month_values.metric_values(home, period, codes, sorted(names), connection=warehouse)
            if live
            else {}
        )
        imported = month_values.imported_ratings(home, period, codes, connection=warehouse) if live else {}
    incidents = feeding.period_incidents(period, [c.employee.pk for c in live]) if live else {}
    earlier = histories(period, [c.employee.pk for c in candidates])
    batches: set[str] = set()
    problems: list[RatingProblem] = []
    cards: list[Card] = []
    for candidate in sorted(candidates, key=lambda c: c.employee.code):
        template = candidate.version.compiled()
        review = candidate.review
        entered = list(review.ratings.all()) if review is not None else []
        values: Mapping[str, str | None] = review.values if review is not None else {}
        provenance: Mapping[str, str] = review.provenance if review is not None else {}
        rows: tuple[tuple[str, str, Decimal, str, str], ...] = ()
        if candidate.live:
            metrics = fetched.get(candidate.employee.code, {})
            values, provenance = fresh_values(
                template,
                candidate.employee,
                values,
                provenance,
                metrics,
                period,
                earlier.get(candidate.employee.pk, []),
            )
            values, provenance = feeding.lay_over(
                template, values, provenance, incidents.get(candidate.employee.pk, [])
            )
            batches.update(b for metric in metrics.values() for b in metric.batches)
            given = {(r.item_key, r.rater) for r in entered if r.rated_by_id is not None}
            entered = [r for r in entered if r.rated_by_id is not None]
            found = imported.get(candidate.employee.code, [])
            batches.update(r.batch for r in found)
            rows = _imported_rows(template, candidate.employee.code, found, given, problems)
        ratings = {(r.item_key, r.rater): r.value for r in entered}
        ratings.update({(key, rater): value for key, rater, value, _level, _batch in rows})
        month = PersonMonth(
            employee=candidate.employee,
            period=period,
            template=template,
            values=values,
            provenance=provenance,
            overrides=latest_overrides(review) if review is not None else {},
            calibration=latest_calibration(review) if review is not None else None,
            supervisor_ratings={k: v for (k, rater), v in ratings.items() if rater == "supervisor"},
            self_ratings={k: v for (k, rater), v in ratings.items() if rater == "self"},
            history=earlier.get(candidate.employee.pk, []),
            fed=fed_ratings(review, template),
        )
        cards.append(Card(candidate, month, score_month(month), rows))
    return MonthCards(period, source, tuple(cards), tuple(problems), tuple(sorted(batches)))


def _imported_rows(
    template: Template,
    code: str,
    found: Iterable[ImportedRating],
    given: set[tuple[str, str]],
    problems: list[RatingProblem],
) -> tuple[tuple[str, str, Decimal, str, str], ...]:
    """The imported ratings a template can use (an item named by its key or its name), leaving out the
    ones entered on the review's page; the others become problems."""
    by_name = {item.name: item for item in template.items}
    rows: dict[tuple[str, str], tuple[str, str, Decimal, str, str]] = {}
    for row in found:
        item = next((i for i in template.items if i.key == row.item), None) or by_name.get(row.item)

        def problem(code_: str, row: ImportedRating = row) -> None:
            problems.append(RatingProblem(code, row.item, row.rating, row.rater, code_))

        if item is None:
            problem("unknown_item")
            continue
        if not item.is_rated:
            problem("item_not_rated")
            continue
        try:
            value = rating_value(item, row.rating)
        except RatingError:
            problem("bad_rating")
            continue
        if value != value.quantize(CENT):
            problem("bad_rating")
            continue
        if (item.key, row.rater) in rows:
            problem("duplicate_rating")
            continue
        level = row.rating if row.rating in getattr(item.rule, "levels", {}) else ""
        rows[(item.key, row.rater)] = (item.key, row.rater, value, level, row.batch)
    return tuple(row for key, row in rows.items() if key not in given)


# ---- the web cycle ---------------------------------------------------------------------------


def refresh_cycle(cycle: Cycle, *, reason: str, actor: str, home: Path) -> MonthComputation:
    """Compute the cycle's month (`compute_month`) and write it into its reviews: values and provenance
    and imported ratings where values are not frozen, and every review's result. One transaction."""
    started = time.perf_counter()
    with collector_paused(), transaction.atomic():  # a month's many rows and results make no cycles
        reviews = list(
            Review.objects.select_for_update(of=("self",))
            .filter(cycle=cycle)
            .select_related("employee", "employee__position", "template_version", "cycle")
            .prefetch_related("ratings", "overrides__created_by", "calibrations__created_by", *FED_PREFETCH)
            .order_by("employee__code")
        )
        computed = compute_month(
            home, cycle.period, [Candidate(r.employee, r.template_version, r) for r in reviews]
        )
        live: list[Review] = []
        for card in computed.cards:
            review = card.candidate.review
            assert review is not None
            store(review, card.month, card.scored, save=False)
            if card.candidate.live:
                live.append(review)
        Review.objects.bulk_update(reviews, STORED_FIELDS, batch_size=500)
        # imported ratings are read afresh each time: the earlier imported ones go, page ratings stay
        Rating.objects.filter(review__in=live, rated_by__isnull=True).delete()
        return _record(cycle, computed, {r.employee.code: r for r in live}, reason, actor, started)


def open_reviews(cycle: Cycle, reviews: Sequence[Review], *, actor: str, home: Path) -> MonthComputation:
    """The reviews of a cycle being opened (unsaved: employee, evaluator and template version set),
    computed as `refresh_cycle` computes a month, then saved with their values and results: one insert
    per batch (no update after), their imported ratings, the computation (reason open). A new review has
    nothing of its own yet (no ratings, overrides or fed ratings), so it is computed as no review."""
    started = time.perf_counter()
    computed = compute_month(home, cycle.period, [Candidate(r.employee, r.template_version) for r in reviews])
    by_code = {r.employee.code: r for r in reviews}
    for card in computed.cards:
        store(by_code[card.employee.code], card.month, card.scored, save=False)
    insert_all(Review, reviews)
    return _record(cycle, computed, by_code, MonthComputation.Reason.OPEN, actor, started)


def _record(
    cycle: Cycle, computed: MonthCards, live: Mapping[str, Review], reason: str, actor: str, started: float
) -> MonthComputation:
    """The imported ratings of the reviews computed afresh (`live`, by employee code) and the month's
    computation, written."""
    insert_all(
        Rating,
        [
            Rating(
                review=live[card.employee.code],
                item_key=key,
                rater=rater,
                value=value,
                level=level,
                comment=_("导入的评分（批次 %(batch)s）") % {"batch": batch},
            )
            for card in computed.cards
            if card.employee.code in live
            for key, rater, value, level, batch in card.imported
        ],
    )
    return MonthComputation.objects.create(
        cycle=cycle,
        reason=reason,
        computed_by=actor,
        reviews=len(live),
        batches=list(computed.batches),
        problems=[vars(p) for p in computed.problems],
        seconds=Decimal(time.perf_counter() - started).quantize(Decimal("0.001")),
    )


def recompute_cycle(
    user: Any, cycle: Cycle, *, home: Path, reason: str = MonthComputation.Reason.RECOMPUTE
) -> list[str]:
    """HR's recompute of an open cycle from the warehouse (values frozen after HR's check stay
    frozen), audited; returns the employee codes whose score, grade or pay changed. `reason` is the
    computation's (a recompute queued after a 客服班表 change says so)."""
    if cycle.status != Cycle.Status.OPEN:
        raise WorkflowError(
            _("考核期 %(period)s 已归档，只读。") % {"period": cycle.period}, code="cycle_archived"
        )
    with transaction.atomic():
        before = {
            code: (score, grade, pay)
            for code, score, grade, pay in Review.objects.filter(cycle=cycle).values_list(
                "employee__code", "score", "grade", "pay"
            )
        }
        refresh_cycle(cycle, reason=reason, actor=actor_name(user), home=home)
        after = Review.objects.filter(cycle=cycle).values_list("employee__code", "score", "grade", "pay")
        changed = sorted(code for code, score, grade, pay in after if before.get(code) != (score, grade, pay))
        audit.record(
            actor_name(user),
            "cycle.recompute",
            object_type="cycle",
            object_id=cycle.period,
            after={"reviews": len(before), "changed": changed},
        )
    return changed


def refresh_open_cycles(
    home: Path, actor: str, reason: str = MonthComputation.Reason.IMPORT
) -> list[MonthComputation]:
    """After an import (or a change of the organisation): every open cycle's month computed again (it
    may touch any month a metric reads, the previous one included)."""
    return [
        refresh_cycle(cycle, reason=reason, actor=actor, home=home)
        for cycle in Cycle.objects.filter(status=Cycle.Status.OPEN).order_by("period")
    ]


def checked_period(period: str) -> Period:
    """The period `period` names (a month, a quarter or a year), or a WorkflowError `bad_period`."""
    try:
        return Period.parse(period)
    except PeriodError:
        raise WorkflowError(
            _(
                "“%(period)s”不是考核期：月度写作 YYYY-MM（如 2026-03），季度写作 YYYY-Qn（如 2026-Q3），年度写作 YYYY（如 2026）。"
            )
            % {"period": period},
            code="bad_period",
        ) from None


# ---- shopkpi run -------------------------------------------------------------------------------


def close_month(home: Path, period: str) -> MonthCards:
    """The period's close for `shopkpi run` (see the module docstring); read-only. A quarter or a year
    closes the same way, with its positions' templates of that kind."""
    span = checked_period(period)
    period = span.text
    cycle = Cycle.objects.filter(period=period).first()
    if cycle is not None:
        reviews = (
            Review.objects.filter(cycle=cycle)
            .select_related(
                "employee", "employee__position", "employee__department", "template_version", "cycle"
            )
            .prefetch_related("ratings", "overrides__created_by", "calibrations__created_by", *FED_PREFETCH)
        )
        return compute_month(home, period, [Candidate(r.employee, r.template_version, r) for r in reviews])
    people = eligible_employees(period)
    if not people:
        raise WorkflowError(
            _("考核期 %(period)s 没有参加考核的人：这一期没有在职员工。") % {"period": period},
            code="no_participants",
        )
    versions = position_versions(people, span.kind)
    return compute_month(
        home, period, [Candidate(e, versions[e.position_id]) for e in people], source="preview"
    )
