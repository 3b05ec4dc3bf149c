"""Intervals (spec: "Intervals"): the nine forms, and overlap and gap detection in tables.

A band key, a grade's `when` and a `lookup` key are intervals over one number. Within one
table they must not overlap and must leave no gap (bands: the whole number line; grades:
0 to the cap, or to infinity without a cap, whatever the rounding).
"""

from __future__ import annotations

import re
import textwrap
from decimal import Decimal

import pytest

from shopkpi.scorecard import TemplateError, load_template_text
from shopkpi.scorecard.intervals import parse_interval

D = Decimal


# --- the nine forms --------------------------------------------------------------------------

# form, numbers inside, numbers outside
NINE_FORMS = [
    (">= 80", ["80", "80.0001", "1000000"], ["79.9999", "0", "-80"]),
    ("> 80", ["80.0001", "1000"], ["80", "79"]),
    ("<= 30", ["30", "29.99", "-1000"], ["30.0001", "31"]),
    ("< 30", ["29.9999", "-5"], ["30", "31"]),
    ("== 0", ["0", "0.00"], ["0.0001", "-0.0001", "1"]),
    ("[70, 80)", ["70", "75", "79.9999"], ["80", "69.9999"]),
    ("(30, 60]", ["30.0001", "45", "60"], ["30", "60.0001"]),
    ("[65, 80]", ["65", "80"], ["64.9999", "80.0001"]),
    ("(60, 120)", ["60.0001", "119.9999"], ["60", "120"]),
]


@pytest.mark.parametrize(("text", "inside", "outside"), NINE_FORMS)
def test_each_of_the_nine_forms_holds_exactly_its_numbers(
    text: str, inside: list[str], outside: list[str]
) -> None:
    interval = parse_interval(text)
    for number in inside:
        assert D(number) in interval, f"{number} should lie in {text}"
    for number in outside:
        assert D(number) not in interval, f"{number} should not lie in {text}"


@pytest.mark.parametrize(
    ("spaced", "compact"),
    [
        (">= 80%", ">=80%"),
        ("[70%, 80%)", "[70%,80%)"),
        ("( 30 , 60 ]", "(30,60]"),
        ("== 0", "==0"),
        ("<  40%", "<40%"),
    ],
)
def test_spaces_are_optional(spaced: str, compact: str) -> None:
    a, b = parse_interval(spaced), parse_interval(compact)
    for number in ["0.3", "0.4", "0.7", "0.8", "0", "30", "30.5", "60", "60.5", "80", "-1"]:
        assert (D(number) in a) == (D(number) in b)


def test_suffixes_work_inside_intervals() -> None:
    # [70%, 80%) is [0.7, 0.8); >= 3万 is >= 30000; (2k, 5k] is (2000, 5000]
    assert D("0.7") in parse_interval("[70%, 80%)")
    assert D("0.8") not in parse_interval("[70%, 80%)")
    assert D("0.79999") in parse_interval("[70%, 80%)")
    assert D(30000) in parse_interval(">= 3万")
    assert D(29999) not in parse_interval(">= 3W")
    assert D(2000) not in parse_interval("(2k, 5k]")
    assert D(5000) in parse_interval("(2K, 5K]")


def test_negative_bounds() -> None:
    interval = parse_interval("[-10, -5)")
    assert D(-10) in interval
    assert D(-5) not in interval
    assert D("-7.5") in interval


@pytest.mark.parametrize(
    "text", ["", "80", "=> 80", "[80, 70)", "(5, 5)", "[5, 5)", "[1, 2", "1, 2]", "{1, 2}", "> abc", "!= 3"]
)
def test_texts_that_are_not_intervals_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_interval(text)


# --- overlaps and gaps in a band table ------------------------------------------------------


def card(response_bands: str, attainment_bands: str = '{">= 80%": 100, "< 80%": 0}') -> str:
    return textwrap.dedent(
        f"""
        id: cs-agent
        name: 客服专员
        items:
          - key: attainment
            name: 指标完成率
            weight: 80
            value: 实际销售额 / 计划销售额
            bands: {attainment_bands}
          - key: response
            name: 旺旺平均响应时间(秒)
            weight: 20
            value: 平均响应秒数
            bands: {response_bands}
        """
    )


def problems_of(text: str) -> str:
    with pytest.raises(TemplateError) as caught:
        load_template_text(text)
    return str(caught.value)


def test_the_spec_s_band_table_is_accepted() -> None:
    template = load_template_text(card('{"<= 30": 100, "(30, 60]": 80, "(60, 120]": 60, "> 120": 0}'))
    assert template.id == "cs-agent"


def test_an_overlap_is_reported_exactly_as_the_spec_writes_it() -> None:
    # (30, 60] and [50, 120] share [50, 60]
    message = problems_of(card('{"<= 30": 100, "(30, 60]": 80, "[50, 120]": 60, "> 120": 0}'))
    assert """cs-agent: item 'response': bands "(30, 60]" and "[50, 120]" overlap on [50, 60]""" in message


def test_two_closed_ends_on_the_same_number_overlap_on_that_point() -> None:
    # "<= 30" and ">= 30" both hold 30
    message = problems_of(card('{"<= 30": 100, ">= 30": 0}'))
    assert "cs-agent" in message
    assert "'response'" in message
    assert '"<= 30"' in message
    assert '">= 30"' in message
    assert "overlap" in message


def test_a_gap_names_the_template_the_item_and_the_uncovered_part() -> None:
    # nothing holds (60, 80]: "(30, 60]" ends at 60, "> 80" starts after 80
    message = problems_of(card('{"<= 30": 100, "(30, 60]": 80, "> 80": 0}'))
    line = next(line for line in message.splitlines() if "response" in line)
    assert "cs-agent" in line
    assert "'response'" in line
    assert "(60, 80]" in line


def test_two_open_ends_on_the_same_number_leave_that_point_uncovered() -> None:
    # exactly 30 s: "< 30" excludes it and "> 30" excludes it
    message = problems_of(card('{"< 30": 100, "> 30": 0}'))
    line = next(line for line in message.splitlines() if "response" in line)
    assert "cs-agent" in line
    assert re.search(r"== 30\b|\[30, 30\]|\b30\b", line)


def test_a_closed_and_an_open_end_on_the_same_number_meet_without_overlap_or_gap() -> None:
    template = load_template_text(card('{"<= 30": 100, "> 30": 0}'))
    assert template.item("response") is not None


def test_a_band_table_must_cover_the_whole_number_line_below_and_above() -> None:
    # no band below 0 and none above 120: both ends of the line are uncovered
    message = problems_of(card('{"[0, 60]": 100, "(60, 120]": 0}'))
    assert "'response'" in message
    assert "< 0" in message
    assert "> 120" in message


def test_gaps_in_percent_bands() -> None:
    # the spec's attainment table without [50%, 60%): 50% up to 60% is uncovered
    bands = '{">= 80%": 100, "[70%, 80%)": 85, "[60%, 70%)": 70, "[40%, 50%)": 40, "< 40%": 0}'
    message = problems_of(card('{"<= 30": 100, "> 30": 0}', bands))
    line = next(line for line in message.splitlines() if "attainment" in line)
    assert re.search(r"\[(50%|0\.5|0\.50), (60%|0\.6|0\.60)\)", line), line


# --- grades ---------------------------------------------------------------------------------


def graded(grades: str, extra: str = "") -> str:
    return textwrap.dedent(
        """
        id: graded
        name: 等级
        {extra}
        grades: {grades}
        items:
          - {{key: a, name: A, weight: 100, rated_by: supervisor}}
        """
    ).format(grades=grades, extra=extra)


def test_grades_cover_zero_to_infinity_without_a_cap() -> None:
    template = load_template_text(
        graded('[{name: 优秀, when: ">= 95"}, {name: 良好, when: "[80, 95)"}, {name: 差, when: "< 80"}]')
    )
    assert [g.name for g in template.grades] == ["优秀", "良好", "差"]


def test_grades_need_not_cover_negative_scores() -> None:
    # a score is never below 0, so starting at [0, …) is complete
    load_template_text(graded('[{name: 好, when: ">= 60"}, {name: 差, when: "[0, 60)"}]'))


def test_grades_that_stop_at_100_leave_a_gap_without_a_cap() -> None:
    # without a cap a score may exceed 100: (100, ∞) is uncovered
    message = problems_of(graded('[{name: 好, when: "[60, 100]"}, {name: 差, when: "[0, 60)"}]'))
    assert "graded" in message
    assert "> 100" in message


def test_grades_that_stop_at_the_cap_are_complete() -> None:
    load_template_text(
        graded('[{name: 好, when: "[60, 120]"}, {name: 差, when: "[0, 60)"}]', extra="cap: 120")
    )


def test_grades_that_stop_below_the_cap_leave_a_gap() -> None:
    # cap 120, grades end at 100: (100, 120] is uncovered
    message = problems_of(
        graded('[{name: 好, when: "[60, 100]"}, {name: 差, when: "[0, 60)"}]', extra="cap: 120")
    )
    assert "(100, 120]" in message


def test_a_grade_gap_is_an_error_whatever_the_rounding() -> None:
    # with rounding 0 only whole scores occur, yet (80, 80.5) is still a gap
    message = problems_of(
        graded(
            '[{name: 好, when: ">= 80.5"}, {name: 中, when: "[60, 80]"}, {name: 差, when: "< 60"}]',
            extra="rounding: 0",
        )
    )
    assert "(80, 80.5)" in message


def test_overlapping_grades_are_an_error() -> None:
    # [80, 95] and >= 95 both hold 95
    message = problems_of(
        graded('[{name: 优秀, when: ">= 95"}, {name: 良好, when: "[80, 95]"}, {name: 差, when: "< 80"}]')
    )
    assert '"[80, 95]"' in message
    assert '">= 95"' in message
    assert "overlap" in message


def test_an_overlap_and_a_gap_in_the_same_table_are_both_reported() -> None:
    # (30, 60] ∩ [50, 120] = [50, 60]; nothing holds (120, 150]
    message = problems_of(card('{"<= 30": 100, "(30, 60]": 80, "[50, 120]": 60, "> 150": 0}'))
    assert """cs-agent: item 'response': bands "(30, 60]" and "[50, 120]" overlap on [50, 60]""" in message
    assert "(120, 150]" in message
