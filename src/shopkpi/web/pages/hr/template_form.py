"""The template editor's form for HR (/templates/<id>/form/): the same template as the YAML editor, as
fields in the page's language: each item's name, weight (the sum kept live on the page), its band
table (区间 and 分值, with the direction the table reads in), its rating levels, its bonus or penalty,
the grades, and the pay from a few named patterns or a formula. Everything the form does not show
(keys, values' formulas, rules, comments) stays as written: the form edits the YAML document in place
(ruamel's round trip) and the result goes through the loader users use, the what-if of the last
closed month, and the YAML editor's save (a new version, audited).

Every refusal is a message in the page's language at its field: a band's interval that cannot be read
or is empty ([80%, 60%)), bands that overlap, a rating outside 0–100, weights that do not add up to
100, a pay formula that cannot be computed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from shopkpi.scorecard.expressions import ExpressionError, compile_expression
from shopkpi.scorecard.intervals import IntervalError, find_gaps, find_overlaps, parse_interval
from shopkpi.scorecard.numbers import NumberError, number_from_yaml
from shopkpi.scorecard.yaml_source import read_yaml
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.hr import template_editor as editor

HUNDRED = Decimal(100)
SCORE_PAY = re.compile(r"^\s*(?P<base>.+?)\s*\*\s*score\s*/\s*100\s*$")
KINDS = ("bands", "proportional", "deduct", "rated_by", "bonus", "penalty")


@dataclass
class Row:
    """A row of a table: a band (区间 → 分值), a rating level (名称 → 分值) or a grade (名称, 区间)."""

    label: str  # the interval of a band, the name of a level or a grade
    value: str  # the rating of a band or level, the interval of a grade
    error: str = ""


@dataclass
class ItemForm:
    index: int
    key: str
    kind: str  # one of KINDS
    name: str
    description: str
    weight: str
    rows: list[Row] = field(default_factory=list)  # bands or levels
    params: dict[str, str] = field(default_factory=dict)  # bonus: over, per, points, max; penalty: per, max
    errors: dict[str, str] = field(default_factory=dict)  # field -> message

    @property
    def direction(self) -> str:
        """How a band table reads: the higher the value, the higher the rating, or the other way."""
        if self.kind != "bands" or len(self.rows) < 2:
            return ""
        try:
            ordered = sorted(self.rows, key=lambda r: _interval_key(r.label))
            first, last = _number(ordered[0].value), _number(ordered[-1].value)
        except (IntervalError, NumberError, TypeError):
            return ""
        if first is None or last is None or first == last:
            return ""
        return _("数值越高，分值越高") if last > first else _("数值越低，分值越高")


@dataclass
class TemplateForm:
    name: str
    description: str
    items: list[ItemForm]
    grades: list[Row]
    pay_pattern: str  # none (不计绩效工资), score (基数 × 得分 ÷ 100) or formula (自定义公式)
    pay_base: str
    pay_amount: str
    pay_kind: str
    errors: dict[str, str] = field(default_factory=dict)  # name, weights, grades, pay_base, pay_amount

    @property
    def weight_sum(self) -> Decimal | None:
        total = Decimal(0)
        for item in self.items:
            if item.kind in ("bonus", "penalty"):
                continue
            weight = _weight(item.weight)
            if weight is None:
                return None
            total += weight
        return total

    @property
    def valid(self) -> bool:
        rows = [row for item in self.items for row in item.rows] + self.grades
        return not (self.errors or any(item.errors for item in self.items) or any(r.error for r in rows))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(text: str) -> Decimal | None:
    return None if text.strip() == "" else number_from_yaml(text.strip())


def _weight(text: str) -> Decimal | None:
    """A weight as points of 100: 20 or 20% both mean 20 points."""
    try:
        value = _number(text)
    except NumberError:
        return None
    if value is None:
        return None
    return value * HUNDRED if text.strip().endswith("%") else value


def _interval_key(text: str) -> Decimal:
    interval = parse_interval(text)
    if interval.low is not None:
        return interval.low.value
    assert interval.high is not None
    return interval.high.value - 1


def _kind(doc: Any) -> str:
    return next((name for name in KINDS if name in doc), "bands")


# ---- from the YAML text ----------------------------------------------------------------------------


def from_text(text: str) -> TemplateForm:
    doc = read_yaml(text)
    items = []
    for index, raw in enumerate(doc.get("items") or []):
        kind = _kind(raw)
        table = raw.get("bands") if kind == "bands" else raw.get("levels") or {}
        written = raw.get(kind) if kind in ("bonus", "penalty") else None
        params = {name: (written or {}).get(name) for name in _params(kind)}
        items.append(
            ItemForm(
                index=index,
                key=_text(raw.get("key")),
                kind=kind,
                name=_text(raw.get("name")),
                description=_text(raw.get("description")),
                weight=_text(raw.get("weight")),
                rows=[Row(_text(k), _text(v)) for k, v in (table or {}).items()],
                params={k: _text(v) for k, v in params.items()},
            )
        )
    pay = doc.get("pay") or {}
    amount = _text(pay.get("amount"))
    score = SCORE_PAY.match(amount)
    pattern = "none" if not pay else "score" if score else "formula"
    return TemplateForm(
        name=_text(doc.get("name")),
        description=_text(doc.get("description")),
        items=items,
        grades=[Row(_text(g.get("name")), _text(g.get("when"))) for g in doc.get("grades") or []],
        pay_pattern=pattern,
        pay_base=score.group("base") if score else _text(pay.get("base")),
        pay_amount=amount,
        pay_kind=_text(pay.get("kind")) or "performance",
    )


def from_post(post: Any, text: str) -> TemplateForm:
    """The form as posted, over the structure of `text` (which items there are, of which kind)."""
    form = from_text(text)
    form.name = post.get("name", "").strip()
    form.description = post.get("description", "").strip()
    for item in form.items:
        prefix = f"item-{item.index}-"
        item.name = post.get(prefix + "name", "").strip()
        item.description = post.get(prefix + "description", "").strip()
        item.weight = post.get(prefix + "weight", "").strip()
        item.rows = _rows(post, prefix + "row-")
        item.params = {k: post.get(prefix + k, "").strip() for k in _params(item.kind)}
    form.grades = _rows(post, "grade-")
    form.pay_pattern = post.get("pay-pattern", "none")
    form.pay_base = post.get("pay-base", "").strip()
    form.pay_amount = post.get("pay-amount", "").strip()
    form.pay_kind = "wage" if post.get("pay-kind") == "wage" else "performance"
    return form


def _params(kind: str) -> tuple[str, ...]:
    return {"bonus": ("over", "per", "points", "max"), "penalty": ("per", "max")}.get(kind, ())


def _rows(post: Any, prefix: str) -> list[Row]:
    rows = []
    count = int(post.get(prefix + "count", "0") or 0)
    for n in range(min(count, 50)):
        label, value = post.get(f"{prefix}{n}-label", "").strip(), post.get(f"{prefix}{n}-value", "").strip()
        if label or value:
            rows.append(Row(label, value))
    return rows


# ---- checking, in the page's language --------------------------------------------------------------


def validate(form: TemplateForm) -> bool:
    """Every problem of the form, each at its field; True when there is none."""
    if not form.name:
        form.errors["name"] = _("请填写模板名称。")
    for item in form.items:
        _check_item(item)
    total = form.weight_sum
    if total is not None and total != HUNDRED:
        form.errors["weights"] = _("各考核项的权重合计为 %(sum)s，应为 100。") % {
            "sum": f"{total.normalize():f}"
        }
    uncovered = _check_intervals(
        form.grades, interval_of=lambda row: row.value, rating_of=None, low=Decimal(0)
    )
    if uncovered and form.grades:
        form.errors["grades"] = uncovered
    for row in form.grades:
        if not row.label:
            row.error = row.error or _("请填写等级名称。")
    _check_pay(form)
    return form.valid


def _check_item(item: ItemForm) -> None:
    if not item.name:
        item.errors["name"] = _("请填写考核项名称。")
    if item.kind not in ("bonus", "penalty"):
        weight = _weight(item.weight)
        if weight is None or weight <= 0:
            item.errors["weight"] = _("权重要写成大于 0 的数字，例如 20 或 20%。")
    if item.kind == "bands":
        if not item.rows:
            item.errors["rows"] = _("至少需要一档。")
        uncovered = _check_intervals(
            item.rows, interval_of=lambda row: row.label, rating_of=lambda row: row.value
        )
        if uncovered and item.rows:
            item.errors["rows"] = uncovered
    elif item.kind == "rated_by":
        for row in item.rows:
            if not row.label:
                row.error = _("请填写等级名称，例如 优。")
            else:
                _check_rating(row, row.value)
    for name, text in item.params.items():
        if text or name not in ("max",):
            try:
                if _number(text) is None:
                    raise NumberError(text)
            except NumberError:
                item.errors[name] = _("请填写数字。")


def _check_rating(row: Row, text: str) -> None:
    try:
        rating = _number(text)
    except NumberError:
        rating = None
    if rating is None or not (0 <= rating <= HUNDRED):
        row.error = row.error or _("分值要在 0 到 100 之间。")


def _check_intervals(rows: list[Row], *, interval_of: Any, rating_of: Any, low: Decimal | None = None) -> str:
    """Each row's interval (and rating) at its row; the values no row covers, as the table's message."""
    parsed = []
    for row in rows:
        try:
            interval = parse_interval(interval_of(row))
        except IntervalError:
            row.error = _(
                "区间“%(text)s”无法使用：请写成 >= 80%%、< 60%% 或 [60%%, 80%%) 这样的区间，下限小于上限。"
            ) % {"text": interval_of(row)}
            continue
        parsed.append((row, interval))
        if rating_of is not None:
            _check_rating(row, rating_of(row))
    for n, (row, interval) in enumerate(parsed):
        for _row, earlier in parsed[:n]:
            if find_overlaps([earlier, interval]):
                row.error = row.error or _("区间“%(text)s”与“%(other)s”重叠：一个数值只能落在一档。") % {
                    "text": interval.text,
                    "other": earlier.text,
                }
    if len(parsed) < len(rows) or any(row.error for row in rows):
        return ""  # the rows' own messages first
    gaps = find_gaps([interval for _row, interval in parsed], low, None)
    if not gaps:
        return ""
    return _("没有一档包含 %(gaps)s：每个可能的数值都要落在某一档。") % {
        "gaps": "、".join(g.text for g in gaps)
    }


def _check_pay(form: TemplateForm) -> None:
    if form.pay_pattern == "none":
        return
    source, field_name = (
        (f"{form.pay_base} * score / 100", "pay_base")
        if form.pay_pattern == "score"
        else (form.pay_amount, "pay_amount")
    )
    if form.pay_pattern == "score" and not form.pay_base:
        form.errors["pay_base"] = _("请填写绩效工资基数，例如 base_salary * 10% 或 900。")
        return
    try:
        compile_expression(source)
    except ExpressionError:
        form.errors[field_name] = _("公式“%(text)s”无法计算，请检查写法（变量名、运算符和括号）。") % {
            "text": source
        }


# ---- back to the YAML text -------------------------------------------------------------------------


def _scalar(text: str) -> Any:
    """A number written as a number where it is a plain one (20), else the text (20%, 3万)."""
    try:
        return int(text)
    except ValueError:
        try:
            float(text)
        except ValueError:
            return text
        return float(text) if "e" not in text.lower() else text


def to_text(form: TemplateForm, text: str) -> str:
    """`text` with the form's values written in; everything else as it was."""
    doc = read_yaml(text)
    doc["name"] = form.name
    if form.description or "description" in doc:
        doc["description"] = form.description
    for item, raw in zip(form.items, doc["items"], strict=True):
        raw["name"] = item.name
        if item.description or "description" in raw:
            raw["description"] = item.description
        if item.kind not in ("bonus", "penalty"):
            raw["weight"] = _scalar(item.weight)
        if item.kind in ("bands", "rated_by") and (item.rows or item.kind == "bands"):
            table = CommentedMap((row.label, _scalar(row.value)) for row in item.rows)
            table.fa.set_flow_style()
            raw["bands" if item.kind == "bands" else "levels"] = table
        for name, value in item.params.items():
            if value:
                raw[item.kind][name] = _scalar(value)
            elif name in raw[item.kind]:
                del raw[item.kind][name]
    grades = [CommentedMap([("name", row.label), ("when", row.value)]) for row in form.grades]
    for grade in grades:
        grade.fa.set_flow_style()
    if grades or "grades" in doc:
        doc["grades"] = grades
    _write_pay(form, doc)
    out = io.StringIO()
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.dump(doc, out)
    return out.getvalue()


def _write_pay(form: TemplateForm, doc: Any) -> None:
    if form.pay_pattern == "none":
        doc.pop("pay", None)
        return
    pay = doc.get("pay") or CommentedMap()
    if form.pay_pattern == "score":
        pay["amount"] = f"{form.pay_base} * score / 100"
        pay["base"] = _scalar(form.pay_base)
    else:
        pay["amount"] = form.pay_amount
    if form.pay_kind == "wage":
        pay["kind"] = "wage"
    else:
        pay.pop("kind", None)
    doc["pay"] = pay


# ---- the page --------------------------------------------------------------------------------------


def _render(
    request: HttpRequest, base: editor.Base, form: TemplateForm, check: Any = None, *, status: int = 200
) -> HttpResponse:
    context = {"base": base, "form": form, "check": check}
    return render(request, "shopkpi/editor/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def template_form(request: HttpRequest, template_id: str) -> HttpResponse:
    editor.require_editor(request.user)
    base = editor.base_of(template_id, request.GET.get("from") or request.POST.get("base") or None)
    if request.method == "GET":
        return _render(request, base, from_text(base.text))
    form = from_post(request.POST, base.text)
    if not validate(form):
        return _render(request, base, form, status=422)
    check = editor.checked(request, base, to_text(form, base.text))
    return _render(request, base, form, check, status=200 if not check.problems else 422)
