"""The engine as a whole (spec: "Final score", "Pay", "Consequence rules", and the
`incomplete` result of "Expressions"). Every expected number is worked out by hand."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from shopkpi.scorecard import EmployeeInput, PeriodResult, ScoreResult, Template, load_template_text, score

D = Decimal

SPEC_EXAMPLE = textwrap.dedent(
    """\
    id: cs-agent
    name: 客服专员
    period: month
    self_weight: 25%
    rounding: 1
    cap: 120
    grades:
      - {name: 优秀, when: ">= 95"}
      - {name: 良好, when: "[80, 95)"}
      - {name: 合格, when: "[65, 80)"}
      - {name: 差,   when: "< 65"}
    items:
      - key: attainment
        name: 指标完成率
        description: 实际销售额/计划销售额
        weight: 40%
        value: 实际销售额 / 计划销售额
        bands:
          ">= 80%": 100
          "[70%, 80%)": 85
          "[60%, 70%)": 70
          "[50%, 60%)": 55
          "[40%, 50%)": 40
          "< 40%": 0
      - key: response
        name: 旺旺平均响应时间(秒)
        weight: 20%
        value: 平均响应秒数
        bands: {"<= 30": 100, "(30, 60]": 80, "(60, 120]": 60, "> 120": 0}
      - key: incidents
        name: 客服原因导致售后或差评
        weight: 20%
        value: 差评次数
        deduct: 2
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
)

CS_AGENT = load_template_text(SPEC_EXAMPLE)

E001_VALUES: dict[str, object] = {
    "实际销售额": D(48000),
    "计划销售额": D(60000),
    "平均响应秒数": D(30),
    "差评次数": D(3),
    "销售额": D(52000),
}


def cs_agent(
    values: dict[str, object] | None = None,
    supervisor: str | None = "良",
    own: str | None = "优",
    template: Template = CS_AGENT,
) -> ScoreResult:
    return score(
        template,
        EmployeeInput(
            employee="E001",
            period="2026-10",
            values=E001_VALUES if values is None else values,
            ratings={} if supervisor is None else {"attitude": supervisor},
            self_ratings={} if own is None else {"attitude": own},
        ),
    )


# --- the spec's complete example --------------------------------------------------------------


def test_the_spec_s_example_scored_by_hand() -> None:
    # attainment: 48000 / 60000 = 0.8 → ">= 80%" → 100 → 40 × 100 / 100 = 40
    # response:   30 s → "<= 30" → 100 → 20
    # incidents:  20 − 2 × 3 = 14
    # attitude:   supervisor 良 = 80 → 20 × 80 / 100 = 16; self 优 = 100 → 20
    # supervisor_total = 40 + 20 + 14 + 16 = 90; self_total = 40 + 20 + 14 + 20 = 94
    # raw = 0.75 × 90 + 0.25 × 94 = 67.5 + 23.5 = 91 → 91.0 → 良好 [80, 95)
    # pay = 500 × 1.2 + 2% × 52000 = 600 + 1040 = 1640.00
    result = cs_agent()
    assert result.status == "ok"
    assert result.employee == "E001"
    assert result.period == "2026-10"
    assert [i.key for i in result.items] == ["attainment", "response", "incidents", "attitude"]
    assert [i.points for i in result.items] == [D(40), D(20), D(14), D(16)]
    assert result.item("attainment").value == D("0.8")
    assert result.item("attainment").rating == D(100)
    assert result.item("attitude").rating == D(80)
    assert result.item("attitude").self_rating == D(100)
    assert result.supervisor_total == D(90)
    assert result.self_total == D(94)
    assert result.score == D("91.0")
    assert result.grade == "良好"
    assert result.pay == D("1640.00")
    assert tuple(result.actions) == ()
    assert tuple(result.missing) == ()


def test_self_weight_25_percent_with_a_lower_self_rating() -> None:
    # supervisor 良 → 16 (total 90); self 差 = 40 → 20 × 40 / 100 = 8 (total 40 + 20 + 14 + 8 = 82)
    # raw = 0.75 × 90 + 0.25 × 82 = 67.5 + 20.5 = 88 → 88.0
    assert cs_agent(own="差").score == D("88.0")


def test_self_weight_written_0_25_is_the_same_as_25_percent() -> None:
    as_share = load_template_text(SPEC_EXAMPLE.replace("self_weight: 25%", "self_weight: 0.25"))
    assert cs_agent(own="差", template=as_share).score == D("88.0")


def test_self_weight_0_records_the_self_review_without_counting_it() -> None:
    # only the supervisor's total counts: 40 + 20 + 14 + 16 = 90 → 90.0
    uncounted = load_template_text(SPEC_EXAMPLE.replace("self_weight: 25%", "self_weight: 0"))
    result = cs_agent(own="差", template=uncounted)
    assert result.score == D("90.0")
    assert result.item("attitude").self_rating == D(40)  # recorded


def test_without_self_weight_a_missing_self_rating_is_fine() -> None:
    default = load_template_text(SPEC_EXAMPLE.replace("self_weight: 25%\n", ""))
    result = cs_agent(own=None, template=default)
    assert result.status == "ok"
    assert result.score == D("90.0")


def test_with_self_weight_a_missing_self_rating_makes_the_item_missing() -> None:
    result = cs_agent(own=None)
    assert result.status == "incomplete"
    assert list(result.missing) == ["attitude"]
    assert (result.score, result.grade, result.pay) == (None, None, None)


def test_self_weight_1_uses_only_the_self_review() -> None:
    # raw = 0 × 90 + 1 × 94 = 94 → 94.0
    all_self = load_template_text(SPEC_EXAMPLE.replace("self_weight: 25%", "self_weight: 1"))
    assert cs_agent(template=all_self).score == D("94.0")


# --- incomplete -------------------------------------------------------------------------------


def test_an_absent_variable_makes_its_item_missing() -> None:
    values = {k: v for k, v in E001_VALUES.items() if k != "平均响应秒数"}
    result = cs_agent(values)
    assert result.status == "incomplete"
    assert list(result.missing) == ["response"]
    assert result.score is None
    assert result.grade is None
    assert result.pay is None


@pytest.mark.parametrize("empty", [None, ""])
def test_an_empty_value_is_absent_not_zero(empty: object) -> None:
    # counted as zero it would give incidents 20 − 2 × 0 = 20; instead the item is missing
    result = cs_agent({**E001_VALUES, "差评次数": empty})
    assert result.status == "incomplete"
    assert list(result.missing) == ["incidents"]
    assert (result.score, result.grade, result.pay) == (None, None, None)


def test_a_division_by_zero_makes_its_item_missing() -> None:
    result = cs_agent({**E001_VALUES, "计划销售额": D(0)})
    assert result.status == "incomplete"
    assert list(result.missing) == ["attainment"]
    assert (result.score, result.grade, result.pay) == (None, None, None)


def test_every_missing_item_is_listed() -> None:
    # no 计划销售额 (attainment), no 平均响应秒数 (response), empty 差评次数 (incidents), no rating (attitude)
    values = {"实际销售额": D(48000), "差评次数": "", "销售额": D(1)}
    result = cs_agent(values, supervisor=None)
    assert result.status == "incomplete"
    assert sorted(result.missing) == ["attainment", "attitude", "incidents", "response"]
    assert (result.score, result.grade, result.pay) == (None, None, None)


def test_a_pay_that_cannot_be_computed_is_not_counted_as_zero() -> None:
    values = {k: v for k, v in E001_VALUES.items() if k != "销售额"}
    result = cs_agent(values)
    assert result.pay is None


# --- rounding, cap, grades ------------------------------------------------------------------


def one_item(extra: str = "", rounding: str = "1") -> Template:
    return load_template_text(
        textwrap.dedent(
            """
            id: one
            name: 单项
            rounding: {rounding}
            items:
              - {{key: overall, name: 综合评分, weight: 100, rated_by: supervisor}}
            """
        ).format(rounding=rounding)
        + extra
    )


def rated(template: Template, rating: str, period: str = "2026-10", **values: str) -> ScoreResult:
    return score(
        template,
        EmployeeInput("E001", period, {k: D(v) for k, v in values.items()}, {"overall": D(rating)}),
    )


@pytest.mark.parametrize(
    ("rounding", "rating", "expected"),
    [
        ("1", "84.45", "84.5"),  # half-up: 84.45 → 84.5
        ("1", "84.44", "84.4"),
        ("1", "84.25", "84.3"),  # half-up, not half-even (84.2)
        ("1", "84.35", "84.4"),
        ("0", "84.5", "85"),  # half-up, not half-even (84)
        ("0", "85.5", "86"),
        ("0", "84.49", "84"),
        ("2", "84.445", "84.45"),
        ("2", "84.125", "84.13"),  # half-up, not half-even (84.12)
    ],
)
def test_the_final_score_is_rounded_half_up(rounding: str, rating: str, expected: str) -> None:
    result = rated(one_item(rounding=rounding), rating)
    assert result.score == D(expected)
    assert str(result.score) == expected


def test_self_weight_blend_rounds_half_up() -> None:
    # supervisor 84, self 85.8: 0.75 × 84 + 0.25 × 85.8 = 63 + 21.45 = 84.45 → 84.5
    template = one_item(extra="self_weight: 25%\n")
    result = score(template, EmployeeInput("E1", "2026-10", {}, {"overall": D(84)}, {"overall": D("85.8")}))
    assert result.score == D("84.5")


def test_item_points_keep_full_precision_until_the_final_score() -> None:
    # each item: 50 × (1 / 3) = 16.666…; two of them: 33.333… → 33.3
    # (rounding each item first would give 16.7 + 16.7 = 33.4)
    template = load_template_text(
        textwrap.dedent(
            """
            id: thirds
            name: 三分之一
            items:
              - {key: a, name: A, weight: 50, value: x, proportional: {target: 3}}
              - {key: b, name: B, weight: 50, value: x, proportional: {target: 3}}
            """
        )
    )
    result = score(template, EmployeeInput("E1", "2026-10", {"x": D(1)}))
    points = result.item("a").points
    assert points is not None
    assert D("16.666") < points < D("16.667")
    assert result.score == D("33.3")


GRADES = textwrap.dedent(
    """\
    grades:
      - {name: 优秀, when: ">= 95"}
      - {name: 良好, when: "[80, 95)"}
      - {name: 合格, when: "[65, 80)"}
      - {name: 差,   when: "< 65"}
    """
)


@pytest.mark.parametrize(
    ("rating", "grade"),
    [
        ("100", "优秀"),
        ("95", "优秀"),  # exactly 95: ">= 95"
        ("94.96", "优秀"),  # rounds to 95.0, and the grade is of the rounded score
        ("94.94", "良好"),  # 94.9
        ("80", "良好"),  # exactly 80: "[80, 95)"
        ("79.95", "良好"),  # rounds half-up to 80.0
        ("79.94", "合格"),  # 79.9
        ("65", "合格"),
        ("64.9", "差"),
        ("0", "差"),
    ],
)
def test_the_grade_is_the_one_whose_when_holds_the_rounded_score(rating: str, grade: str) -> None:
    assert rated(one_item(GRADES), rating).grade == grade


def test_without_grades_the_grade_is_null() -> None:
    result = rated(one_item(), "90")
    assert result.status == "ok"
    assert result.grade is None


def test_the_cap_clamps_the_score() -> None:
    # 100 + bonus min(30, 10 × floor((50 − 0) / 1)) = 100 + 30 = 130 → cap 120
    template = load_template_text(
        textwrap.dedent(
            """
            id: capped
            name: 封顶
            cap: 120
            items:
              - {key: overall, name: 综合评分, weight: 100, rated_by: supervisor}
              - {key: extra, name: 加分, value: 件数, bonus: {over: 0, per: 1, points: 10, max: 30}}
            """
        )
    )
    result = rated(template, "100", 件数="50")
    assert result.score == D("120.0")


def test_a_score_at_the_cap_is_not_changed() -> None:
    # 100 + 10 × floor(1 / 1) = 110, under the cap 120
    template = load_template_text(
        textwrap.dedent(
            """
            id: capped
            name: 封顶
            cap: 120
            items:
              - {key: overall, name: 综合评分, weight: 100, rated_by: supervisor}
              - {key: extra, name: 加分, value: 件数, bonus: {over: 0, per: 1, points: 10, max: 30}}
            """
        )
    )
    assert rated(template, "100", 件数="1").score == D("110.0")


# --- pay: the spec's four seed examples -----------------------------------------------------


def with_pay(amount: str, rounding: str = "1") -> Template:
    quoted = amount.replace("'", "''")
    return one_item(extra=f"pay:\n  amount: '{quoted}'\n", rounding=rounding)


COEFFICIENT_PAY = with_pay(
    '500 * lookup(score, {"< 65": 0.5, "[65, 80)": 1.0, "[80, 95)": 1.2, ">= 95": 1.5})'
    " + 2% * 销售额 + 10 * 中评修改 + 20 * 差评修改"
)


@pytest.mark.parametrize(
    ("rating", "pay"),
    [
        # 2% × 52000 = 1040; 10 × 3 = 30; 20 × 2 = 40; together 1110 beside the coefficient part
        ("91", "1710.00"),  # 500 × 1.2 = 600; 600 + 1110 = 1710
        ("95", "1860.00"),  # 500 × 1.5 = 750; 750 + 1110 = 1860
        ("94.9", "1710.00"),  # 500 × 1.2 = 600
        ("80", "1710.00"),  # exactly 80 → 1.2
        ("79.9", "1610.00"),  # 500 × 1.0 = 500; 500 + 1110 = 1610
        ("65", "1610.00"),
        ("64.9", "1360.00"),  # 500 × 0.5 = 250; 250 + 1110 = 1360
    ],
)
def test_pay_by_coefficient_and_commission(rating: str, pay: str) -> None:
    result = rated(COEFFICIENT_PAY, rating, 销售额="52000", 中评修改="3", 差评修改="2")
    assert result.pay == D(pay)


@pytest.mark.parametrize(
    ("rating", "pay"),
    [
        ("84.5", "760.50"),  # 84.5 / 100 × 900 = 760.5
        ("100", "900.00"),
        ("0", "0.00"),
        ("84.44", "759.60"),  # the score rounds to 84.4 first: 84.4 / 100 × 900 = 759.6
    ],
)
def test_pay_as_a_share_of_the_monthly_bonus(rating: str, pay: str) -> None:
    assert rated(with_pay("score / 100 * 900"), rating).pay == D(pay)


@pytest.mark.parametrize(
    ("rating", "pay"),
    [
        ("79.9", "0.00"),  # below 80: no performance pay
        ("79.95", "800.00"),  # rounds to 80.0: 5000 × 20% × 80 / 100 = 1000 × 0.8 = 800
        ("80", "800.00"),
        ("92.5", "925.00"),  # 1000 × 0.925 = 925
    ],
)
def test_no_performance_pay_below_80(rating: str, pay: str) -> None:
    template = with_pay("0 if score < 80 else base_salary * 20% * score / 100")
    assert rated(template, rating, base_salary="5000").pay == D(pay)


@pytest.mark.parametrize(
    ("rating", "margin", "pay"),
    [
        ("96", "500", "120.00"),  # 20000 × 10% × (96 − 90) / 100 = 2000 × 0.06 = 120 < 500
        ("96", "100", "100.00"),  # min(120, 100) = 100: never more than the margin
        ("90.5", "500", "10.00"),  # 2000 × 0.5 / 100 = 10
        ("90", "500", "0.00"),  # not above 90 → 0
        ("85", "500", "0.00"),
    ],
)
def test_bonus_paid_out_of_gross_margin(rating: str, margin: str, pay: str) -> None:
    template = with_pay("min(base_salary * 10% * (score - 90) / 100, 销售毛利) if score > 90 else 0")
    assert rated(template, rating, base_salary="20000", 销售毛利=margin).pay == D(pay)


@pytest.mark.parametrize(
    ("sales", "pay"),
    [
        ("1", "0.01"),  # 1 × 0.5% = 0.005 → 0.01 half-up (half-even would give 0.00)
        ("101", "0.51"),  # 0.505 → 0.51 (half-even: 0.50)
        ("3", "0.02"),  # 0.015 → 0.02
        ("0.8", "0.00"),  # 0.004 → 0.00
    ],
)
def test_pay_is_rounded_half_up_to_the_cent(sales: str, pay: str) -> None:
    assert rated(with_pay("销售额 * 0.5%"), "90", 销售额=sales).pay == D(pay)


def test_a_pay_lookup_over_score_need_only_cover_0_to_the_cap() -> None:
    # scores are never below 0, so a table starting at [0, …) is complete; 70 → 1.0 → 500 × 1.0 = 500
    template = with_pay('500 * lookup(score, {"[0, 65)": 0.5, "[65, 80)": 1.0, ">= 80": 1.2})')
    assert rated(template, "70").pay == D(500)


def test_pay_may_use_the_grade() -> None:
    # grade 优秀 (score 96) → 300; otherwise 0
    template = one_item(extra=GRADES + "pay:\n  amount: \"300 if grade == '优秀' else 0\"\n")
    assert rated(template, "96").pay == D(300)
    assert rated(template, "90").pay == D(0)


def test_without_pay_the_pay_is_null() -> None:
    assert rated(one_item(), "90").pay is None


# --- consequence rules over history ---------------------------------------------------------

RULES = textwrap.dedent(
    """\
    rules:
      - {when: "score < 65", consecutive: 2, action: 警告}
      - {when: "score < 65", consecutive: 3, action: 劝退}
      - {when: "grade == '优秀'", consecutive: 3, action: 年终特别奖}
    """
)
RULED = one_item(GRADES + RULES)


def history(**scores: str) -> list[PeriodResult]:
    # keyword m2026_09="60" → PeriodResult("2026-09", 60)
    return [PeriodResult(k[1:].replace("_", "-"), D(v)) for k, v in scores.items()]


def actions(template: Template, rating: str, period: str, past: list[PeriodResult]) -> set[str]:
    result = score(template, EmployeeInput("E001", period, {}, {"overall": D(rating)}), past)
    assert result.status == "ok"
    return set(result.actions)


def test_one_poor_month_fires_nothing() -> None:
    assert actions(RULED, "60", "2026-10", []) == set()


def test_two_poor_months_in_a_row_fire_the_n2_rule() -> None:
    # 2026-09: 60 < 65; 2026-10: 60 < 65 → 警告 (N = 2); 劝退 needs 2026-08 too
    assert actions(RULED, "60", "2026-10", history(m2026_09="60")) == {"警告"}


def test_the_third_poor_month_gives_the_n3_rule_alone() -> None:
    # 2026-08, 2026-09, 2026-10 all below 65: the run reaches 3 → 劝退; 警告 fired when it reached 2
    # (2026-09), not again: the third poor month gives 劝退, not 警告 and 劝退
    assert actions(RULED, "60", "2026-10", history(m2026_08="60", m2026_09="50")) == {"劝退"}


def test_a_gap_month_breaks_the_run() -> None:
    # no result for 2026-09: 2026-08 does not join 2026-10
    assert actions(RULED, "60", "2026-10", history(m2026_08="60")) == set()
    assert actions(RULED, "60", "2026-10", history(m2026_08="60", m2026_07="60")) == set()


def test_a_good_month_breaks_the_run() -> None:
    # 2026-09 is 65, not < 65
    assert actions(RULED, "60", "2026-10", history(m2026_09="65", m2026_08="60")) == set()


def test_a_good_current_month_fires_nothing() -> None:
    assert actions(RULED, "70", "2026-10", history(m2026_09="60", m2026_08="60")) == set()


def test_a_streak_of_five_poor_months_raises_each_rule_once() -> None:
    # 2026-06 … 2026-10 all poor; scored month by month with the months before as history:
    # run 1 → nothing; run 2 → 警告; run 3 → 劝退; runs 4 and 5 → nothing (the same run goes on)
    months = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    raised = [
        actions(RULED, "60", month, [PeriodResult(m, D(60)) for m in months[:index]])
        for index, month in enumerate(months)
    ]
    assert raised == [set(), {"警告"}, {"劝退"}, set(), set()]


def test_a_broken_streak_starts_over() -> None:
    # 2026-06, 07, 08 poor (警告 in 07, 劝退 in 08), 2026-09 good, 2026-10 and 11 poor again
    past = history(m2026_06="60", m2026_07="60", m2026_08="60", m2026_09="70")
    assert actions(RULED, "60", "2026-10", past) == set()  # a run of 1
    assert actions(RULED, "60", "2026-11", [*past, *history(m2026_10="60")]) == {"警告"}  # a run of 2 again


def test_the_longest_rule_of_a_ladder_stands() -> None:
    # two rules of the same `when` reaching their length in the same month (no earlier history to tell
    # a longer run): score < 65 once → 面谈, and a one-month rule of the same when → both N = 1 stand;
    # with N = 1 and N = 2 on the same when, a second poor month fires only the N = 2 rule
    ladder = one_item(
        GRADES
        + "rules:\n"
        + "  - {when: 'score < 65', consecutive: 1, action: 面谈}\n"
        + "  - {when: 'score < 65', consecutive: 1, action: 记录}\n"
        + "  - {when: 'score < 65', consecutive: 2, action: 警告}\n"
    )
    assert actions(ladder, "60", "2026-10", []) == {"面谈", "记录"}
    assert actions(ladder, "60", "2026-10", history(m2026_09="60")) == {"警告"}


def test_the_run_crosses_the_year_boundary() -> None:
    # 2025-11, 2025-12, 2026-01: the run reaches 3 in 2026-01
    assert actions(RULED, "60", "2026-01", history(m2025_11="60", m2025_12="60")) == {"劝退"}


def test_history_order_and_later_periods_do_not_matter() -> None:
    past = [PeriodResult("2026-12", D(99)), *history(m2026_09="60", m2026_08="60")]
    assert actions(RULED, "60", "2026-10", list(reversed(past))) == {"劝退"}


def test_the_current_score_is_the_rounded_one() -> None:
    # 64.96 rounds to 65.0, which is not < 65
    assert actions(RULED, "64.96", "2026-10", history(m2026_09="60")) == set()
    # 64.94 rounds to 64.9 < 65
    assert actions(RULED, "64.94", "2026-10", history(m2026_09="60")) == {"警告"}


def test_a_grade_absent_from_history_is_computed_from_the_template() -> None:
    # 2026-08: 95 → 优秀, 2026-09: 97 → 优秀, 2026-10: 96 → 优秀 → 年终特别奖
    assert actions(RULED, "96", "2026-10", history(m2026_08="95", m2026_09="97")) == {"年终特别奖"}
    # 2026-09: 94.9 → 良好 breaks it
    assert actions(RULED, "96", "2026-10", history(m2026_08="95", m2026_09="94.9")) == set()


def test_a_grade_given_in_history_is_used() -> None:
    past = [PeriodResult("2026-08", D(96), "优秀"), PeriodResult("2026-09", D(96), "优秀")]
    assert actions(RULED, "96", "2026-10", past) == {"年终特别奖"}


def test_quarterly_runs() -> None:
    # 2025-Q4, 2026-Q1 → 警告
    quarterly = one_item(GRADES + RULES + "period: quarter\n")
    assert actions(quarterly, "60", "2026-Q1", [PeriodResult("2025-Q4", D(60))]) == {"警告"}
    assert actions(quarterly, "60", "2026-Q1", [PeriodResult("2025-Q3", D(60))]) == set()


def test_yearly_runs() -> None:
    yearly = one_item(GRADES + RULES + "period: year\n")
    past = [PeriodResult("2024", D(50)), PeriodResult("2025", D(50))]
    assert actions(yearly, "60", "2026", past) == {"劝退"}
    assert actions(yearly, "60", "2025", past[:1]) == {"警告"}


YEAR_END = one_item(
    GRADES + "rules:\n  - {when: \"grade == '优秀'\", consecutive: 3, action: 年终特别奖, at: year_end}\n"
)


def test_a_year_end_rule_is_decided_in_the_year_s_last_month_from_the_year_s_results() -> None:
    # 2026-03, 04, 05 优秀 (≥ 95): a run of 3 in the year; nothing in 2026-05 itself, 年终特别奖 in 2026-12
    spring = history(m2026_03="95", m2026_04="96", m2026_05="97", m2026_06="80")
    assert actions(YEAR_END, "96", "2026-05", spring[:2]) == set()
    assert actions(YEAR_END, "80", "2026-12", spring) == {"年终特别奖"}
    # once a year: the run of 2026-10, 11 and 12 in 2026-12 gives one 年终特别奖, not one per run
    autumn = history(m2026_10="95", m2026_11="95")
    assert actions(YEAR_END, "96", "2026-12", [*spring, *autumn]) == {"年终特别奖"}
    # a run that starts in the year before does not count: 2025-11, 2025-12, 2026-01
    late = history(m2025_11="95", m2025_12="95", m2026_01="95")
    assert actions(YEAR_END, "80", "2026-12", late) == set()
    # two 优秀 months in the year are not a run of 3
    assert actions(YEAR_END, "96", "2026-12", history(m2026_11="95")) == set()


def test_a_year_end_rule_of_a_quarterly_template_is_decided_in_q4() -> None:
    quarterly = one_item(
        GRADES
        + "period: quarter\nrules:\n  - {when: 'score >= 95', consecutive: 2, action: 年终特别奖, at: year_end}\n"
    )
    past = [PeriodResult("2026-Q1", D(95)), PeriodResult("2026-Q2", D(96))]
    assert actions(quarterly, "60", "2026-Q3", past) == set()
    assert actions(quarterly, "60", "2026-Q4", past) == {"年终特别奖"}


def test_a_rule_with_consecutive_1_fires_in_the_first_period_of_each_run() -> None:
    once = one_item(GRADES + "rules:\n  - {when: 'score < 65', consecutive: 1, action: 面谈}\n")
    assert actions(once, "60", "2026-10", []) == {"面谈"}
    assert actions(once, "70", "2026-10", []) == set()
    # 2026-09 poor too: the run reached 1 in 2026-09 and goes on; 2026-08 poor, 09 good: a new run
    assert actions(once, "60", "2026-10", history(m2026_09="60")) == set()
    assert actions(once, "60", "2026-10", history(m2026_08="60", m2026_09="70")) == {"面谈"}


def test_the_spec_s_example_rule() -> None:
    # 2026-09 score 60 and 2026-10 below 65 → 辞退
    # 2026-10: attainment 0.3 → "< 40%" → 0; response 200 s → 0; incidents 20 − 2 × 10 = 0;
    # attitude 差 = 40 → 8 (self 8 too); raw = 8 → 8.0
    values = {
        "实际销售额": D(3),
        "计划销售额": D(10),
        "平均响应秒数": D(200),
        "差评次数": D(10),
        "销售额": D(0),
    }
    result = score(
        CS_AGENT,
        EmployeeInput("E001", "2026-10", values, {"attitude": "差"}, {"attitude": "差"}),
        [PeriodResult("2026-09", D(60))],
    )
    assert result.score == D("8.0")
    assert result.grade == "差"
    assert list(result.actions) == ["辞退"]
    # pay = 500 × 0.5 + 2% × 0 = 250.00
    assert result.pay == D("250.00")


# --- determinism ----------------------------------------------------------------------------


def test_the_same_inputs_give_the_same_result() -> None:
    first = cs_agent()
    second = cs_agent()
    reloaded = cs_agent(template=load_template_text(SPEC_EXAMPLE))
    for other in (second, reloaded):
        assert (other.status, other.score, other.grade, other.pay) == (
            first.status,
            first.score,
            first.grade,
            first.pay,
        )
        assert [(i.key, i.value, i.rating, i.points) for i in other.items] == [
            (i.key, i.value, i.rating, i.points) for i in first.items
        ]
