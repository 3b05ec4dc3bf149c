"""Loading a template (spec: "A complete example", "Defaults", "Items"): what is accepted,
what is a load-time error, and that every problem of a template is reported in one run."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from shopkpi.scorecard import TemplateError, load_template_file, load_template_text

D = Decimal

# The spec's complete example, verbatim.
SPEC_EXAMPLE = textwrap.dedent(
    """\
    id: cs-agent                 # slug, unique among templates
    name: 客服专员                # shown to people
    period: month                # month | quarter | year
    self_weight: 25%             # share of the final score from the self-review (25% or 0.25); 0 (default) = recorded, not counted
    rounding: 1                  # decimals of the final score; always half-up (四舍五入)
    cap: 120                     # optional upper bound of the final score (bonus items can push past 100)
    grades:                      # must not overlap, and together must cover every reachable score
      - {name: 优秀, when: ">= 95"}
      - {name: 良好, when: "[80, 95)"}
      - {name: 合格, when: "[65, 80)"}
      - {name: 差,   when: "< 65"}
    items:
      - key: attainment          # identifier, unique in the template
        name: 指标完成率
        description: 实际销售额/计划销售额
        weight: 40%              # the item's maximum points on a 100-point card; 40% and 40 mean the same
        value: 实际销售额 / 计划销售额
        bands:                   # interval -> rating (0..100)
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
        deduct: 2                # item points lost per unit of value, never below 0 (扣完为止)
      - key: attitude
        name: 执行力/工作态度
        weight: 20%
        rated_by: supervisor     # a person enters the rating
        levels: {优: 100, 良: 80, 中: 60, 差: 40, 不合格: 0}
    pay:
      amount: '500 * lookup(score, {"< 65": 0.5, "[65, 80)": 1.0, "[80, 95)": 1.2, ">= 95": 1.5}) + 2% * 销售额'
    rules:
      - {when: "score < 65", consecutive: 2, action: 辞退}
    """
)

MINIMAL = textwrap.dedent(
    """
    id: minimal
    name: 最小
    items:
      - {key: a, name: A, weight: 100, rated_by: supervisor}
    """
)


def problems_of(text: str) -> str:
    with pytest.raises(TemplateError) as caught:
        load_template_text(text)
    return str(caught.value)


def test_the_spec_s_complete_example_loads() -> None:
    template = load_template_text(SPEC_EXAMPLE)
    assert template.id == "cs-agent"
    assert template.name == "客服专员"
    assert template.period == "month"
    assert template.self_weight == D("0.25")  # 25% = 0.25
    assert template.rounding == 1
    assert template.cap == D(120)
    assert [g.name for g in template.grades] == ["优秀", "良好", "合格", "差"]
    assert [i.key for i in template.items] == ["attainment", "response", "incidents", "attitude"]
    # 40% and 40 both mean 40 points of 100
    assert [i.weight for i in template.items] == [D(40), D(20), D(20), D(20)]
    assert template.item("attainment").description == "实际销售额/计划销售额"
    assert template.pay is not None
    assert len(template.rules) == 1


def test_the_spec_s_example_loads_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cs-agent.yaml"
    path.write_text(SPEC_EXAMPLE, encoding="utf-8")
    assert load_template_file(path).id == "cs-agent"


def test_defaults() -> None:
    # period month, self_weight 0, rounding 1, no cap, no pay, no rules, no grades
    template = load_template_text(MINIMAL)
    assert template.period == "month"
    assert template.self_weight == 0
    assert template.rounding == 1
    assert template.cap is None
    assert template.pay is None
    assert tuple(template.rules) == ()
    assert tuple(template.grades) == ()


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_the_three_periods(period: str) -> None:
    assert load_template_text(MINIMAL + f"period: {period}\n").period == period


def test_an_unknown_period_is_an_error() -> None:
    assert "period" in problems_of(MINIMAL + "period: week\n")


@pytest.mark.parametrize("key", ["id", "name", "items"])
def test_id_name_and_items_are_required(key: str) -> None:
    lines = [line for line in MINIMAL.splitlines() if not line.startswith(f"{key}:")]
    if key == "items":
        lines = [line for line in lines if not line.startswith("  - ")]
    message = problems_of("\n".join(lines) + "\n")
    assert key in message


# --- weights ----------------------------------------------------------------------------------


def weighted(*weights: str, extra_items: str = "") -> str:
    items = "".join(
        f"  - {{key: k{n}, name: 项{n}, weight: {w}, rated_by: supervisor}}\n" for n, w in enumerate(weights)
    )
    return f"id: weights\nname: 权重\nitems:\n{items}{extra_items}"


def test_weights_written_as_percent_and_as_points_mean_the_same() -> None:
    # 40% + 60 = 40 + 60 = 100
    template = load_template_text(weighted("40%", "60"))
    assert [i.weight for i in template.items] == [D(40), D(60)]


@pytest.mark.parametrize(
    ("weights", "total"),
    [(("40", "50"), "90"), (("40%", "50%", "20%"), "110"), (("33", "33", "33"), "99")],
)
def test_a_weight_sum_other_than_100_is_an_error_that_names_the_sum(
    weights: tuple[str, ...], total: str
) -> None:
    message = problems_of(weighted(*weights))
    assert "weights" in message  # the template
    assert total in message


def test_bonus_and_penalty_items_have_no_weight_and_do_not_count_in_the_sum() -> None:
    # 60 + 40 = 100; the bonus and the penalty are outside the 100 points
    extra = (
        "  - {key: extra, name: 加分, value: 销售额, bonus: {over: 5万, per: 5000, points: 3, max: 9}}\n"
        "  - {key: fines, name: 扣分, value: 违规次数, penalty: {per: 5, max: 15}}\n"
    )
    template = load_template_text(weighted("60", "40", extra_items=extra))
    assert template.item("extra").weight is None
    assert template.item("fines").weight is None


# --- self weight ----------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "share"), [("25%", "0.25"), ("0.25", "0.25"), ("0", "0"), ("1", "1")])
def test_self_weight_is_a_share(written: str, share: str) -> None:
    assert load_template_text(MINIMAL + f"self_weight: {written}\n").self_weight == D(share)


@pytest.mark.parametrize("written", ["1.5", "150%", "25", "-0.1"])
def test_a_self_weight_outside_0_to_1_is_an_error(written: str) -> None:
    message = problems_of(MINIMAL + f"self_weight: {written}\n")
    assert "self_weight" in message


# --- items ----------------------------------------------------------------------------------


def test_an_item_needs_exactly_one_scoring_rule() -> None:
    two_rules = textwrap.dedent(
        """
        id: rules
        name: 规则
        items:
          - {key: a, name: A, weight: 100, value: x, deduct: 2, rated_by: supervisor}
        """
    )
    no_rule = textwrap.dedent(
        """
        id: rules
        name: 规则
        items:
          - {key: a, name: A, weight: 100, value: x}
        """
    )
    assert "'a'" in problems_of(two_rules)
    assert "'a'" in problems_of(no_rule)


def test_item_keys_are_unique() -> None:
    text = textwrap.dedent(
        """
        id: dup
        name: 重复
        items:
          - {key: a, name: A, weight: 50, rated_by: supervisor}
          - {key: a, name: B, weight: 50, rated_by: supervisor}
        """
    )
    assert "'a'" in problems_of(text)


def test_a_band_rating_outside_0_to_100_is_an_error() -> None:
    text = textwrap.dedent(
        """
        id: rating
        name: 评分
        items:
          - {key: a, name: A, weight: 100, value: x, bands: {">= 0": 120, "< 0": 0}}
        """
    )
    message = problems_of(text)
    assert "'a'" in message
    assert "120" in message


def test_a_level_outside_0_to_100_is_an_error() -> None:
    text = textwrap.dedent(
        """
        id: levels
        name: 等级
        items:
          - {key: a, name: A, weight: 100, rated_by: supervisor, levels: {优: 110, 差: 0}}
        """
    )
    assert "'a'" in problems_of(text)


def test_a_weighted_rule_without_a_value_is_an_error() -> None:
    text = textwrap.dedent(
        """
        id: novalue
        name: 无值
        items:
          - {key: a, name: A, weight: 100, deduct: 2}
        """
    )
    assert "'a'" in problems_of(text)


def test_a_rule_when_may_use_score_and_grade_only() -> None:
    text = MINIMAL + "rules:\n  - {when: 'score < 65 and 销售额 < 1万', consecutive: 2, action: 辞退}\n"
    message = problems_of(text)
    assert "销售额" in message
    assert "rules" in message


def test_a_rule_when_over_score_and_grade_is_accepted() -> None:
    grades = "grades:\n  - {name: 好, when: '>= 60'}\n  - {name: 差, when: '< 60'}\n"
    text = (
        MINIMAL
        + grades
        + "rules:\n  - {when: \"score < 65 or grade == '差'\", consecutive: 2, action: 警告}\n"
    )
    assert len(load_template_text(text).rules) == 1


def test_an_unknown_function_in_the_pay_is_named_at_load_time() -> None:
    message = problems_of(MINIMAL + "pay:\n  amount: 'bonus(score)'\n")
    assert "bonus(score)" in message
    assert "pay" in message


def test_text_that_is_not_yaml_is_a_template_error() -> None:
    with pytest.raises(TemplateError):
        load_template_text("id: [unclosed\nname: x\n")


# --- every problem at once ------------------------------------------------------------------

OVERLAP_GAP_AND_SUM = textwrap.dedent(
    """\
    id: cs-agent
    name: 客服专员
    items:
      - key: attainment
        name: 指标完成率
        weight: 40%
        value: 实际销售额 / 计划销售额
        bands: {">= 80%": 100, "[60%, 70%)": 70, "< 60%": 0}
      - key: response
        name: 旺旺平均响应时间(秒)
        weight: 20%
        value: 平均响应秒数
        bands: {"<= 30": 100, "(30, 60]": 80, "[50, 120]": 60, "> 120": 0}
      - key: incidents
        name: 客服原因导致售后或差评
        weight: 30%
        value: 差评次数
        deduct: 2
    """
)


def test_an_overlap_a_gap_and_a_wrong_weight_sum_are_all_reported_in_one_run() -> None:
    # the overlap: (30, 60] ∩ [50, 120] = [50, 60] in 'response'
    # the gap: nothing holds [70%, 80%) in 'attainment'
    # the sum: 40 + 20 + 30 = 90
    with pytest.raises(TemplateError) as caught:
        load_template_text(OVERLAP_GAP_AND_SUM, source="cs-agent.yaml")
    message = str(caught.value)
    assert """cs-agent: item 'response': bands "(30, 60]" and "[50, 120]" overlap on [50, 60]""" in message
    gap_lines = [line for line in message.splitlines() if "'attainment'" in line]
    assert gap_lines, message
    assert any("70%" in line and "80%" in line for line in gap_lines), gap_lines
    assert any("90" in line and "cs-agent" in line for line in message.splitlines()), message
    assert len(caught.value.problems) >= 3


def test_the_id_is_a_slug_and_an_item_key_an_identifier() -> None:
    assert "Cs Agent!" in problems_of(MINIMAL.replace("id: minimal", "id: 'Cs Agent!'"))
    assert "a b" in problems_of(MINIMAL.replace("key: a,", "key: 'a b',"))


def test_a_rated_item_needs_a_weight() -> None:
    assert "'a'" in problems_of(MINIMAL.replace(" weight: 100,", ""))


def test_problems_in_every_part_of_a_template_are_reported_together() -> None:
    text = textwrap.dedent(
        """\
        id: many
        name: 多处错误
        self_weight: 2
        grades:
          - {name: 好, when: ">= 60"}
          - {name: 差, when: "< 50"}
        items:
          - {key: a, name: A, weight: 50, value: "x.y", bands: {">= 0": 100, "< 0": 0}}
          - {key: b, name: B, weight: 30, value: x, bands: {">= 0": 100, "<= 0": 0}}
        pay:
          amount: "open('x')"
        rules:
          - {when: "销售额 > 0", consecutive: 2, action: 警告}
        """
    )
    with pytest.raises(TemplateError) as caught:
        load_template_text(text)
    message = str(caught.value)
    assert "self_weight" in message  # 2 is above 1
    assert "[50, 60)" in message  # the grades leave [50, 60) uncovered
    assert "x.y" in message  # item a: attribute access
    assert '"<= 0"' in message  # item b: >= 0 and <= 0 overlap on 0
    assert "open" in message  # pay: an unknown function
    assert "销售额" in message  # the rule uses a variable other than score and grade
    assert "80" in message  # the weights add up to 50 + 30 = 80
    assert len(caught.value.problems) >= 7
