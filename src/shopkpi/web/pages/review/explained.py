"""A review's items explained for the page: formula, source data, band table or rule in words, points.

What the user may see comes from the API's presenter (`presenters.detail`, which obeys the policy);
this module only adds what the template itself says (formulas, bands, rules, levels) and where each
value came from (the provenance stored on the review). Nothing here decides visibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal.wording import labels
from shopkpi.appraisal.wording.variable_names import without_codes
from shopkpi.scorecard.template import (
    BandsRule,
    BonusRule,
    DeductRule,
    Item,
    PenaltyRule,
    ProportionalRule,
    RatedRule,
    Template,
)
from shopkpi.web.api.schemas import ItemOut, RatingOut, ReviewDetailOut
from shopkpi.web.number_format import number, percent, quantity
from shopkpi.web.pages.common import explanations


@dataclass
class SourceValue:
    """One variable an item reads: its value, where it came from, and HR's override if any."""

    name: str
    label: str
    value: str | None
    source: str
    override: dict[str, str] | None = None


@dataclass
class BandRow:
    text: str
    rating: str
    match: bool


@dataclass
class ExplainedItem:
    key: str
    name: str
    description: str
    weight: str | None
    kind: str  # bands | proportional | deduct | bonus | penalty | rated
    formula: str | None  # the item's `value` expression
    target: str | None  # a proportional item's target expression
    sources: list[SourceValue]
    bands: list[BandRow]
    rule: str  # the rule in words
    levels: list[tuple[str, str]]  # a rated item's levels (name, rating)
    shown: ItemOut  # what the user may see of the result (value, rating, points ...)
    value_text: str  # the value as the user reads it ("—" while hidden or missing)
    missing: str | None  # why the item has no points (not said of a rated item whose rating is hidden)
    hidden: bool  # a rated item whose rating the user may not see yet
    overrides: list[dict[str, str]] = field(default_factory=list)
    technical: list[tuple[str, str]] = field(default_factory=list)  # HR's 技术细节 (codes, formulas)
    incidents: list[Any] = field(default_factory=list)  # the incident records its value counts (奖惩记录)
    fed: dict[str, Any] | None = None  # the spot-check cases or peers' ratings it was made from
    rated_by_peers: bool = False  # 互评: rated by colleagues named on the review
    peers: dict[str, Any] | None = None  # the named colleagues, for those who may see them (context._peers)


def _plain(number: Decimal | None) -> str:
    if number is None:
        return "—"
    return format(number.normalize(), "f")


def rule_in_words(item: Item) -> str:
    rule = item.rule
    weight = _plain(item.weight)
    if isinstance(rule, BandsRule):
        return _("按区间评分：数值落在哪一档，就得该档的评分；得分 = 权重 %(weight)s × 评分 / 100。") % {
            "weight": weight
        }
    if isinstance(rule, ProportionalRule):
        return _(
            "按完成比例计分：完成率 = 数值 / 目标（%(target)s），封顶 100%%；得分 = 权重 %(weight)s × 完成率。"
        ) % {
            "target": rule.target.source,
            "weight": weight,
        }
    if isinstance(rule, DeductRule):
        return _("扣分制：每一单位扣 %(per)s 分，从 %(weight)s 分中扣完为止（最低 0 分）。") % {
            "per": _plain(rule.per_unit),
            "weight": weight,
        }
    if isinstance(rule, BonusRule):
        text = _("加分项：超过 %(over)s 之后，每 %(per)s 加 %(points)s 分。") % {
            "over": _plain(rule.over),
            "per": _plain(rule.per),
            "points": _plain(rule.points),
        }
        if rule.max is not None:
            text += _("最多加 %(max)s 分。") % {"max": _plain(rule.max)}
        return text
    if isinstance(rule, PenaltyRule):
        text = _("扣分项：每一单位扣 %(per)s 分。") % {"per": _plain(rule.per)}
        if rule.max is not None:
            text += _("最多扣 %(max)s 分。") % {"max": _plain(rule.max)}
        return text
    assert isinstance(rule, RatedRule)
    if rule.rated_by == "peers":
        text = _("同事互评（0–100）：评分为被指定同事所评的平均分；得分 = 权重 %(weight)s × 评分 / 100。") % {
            "weight": weight
        }
    else:
        text = _("由上级评分（0–100）；得分 = 权重 %(weight)s × 评分 / 100。") % {"weight": weight}
    if rule.levels:
        levels = "、".join(f"{name} {_plain(value)}" for name, value in rule.levels.items())
        text += _("评分等级：%(levels)s。") % {"levels": levels}
    return text


def _kind(item: Item) -> str:
    return {
        BandsRule: "bands",
        ProportionalRule: "proportional",
        DeductRule: "deduct",
        BonusRule: "bonus",
        PenaltyRule: "penalty",
        RatedRule: "rated",
    }[type(item.rule)]


def _is_ratio(item: Item) -> bool:
    """Banded on percentages ("[70%, 80%)"): the value is a fraction, read as a percentage."""
    return isinstance(item.rule, BandsRule) and any("%" in band.interval.text for band in item.rule.bands)


def plain_text(value: str | None, places: int = 4) -> str:
    """A decimal as read on the page: trailing zeros dropped, at most `places` decimals (half-up)."""
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    if number.as_tuple().exponent < -places:  # type: ignore[operator]
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return _plain(number)


def value_text(item: Item, value: str | None) -> str:
    """The value as the user reads it: a percentage for items banded on percentages (96.9%), a
    metric in its unit (¥372,562.77, 152,000 人), else the number (the exact value is in HR's
    technical details)."""
    if value is None:
        return "—"
    if _is_ratio(item):
        return percent(value, 1)
    names = item.value.variables if item.value is not None else frozenset()
    if len(names) == 1 and item.value is not None and item.value.source.strip() in names:
        return quantity(value, labels.metric_unit(next(iter(names))))
    return number(value)


def explain(
    template: Template, detail: ReviewDetailOut, review: Any, supervisor_part: bool
) -> list[ExplainedItem]:
    """Every item of the review's template, with what the user may see of its result
    (`supervisor_part`: policy.sees_supervisor_part, whether the supervisor's ratings show)."""
    shown = {item.key: item for item in detail.items}
    result_items = {
        str(entry.get("key")): entry
        for entry in (review.result or {}).get("items", [])
        if isinstance(entry, dict)
    }
    overrides = {o.name: o for o in detail.overrides}  # the last of each name wins (ordered by time)
    values: dict[str, Any] = review.values or {}
    provenance: dict[str, Any] = review.provenance or {}
    explained = []
    for item in template.items:
        out = shown[item.key]
        names: set[str] = set()
        if item.value is not None:
            names |= item.value.variables
        target = item.rule.target if isinstance(item.rule, ProportionalRule) else None
        if target is not None:
            names |= target.variables
        sources = []
        for name in sorted(names):
            override = overrides.get(name)
            sources.append(
                SourceValue(
                    name=name,
                    label=labels.variable(name),
                    value=None if values.get(name) is None else plain_text(str(values[name])),
                    source=str(provenance.get(name) or _("未记录来源")),
                    override=None
                    if override is None
                    else {
                        "value": plain_text(override.value),
                        "previous": override.previous,
                        "reason": override.reason,
                        "by": override.created_by,
                        "at": timezone.localtime(override.created_at).strftime("%Y-%m-%d %H:%M"),
                    },
                )
            )
        bands = []
        if isinstance(item.rule, BandsRule):
            bands = [
                BandRow(
                    explanations.band_words(band.interval.text),
                    _plain(band.rating),
                    out.band == band.interval.text,
                )
                for band in item.rule.bands
            ]
        levels = (
            [(name, _plain(value)) for name, value in item.rule.levels.items()]
            if isinstance(item.rule, RatedRule)
            else []
        )
        hidden = item.is_rated and not supervisor_part
        explained.append(
            ExplainedItem(
                key=item.key,
                name=item.name,
                description=without_codes(item.description or ""),
                weight=None if item.weight is None else _plain(item.weight),
                kind=_kind(item),
                formula=None if item.value is None else item.value.source,
                target=None if target is None else target.source,
                sources=sources,
                bands=bands,
                rule=rule_in_words(item),
                levels=levels,
                shown=out,
                value_text=value_text(item, out.value),
                missing=None if hidden else out.missing,
                hidden=hidden,
                overrides=[] if hidden else list(result_items.get(item.key, {}).get("overrides") or []),
                technical=[]
                if hidden
                else explanations.technical(result_items.get(item.key, {}).get("explanation")),
                fed=None if hidden else result_items.get(item.key, {}).get("fed"),
                rated_by_peers=item.rated_by_peers,
            )
        )
    return explained


# the spec's five-step rating for a rated item without levels of its own (100/80/60/40/0)
DEFAULT_SCALE = ("100", "80", "60", "40", "0")


def rating_inputs(template: Template, ratings: list[RatingOut], rater: str) -> list[dict[str, Any]]:
    """The rated items as form fields: a select of the item's levels, or of the five-step scale
    100/80/60/40/0 (an earlier rating off the scale stays selectable); current value filled in."""
    current = {r.item_key: (r.level or _plain(Decimal(r.value))) for r in ratings if r.rater == rater}
    fields = []
    for item in template.items:
        if not isinstance(item.rule, RatedRule):
            continue
        value = current.get(item.key, "")
        fields.append(
            {
                "key": item.key,
                "name": item.name,
                "weight": None if item.weight is None else _plain(item.weight),
                "levels": [(name, _plain(level)) for name, level in item.rule.levels.items()],
                "scale": DEFAULT_SCALE,  # offered where the template names no levels
                "value": value,
                "is_level": value in item.rule.levels,
                "on_scale": value in DEFAULT_SCALE,
            }
        )
    return fields
