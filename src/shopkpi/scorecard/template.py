"""A compiled template: what the engine scores with. Built only by the loader, never by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from shopkpi.scorecard.expressions import Expression
from shopkpi.scorecard.intervals import Interval

Period = Literal["month", "quarter", "year"]


@dataclass(frozen=True, slots=True)
class Band:
    interval: Interval
    rating: Decimal


@dataclass(frozen=True, slots=True)
class BandsRule:
    bands: tuple[Band, ...]


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
    max: Decimal


@dataclass(frozen=True, slots=True)
class PenaltyRule:
    per: Decimal
    max: Decimal


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


@dataclass(frozen=True, slots=True)
class Grade:
    name: str
    when: Interval


@dataclass(frozen=True, slots=True)
class ConsequenceRule:
    when: Expression
    consecutive: int
    action: str


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    description: str | None
    period: Period
    self_weight: Decimal
    rounding: int
    cap: Decimal | None
    grades: tuple[Grade, ...]
    items: tuple[Item, ...]
    pay: Expression | None
    rules: tuple[ConsequenceRule, ...]
    text: str  # the YAML it was loaded from

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
        """The variables an employee's values must provide (score and grade are the engine's own)."""
        names: set[str] = set()
        for item in self.items:
            if item.value is not None:
                names |= item.value.variables
            if isinstance(item.rule, ProportionalRule):
                names |= item.rule.target.variables
        if self.pay is not None:
            names |= self.pay.variables
        return frozenset(names - {"score", "grade"})
