"""The scorecard engine: template + one employee's values, ratings and history -> result.

Pure and exact: Decimal arithmetic in the spec's context (28 significant digits), half-up
rounding only of the final score and the pay, and a value that cannot be computed makes its
item missing and the result incomplete; nothing is silently counted as zero.
"""

from __future__ import annotations

import decimal
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import NamedTuple

from shopkpi.scorecard.aggregation import PeriodResult, aggregate_values
from shopkpi.scorecard.collector import collector_paused
from shopkpi.scorecard.explanation import Explanation, Input, Reason
from shopkpi.scorecard.expressions import EvaluationError, Expression
from shopkpi.scorecard.numbers import NumberError, parse_number, round_half_up
from shopkpi.scorecard.periods import Period
from shopkpi.scorecard.template import (
    Band,
    BandsRule,
    BonusRule,
    ConsequenceRule,
    DeductRule,
    Item,
    PenaltyRule,
    ProportionalRule,
    RatedRule,
    Template,
)

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = 2  # pay is rounded to 0.01 元

# the spec's arithmetic: Python's default decimal context, whatever the caller's thread has set
SPEC_CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

Rating = Decimal | str


class RatingError(ValueError):
    """A rating that is neither a number 0..100 nor one of the item's level names."""


@dataclass(frozen=True, slots=True)
class EmployeeInput:
    employee: str
    period: str
    values: Mapping[str, object] = field(default_factory=dict)  # absent or None = no value
    ratings: Mapping[str, Rating] = field(default_factory=dict)  # the supervisor's, by item key
    self_ratings: Mapping[str, Rating] = field(default_factory=dict)
    # a grade set in calibration (校准): the result's grade whatever the score earns; pay and the
    # consequence rules read it, the score stays
    grade: str | None = None


class ItemResult(NamedTuple):
    item: Item
    value: Decimal | None
    rating: Decimal | None  # the rating 0..100 that produced the points, where the rule has one
    points: Decimal | None  # full precision; None when missing
    self_rating: Decimal | None = None
    self_points: Decimal | None = None
    band: Band | None = None
    missing: str | None = None  # why the item could not be scored (English, for developers)
    reason: Reason | None = None  # the same as data, for the fronts to word
    target: Decimal | None = None  # a proportional item's target value

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def explanation(self) -> Explanation:
        """How the points came about, as data (built on demand, not while scoring)."""
        return explain_item(self)


@dataclass(frozen=True, slots=True)
class ScoreResult:
    employee: str
    period: str
    status: str  # "ok" | "incomplete"
    score: Decimal | None
    grade: str | None
    pay: Decimal | None
    items: tuple[ItemResult, ...]
    actions: tuple[str, ...]
    missing: tuple[str, ...]
    reasons: Mapping[str, str]  # missing key -> why
    supervisor_total: Decimal | None = None
    self_total: Decimal | None = None
    pay_base: Decimal | None = None  # the template's 绩效工资基数 (pay.base), where it declares one
    pay_kind: str | None = None  # "performance" or "wage" (pay.kind); None when the template has no pay

    def item(self, key: str) -> ItemResult:
        for result in self.items:
            if result.key == key:
                return result
        raise KeyError(key)


def explain_item(result: ItemResult, values: Mapping[str, object] | None = None) -> Explanation:
    """How the points came about, as data; `values` (the variables scored) names the inputs' values."""
    item, rule = result.item, result.item.rule
    names: set[str] = set() if item.value is None else set(item.value.variables)
    target_formula = None
    if isinstance(rule, ProportionalRule):
        names |= rule.target.variables
        target_formula = rule.target.source
    inputs = tuple(Input(name, _input(values, name)) for name in sorted(names)) if values is not None else ()
    common: dict[str, object] = {
        "rule": RULE_NAMES[type(rule)],
        "weight": item.weight,
        "inputs": inputs,
        "formula": None if item.value is None else item.value.source,
        "value": result.value,
        "target_formula": target_formula,
        "points": result.points,
        "missing": result.reason,
    }
    if isinstance(rule, BandsRule):
        common.update(band=None if result.band is None else result.band.interval.text, rating=result.rating)
    elif isinstance(rule, ProportionalRule):
        attainment = None
        if result.value is not None and result.target:
            with decimal.localcontext(SPEC_CONTEXT):
                attainment = result.value / result.target
        capped = attainment is not None and not (ZERO <= attainment <= ONE)
        common.update(target=result.target, attainment=attainment, capped=capped, rating=result.rating)
    elif isinstance(rule, DeductRule):
        capped = (
            result.value is not None
            and item.weight is not None
            and rule.per_unit * result.value > item.weight
        )
        common.update(per_unit=rule.per_unit, capped=capped)
    elif isinstance(rule, RatedRule):
        level = next((name for name, v in rule.levels.items() if v == result.rating), None)
        common.update(rating=result.rating, self_rating=result.self_rating, level=level)
    elif isinstance(rule, BonusRule):
        capped = rule.max is not None and result.points is not None and result.points == rule.max
        common.update(over=rule.over, per=rule.per, step_points=rule.points, limit=rule.max, capped=capped)
    else:
        assert isinstance(rule, PenaltyRule)
        capped = rule.max is not None and result.value is not None and rule.per * result.value > rule.max
        common.update(per_unit=rule.per, limit=rule.max, capped=capped)
    return Explanation(**common)  # type: ignore[arg-type]


RULE_NAMES: dict[type, str] = {
    BandsRule: "bands",
    ProportionalRule: "proportional",
    DeductRule: "deduct",
    RatedRule: "rated",
    BonusRule: "bonus",
    PenaltyRule: "penalty",
}


def _input(values: Mapping[str, object], name: str) -> Decimal | None:
    value = values.get(name)
    return value if isinstance(value, Decimal) and not isinstance(value, bool) else None


def rating_value(item: Item, raw: Rating) -> Decimal:
    """A rating as a number 0..100: a number, a numeric text, or one of the item's level names."""
    assert isinstance(item.rule, RatedRule)
    if isinstance(raw, str):
        level = item.rule.levels.get(raw.strip())
        if level is not None:
            return level
        try:
            number = parse_number(raw)
        except NumberError:
            known = "、".join(item.rule.levels) or "none"
            raise RatingError(
                f"{raw!r} is not a rating of item {item.key!r} (a number 0..100, or a level: {known})"
            ) from None
    else:
        number = raw
    if not (ZERO <= number <= HUNDRED):
        raise RatingError(f"the rating {number} of item {item.key!r} is outside 0..100")
    return number


def score(template: Template, employee: EmployeeInput, history: Sequence[PeriodResult] = ()) -> ScoreResult:
    """Score one employee for one period; `history` holds their results of other periods (earlier
    ones of the template's kind for the consequence rules, the shorter ones inside the period for
    its aggregates)."""
    Period.of_kind(employee.period, template.period)
    with decimal.localcontext(SPEC_CONTEXT):
        return _score(template, employee, history)


def score_all(
    template: Template, employees: Iterable[EmployeeInput], history: Mapping[str, Sequence[PeriodResult]]
) -> list[ScoreResult]:
    """Score many employees of one template (history by employee id)."""
    with decimal.localcontext(SPEC_CONTEXT), collector_paused():
        results = []
        held: dict[tuple[int, Decimal, str | None], bool] = {}  # rule conditions already decided
        points = _band_points(template)
        for employee in employees:
            Period.of_kind(employee.period, template.period)
            results.append(_score(template, employee, history.get(employee.employee, ()), held, points))
        return results


def _band_points(template: Template) -> tuple[tuple[Decimal, ...], ...]:
    """For each item (by position), the points of each of its bands in `BandsRule._sorted` order:
    weight × rating / 100, worked out once for every employee (empty for other items). In the spec's
    context, as scoring itself would."""
    return tuple(
        tuple(item.weight * band.rating / HUNDRED for band in item.rule._sorted)
        if type(item.rule) is BandsRule and item.weight is not None
        else ()
        for item in template.items
    )


_new = tuple.__new__
"""`ItemResult`s of the hot paths are made as tuples of all their fields, without the named tuple's
own `__new__` (a Python function filling in the defaults): every `_new(ItemResult, …)` names all ten."""
assert len(ItemResult._fields) == 10


def _score(
    template: Template,
    employee: EmployeeInput,
    history: Sequence[PeriodResult],
    held: dict[tuple[int, Decimal, str | None], bool] | None = None,
    band_points: tuple[tuple[Decimal, ...], ...] | None = None,
) -> ScoreResult:
    if band_points is None:
        band_points = _band_points(template)
    # absent, None and empty text are all "no value"
    values = {name: v for name, v in employee.values.items() if v is not None and (type(v) is not str or v)}
    for name, aggregated in aggregate_values(template, employee.period, history).items():
        if name not in values and aggregated.value is not None:  # a value given (an override) wins
            values[name] = aggregated.value
    use_self = template.self_weight != ZERO
    items: list[ItemResult] = []
    reasons: dict[str, str] = {}
    supervisor_total = ZERO
    self_total = ZERO
    for item, points_of_bands in zip(template.items, band_points, strict=True):
        result = _score_item(item, values, employee, use_self, points_of_bands)
        items.append(result)
        if result.missing is not None:
            reasons[item.key] = result.missing
            continue
        points = result.points
        assert points is not None
        supervisor_total += points
        if use_self:
            self_total += result.self_points if result.self_points is not None else points
    if reasons:
        return _incomplete(template, employee, items, reasons)
    if use_self:
        raw = (ONE - template.self_weight) * supervisor_total + template.self_weight * self_total
    else:
        raw = supervisor_total
    clamped = max(ZERO, raw if template.cap is None else min(raw, template.cap))
    final = round_half_up(clamped, template.rounding)
    grade = employee.grade if employee.grade is not None else template.grade_of(final)
    pay: Decimal | None = None
    pay_base: Decimal | None = None
    if template.pay is not None:
        variables = dict(values)
        variables["score"] = final
        if grade is not None:
            variables["grade"] = grade
        try:
            pay = round_half_up(_number(template.pay, variables), CENT)
            if template.pay_base is not None:
                pay_base = round_half_up(_number(template.pay_base, variables), CENT)
        except EvaluationError as exc:
            return _incomplete(template, employee, items, {"pay": str(exc)})
    actions = _actions(template, employee.period, final, grade, history, held)
    return ScoreResult(
        employee.employee,
        employee.period,
        "ok",
        final,
        grade,
        pay,
        tuple(items),
        actions,
        (),
        {},
        supervisor_total,
        self_total if use_self else None,
        pay_base,
        _pay_kind(template),
    )


def _incomplete(
    template: Template, employee: EmployeeInput, items: list[ItemResult], reasons: dict[str, str]
) -> ScoreResult:
    return ScoreResult(
        employee.employee,
        employee.period,
        "incomplete",
        None,
        None,
        None,
        tuple(items),
        (),
        tuple(reasons),
        reasons,
        pay_kind=_pay_kind(template),
    )


def _pay_kind(template: Template) -> str | None:
    return None if template.pay is None else template.pay_kind


def _score_item(
    item: Item,
    values: Mapping[str, object],
    employee: EmployeeInput,
    use_self: bool,
    band_points: tuple[Decimal, ...],
) -> ItemResult:
    rule = item.rule
    kind = type(rule)
    if kind is RatedRule:  # peers' ratings (互评) are not self-rated: the same in both totals
        return _rated(item, employee, use_self and rule.rated_by != "peers")  # type: ignore[union-attr]
    expression = item.value
    assert expression is not None
    try:
        value = expression.function(values)  # the fast path; errors are explained below
    except (LookupError, ArithmeticError, TypeError, EvaluationError):
        value = None
    if type(value) is not Decimal:
        try:
            value = expression.number(values)
        except EvaluationError as exc:
            return ItemResult(item, None, None, None, missing=str(exc), reason=_reason(exc))
    weight = item.weight
    if kind is BandsRule:
        assert weight is not None
        at = bisect_right(rule._lows, (value, 0)) - 1  # type: ignore[union-attr]  # band_of, inlined
        band = rule._sorted[at]  # type: ignore[union-attr]
        return _new(
            ItemResult, (item, value, band.rating, band_points[at], None, None, band, None, None, None)
        )
    if isinstance(rule, ProportionalRule):
        assert weight is not None
        try:
            target = _number(rule.target, values)
        except EvaluationError as exc:
            return ItemResult(item, value, None, None, missing=str(exc), reason=_reason(exc))
        if not target:  # x / 0, and 0 / 0
            return ItemResult(
                item,
                value,
                None,
                None,
                missing=f"the target {rule.target.source!r} is 0",
                reason=Reason("target_zero", {"source": rule.target.source}),
                target=target,
            )
        ratio = value / target
        ratio = ONE if ratio >= ONE else ZERO if ratio <= ZERO else ratio  # min(ONE, max(ZERO, ratio))
        return _new(
            ItemResult, (item, value, ratio * HUNDRED, weight * ratio, None, None, None, None, None, target)
        )
    if isinstance(rule, DeductRule):
        assert weight is not None
        points = max(ZERO, weight - rule.per_unit * value)
        return _new(ItemResult, (item, value, None, points, None, None, None, None, None, None))
    if isinstance(rule, BonusRule):
        points = ZERO
        if value > rule.over:
            steps = ((value - rule.over) / rule.per).to_integral_value(rounding=ROUND_FLOOR)
            points = rule.points * steps if rule.max is None else min(rule.max, rule.points * steps)
        return _new(ItemResult, (item, value, None, points, None, None, None, None, None, None))
    assert isinstance(rule, PenaltyRule)
    taken = rule.per * value
    return ItemResult(item, value, None, -(taken if rule.max is None else min(rule.max, taken)))


def _number(expression: Expression, values: Mapping[str, object]) -> Decimal:
    """`expression.number(values)`, by its compiled function first: `number` again only to raise the
    error that explains why there is no number."""
    try:
        value = expression.function(values)
    except (LookupError, ArithmeticError, TypeError, EvaluationError):
        value = None
    return value if type(value) is Decimal else expression.number(values)


def _reason(error: EvaluationError) -> Reason:
    return Reason(error.code, dict(error.params))


def _rated(item: Item, employee: EmployeeInput, use_self: bool) -> ItemResult:
    assert item.weight is not None
    raw = employee.ratings.get(item.key)
    raw_self = employee.self_ratings.get(item.key) if use_self or not item.rated_by_peers else None
    self_rating = None if raw_self is None or raw_self == "" else rating_value(item, raw_self)
    if raw is None or raw == "":
        return ItemResult(
            item,
            None,
            None,
            None,
            self_rating,
            missing="the supervisor's rating is missing",
            reason=Reason("rating_missing"),
        )
    rating = rating_value(item, raw)
    points = item.weight * rating / HUNDRED
    if self_rating is None:
        if use_self:
            return ItemResult(
                item,
                None,
                rating,
                None,
                None,
                missing="the self-review rating is missing",
                reason=Reason("self_rating_missing"),
            )
        return _new(ItemResult, (item, None, rating, points, None, None, None, None, None, None))
    return ItemResult(item, None, rating, points, self_rating, item.weight * self_rating / HUNDRED)


def rule_actions(
    template: Template, period: str, final: Decimal, grade: str | None, history: Sequence[PeriodResult]
) -> tuple[str, ...]:
    """The consequence actions that fire in `period` for a final (rounded) score and grade, with the
    employee's results of other periods as history: what `score` puts in `ScoreResult.actions`."""
    Period.of_kind(period, template.period)
    with decimal.localcontext(SPEC_CONTEXT):
        return _actions(template, period, final, grade, history)


def _actions(
    template: Template,
    period: str,
    final: Decimal,
    grade: str | None,
    history: Sequence[PeriodResult],
    held: dict[tuple[int, Decimal, str | None], bool] | None = None,
) -> tuple[str, ...]:
    """The actions of the rules that fire in `period` (spec: Consequence rules).

    A rule fires once per run, in the period in which its condition has held for exactly the last
    `consecutive` periods (the run first reaches its length), not again while the run goes on; a
    period without a result breaks the run. A `year_end` rule is decided in the year's last period,
    and fires when a run of its length occurred in that year. Rules with the same `when` form a
    ladder: of those that fire in one period only the longest stands.
    """
    if not template.rules:
        return ()
    # by the period's own text (one period, one text): a str keeps its hash, a Period works it out again
    results = {Period.parse(entry.period).text: (entry.score, entry.grade) for entry in history}
    this = Period.of_kind(period, template.period)
    results[this.text] = (final, grade)

    def holds(rule: ConsequenceRule, at: Period) -> bool:
        found = results.get(at.text)
        if found is None:
            return False
        score_value, known = found
        if held is None:
            return _holds(
                rule.when, score_value, known if known is not None else template.grade_of(score_value)
            )
        key = (id(rule.when), score_value, known)  # the same condition, score and grade: the same answer
        answer = held.get(key)
        if answer is None:
            answer = _holds(
                rule.when, score_value, known if known is not None else template.grade_of(score_value)
            )
            held[key] = answer
        return answer

    fired: list[ConsequenceRule] = []
    for rule in template.rules:
        if rule.at == "year_end":
            year = this.of_year()
            if this == year[-1] and _longest_run(rule, year, holds) >= rule.consecutive:
                fired.append(rule)
            continue
        run = 0
        current = this
        while run <= rule.consecutive and holds(rule, current):  # one past N tells a longer run
            run += 1
            current = current.previous()
        if run == rule.consecutive:
            fired.append(rule)
    longest: dict[tuple[str, str | None], int] = {}
    for rule in fired:
        ladder = (rule.when.source, rule.at)
        longest[ladder] = max(longest.get(ladder, 0), rule.consecutive)
    return tuple(rule.action for rule in fired if rule.consecutive == longest[(rule.when.source, rule.at)])


def _longest_run(
    rule: ConsequenceRule, periods: Sequence[Period], holds: Callable[[ConsequenceRule, Period], bool]
) -> int:
    longest = run = 0
    for at in periods:
        run = run + 1 if holds(rule, at) else 0
        longest = max(longest, run)
    return longest


def _holds(when: Expression, score_value: Decimal, grade: str | None) -> bool:
    variables: dict[str, object] = {"score": score_value}
    if grade is not None:
        variables["grade"] = grade
    try:
        return when.truth(variables)
    except EvaluationError:
        return False  # a rule over grade, in a period without a grade, does not hold
