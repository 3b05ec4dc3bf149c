"""The engine's explanation of an item (shopkpi.scorecard.explanation, stored with the result) in the
reader's words: the one place that words it, for every page, export, the API and `shopkpi score`.

    支付金额 ¥372,562.77 / 目标 ¥332,000.00 = 112.2%，落在 ≥ 80% 档 → 100 分 × 权重 20% = 20.0 分

Variables are named by their labels and printed in their units (labels.metric_unit, number_format);
the variable codes, formulas and exact values are HR's technical details (`technical`). A result
stored before the explanation was data holds a sentence: it is shown as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from shopkpi.appraisal.wording import variable_names as labels
from shopkpi.scorecard.explanation import Explanation, Reason, names_a_target
from shopkpi.scorecard.numbers import format_decimal, plain
from shopkpi.web import number_format as fmt

_DIVISION = re.compile(r"^\s*([^\W\d]\w*)\s*/\s*([^\W\d]\w*)\s*$")
_VARIABLE = re.compile(r"^\s*([^\W\d]\w*)\s*$")
_INTERVAL = re.compile(r"^([\[(])\s*(.*?)\s*,\s*(.*?)\s*([\])])$")


def _(message: str) -> str:
    """gettext where Django is set up (pages, API); the Chinese text as written elsewhere (the CLI)."""
    return gettext(message) if settings.configured else message


def as_explanation(stored: object) -> Explanation | str | None:
    """A stored item's explanation: data (a dict) or, from older versions, a sentence."""
    if isinstance(stored, Explanation):
        return stored
    if isinstance(stored, Mapping):
        return Explanation.from_json(stored)
    if stored is None or stored == "":
        return None
    return str(stored)


def words(stored: object) -> str:
    """The explanation as a sentence in the active language ('' when there is none)."""
    explanation = as_explanation(stored)
    if explanation is None:
        return ""
    if isinstance(explanation, str):
        return explanation
    if explanation.missing is not None:
        return _("未计分：%(reason)s") % {"reason": reason(explanation.missing)}
    rule = explanation.rule
    if rule == "bands":
        return _bands(explanation)
    if rule == "proportional":
        return _proportional(explanation)
    if rule == "deduct":
        return _deduct(explanation)
    if rule == "rated":
        return _rated(explanation)
    if rule == "bonus":
        return _bonus(explanation)
    return _penalty(explanation)


def reason(found: Reason | Mapping[str, Any] | str | None) -> str:
    """Why an item has no points, in the active language."""
    if found is None:
        return ""
    if isinstance(found, str):  # stored by an older version: the engine's English sentence
        from shopkpi.appraisal.wording.labels import missing_reason

        return missing_reason(found)
    if isinstance(found, Mapping):
        found = Reason(str(found.get("code")), dict(found.get("params") or {}))
    params = dict(found.params)
    if "name" in params:
        params["name"] = labels.variable(params["name"])
    texts = {
        "rating_missing": _("上级尚未评分"),
        "self_rating_missing": _("本人尚未自评"),
        "no_value": _("缺少数据：%(name)s"),
        "target_zero": _("目标为 0，无法计算完成率"),
        "division_by_zero": _("除数为 0，无法计算"),
        "undefined": _("没有确定的值（0 / 0 之类）"),
        "too_large": _("数值过大，无法计算"),
        "mixed_types": _("把文字和数字混在一起计算"),
        "not_a_number": _("计算结果不是数字"),
        "outside_lookup": _("%(value)s 不在查表的任何区间内"),
        "needs_number": _("需要数字，得到的是 %(value)s"),
    }
    text = texts.get(found.code)
    if text is None:
        return _("无法计算")
    try:
        return text % params if "%(" in text else text
    except KeyError:
        return text


@dataclass(frozen=True)
class Measured:
    """What a computed item measured, for the 考核表's 实际值, 目标 and 完成率 columns."""

    actual: Decimal | None = None
    target: Decimal | None = None
    attainment: Decimal | None = None  # a fraction: 1.122 for 112.2%
    unit: str | None = None  # of actual and target: the metric catalogue's unit (yuan, ratio, people …)

    def texts(self) -> tuple[str, str, str]:
        """实际值, 目标 and 完成率 as pages print them ('' where the item has none)."""
        return (
            "" if self.actual is None else fmt.quantity(self.actual, self.unit),
            "" if self.target is None else fmt.quantity(self.target, self.unit),
            "" if self.attainment is None else fmt.percent(self.attainment, 1),
        )


def measured(stored: object) -> Measured:
    """The actual value, target and attainment an explanation holds: a proportional item's value,
    target and attainment; a ratio over a target (gmv / 目标销售额) read as the same three; otherwise
    the value alone, in its unit. A rated item, or one without points, measured nothing."""
    explanation = as_explanation(stored)
    if not isinstance(explanation, Explanation) or explanation.rule == "rated" or explanation.missing:
        return Measured()
    formula = explanation.formula or ""
    single = _VARIABLE.match(formula)
    unit = _unit(single.group(1)) if single else None
    if explanation.rule == "proportional":
        return Measured(explanation.value, explanation.target, explanation.attainment, unit)
    division = _DIVISION.match(formula)
    if division and names_a_target(division.group(2)):
        top, bottom = division.groups()
        actual, target = _input_value(explanation, top), _input_value(explanation, bottom)
        if actual is not None and target is not None:
            return Measured(actual, target, explanation.value, _unit(top))
    if not single and _ratio_bands(explanation):
        unit = "ratio"
    return Measured(explanation.value, unit=unit)


def technical(stored: object) -> list[tuple[str, str]]:
    """HR's technical details: formulas, variable codes and exact values (label, text)."""
    explanation = as_explanation(stored)
    if not isinstance(explanation, Explanation):
        return []
    rows: list[tuple[str, str]] = []
    if explanation.formula:
        rows.append((_("计算公式"), explanation.formula))
    if explanation.target_formula:
        rows.append((_("目标公式"), explanation.target_formula))
    for found in explanation.inputs:
        rows.append((found.name, _exact(found.value)))
    if explanation.value is not None:
        rows.append((_("数值（精确）"), _exact(explanation.value)))
    if explanation.attainment is not None:
        rows.append((_("完成率（精确）"), _exact(explanation.attainment)))
    if explanation.points is not None:
        rows.append((_("得分（精确）"), _exact(explanation.points)))
    if explanation.missing is not None:
        params = "、".join(f"{k}={v}" for k, v in explanation.missing.params.items())
        rows.append((_("原因代码"), f"{explanation.missing.code} {params}".strip()))
    return rows


# ---- the rules ---------------------------------------------------------------------------------


def _score(value: Decimal | None) -> str:
    return fmt.score(value, 1)


def _weight(explanation: Explanation) -> str:
    return _("权重 %(weight)s%%") % {"weight": fmt.number(explanation.weight)}


def _input_value(explanation: Explanation, name: str) -> Decimal | None:
    for found in explanation.inputs:
        if found.name == name:
            return found.value
    return None


def _unit(name: str) -> str | None:
    return labels.metric_unit(name)


def _ratio_bands(explanation: Explanation) -> bool:
    return "%" in (explanation.band or "")


def _value(explanation: Explanation) -> str:
    """What the item measured, in shop words: 支付金额 ¥372,562.77 / 目标 ¥332,000.00 = 112.2%,
    访客数 152,000 人, or the value alone where the formula is more than that."""
    formula = explanation.formula or ""
    division = _DIVISION.match(formula)
    if division:
        top, bottom = division.groups()
        top_value, bottom_value = _input_value(explanation, top), _input_value(explanation, bottom)
        if top_value is not None and bottom_value is not None:
            unit = _unit(top)
            return _("%(top)s %(top_value)s / %(bottom)s %(bottom_value)s = %(value)s") % {
                "top": labels.variable(top),
                "top_value": fmt.quantity(top_value, unit),
                "bottom": labels.variable(bottom),
                "bottom_value": fmt.quantity(bottom_value, _unit(bottom) or unit),
                "value": fmt.percent(explanation.value, 1),
            }
    single = _VARIABLE.match(formula)
    if single:
        name = single.group(1)
        return f"{labels.variable(name)} {fmt.quantity(explanation.value, _unit(name))}"
    unit = "ratio" if _ratio_bands(explanation) else None
    return _("数值 %(value)s") % {"value": fmt.quantity(explanation.value, unit)}


def band_words(text: str | None) -> str:
    """A band's interval as shop words: [80%, +∞) and >= 80% -> ≥ 80%, [60%, 80%) -> 60%–80%,
    (-∞, 3] -> ≤ 3."""
    if not text:
        return "—"
    found = _INTERVAL.match(text.strip())
    if not found:
        return text.replace(">=", "≥").replace("<=", "≤")
    left, low, high, right = found.groups()
    low_open = low in ("-∞", "-inf", "")
    high_open = high in ("+∞", "∞", "inf", "+inf", "")
    if low_open and high_open:
        return _("任何数值")
    if high_open:
        return f"{'≥' if left == '[' else '>'} {low}"
    if low_open:
        return f"{'≤' if right == ']' else '<'} {high}"
    return f"{low}–{high}"


def _bands(explanation: Explanation) -> str:
    return _("%(value)s，落在 %(band)s 档 → %(rating)s 分 × %(weight)s = %(points)s 分") % {
        "value": _value(explanation),
        "band": band_words(explanation.band),
        "rating": fmt.number(explanation.rating),
        "weight": _weight(explanation),
        "points": _score(explanation.points),
    }


def _proportional(explanation: Explanation) -> str:
    formula = explanation.formula or ""
    single = _VARIABLE.match(formula)
    unit = _unit(single.group(1)) if single else None
    name = labels.variable(single.group(1)) if single else _("数值")
    text = _("%(name)s %(value)s / 目标 %(target)s = %(attainment)s") % {
        "name": name,
        "value": fmt.quantity(explanation.value, unit),
        "target": fmt.quantity(explanation.target, unit),
        "attainment": fmt.percent(explanation.attainment, 1),
    }
    if explanation.capped:
        text += _("（按 %(used)s 计）") % {"used": fmt.percent((explanation.rating or 0) / Decimal(100), 0)}
    return text + _(" → %(weight)s × %(rate)s = %(points)s 分") % {
        "weight": _weight(explanation),
        "rate": fmt.percent((explanation.rating or 0) / Decimal(100), 1),
        "points": _score(explanation.points),
    }


def _deduct(explanation: Explanation) -> str:
    text = _("%(value)s，每单位扣 %(per)s 分：%(weight)s − %(taken)s = %(points)s 分") % {
        "value": _value(explanation),
        "per": fmt.number(explanation.per_unit),
        "weight": fmt.number(explanation.weight),
        "taken": fmt.number((explanation.per_unit or 0) * (explanation.value or 0)),
        "points": _score(explanation.points),
    }
    return text + (_("（扣完为止）") if explanation.capped else "")


def _rated(explanation: Explanation) -> str:
    rating = _("%(rating)s 分") % {"rating": fmt.number(explanation.rating)}
    if explanation.level:
        rating = f"{explanation.level}（{rating}）"
    text = _("上级评分 %(rating)s × %(weight)s = %(points)s 分") % {
        "rating": rating,
        "weight": _weight(explanation),
        "points": _score(explanation.points),
    }
    if explanation.self_rating is not None:
        text += _("；自评 %(rating)s 分") % {"rating": fmt.number(explanation.self_rating)}
    return text


def _bonus(explanation: Explanation) -> str:
    single = _VARIABLE.match(explanation.formula or "")
    unit = _unit(single.group(1)) if single else None
    text = _("%(value)s，超过 %(over)s 后每 %(per)s 加 %(points)s 分 → +%(total)s 分") % {
        "value": _value(explanation),
        "over": fmt.quantity(explanation.over, unit),
        "per": fmt.quantity(explanation.per, unit),
        "points": fmt.number(explanation.step_points),
        "total": _score(explanation.points),
    }
    if explanation.limit is not None:
        text += _("（最多 %(max)s 分）") % {"max": fmt.number(explanation.limit)}
    return text


def _penalty(explanation: Explanation) -> str:
    text = _("%(value)s，每单位扣 %(per)s 分 → %(total)s 分") % {
        "value": _value(explanation),
        "per": fmt.number(explanation.per_unit),
        "total": _score(explanation.points),
    }
    if explanation.limit is not None:
        text += _("（最多扣 %(max)s 分）") % {"max": fmt.number(explanation.limit)}
    return text


def _exact(value: Decimal | None) -> str:
    return "—" if value is None else format_decimal(plain(value))
