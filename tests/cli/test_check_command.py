"""`shopkpi check TEMPLATE.yaml [TEMPLATE.yaml ...]` (spec: "Command-line contract").

Exits 0 with a one-line summary per valid template; on any invalid template it exits
non-zero and prints every problem found (all of them, not only the first), each naming the
template and the item key.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from shopkpi.cli.main import cli

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

# The four pay examples of the spec, each on a one-item card.
SPEC_PAY_EXAMPLES = {
    "pay-coefficient": (
        """'500 * lookup(score, {"< 65": 0.5, "[65, 80)": 1.0, "[80, 95)": 1.2, ">= 95": 1.5})"""
        """ + 2% * 销售额 + 10 * 中评修改 + 20 * 差评修改'"""
    ),
    "pay-share": "score / 100 * 900",
    "pay-below-80": "0 if score < 80 else base_salary * 20% * score / 100",
    "pay-margin": "min(base_salary * 10% * (score - 90) / 100, 销售毛利) if score > 90 else 0",
}

# An overlap in 'response', a gap in 'attainment' and weights adding up to 90.
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

OVERLAP_LINE = """cs-agent: item 'response': bands "(30, 60]" and "[50, 120]" overlap on [50, 60]"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def check(*paths: Path) -> Result:
    return CliRunner().invoke(cli, ["check", *map(str, paths)])


def nonempty(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_the_spec_s_example_passes(tmp_path: Path) -> None:
    result = check(write(tmp_path, "cs-agent.yaml", SPEC_EXAMPLE))
    assert result.exit_code == 0, result.output
    lines = nonempty(result.stdout)
    assert len(lines) == 1
    assert "cs-agent" in lines[0]


@pytest.mark.parametrize("name", list(SPEC_PAY_EXAMPLES))
def test_the_spec_s_pay_examples_pass(tmp_path: Path, name: str) -> None:
    amount = SPEC_PAY_EXAMPLES[name]
    if not amount.startswith("'"):
        amount = f"'{amount}'"
    text = f"id: {name}\nname: 绩效\nitems:\n  - {{key: a, name: 综合, weight: 100, rated_by: supervisor}}\npay:\n  amount: {amount}\n"
    result = check(write(tmp_path, f"{name}.yaml", text))
    assert result.exit_code == 0, result.output


def test_one_summary_line_per_valid_template(tmp_path: Path) -> None:
    first = write(tmp_path, "cs-agent.yaml", SPEC_EXAMPLE)
    second = write(
        tmp_path,
        "minimal.yaml",
        "id: minimal\nname: 最小\nitems:\n  - {key: a, name: A, weight: 100, rated_by: supervisor}\n",
    )
    result = check(first, second)
    assert result.exit_code == 0, result.output
    lines = nonempty(result.stdout)
    assert len(lines) == 2
    assert "cs-agent" in lines[0]
    assert "minimal" in lines[1]


def test_an_overlap_a_gap_and_a_wrong_weight_sum_are_all_reported(tmp_path: Path) -> None:
    # overlap (30, 60] ∩ [50, 120] = [50, 60]; gap [70%, 80%) in attainment; weights 40 + 20 + 30 = 90
    result = check(write(tmp_path, "bad.yaml", OVERLAP_GAP_AND_SUM))
    assert result.exit_code != 0
    report = result.stderr + result.stdout
    assert OVERLAP_LINE in report
    gap = [line for line in report.splitlines() if "'attainment'" in line]
    assert gap and "cs-agent" in gap[0] and "70%" in gap[0] and "80%" in gap[0], report
    assert any("cs-agent" in line and "90" in line for line in report.splitlines()), report
    assert "bad.yaml" in report


def test_every_invalid_file_is_reported_and_the_exit_is_non_zero(tmp_path: Path) -> None:
    good = write(tmp_path, "cs-agent.yaml", SPEC_EXAMPLE)
    bad = write(tmp_path, "bad.yaml", OVERLAP_GAP_AND_SUM)
    wrong_sum = write(
        tmp_path,
        "sum.yaml",
        "id: sum\nname: 和\nitems:\n  - {key: a, name: A, weight: 70, rated_by: supervisor}\n",
    )
    result = check(bad, good, wrong_sum)
    assert result.exit_code != 0
    report = result.stderr + result.stdout
    assert OVERLAP_LINE in report
    assert any("sum" in line and "70" in line for line in report.splitlines()), report


def test_an_expression_outside_the_language_is_named_with_its_reason(tmp_path: Path) -> None:
    text = SPEC_EXAMPLE.replace("value: 差评次数", "value: \"__import__('os')\"")
    result = check(write(tmp_path, "escape.yaml", text))
    assert result.exit_code != 0
    report = result.stderr + result.stdout
    line = next(line for line in report.splitlines() if "__import__" in line)
    assert "cs-agent" in line
    assert "incidents" in line


@pytest.mark.parametrize("amount", ["base_salary / 0", "base_salary * score / (100 - 100)", "score / 0%"])
def test_a_pay_formula_that_divides_by_a_constant_zero_is_refused(tmp_path: Path, amount: str) -> None:
    text = f"id: div\nname: 除零\nitems:\n  - {{key: a, name: 综合, weight: 100, rated_by: supervisor}}\npay:\n  amount: '{amount}'\n"
    result = check(write(tmp_path, "div.yaml", text))
    assert result.exit_code != 0
    report = result.stderr + result.stdout
    assert "divides by a constant that is 0" in report and "pay" in report, report
    # a divisor that may be 0 for some employees is the engine's to report per employee, not refused here
    fine = text.replace(amount, "base_salary / score")
    assert check(write(tmp_path, "fine.yaml", fine)).exit_code == 0


def test_a_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    result = check(tmp_path / "nothere.yaml")
    assert result.exit_code != 0
    assert "nothere.yaml" in result.stderr + result.stdout


def test_yaml_that_cannot_be_parsed_is_reported_with_the_file_row_and_column(tmp_path: Path) -> None:
    # line 3, `items: 1`, is where the parser finds ':' inside the unclosed [ of line 2
    result = check(write(tmp_path, "broken.yaml", "id: x\nname: [unclosed\nitems: 1\n"))
    assert result.exit_code != 0
    report = result.stderr + result.stdout
    assert "broken.yaml" in report
    assert re.search(r"broken\.yaml:3\b|(row|line) 3\b", report), report  # the row
    assert re.search(r"column \d+|:3:\d+", report), f"no column in: {report}"
