"""Load a template: YAML -> shape (pydantic) -> meaning (intervals, weights, expressions) -> Template.

Every problem of a file is collected and reported at once, each with the template id, the item
key and the YAML path; nothing is half-loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shopkpi.scorecard.expressions import Expression, ExpressionError, compile_expression
from shopkpi.scorecard.intervals import Interval, IntervalError, find_gaps, find_overlaps, parse_interval
from shopkpi.scorecard.model import (
    RULE_KEYS,
    AggregateDoc,
    BonusDoc,
    GradeDoc,
    ItemDoc,
    PayDoc,
    PenaltyDoc,
    RuleDoc,
    SpotCheckDoc,
    TemplateDoc,
)
from shopkpi.scorecard.numbers import NumberError, number_from_yaml, plain
from shopkpi.scorecard.periods import MONTHS
from shopkpi.scorecard.problems import Problem, TemplateError
from shopkpi.scorecard.template import (
    Aggregate,
    Band,
    BandsRule,
    BonusRule,
    ConsequenceRule,
    DeductRule,
    Grade,
    Item,
    ItemRule,
    PayKind,
    PenaltyRule,
    ProportionalRule,
    RatedRule,
    SpotCheck,
    Template,
)
from shopkpi.scorecard.yaml_source import PathPart, YamlSyntaxError, line_of, read_yaml, yaml_path

HUNDRED = Decimal(100)
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_KEY_RE = re.compile(r"[^\W\d]\w*")
_M = TypeVar("_M", bound=BaseModel)


def builtin_template_dir() -> Path:
    return Path(__file__).parent / "templates"


def builtin_template_paths() -> list[Path]:
    return sorted(builtin_template_dir().glob("*.yaml"))


def load_template_file(path: str | Path) -> Template:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(str(file), [Problem(file.name, "(file)", f"cannot be read: {exc}")]) from None
    return load_template_text(text, str(file))


def load_template_text(text: str, source: str = "<string>") -> Template:
    """Compile a template, or raise TemplateError listing every problem of the text."""
    try:
        document = read_yaml(text)
    except YamlSyntaxError as exc:
        raise TemplateError(
            source, [Problem(Path(source).name, "(document)", str(exc), line=exc.line, column=exc.column)]
        ) from None
    if not isinstance(document, dict):
        raise TemplateError(
            source, [Problem(Path(source).name, "(document)", "a template is a YAML mapping")]
        )
    return _Compiler(document, text, source).compile()


class _Compiler:
    def __init__(self, document: dict[str, Any], text: str, source: str) -> None:
        self.document = document
        self.text = text
        self.source = source
        raw_id = document.get("id")
        self.template_id = raw_id if isinstance(raw_id, str) and raw_id else Path(source).name
        self.problems: list[Problem] = []

    # --- reporting -------------------------------------------------------------------------

    def problem(self, path: Sequence[PathPart], message: str) -> None:
        item = None
        if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
            items = self.document.get("items")
            if isinstance(items, list) and path[1] < len(items) and isinstance(items[path[1]], dict):
                key = items[path[1]].get("key")
                item = key if isinstance(key, str) else f"#{path[1] + 1}"
        self.problems.append(
            Problem(self.template_id, yaml_path(path), message, item, line_of(self.document, path))
        )

    def shape(self, model: type[_M], raw: Any, path: Sequence[PathPart]) -> _M | None:
        """Validate one part's shape; its problems are reported once, by the whole-document pass."""
        try:
            return model.model_validate(raw)
        except ValidationError:
            return None

    def number(self, raw: Any, path: Sequence[PathPart]) -> Decimal | None:
        try:
            return number_from_yaml(raw)
        except NumberError as exc:
            self.problem(path, str(exc))
            return None

    # --- the passes ------------------------------------------------------------------------

    def compile(self) -> Template:
        self._report_shape()
        doc = self.document
        if isinstance(doc.get("id"), str) and not _ID_RE.fullmatch(doc["id"]):
            self.problem(["id"], f"{doc['id']!r} is not a slug (letters, digits, - and _)")
        self_weight = self._self_weight()
        cap = self._cap()
        rounding = doc.get("rounding", 1)
        items = self._items()
        grades = self._grades(cap)
        pay, pay_kind, pay_base = self._pay(cap)
        rules = self._rules()
        aggregates = self._aggregates()
        spot_check = self._spot_check(items)
        if self.problems:
            raise TemplateError(self.source, self.problems)
        return Template(
            id=doc["id"],
            name=doc["name"],
            description=doc.get("description"),
            period=doc.get("period", "month"),
            self_weight=self_weight if self_weight is not None else Decimal(0),
            rounding=rounding,
            cap=cap,
            grades=grades,
            items=items,
            pay=pay,
            rules=rules,
            text=self.text,
            pay_kind=pay_kind,
            pay_base=pay_base,
            aggregates=aggregates,
            spot_check=spot_check,
        )

    def _report_shape(self) -> None:
        try:
            TemplateDoc.model_validate(self.document)
            return
        except ValidationError as exc:
            errors = exc.errors()
        grouped: dict[tuple[PathPart, ...], list[dict[str, Any]]] = {}
        for error in errors:
            path = _data_path(self.document, error["loc"], error["type"])
            grouped.setdefault(path, []).append(dict(error))
        for path, group in grouped.items():
            self.problem(path, _shape_message(path, group))

    def _self_weight(self) -> Decimal | None:
        if "self_weight" not in self.document:
            return Decimal(0)
        value = self.number(self.document["self_weight"], ["self_weight"])
        if value is not None and not (0 <= value <= 1):
            self.problem(["self_weight"], f"is a share between 0 and 1 (0% to 100%), not {value}")
            return None
        return value

    def _cap(self) -> Decimal | None:
        if self.document.get("cap") is None:
            return None
        value = self.number(self.document["cap"], ["cap"])
        if value is not None and value <= 0:
            self.problem(["cap"], f"must be above 0, not {value}")
            return None
        return value

    def _expression(
        self, raw: Any, path: Sequence[PathPart], score_range: tuple[Decimal, Decimal | None] | None = None
    ) -> Expression | None:
        if isinstance(raw, bool) or raw is None:
            self.problem(path, "needs an expression")
            return None
        source = str(raw) if isinstance(raw, int | float) else raw
        if not isinstance(source, str):
            return None  # reported by the shape pass
        try:
            return compile_expression(source, score_range=score_range)
        except ExpressionError as exc:
            self.problem(path, str(exc))
            return None

    # --- items -----------------------------------------------------------------------------

    def _items(self) -> tuple[Item, ...]:
        raw_items = self.document.get("items")
        if not isinstance(raw_items, list):
            return ()
        compiled: list[Item] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(raw_items):
            path: list[PathPart] = ["items", index]
            key = raw.get("key") if isinstance(raw, dict) else None
            if isinstance(key, str):
                if not _KEY_RE.fullmatch(key):
                    self.problem([*path, "key"], f"{key!r} is not an identifier (letters, digits and _)")
                if key in seen:
                    self.problem([*path, "key"], f"the key {key!r} is already used by item #{seen[key] + 1}")
                seen.setdefault(key, index)
            doc = self.shape(ItemDoc, raw, path)
            item = None if doc is None else self._item(doc, path)
            if item is not None:
                compiled.append(item)
        weight_sum = _weight_sum(raw_items)
        if weight_sum is not None and weight_sum != HUNDRED:
            self.problem(["items"], f"the weights of the weighted items add up to {weight_sum}, not 100")
        return tuple(compiled)

    def _item(self, doc: ItemDoc, path: list[PathPart]) -> Item | None:
        present = [name for name in RULE_KEYS if getattr(doc, name) is not None]
        if len(present) != 1:
            if present:
                self.problem(
                    path, f"has {len(present)} scoring rules ({', '.join(present)}); an item has exactly one"
                )
            else:
                self.problem(path, f"has no scoring rule; give one of {', '.join(RULE_KEYS)}")
            return None
        kind = present[0]
        ok = True
        weight: Decimal | None = None
        if kind in ("bonus", "penalty"):
            if doc.weight is not None:
                self.problem([*path, "weight"], f"a {kind} item has no weight (it adds or takes off points)")
                ok = False
        elif doc.weight is None:
            self.problem(path, f"a {kind} item needs a weight")
            ok = False
        else:
            weight = self.number(doc.weight, [*path, "weight"])
            weight = None if weight is None else _points(doc.weight, weight)
            if weight is not None and weight <= 0:
                self.problem([*path, "weight"], f"must be above 0, not {weight}")
                weight = None
            ok = ok and weight is not None
        if doc.levels is not None and kind != "rated_by":
            self.problem([*path, "levels"], "levels belong to a rated item (rated_by)")
            ok = False
        value: Expression | None = None
        if kind == "rated_by":
            if doc.value is not None:
                self.problem([*path, "value"], "a rated item takes its rating from a person, not a value")
                ok = False
        elif doc.value is None:
            self.problem(path, f"a {kind} item needs a value")
            ok = False
        else:
            value = self._expression(doc.value, [*path, "value"])
            if value is not None and value.variables & {"score", "grade"}:
                self.problem([*path, "value"], "score and grade are not known while items are scored")
                value = None
            ok = ok and value is not None
        rule = self._rule(kind, doc, path)
        if not ok or rule is None:
            return None
        return Item(doc.key, doc.name, doc.description, weight, value, rule)

    def _rule(self, kind: str, doc: ItemDoc, path: list[PathPart]) -> ItemRule | None:
        if kind == "bands":
            return self._bands(doc.bands or {}, [*path, "bands"])
        if kind == "proportional":
            assert doc.proportional is not None
            target_raw = doc.proportional.target
            target_path = [*path, "proportional", "target"]
            target = self._expression(target_raw, target_path)
            if target is not None and not target.variables:
                constant = target.number({})
                if constant <= 0:
                    self.problem(target_path, f"must be above 0, not {constant}")
                    return None
            return None if target is None else ProportionalRule(target)
        if kind == "deduct":
            per_unit = self.number(doc.deduct, [*path, "deduct"])
            if per_unit is not None and per_unit < 0:
                self.problem([*path, "deduct"], f"points per unit cannot be negative ({per_unit})")
                return None
            return None if per_unit is None else DeductRule(per_unit)
        if kind == "rated_by":
            levels: dict[str, Decimal] = {}
            for name, raw in (doc.levels or {}).items():
                rating = self._rating(raw, [*path, "levels", name])
                if rating is not None:
                    levels[name] = rating
            if len(levels) != len(doc.levels or {}):
                return None
            return RatedRule(doc.rated_by or "supervisor", levels)
        if kind == "bonus":
            assert doc.bonus is not None
            parts = self._numbers(doc.bonus, [*path, "bonus"])
            if parts is None:
                return None
            if parts["per"] <= 0:
                self.problem([*path, "bonus", "per"], f"the step must be above 0, not {parts['per']}")
                return None
            return BonusRule(parts["over"], parts["per"], parts["points"], parts.get("max"))
        assert doc.penalty is not None
        parts = self._numbers(doc.penalty, [*path, "penalty"])
        return None if parts is None else PenaltyRule(parts["per"], parts.get("max"))

    def _numbers(self, doc: BonusDoc | PenaltyDoc, path: list[PathPart]) -> dict[str, Decimal] | None:
        given = {name: raw for name, raw in doc.model_dump().items() if raw is not None}
        values: dict[str, Decimal] = {}
        for name, raw in given.items():
            number = self.number(raw, [*path, name])
            if number is not None and name != "over" and number < 0:
                self.problem([*path, name], f"cannot be negative ({number})")
                number = None
            if number is not None:
                values[name] = number
        return values if len(values) == len(given) else None

    def _rating(self, raw: Any, path: list[PathPart]) -> Decimal | None:
        rating = self.number(raw, path)
        if rating is not None and not (0 <= rating <= HUNDRED):
            self.problem(path, f"a rating lies in 0..100, not {rating}")
            return None
        return rating

    def _bands(self, raw: dict[str, Any], path: list[PathPart]) -> BandsRule | None:
        bands: list[Band] = []
        ok = True
        for text, raw_rating in raw.items():
            interval = self._interval(text, [*path, text])
            rating = self._rating(raw_rating, [*path, text])
            if interval is None or rating is None:
                ok = False
            else:
                bands.append(Band(interval, rating))
        if not raw:
            self.problem(path, "a band table needs at least one band")
            return None
        intervals = [band.interval for band in bands]
        ok = self._check_table(intervals, path, "bands", None, None) and ok
        return BandsRule(tuple(bands)) if ok else None

    def _interval(self, text: Any, path: list[PathPart]) -> Interval | None:
        try:
            return parse_interval(str(text))
        except (IntervalError, NumberError) as exc:
            self.problem(path, str(exc))
            return None

    def _check_table(
        self,
        intervals: list[Interval],
        path: list[PathPart],
        what: str,
        low: Decimal | None,
        high: Decimal | None,
    ) -> bool:
        ok = True
        for a, b, common in find_overlaps(intervals):
            self.problem(path, f'{what} "{a.text}" and "{b.text}" overlap on {common.text}')
            ok = False
        for gap in find_gaps(intervals, low, high):
            self.problem(path, f"{what} leave {gap.text} uncovered")
            ok = False
        return ok

    # --- grades, pay, rules ----------------------------------------------------------------

    def _grades(self, cap: Decimal | None) -> tuple[Grade, ...]:
        raw_grades = self.document.get("grades")
        if not isinstance(raw_grades, list) or not raw_grades:
            return ()
        grades: list[Grade] = []
        names: set[str] = set()
        for index, raw in enumerate(raw_grades):
            doc = self.shape(GradeDoc, raw, ["grades", index])
            if doc is None:
                continue
            if doc.name in names:
                self.problem(["grades", index, "name"], f"the grade {doc.name!r} is named twice")
            names.add(doc.name)
            interval = self._interval(doc.when, ["grades", index, "when"])
            if interval is not None:
                grades.append(Grade(doc.name, interval))
        if len(grades) == len(raw_grades):
            self._check_table([g.when for g in grades], ["grades"], "grades", Decimal(0), cap)
        return tuple(grades)

    def _pay(self, cap: Decimal | None) -> tuple[Expression | None, PayKind, Expression | None]:
        raw = self.document.get("pay")
        doc = None if raw is None else self.shape(PayDoc, raw, ["pay"])
        if doc is None:
            return None, "performance", None
        amount = self._expression(doc.amount, ["pay", "amount"], score_range=(Decimal(0), cap))
        base = None
        if doc.base is not None:
            base = self._expression(doc.base, ["pay", "base"], score_range=(Decimal(0), cap))
        return amount, doc.kind, base

    def _aggregates(self) -> tuple[Aggregate, ...]:
        raw = self.document.get("aggregate")
        if not isinstance(raw, dict) or not raw:
            return ()
        period = self.document.get("period", "month")
        if period not in ("quarter", "year"):
            self.problem(
                ["aggregate"], "only a quarter or year template aggregates the results of shorter periods"
            )
            return ()
        found: list[Aggregate] = []
        for name, entry in raw.items():
            path: list[PathPart] = ["aggregate", name]
            doc = self.shape(AggregateDoc, entry, path)
            if doc is None:
                continue
            aggregate = self._aggregate(str(name), doc, period, path)
            if aggregate is not None:
                found.append(aggregate)
        return tuple(found)

    def _aggregate(self, name: str, doc: AggregateDoc, period: str, path: list[PathPart]) -> Aggregate | None:
        problems_before = len(self.problems)
        try:
            named = compile_expression(name).variables
        except ExpressionError:
            named = frozenset()
        if named != {name} or name in ("score", "grade"):
            self.problem(path, f"{name!r} cannot be a variable's name (a word, not score or grade)")
        if MONTHS[doc.over] >= MONTHS[period]:  # type: ignore[index]
            self.problem([*path, "over"], f"a {period} template aggregates shorter periods, not {doc.over}s")
        counted = doc.how in ("count", "longest_run")
        if (doc.of == "grade") != (counted and doc.grades is not None):
            self.problem(
                path,
                "grades are counted (how: count or longest_run, with grades: [...]), never averaged or summed",
            )
        elif doc.grades is not None and not counted:
            self.problem([*path, "grades"], "grades go with how: count or longest_run")
        elif doc.how == "longest_run" and doc.grades is None:
            self.problem(path, "longest_run counts a run of grades: give of: grade and grades: [...]")
        weights: tuple[Decimal, ...] = ()
        if (doc.how == "weighted") != (doc.weights is not None):
            self.problem(path, "how: weighted needs weights, and weights need how: weighted")
        elif doc.weights is not None:
            parts = MONTHS[period] // MONTHS[doc.over]  # type: ignore[index]
            numbers = [self.number(w, [*path, "weights", i]) for i, w in enumerate(doc.weights)]
            weights = tuple(n for n in numbers if n is not None)
            if len(doc.weights) != parts:
                self.problem(
                    [*path, "weights"], f"needs {parts} weights, one per {doc.over}, not {len(doc.weights)}"
                )
            elif any(w < 0 for w in weights) or sum(weights) <= 0:
                self.problem([*path, "weights"], "weights are not negative and add up to more than 0")
        if len(self.problems) > problems_before:
            return None
        return Aggregate(name, doc.of, doc.how, doc.over, weights, tuple(doc.grades or ()))

    def _spot_check(self, items: tuple[Item, ...]) -> SpotCheck | None:
        raw = self.document.get("spot_check")
        doc = None if raw is None else self.shape(SpotCheckDoc, raw, ["spot_check"])
        if doc is None:
            return None
        problems_before = len(self.problems)
        if self.document.get("period", "month") != "month":
            self.problem(["spot_check"], "spot checks are drawn by week and feed a month template's item")
        keys = {item.key: item for item in items}
        fed = keys.get(doc.feeds)
        if fed is None and doc.feeds not in _raw_keys(self.document):
            rated = [key for key, item in keys.items() if item.is_rated]
            self.problem(
                ["spot_check", "feeds"],
                f"names no item of this template ({doc.feeds!r}); give the key of a rated_by: supervisor "
                f"item ({', '.join(rated) or 'there is none'})",
            )
        elif fed is not None and not (isinstance(fed.rule, RatedRule) and fed.rule.rated_by == "supervisor"):
            self.problem(
                ["spot_check", "feeds"],
                f"item {doc.feeds!r} is not rated by the supervisor; spot checks rate a rated_by: supervisor item",
            )
        seen: set[str] = set()
        for index, point in enumerate(doc.checklist):
            if not point.strip():
                self.problem(["spot_check", "checklist", index], "a checklist point needs a name")
            elif point.strip() in seen:
                self.problem(["spot_check", "checklist", index], f"the point {point!r} is listed twice")
            seen.add(point.strip())
        if len(self.problems) > problems_before:
            return None
        checklist = tuple(point.strip() for point in doc.checklist)
        return SpotCheck(doc.feeds, checklist, doc.per_week, doc.cases)

    def _rules(self) -> tuple[ConsequenceRule, ...]:
        raw_rules = self.document.get("rules")
        if not isinstance(raw_rules, list):
            return ()
        rules: list[ConsequenceRule] = []
        for index, raw in enumerate(raw_rules):
            doc = self.shape(RuleDoc, raw, ["rules", index])
            if doc is None:
                continue
            when = self._expression(doc.when, ["rules", index, "when"], score_range=(Decimal(0), None))
            if when is None:
                continue
            others = when.variables - {"score", "grade"}
            if others:
                self.problem(
                    ["rules", index, "when"],
                    f"a rule may use only score and grade (history holds no more), not {', '.join(sorted(others))}",
                )
                continue
            rules.append(ConsequenceRule(when, doc.consecutive, doc.action, doc.at))
        return tuple(rules)


def _raw_keys(document: dict[str, Any]) -> set[str]:
    """The item keys the document writes (an item with other problems is still named)."""
    raw_items = document.get("items")
    if not isinstance(raw_items, list):
        return set()
    return {raw["key"] for raw in raw_items if isinstance(raw, dict) and isinstance(raw.get("key"), str)}


def _points(raw: Any, number: Decimal) -> Decimal:
    """A weight is points of 100: `40%` and `40` both mean 40 points."""
    if isinstance(raw, str) and raw.strip().endswith("%"):
        return plain(number * HUNDRED)
    return number


def _weight_sum(raw_items: list[Any]) -> Decimal | None:
    """The sum of the weighted items' weights, or None where a weight cannot be read (reported elsewhere)."""
    total = Decimal(0)
    for raw in raw_items:
        if not isinstance(raw, dict) or "bonus" in raw or "penalty" in raw:
            continue
        try:
            total += _points(raw.get("weight"), number_from_yaml(raw.get("weight")))
        except NumberError:
            return None
    return total


def _data_path(document: Any, loc: tuple[Any, ...], error_type: str) -> tuple[PathPart, ...]:
    """Cut pydantic's location back to the part of the document it is about (drop union member names)."""
    path: list[PathPart] = []
    node = document
    for part in loc:
        if (isinstance(node, list) and isinstance(part, int) and part < len(node)) or (
            isinstance(node, dict) and part in node
        ):
            node = node[part]
        elif error_type in ("missing", "extra_forbidden") and isinstance(part, str) and part == loc[-1]:
            path.append(part)
            break
        else:
            break
        path.append(part)
    return tuple(path)


_TYPE_WORDS = {"missing": "is required", "extra_forbidden": "is not a key of this part"}


def _shape_message(path: tuple[PathPart, ...], errors: list[dict[str, Any]]) -> str:
    kinds = {e["type"] for e in errors}
    if kinds == {"missing"}:
        return "is required"
    if kinds == {"extra_forbidden"}:
        return f"unknown key {path[-1]!r}" if path else "unknown key"
    if len(errors) == 1:
        return str(errors[0]["msg"])
    got = errors[0].get("input")
    return f"has the wrong type ({got!r}); " + "; ".join(sorted({str(e["msg"]) for e in errors}))


def iter_builtin_templates() -> Iterator[Template]:
    for path in builtin_template_paths():
        yield load_template_file(path)
