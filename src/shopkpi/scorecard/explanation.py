"""How an item's points came about, as data: the rule, its inputs, target, attainment, band, rating,
points and limits, or the reason it has none. No words: the fronts word it in the reader's language
(shopkpi.web.pages.common.explanations), so the engine stores codes and numbers, never sentences.

`to_json` / `from_json` keep it with a stored result (numbers as exact decimal text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from shopkpi.scorecard.numbers import format_decimal, plain

# why an item has no points; the expression codes are EvaluationError's
REASONS = (
    "rating_missing",  # the supervisor has not rated the item
    "self_rating_missing",  # the employee has not rated it (a template with self-review weight)
    "target_zero",  # a proportional item's target is 0 (params: source)
    "no_value",  # params: name
    "division_by_zero",  # params: source
    "undefined",  # 0 / 0 and the like (params: source)
    "too_large",  # params: source
    "mixed_types",  # params: source
    "not_a_number",  # params: source
    "outside_lookup",  # params: value
    "needs_number",  # params: value
    "other",
)


# a variable whose name says it is a target (目标销售额, 计划销售额): a ratio over it is an attainment
TARGET_WORDS = ("目标", "计划", "target")


def names_a_target(variable: str) -> bool:
    return any(word in variable for word in TARGET_WORDS)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an item has no points: a code of REASONS and its parameters."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Input:
    """One variable the item reads, with the value it had."""

    name: str
    value: Decimal | None


@dataclass(frozen=True, slots=True)
class Explanation:
    rule: str  # bands | proportional | deduct | rated | bonus | penalty
    weight: Decimal | None = None
    inputs: tuple[Input, ...] = ()
    formula: str | None = None  # the value's expression (for HR's technical details)
    value: Decimal | None = None
    target: Decimal | None = None  # a proportional item's target value
    target_formula: str | None = None
    attainment: Decimal | None = None  # value / target, before the cap at 100%
    capped: bool = False  # the attainment (proportional) or the points (bonus, penalty, deduct) were limited
    band: str | None = None  # the matched band's interval text ("[80%, +∞)")
    rating: Decimal | None = None  # 0..100
    self_rating: Decimal | None = None
    level: str | None = None  # a rated item's level name, where the rating is one
    points: Decimal | None = None
    per_unit: Decimal | None = None  # deduct and penalty: points per unit
    over: Decimal | None = None  # bonus: the threshold
    per: Decimal | None = None  # bonus: the step
    step_points: Decimal | None = None  # bonus: points per step
    limit: Decimal | None = None  # bonus and penalty: the most points
    missing: Reason | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in _FIELD_NAMES:  # (dataclasses.fields() makes its tuple at each call: 8 per review)
            value = getattr(self, name)
            if value is None or value == () or value is False:
                continue
            if isinstance(value, Decimal):
                data[name] = _text(value)
            elif name == "inputs":
                data["inputs"] = [{"name": i.name, "value": _opt(i.value)} for i in value]
            elif isinstance(value, Reason):
                data["missing"] = {"code": value.code, "params": dict(value.params)}
            else:
                data[name] = value
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Explanation:
        known = {spec.name for spec in fields(cls)}
        values: dict[str, Any] = {}
        for name, raw in data.items():
            if name not in known:
                continue
            if name == "inputs":
                values[name] = tuple(Input(str(i["name"]), _number(i.get("value"))) for i in raw)
            elif name == "missing":
                values[name] = Reason(str(raw["code"]), {k: str(v) for k, v in raw.get("params", {}).items()})
            elif name in ("rule", "formula", "target_formula", "band", "level"):
                values[name] = str(raw)
            elif name == "capped":
                values[name] = bool(raw)
            else:
                values[name] = _number(raw)
        return cls(**values)


_FIELD_NAMES = tuple(spec.name for spec in fields(Explanation))


def _text(value: Decimal) -> str:
    return format_decimal(plain(value))


def _opt(value: Decimal | None) -> str | None:
    return None if value is None else _text(value)


def _number(raw: object) -> Decimal | None:
    return None if raw is None or raw == "" else Decimal(str(raw))
