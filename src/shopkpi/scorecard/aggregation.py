"""A quarter's or a year's variables made from the employee's results of the shorter periods inside it
(spec: template key `aggregate`).

Only the parts with a result count: `average`, `sum`, `min`, `max` and `last` (the latest part with a
result) over those; `weighted` is Σ weight × value / Σ weight over them (a month without a result
leaves its weight out); `count` is how many parts have a result (of one of `grades`, where given) and
is 0 when none has; `longest_run` is the most consecutive parts whose grade is one of `grades` (a
part without a result breaks the run), 0 when there is none. Any other aggregate with no result to read has no value, so the items reading it
are missing, never counted as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from shopkpi.scorecard.numbers import plain
from shopkpi.scorecard.periods import Period
from shopkpi.scorecard.template import Aggregate, Template


@dataclass(frozen=True, slots=True)
class PeriodResult:
    """A result of another period: history for consequence rules, and what an aggregate reads."""

    period: str
    score: Decimal
    grade: str | None = None
    pay: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Aggregated:
    """An aggregate's value and the parts it was made from (period, the value read), for the explanation."""

    name: str
    value: Decimal | None
    parts: tuple[tuple[str, str | None], ...]


def aggregate_values(
    template: Template, period: str, results: Sequence[PeriodResult]
) -> dict[str, Aggregated]:
    """Every aggregate of `template` for the employee's `results` (of any periods: the ones inside
    `period` of each aggregate's kind are used)."""
    if not template.aggregates:
        return {}
    whole = Period.of_kind(period, template.period)
    by_period = {Period.parse(r.period).text: r for r in results}
    return {a.name: _aggregate(a, whole, by_period) for a in template.aggregates}


def _aggregate(aggregate: Aggregate, whole: Period, results: dict[str, PeriodResult]) -> Aggregated:
    parts = whole.parts(aggregate.over)
    read: list[tuple[str, str | Decimal | None]] = []
    for part in parts:
        found = results.get(part.text)
        read.append((part.text, None if found is None else getattr(found, aggregate.of)))
    shown = tuple((text, _shown(value)) for text, value in read)
    return Aggregated(aggregate.name, _value(aggregate, read), shown)


def _shown(value: str | Decimal | None) -> str | None:
    if isinstance(value, Decimal):
        return str(plain(value))
    return value


def _value(aggregate: Aggregate, read: list[tuple[str, str | Decimal | None]]) -> Decimal | None:
    present = [value for _text, value in read if value is not None]
    if aggregate.how == "longest_run":
        longest = run = 0
        for _text, value in read:
            run = run + 1 if value in aggregate.grades else 0
            longest = max(longest, run)
        return Decimal(longest)
    if aggregate.how == "count":
        if aggregate.grades:
            return Decimal(sum(1 for value in present if value in aggregate.grades))
        return Decimal(len(present))
    numbers = [value for value in present if isinstance(value, Decimal)]
    if not numbers:
        return None
    if aggregate.how == "average":
        return sum(numbers, Decimal(0)) / len(numbers)
    if aggregate.how == "weighted":
        pairs = [(w, v) for w, (_t, v) in zip(aggregate.weights, read, strict=True) if isinstance(v, Decimal)]
        total = sum((w for w, _v in pairs), Decimal(0))
        if total == 0:
            return None
        return sum((w * v for w, v in pairs), Decimal(0)) / total
    if aggregate.how == "last":
        return numbers[-1]
    if aggregate.how == "sum":
        return sum(numbers, Decimal(0))
    return min(numbers) if aggregate.how == "min" else max(numbers)
