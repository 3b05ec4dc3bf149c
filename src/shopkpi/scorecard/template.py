"""A compiled template: what the engine scores with. Built only by the loader, never by hand."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from shopkpi.scorecard.expressions import Expression
from shopkpi.scorecard.intervals import Interval
from shopkpi.scorecard.periods import PeriodKind

PayKind = Literal["performance", "wage"]


@dataclass(frozen=True, slots=True)
class Band:
    interval: Interval
    rating: Decimal


@dataclass(frozen=True, slots=True)
class BandsRule:
    bands: tuple[Band, ...]
    # the bands sorted by lower end, and their lower ends as (value, 0 closed | 1 open) for bisect
    _sorted: tuple[Band, ...] = field(init=False, repr=False, compare=False)
    _lows: tuple[tuple[Decimal, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        def low(band: Band) -> tuple[Decimal, int]:
            bound = band.interval.low
            if bound is None:
                return (Decimal("-Infinity"), 0)
            return (bound.value, 0 if band.interval.low_closed else 1)

        ordered = tuple(sorted(self.bands, key=low))
        object.__setattr__(self, "_sorted", ordered)
        object.__setattr__(self, "_lows", tuple(low(band) for band in ordered))

    def band_of(self, value: Decimal) -> Band:
        """The band that holds `value` (the loader proves exactly one does)."""
        # the band with the greatest lower end that admits value: (lo, 0) <= (v, 0) iff lo <= v,
        # (lo, 1) <= (v, 0) iff lo < v
        return self._sorted[bisect_right(self._lows, (value, 0)) - 1]


@dataclass(frozen=True, slots=True)
class ProportionalRule:
    target: Expression


@dataclass(frozen=True, slots=True)
class DeductRule:
    per_unit: Decimal


@dataclass(frozen=True, slots=True)
class RatedRule:
    rated_by: str
    levels: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class BonusRule:
    over: Decimal
    per: Decimal
    points: Decimal
    max: Decimal | None


@dataclass(frozen=True, slots=True)
class PenaltyRule:
    per: Decimal
    max: Decimal | None


ItemRule = BandsRule | ProportionalRule | DeductRule | RatedRule | BonusRule | PenaltyRule


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    name: str
    description: str | None
    weight: Decimal | None  # None for bonus and penalty items
    value: Expression | None  # None for rated items
    rule: ItemRule

    @property
    def is_rated(self) -> bool:
        return isinstance(self.rule, RatedRule)

    @property
    def rated_by_peers(self) -> bool:
        """互评: rated by colleagues named on each review (the application averages their ratings)."""
        return isinstance(self.rule, RatedRule) and self.rule.rated_by == "peers"


@dataclass(frozen=True, slots=True)
class Grade:
    name: str
    when: Interval


@dataclass(frozen=True, slots=True)
class ConsequenceRule:
    when: Expression
    consecutive: int
    action: str
    at: Literal["year_end"] | None = None  # year_end: decided once a year, in its last period


@dataclass(frozen=True, slots=True)
class Aggregate:
    """A variable made from the employee's results of the shorter periods inside the template's
    period (the months of a quarter): `how` over `of` (score, pay or grade)."""

    name: str
    of: Literal["score", "pay", "grade"]
    how: Literal["average", "weighted", "last", "sum", "min", "max", "count", "longest_run"]
    over: PeriodKind
    weights: tuple[Decimal, ...] = ()
    grades: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SpotCheck:
    """Weekly spot checks (质检抽查): `per_week` cases drawn per agent and week, each scored on the
    checklist (0..100 a point); the month's average of the case scores rates the item `feeds`."""

    feeds: str
    checklist: tuple[str, ...]
    per_week: int
    cases: Literal["customers", "orders"]


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    description: str | None
    period: PeriodKind
    self_weight: Decimal
    rounding: int
    cap: Decimal | None
    grades: tuple[Grade, ...]
    items: tuple[Item, ...]
    pay: Expression | None
    rules: tuple[ConsequenceRule, ...]
    text: str  # the YAML it was loaded from
    pay_kind: PayKind = "performance"  # what `pay` is: performance pay, or a whole wage by design
    pay_base: Expression | None = None  # the performance pay base (绩效工资基数), for the pay sheet
    aggregates: tuple[Aggregate, ...] = ()  # variables from the shorter periods' results
    spot_check: SpotCheck | None = None  # weekly spot checks rating a supervisor-rated item

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def grade_of(self, score: Decimal) -> str | None:
        for grade in self.grades:
            if score in grade.when:
                return grade.name
        return None

    @property
    def variables(self) -> frozenset[str]:
        """The variables an employee's values must provide (score and grade are the engine's own, the
        aggregates come from the earlier results)."""
        names: set[str] = set()
        for item in self.items:
            if item.value is not None:
                names |= item.value.variables
            if isinstance(item.rule, ProportionalRule):
                names |= item.rule.target.variables
        if self.pay is not None:
            names |= self.pay.variables
        if self.pay_base is not None:
            names |= self.pay_base.variables
        return frozenset(names - {"score", "grade"} - {a.name for a in self.aggregates})
