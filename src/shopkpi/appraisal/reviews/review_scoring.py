"""Scoring one person's month: the one way a score and pay are made, whoever asks (a workflow step,
the cycle's computation, `shopkpi run`, the what-if).

A `PersonMonth` is everything a month is scored from:

1. the values (metrics, targets, inputs and `base_salary`, as decimal text, each with its
   provenance), read from the warehouse for everyone at once by `month_close` and stored on the
   review; a workflow step reads them from there and never computes metrics;
2. HR's overrides, each with its reason and author (the last one of a name wins);
3. the supervisor's and the employee's own ratings (entered on the review's page, or imported);
4. the employee's earlier published results (for the consecutive-period consequence rules);
5. a grade set in calibration (校准, `shopkpi.appraisal.calibration`), the last one winning: the
   result's grade whatever the score earns, read by pay and the consequence rules; the score stays.

`score_month` runs the engine over them; pay for a partial month (hired or left during the period)
is pro-rated by calendar days worked, unless the template's pay formula reads `days_worked` itself
(then the template says how).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shopkpi.appraisal.models import Employee, GradeCalibration, Override, Review
from shopkpi.appraisal.periods.month_values import Metric
from shopkpi.appraisal.reviews.fed_ratings import FedRating, fed_ratings
from shopkpi.scorecard import (
    EmployeeInput,
    ItemResult,
    Period,
    PeriodResult,
    ScoreResult,
    Template,
    aggregate_values,
    explain_item,
    score,
)
from shopkpi.scorecard.numbers import format_decimal, plain, round_half_up

SALARY_SOURCE = "员工档案：基本工资 (employee.base_salary)"
AGGREGATE_SOURCE = "期内各期已发布的考核结果"
WORK_DAYS = ("days_worked", "days_in_period")


@dataclass(frozen=True)
class PersonMonth:
    """What one employee's month is scored from (see the module docstring)."""

    employee: Employee
    period: str
    template: Template
    values: Mapping[str, str | None]
    provenance: Mapping[str, str] = field(default_factory=dict)
    overrides: Mapping[str, Override] = field(default_factory=dict)
    supervisor_ratings: Mapping[str, Decimal] = field(default_factory=dict)
    self_ratings: Mapping[str, Decimal] = field(default_factory=dict)
    history: Sequence[PeriodResult] = ()
    fed: Mapping[str, FedRating] = field(default_factory=dict)
    """Supervisor's ratings made from records (the month's spot checks), over the typed ones."""
    calibration: GradeCalibration | None = None


@dataclass(frozen=True)
class Scored:
    outcome: ScoreResult
    pay: Decimal | None  # after pro-rating
    result: dict[str, Any]  # the review's `result` field: items, explanations, overrides, pro-rating

    @property
    def score(self) -> Decimal | None:
        return self.outcome.score

    @property
    def grade(self) -> str:
        return self.outcome.grade or ""

    @property
    def missing(self) -> list[str]:
        return list(self.outcome.missing)


def score_month(month: PersonMonth) -> Scored:
    """The engine over a month's values, overrides, ratings and history, then pro-rating."""
    template = month.template
    worked, days = days_worked(month.employee, month.period)
    effective: dict[str, Decimal | None] = {name: _number(text) for name, text in month.values.items()}
    effective.setdefault("days_worked", Decimal(worked))
    effective.setdefault("days_in_period", Decimal(days))
    for name, override in month.overrides.items():
        effective[name] = override.value
    outcome = score(
        template,
        EmployeeInput(
            month.employee.code,
            month.period,
            effective,
            {**month.supervisor_ratings, **{key: fed.rating for key, fed in month.fed.items()}},
            dict(month.self_ratings),
            None if month.calibration is None else month.calibration.grade,
        ),
        month.history,
    )
    pay, proration = _prorated(template, outcome.pay, worked, days)
    result = _result_json(template, outcome, month.overrides, effective, pay, proration)
    for item in result["items"]:
        if item["key"] in month.fed:
            item["fed"] = dict(month.fed[item["key"]].detail)
    result["calibration"] = _calibration_json(template, outcome, month.calibration)
    return Scored(outcome, pay, result)


def fresh_values(
    template: Template,
    employee: Employee,
    stored: Mapping[str, str | None],
    provenance: Mapping[str, str],
    metrics: Mapping[str, Metric],
    period: str,
    history: Sequence[PeriodResult] = (),
) -> tuple[dict[str, str | None], dict[str, str]]:
    """The stored values with the period's values from the warehouse laid over them: the names the
    template reads (an item's key or name stands for the one variable its value reads), then the
    employee's base salary, then a quarter's or a year's aggregates of the shorter periods' results
    (each with the results it was made from as its source)."""
    values = dict(stored)
    sources = dict(provenance)
    for name, aggregated in aggregate_values(template, period, history).items():
        values[name] = None if aggregated.value is None else _text(aggregated.value)
        read = "，".join(f"{part} {value if value is not None else '—'}" for part, value in aggregated.parts)
        sources[name] = f"{AGGREGATE_SOURCE}：{read}"
    known = template.variables  # (made afresh by each read)
    for name, metric in metrics.items():
        variable = variable_named(template, name, known)
        if variable is not None:
            values[variable] = None if metric.value is None else _text(metric.value)
            sources[variable] = metric.source
    if employee.base_salary is not None:
        values["base_salary"] = _text(employee.base_salary)
        sources["base_salary"] = SALARY_SOURCE
    return values, sources


def variable_named(template: Template, name: str, known: frozenset[str] | None = None) -> str | None:
    """The template variable `name` gives a value for: the variable itself, or the variable an item
    reads when `name` is that item's key or name and its value is that one variable. `known`: the
    template's variables, when the caller has them."""
    if name in (template.variables if known is None else known):
        return name
    for item in template.items:
        if name in (item.key, item.name) and item.value is not None and len(item.value.variables) == 1:
            (variable,) = item.value.variables
            if item.value.source.strip() == variable:
                return variable
    return None


def review_month(review: Review, *, history: Sequence[PeriodResult] | None = None) -> PersonMonth:
    """The month a review stores: its values, overrides and ratings (prefetched ones are used)."""
    ratings = list(review.ratings.all())
    template = review.template_version.compiled()
    return PersonMonth(
        employee=review.employee,
        period=review.cycle.period,
        template=template,
        values=dict(review.values),
        provenance=dict(review.provenance),
        overrides=latest_overrides(review),
        supervisor_ratings={r.item_key: r.value for r in ratings if r.rater == "supervisor"},
        self_ratings={r.item_key: r.value for r in ratings if r.rater == "self"},
        # the engine reads history for the template's rules and aggregates only
        history=(history_of(review) if template.rules or template.aggregates else [])
        if history is None
        else history,
        fed=fed_ratings(review, template),
        calibration=latest_calibration(review),
    )


def store(review: Review, month: PersonMonth, scored: Scored, *, save: bool = True) -> Review:
    """Write a month's values and its score into the review's fields."""
    review.values = dict(month.values)
    review.provenance = dict(month.provenance)
    review.result = scored.result
    review.score = scored.score
    review.grade = scored.grade
    review.pay = scored.pay
    review.missing = scored.missing
    if save:
        review.save(update_fields=STORED_FIELDS)
    return review


STORED_FIELDS = ["values", "provenance", "result", "score", "grade", "pay", "missing"]


def recompute(review: Review, *, save: bool = True) -> Review:
    """Score the review from what it stores (no look-up in the shop data) into its result, score,
    grade, pay and missing."""
    month = review_month(review)
    return store(review, month, score_month(month), save=save)


def history_of(review: Review) -> list[PeriodResult]:
    """The employee's published results of the other periods (`histories`), or those `read_histories`
    read for a step taken on many reviews."""
    kept: list[PeriodResult] | None = getattr(review, "_history", None)
    if kept is not None:
        return kept
    return histories(review.cycle.period, [review.employee_id]).get(review.employee_id, [])


def read_histories(period: str, reviews: Sequence[Review]) -> None:
    """Read the histories of many reviews of one period at once (a step taken on many): `history_of`
    then reads none for them."""
    found = histories(period, [review.employee_id for review in reviews])
    for review in reviews:
        review._history = found.get(review.employee_id, [])  # type: ignore[attr-defined]


def histories(period: str, employee_ids: Sequence[int]) -> dict[int, list[PeriodResult]]:
    """Each employee's published results of the other periods that end by this one's end, in one query:
    the earlier ones of its kind for the consecutive-period consequence rules, the months (or quarters)
    inside a quarter or a year for its aggregates."""
    span = Period.parse(period)
    found: dict[int, list[PeriodResult]] = {}
    published = (
        Review.objects.filter(employee_id__in=employee_ids, published_at__isnull=False, score__isnull=False)
        .exclude(cycle__period=span.text)
        .values_list("employee_id", "cycle__period", "score", "grade", "pay")
    )
    for employee_id, other, other_score, grade, pay in published:
        if other_score is not None and Period.parse(other).end <= span.end:
            found.setdefault(employee_id, []).append(PeriodResult(other, other_score, grade or None, pay))
    for results in found.values():
        results.sort(key=lambda result: Period.parse(result.period))
    return found


def latest_overrides(review: Review) -> dict[str, Override]:
    """HR's overrides by variable name, the last one of each name winning (prefetched ones are used)."""
    prefetched = getattr(review, "_prefetched_objects_cache", {})
    given = (
        review.overrides.all() if "overrides" in prefetched else review.overrides.select_related("created_by")
    )
    found: dict[str, Override] = {}
    for override in sorted(given, key=lambda o: (o.created_at, o.pk)):
        found[override.name] = override
    return found


def latest_calibration(review: Review) -> GradeCalibration | None:
    """The grade set in calibration last, if any (prefetched ones are used)."""
    prefetched = getattr(review, "_prefetched_objects_cache", {})
    given = (
        review.calibrations.all()
        if "calibrations" in prefetched
        else review.calibrations.select_related("created_by")
    )
    return max(given, key=lambda c: (c.created_at, c.pk), default=None)


def effective_value(review: Review, name: str) -> str | None:
    """The value a variable has now (an override if any, else the stored value), as text."""
    overrides = latest_overrides(review)
    if name in overrides:
        return _text(overrides[name].value)
    stored = review.values.get(name)
    return None if stored is None else str(stored)


def days_worked(employee: Employee, period: str) -> tuple[int, int]:
    """(calendar days employed in the period, days in the period)."""
    span = Period.parse(period)
    start = max(span.start, employee.hired_on) if employee.hired_on else span.start
    end = min(span.end, employee.left_on) if employee.left_on else span.end
    return max(0, (end - start).days + 1), span.days


def _prorated(
    template: Template, pay: Decimal | None, worked: int, days: int
) -> tuple[Decimal | None, dict[str, str] | None]:
    if pay is None or worked >= days or template.pay is None or "days_worked" in template.pay.variables:
        return pay, None
    with decimal.localcontext() as context:
        context.prec = 28
        prorated = round_half_up(pay * worked / days, 2)
    return prorated, {
        "full": f"{pay:.2f}",
        "days_worked": str(worked),
        "days_in_period": str(days),
        "explanation": f"按出勤天数折算：{pay:.2f} × {worked} / {days} = {prorated:.2f}",
    }


def _result_json(
    template: Template,
    outcome: ScoreResult,
    overrides: Mapping[str, Override],
    effective: Mapping[str, Decimal | None],
    pay: Decimal | None,
    proration: dict[str, str] | None,
) -> dict[str, Any]:
    known = template.variables
    return {
        "status": outcome.status,
        "score": _text(outcome.score),
        "grade": outcome.grade,
        "pay": _text(pay),
        "pay_kind": outcome.pay_kind,  # performance | wage | None (the template has no pay)
        "pay_base": _text(outcome.pay_base),
        "engine_pay": _text(outcome.pay),
        "proration": proration,
        "supervisor_total": _text(outcome.supervisor_total),
        "self_total": _text(outcome.self_total),
        "items": [_item_json(item, overrides, effective) for item in outcome.items],
        "actions": list(outcome.actions),
        "missing": dict(outcome.reasons),
        "missing_values": sorted(name for name in known if effective.get(name) is None),
        "overrides": [_override_json(o) for o in overrides.values()],
    }


def _item_json(
    item: ItemResult, overrides: Mapping[str, Override], effective: Mapping[str, Decimal | None]
) -> dict[str, Any]:
    explanation = explain_item(item, effective)
    names = {found.name for found in explanation.inputs}
    marks = [_override_json(overrides[name]) for name in sorted(names) if name in overrides]
    return {
        "key": item.key,
        "name": item.name,
        "value": _text(item.value),
        "rating": _text(item.rating),
        "points": _text(item.points),
        "self_rating": _text(item.self_rating),
        "self_points": _text(item.self_points),
        "band": None if item.band is None else item.band.interval.text,
        "missing": item.missing,  # in English, for developers; the reason as data is in the explanation
        "explanation": explanation.to_json(),  # shopkpi.scorecard.explanation, worded by the fronts
        "overrides": marks,
    }


def _calibration_json(
    template: Template, outcome: ScoreResult, calibration: GradeCalibration | None
) -> dict[str, str] | None:
    """The calibration the employee sees (校准调整: the grade the score earns, the grade set, why), or
    None when there is none or it set the grade the score earns."""
    if calibration is None or outcome.score is None:
        return None
    earned = template.grade_of(outcome.score) or ""
    if calibration.grade == earned:
        return None
    return {
        "grade": calibration.grade,
        "score_grade": earned,
        "reason": calibration.reason,
        "by": calibration.created_by.get_username(),
        "at": timezone.localtime(calibration.created_at).strftime("%Y-%m-%d %H:%M:%S"),
    }


def _override_json(override: Override) -> dict[str, str]:
    return {
        "name": override.name,
        "value": _text(override.value) or "",
        "previous": override.previous,
        "reason": override.reason,
        "by": override.created_by.get_username(),
        "at": timezone.localtime(override.created_at).strftime("%Y-%m-%d %H:%M:%S"),
    }


def _number(text: object) -> Decimal | None:
    if text is None or text == "":
        return None
    return Decimal(str(text))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format_decimal(plain(value))
