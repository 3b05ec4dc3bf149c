"""Properties of the engine, checked with hypothesis on generated templates and values.

- a band score never drops when the value improves in the table's direction;
- the total stays in [0, cap];
- interval parsing round-trips: `parse_interval(i.canonical())` holds the same numbers as `i`;
- the engine is deterministic: the same inputs give the same result.
"""

from __future__ import annotations

import decimal
import itertools
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shopkpi.scorecard import EmployeeInput, ScoreResult, Template, TemplateError, load_template_text, score
from shopkpi.scorecard.intervals import parse_interval

D = Decimal

PROPERTY = settings(max_examples=200, deadline=None)

numbers = st.decimals(
    min_value=D(-100000), max_value=D(100000), places=2, allow_nan=False, allow_infinity=False
)
ratings_0_100 = st.decimals(min_value=D(0), max_value=D(100), places=1, allow_nan=False, allow_infinity=False)


def text_of(number: Decimal) -> str:
    return format(number, "f")


# --- monotone band tables ---------------------------------------------------------------------


@dataclass(frozen=True)
class BandTable:
    yaml: str
    higher_is_better: bool
    cuts: tuple[Decimal, ...]


@st.composite
def band_tables(draw: st.DrawFn) -> BandTable:
    cuts = sorted(draw(st.sets(numbers, min_size=1, max_size=6)))
    ratings = sorted(draw(st.lists(st.integers(0, 100), min_size=len(cuts) + 1, max_size=len(cuts) + 1)))
    higher_is_better = draw(st.booleans())
    if not higher_is_better:
        ratings.reverse()  # along the number line the rating falls: lower values are better
    left_closed = draw(st.booleans())  # "[a, b)" bands, or "(a, b]" bands
    texts = [text_of(c) for c in cuts]
    if left_closed:
        keys = [f"< {texts[0]}"]
        keys += [f"[{a}, {b})" for a, b in itertools.pairwise(texts)]
        keys.append(f">= {texts[-1]}")
    else:
        keys = [f"<= {texts[0]}"]
        keys += [f"({a}, {b}]" for a, b in itertools.pairwise(texts)]
        keys.append(f"> {texts[-1]}")
    bands = ", ".join(f'"{k}": {r}' for k, r in zip(keys, ratings, strict=True))
    yaml = (
        "id: monotone\nname: 单调\nitems:\n"
        f"  - {{key: kpi, name: 指标, weight: 100, value: x, bands: {{{bands}}}}}\n"
    )
    return BandTable(yaml, higher_is_better, tuple(cuts))


def points_at(template: Template, value: Decimal) -> Decimal:
    result = score(template, EmployeeInput("E1", "2026-10", {"x": value}))
    points = result.item("kpi").points
    assert points is not None
    return points


@PROPERTY
@given(table=band_tables(), data=st.data())
def test_a_band_score_never_drops_when_the_value_improves(table: BandTable, data: st.DataObject) -> None:
    template = load_template_text(table.yaml)
    near_cuts = st.sampled_from(table.cuts).flatmap(
        lambda c: st.sampled_from([c, c - D("0.01"), c + D("0.01"), c - D("0.001"), c + D("0.001")])
    )
    values = st.one_of(numbers, near_cuts)
    a, b = sorted([data.draw(values), data.draw(values)])
    worse, better = (a, b) if table.higher_is_better else (b, a)
    assert points_at(template, worse) <= points_at(template, better)


# --- the total stays in [0, cap] ------------------------------------------------------------


@st.composite
def capped_cards(draw: st.DrawFn) -> str:
    # four weighted items whose (positive) weights add up to 100, plus a bonus and a penalty
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=3, max_size=3)))
    weights = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 100 - cuts[2]]
    band_ratings = draw(st.lists(st.integers(0, 100), min_size=3, max_size=3))
    per = draw(st.decimals(min_value=D("0.5"), max_value=D(20), places=1))
    bonus_over = draw(st.integers(-100, 100))
    bonus_per = draw(st.integers(1, 50))
    bonus_points = draw(st.integers(0, 20))
    bonus_max = draw(st.integers(0, 60))
    penalty_per = draw(st.integers(0, 20))
    penalty_max = draw(st.integers(0, 200))
    cap = draw(st.integers(1, 200))
    self_weight = draw(st.decimals(min_value=D(0), max_value=D(1), places=2))
    rounding = draw(st.integers(0, 3))
    target = draw(st.integers(1, 1000))
    r0, r1, r2 = band_ratings
    return (
        "id: bounded\nname: 有界\n"
        f"cap: {cap}\nself_weight: {self_weight}\nrounding: {rounding}\n"
        "items:\n"
        f'  - {{key: b, name: 区间, weight: {weights[0]}, value: x, bands: {{"< 0": {r0}, "[0, 50)": {r1}, ">= 50": {r2}}}}}\n'
        f"  - {{key: d, name: 扣分, weight: {weights[1]}, value: y, deduct: {per}}}\n"
        f"  - {{key: r, name: 评分, weight: {weights[2]}, rated_by: supervisor}}\n"
        f"  - {{key: p, name: 比例, weight: {weights[3]}, value: z, proportional: {{target: {target}}}}}\n"
        f"  - {{key: plus, name: 加分, value: x, bonus: {{over: {bonus_over}, per: {bonus_per}, points: {bonus_points}, max: {bonus_max}}}}}\n"
        f"  - {{key: minus, name: 减分, value: y, penalty: {{per: {penalty_per}, max: {penalty_max}}}}}\n"
    )


@PROPERTY
@given(
    card=capped_cards(),
    x=numbers,
    y=st.decimals(min_value=D(0), max_value=D(1000), places=2),
    z=numbers,
    rating=ratings_0_100,
    own=ratings_0_100,
)
def test_the_total_stays_between_0_and_the_cap(
    card: str, x: Decimal, y: Decimal, z: Decimal, rating: Decimal, own: Decimal
) -> None:
    template = load_template_text(card)
    assert template.cap is not None
    result = score(
        template, EmployeeInput("E1", "2026-10", {"x": x, "y": y, "z": z}, {"r": rating}, {"r": own})
    )
    assert result.status == "ok"
    assert result.score is not None
    assert D(0) <= result.score <= template.cap


# --- intervals round-trip -------------------------------------------------------------------

SUFFIXES = {
    "": D(1),
    "%": D("0.01"),
    "万": D(10000),
    "w": D(10000),
    "W": D(10000),
    "k": D(1000),
    "K": D(1000),
}


@st.composite
def literals(draw: st.DrawFn) -> tuple[str, Decimal]:
    """A number as written in a template, and its value worked out independently."""
    digits = draw(st.decimals(min_value=D(0), max_value=D(5000), places=draw(st.integers(0, 3))))
    suffix = draw(st.sampled_from(sorted(SUFFIXES)))
    negative = draw(st.booleans()) and digits != 0
    text = ("-" if negative else "") + format(digits, "f") + suffix
    value = (-digits if negative else digits) * SUFFIXES[suffix]
    return text, value


@dataclass(frozen=True)
class Written:
    text: str
    low: Decimal | None
    low_closed: bool
    high: Decimal | None
    high_closed: bool

    def holds(self, value: Decimal) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_closed)):
            return False
        return not (
            self.high is not None and (value > self.high or (value == self.high and not self.high_closed))
        )


@st.composite
def intervals(draw: st.DrawFn) -> Written:
    form = draw(st.sampled_from([">=", ">", "<=", "<", "==", "[)", "(]", "[]", "()"]))
    space = draw(st.sampled_from(["", " "]))
    a_text, a = draw(literals())
    if form in (">=", ">"):
        return Written(f"{form}{space}{a_text}", a, form == ">=", None, False)
    if form in ("<=", "<"):
        return Written(f"{form}{space}{a_text}", None, False, a, form == "<=")
    if form == "==":
        return Written(f"=={space}{a_text}", a, True, a, True)
    b_text, b = draw(literals().filter(lambda lit: lit[1] != a))
    if b < a:
        a_text, a, b_text, b = b_text, b, a_text, a
    text = f"{form[0]}{a_text},{space}{b_text}{form[1]}"
    return Written(text, a, form[0] == "[", b, form[1] == "]")


@PROPERTY
@given(written=intervals(), extra=st.lists(numbers, max_size=5))
def test_interval_parsing_round_trips(written: Written, extra: list[Decimal]) -> None:
    interval = parse_interval(written.text)
    again = parse_interval(interval.canonical())
    probes = list(extra)
    for bound in (written.low, written.high):
        if bound is not None:
            probes += [bound, bound - D("0.0001"), bound + D("0.0001"), bound - 1, bound + 1]
    for value in probes:
        assert (value in interval) == written.holds(value), (written.text, value)
        assert (value in again) == (value in interval), (written.text, interval.canonical(), value)


# --- determinism ----------------------------------------------------------------------------

SPEC_EXAMPLE = """\
id: cs-agent
name: 客服专员
self_weight: 25%
cap: 120
grades:
  - {name: 优秀, when: ">= 95"}
  - {name: 良好, when: "[80, 95)"}
  - {name: 合格, when: "[65, 80)"}
  - {name: 差,   when: "< 65"}
items:
  - key: attainment
    name: 指标完成率
    weight: 40%
    value: 实际销售额 / 计划销售额
    bands: {">= 80%": 100, "[70%, 80%)": 85, "[60%, 70%)": 70, "[50%, 60%)": 55, "[40%, 50%)": 40, "< 40%": 0}
  - key: response
    name: 旺旺平均响应时间(秒)
    weight: 20%
    value: 平均响应秒数
    bands: {"<= 30": 100, "(30, 60]": 80, "(60, 120]": 60, "> 120": 0}
  - {key: incidents, name: 客服原因导致售后或差评, weight: 20%, value: 差评次数, deduct: 2}
  - key: attitude
    name: 执行力/工作态度
    weight: 20%
    rated_by: supervisor
    levels: {优: 100, 良: 80, 中: 60, 差: 40, 不合格: 0}
pay:
  amount: '500 * lookup(score, {"< 65": 0.5, "[65, 80)": 1.0, "[80, 95)": 1.2, ">= 95": 1.5}) + 2% * 销售额'
rules:
  - {when: "score < 65", consecutive: 2, action: 辞退}
"""
TEMPLATE = load_template_text(SPEC_EXAMPLE)


def snapshot(result: ScoreResult) -> tuple[object, ...]:
    return (
        result.status,
        result.score,
        result.grade,
        result.pay,
        tuple((i.key, i.value, i.rating, i.points) for i in result.items),
        tuple(result.actions),
        tuple(result.missing),
    )


@PROPERTY
@given(
    actual=numbers,
    planned=numbers,
    seconds=st.one_of(st.none(), st.decimals(min_value=D(0), max_value=D(600), places=1)),
    incidents=st.integers(0, 20),
    sales=numbers,
    supervisor=st.sampled_from(["优", "良", "中", "差", "不合格"]),
    own=st.one_of(st.none(), st.sampled_from(["优", "良", "中", "差", "不合格"])),
    precision=st.integers(3, 50),
)
def test_the_engine_is_deterministic(
    actual: Decimal,
    planned: Decimal,
    seconds: Decimal | None,
    incidents: int,
    sales: Decimal,
    supervisor: str,
    own: str | None,
    precision: int,
) -> None:
    values = {
        "实际销售额": actual,
        "计划销售额": planned,
        "平均响应秒数": seconds,
        "差评次数": D(incidents),
        "销售额": sales,
    }
    employee = EmployeeInput(
        "E1", "2026-10", values, {"attitude": supervisor}, {} if own is None else {"attitude": own}
    )
    first = snapshot(score(TEMPLATE, employee))
    assert snapshot(score(TEMPLATE, employee)) == first
    assert snapshot(score(load_template_text(SPEC_EXAMPLE), employee)) == first
    with decimal.localcontext() as ctx:  # whatever the caller's decimal context
        ctx.prec = precision
        assert snapshot(score(TEMPLATE, employee)) == first


# --- overlap and gap detection agree with a brute-force count -------------------------------

small = st.integers(-5, 5).map(Decimal)


@st.composite
def loose_intervals(draw: st.DrawFn) -> Written:
    """An interval over small whole numbers, so that tables often overlap or leave gaps."""
    form = draw(st.sampled_from([">=", ">", "<=", "<", "==", "[)", "(]", "[]", "()"]))
    a = draw(small)
    if form in (">=", ">"):
        return Written(f"{form} {a}", a, form == ">=", None, False)
    if form in ("<=", "<"):
        return Written(f"{form} {a}", None, False, a, form == "<=")
    if form == "==":
        return Written(f"== {a}", a, True, a, True)
    b = draw(small.filter(lambda b: b != a))
    a, b = min(a, b), max(a, b)
    return Written(f"{form[0]}{a}, {b}{form[1]}", a, form[0] == "[", b, form[1] == "]")


def probes_for(table: list[Written]) -> list[Decimal]:
    """Every endpoint, a point between each two neighbours, and a point beyond each end: enough to
    see every overlap and every gap of intervals whose ends are among the endpoints."""
    ends = sorted({e for w in table for e in (w.low, w.high) if e is not None})
    points = [ends[0] - 1, ends[-1] + 1, *ends]
    points += [(x + y) / 2 for x, y in itertools.pairwise(ends)]
    return points


@PROPERTY
@given(table=st.lists(loose_intervals(), min_size=1, max_size=5, unique_by=lambda w: w.text))
def test_a_band_table_loads_exactly_when_every_number_lies_in_one_band(table: list[Written]) -> None:
    counts = [sum(w.holds(p) for w in table) for p in probes_for(table)]
    bands = ", ".join(f'"{w.text}": 50' for w in table)
    text = f"id: oracle\nname: 对照\nitems:\n  - {{key: k, name: K, weight: 100, value: x, bands: {{{bands}}}}}\n"
    try:
        load_template_text(text)
        loaded, message = True, ""
    except TemplateError as exc:
        loaded, message = False, str(exc)
    if all(count == 1 for count in counts):
        assert loaded, message
    else:
        assert not loaded, f"{[w.text for w in table]} has an overlap or a gap yet loads"
        if any(count > 1 for count in counts):
            assert "overlap" in message


@PROPERTY
@given(
    table=st.lists(loose_intervals(), min_size=1, max_size=5, unique_by=lambda w: w.text),
    cap=st.one_of(st.none(), st.integers(1, 6).map(Decimal)),
)
def test_grades_load_exactly_when_every_score_from_0_to_the_cap_has_one_grade(
    table: list[Written], cap: Decimal | None
) -> None:
    edges = [Written("0", D(0), True, D(0), True)]
    if cap is not None:
        edges.append(Written(str(cap), cap, True, cap, True))
    # "must not overlap" holds on the whole line; "no gap" over the reachable scores 0..cap only
    probes = probes_for(table + edges)
    reachable = [p for p in probes if p >= 0 and (cap is None or p <= cap)]
    overlaps = any(sum(w.holds(p) for w in table) > 1 for p in probes)
    gaps = any(sum(w.holds(p) for w in table) == 0 for p in reachable)
    grades = "".join(f'  - {{name: g{n}, when: "{w.text}"}}\n' for n, w in enumerate(table))
    text = (
        "id: oracle\nname: 对照\n"
        + (f"cap: {cap}\n" if cap is not None else "")
        + f"grades:\n{grades}items:\n  - {{key: k, name: K, weight: 100, rated_by: supervisor}}\n"
    )
    try:
        load_template_text(text)
        loaded, message = True, ""
    except TemplateError as exc:
        loaded, message = False, str(exc)
    if overlaps or gaps:
        assert not loaded, f"{[w.text for w in table]} (cap {cap}) has an overlap or a gap yet loads"
    else:
        assert loaded, message
