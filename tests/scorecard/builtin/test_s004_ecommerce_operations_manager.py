"""Golden tests of the built-in template s004-ecommerce-operations-manager (电商运营经理, 电商运营绩效考核表).

Every expected number is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from shopkpi.scorecard import EmployeeInput, builtin_template_dir, load_template_file, score

PATH = builtin_template_dir() / "s004-ecommerce-operations-manager.yaml"

# A realistic month of one manager.
GOLDEN_VALUES = {
    "不整齐次数": Decimal("1"),
    "上班做无关事次数": Decimal("1"),
    "未佩戴劳保用品次数": Decimal("0"),
    "因私离岗次数": Decimal("0"),
    "缺勤天数": Decimal("1"),
    "未组织培训次数": Decimal("0"),
    "店铺展现数": Decimal("24000"),
    "pv": Decimal("9000"),
    "uv": Decimal("3200"),
    "conversion_rate": Decimal("0.018"),
    "工作记录未完成次数": Decimal("1"),
    "询盘记录未交次数": Decimal("0"),
    "gmv": Decimal("62000"),
    "未提供售后反馈次数": Decimal("0"),
}
GOLDEN_RATINGS = {"competitor_planning": Decimal("80")}


@pytest.fixture(scope="module")
def template():
    return load_template_file(PATH)


def _score(template, values, ratings=GOLDEN_RATINGS, history=()):
    return score(
        template, EmployeeInput(employee="E1", period="2026-10", values=values, ratings=ratings), history
    )


def test_template_loads(template):
    assert template is not None


def test_golden_month(template):
    result = _score(template, GOLDEN_VALUES)
    assert result.status == "ok"
    points = {item.key: item.points for item in result.items}
    # 2*1 + 2*1 + 3*0 + 10*0 = 4 points deducted; 15 - 4 = 11
    assert points["personal_conduct"] == Decimal("11")
    # 缺勤 1 day -> [1, 2) -> 1; + 5*0 = 1 deducted; 10 - 1 = 9
    assert points["staff_management"] == Decimal("9")
    # (min(24000/20000, 1) + min(9000/10000, 1) + min(3200/4000, 1)) / 3 = (1 + 0.9 + 0.8) / 3 = 0.9
    # 10 * 0.9 = 9
    assert points["shop_traffic"] == Decimal("9")
    # 0.018 / 2% = 0.9; 5 * 0.9 = 4.5
    assert points["visitor_conversion"] == Decimal("4.5")
    # rating 80; 10 * 80 / 100 = 8
    assert points["competitor_planning"] == Decimal("8")
    # 10 - 2*1 = 8
    assert points["work_records"] == Decimal("8")
    # 5 - 10*0 = 5
    assert points["inquiry_records"] == Decimal("5")
    # (50000 - 62000) / 5000 - 0.5 = -2.9 -> round -3 -> max(0, -3) = 0 steps short; 30 - 3*0 = 30
    assert points["base_volume"] == Decimal("30")
    # 5 - 5*0 = 5
    assert points["aftersales_follow_up"] == Decimal("5")
    # 62000 > 50000: floor((62000 - 50000) / 5000) = 2 steps; 3 * 2 = 6
    assert points["volume_bonus"] == Decimal("6")
    # the seed sets no maximum, so the explanation names none
    why = result.item("volume_bonus").explanation
    assert (why.rule, why.over, why.per, why.step_points, why.limit, why.points) == (
        "bonus",
        Decimal("50000"),
        Decimal("5000"),
        Decimal("3"),
        None,
        Decimal("6"),
    )
    # 11 + 9 + 9 + 4.5 + 8 + 8 + 5 + 30 + 5 + 6 = 95.5
    assert result.score == Decimal("95.5")
    assert result.grade is None  # the seed gives no grades
    # 95.5 >= 80: 95.5 / 100 * 900 = 859.50
    assert result.pay == Decimal("859.50")
    assert result.actions == ()
    assert result.missing == ()


def test_a_poor_month_is_paid_by_its_score(template):
    values = dict(
        GOLDEN_VALUES,
        不整齐次数=Decimal("0"),
        上班做无关事次数=Decimal("2"),
        未佩戴劳保用品次数=Decimal("1"),
        缺勤天数=Decimal("3"),
        未组织培训次数=Decimal("1"),
        店铺展现数=Decimal("16000"),
        pv=Decimal("7000"),
        uv=Decimal("3600"),
        conversion_rate=Decimal("0.015"),
        工作记录未完成次数=Decimal("3"),
        询盘记录未交次数=Decimal("1"),
        gmv=Decimal("45000"),
    )
    result = _score(template, values, ratings={"competitor_planning": Decimal("60")})
    points = {item.key: item.points for item in result.items}
    # 2*0 + 2*2 + 3*1 + 10*0 = 7; 15 - 7 = 8
    assert points["personal_conduct"] == Decimal("8")
    # 缺勤 3 days -> [3, 4) -> 5; + 5*1 = 10 deducted; 10 - 10 = 0
    assert points["staff_management"] == Decimal("0")
    # (0.8 + 0.7 + 0.9) / 3 = 0.8; 10 * 0.8 = 8
    assert points["shop_traffic"] == Decimal("8")
    # 0.015 / 0.02 = 0.75; 5 * 0.75 = 3.75
    assert points["visitor_conversion"] == Decimal("3.75")
    # 10 * 60 / 100 = 6
    assert points["competitor_planning"] == Decimal("6")
    # 10 - 2*3 = 4
    assert points["work_records"] == Decimal("4")
    # max(0, 5 - 10*1) = 0 (扣完为止)
    assert points["inquiry_records"] == Decimal("0")
    # on the edge: (50000 - 45000) / 5000 - 0.5 = 0.5 -> round half-up 1 step short; 30 - 3 = 27
    assert points["base_volume"] == Decimal("27")
    assert points["aftersales_follow_up"] == Decimal("5")
    # 45000 is not above 50000: no bonus
    assert points["volume_bonus"] == Decimal("0")
    # 8 + 0 + 8 + 3.75 + 6 + 4 + 0 + 27 + 5 + 0 = 61.75 -> 61.8
    assert result.score == Decimal("61.8")
    # the card's own rule (注 1): 当月绩效奖金 = 考核分数/100 × 900, with no threshold: 61.8 / 100 * 900 = 556.20
    # (the "低于80分,绩效工资为零" of the collection's other table, 201 年月绩效考核表, is not this card's rule)
    assert result.pay == Decimal("556.20")


@pytest.mark.parametrize(
    ("gmv", "base_points", "bonus_points"),
    [
        ("0", "0", "0"),  # 50000 / 5000 - 0.5 = 9.5 -> 10 steps short; max(0, 30 - 30) = 0
        ("40000", "24", "0"),  # 10000 / 5000 - 0.5 = 1.5 -> 2 steps; 30 - 6 = 24
        ("44999.99", "27", "0"),  # 5000.01 / 5000 - 0.5 = 0.500002 -> 1 step short; 30 - 3 = 27
        ("45000.01", "30", "0"),  # 4999.99 / 5000 - 0.5 = 0.499998 -> 0 steps; 30
        ("50000", "30", "0"),  # not short, not over
        ("54999", "30", "0"),  # floor(4999 / 5000) = 0 steps over
        ("55000", "30", "3"),  # floor(5000 / 5000) = 1 step over; 3 * 1 = 3
    ],
)
def test_volume_edges(template, gmv, base_points, bonus_points):
    result = _score(template, dict(GOLDEN_VALUES, gmv=Decimal(gmv)))
    assert result.item("base_volume").points == Decimal(base_points)
    assert result.item("volume_bonus").points == Decimal(bonus_points)


def test_score_80_is_paid_like_any_other(template):
    values = dict(GOLDEN_VALUES, gmv=Decimal("50000"), conversion_rate=Decimal("0.012"))
    result = _score(template, values, ratings={"competitor_planning": Decimal("0")})
    # 11 + 9 + 9 + (0.012/0.02 = 0.6 -> 5*0.6 = 3) + 0 + 8 + 5 + 30 + 5 + 0 = 80
    assert result.score == Decimal("80.0")
    # not below 80: 80 / 100 * 900 = 720.00
    assert result.pay == Decimal("720.00")


def test_missing_variable_makes_the_result_incomplete(template):
    values = {k: v for k, v in GOLDEN_VALUES.items() if k != "店铺展现数"}
    result = _score(template, values)
    assert result.status == "incomplete"
    assert result.missing == ("shop_traffic",)
    assert result.score is None
    assert result.grade is None
    assert result.pay is None


def test_cli_scores_the_golden_month(tmp_path: Path):
    header = ["employee", *GOLDEN_VALUES, "rating.competitor_planning"]
    row = ["E1", *(str(v) for v in GOLDEN_VALUES.values()), "80"]
    csv_path = tmp_path / "values.csv"
    csv_path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    cli = Path(sys.executable).with_name("shopkpi")
    done = subprocess.run(
        [str(cli), "score", str(PATH), str(csv_path), "--period", "2026-10", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (out,) = json.loads(done.stdout)
    assert out["status"] == "ok"
    assert Decimal(out["score"]) == Decimal("95.5")  # as in test_golden_month
    assert Decimal(out["pay"]) == Decimal("859.50")


# A manager with a perfect card and a very good month: nothing deducted anywhere.
PERFECT = {
    **GOLDEN_VALUES,
    "不整齐次数": Decimal("0"),
    "上班做无关事次数": Decimal("0"),
    "缺勤天数": Decimal("0"),
    "店铺展现数": Decimal("20000"),
    "pv": Decimal("10000"),
    "uv": Decimal("4000"),
    "conversion_rate": Decimal("0.02"),
    "工作记录未完成次数": Decimal("0"),
}


def test_no_cap_gmv_200000_gives_190_points_and_1710(template):
    """The seed sets no upper bound of the total (the issue's audit found an invented cap of 120)."""
    assert template.cap is None
    result = _score(template, dict(PERFECT, gmv=Decimal("200000")), ratings={"competitor_planning": "100"})
    # the nine weighted items all full: 15 + 10 + 10 + 5 + 10 + 10 + 5 + 30 + 5 = 100
    # bonus: floor((200000 - 50000) / 5000) = 30 steps; 3 * 30 = 90
    assert result.item("volume_bonus").points == Decimal("90")
    # 100 + 90 = 190, no cap
    assert result.score == Decimal("190.0")
    # 190 >= 80: 190 / 100 * 900 = 1710.00
    assert result.pay == Decimal("1710.00")
    assert result.pay_base == Decimal("900.00")  # 月度绩效奖金 900 元


def test_cli_gmv_200000_gives_190_and_1710(tmp_path: Path):
    values = dict(PERFECT, gmv=Decimal("200000"))
    header = ["employee", *values, "rating.competitor_planning"]
    row = ["E1", *(str(v) for v in values.values()), "100"]
    csv_path = tmp_path / "values.csv"
    csv_path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    cli = Path(sys.executable).with_name("shopkpi")
    done = subprocess.run(
        [str(cli), "score", str(PATH), str(csv_path), "--period", "2026-10", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (out,) = json.loads(done.stdout)
    # as in test_no_cap_gmv_200000_gives_190_points_and_1710: 100 + 90 = 190; 190 / 100 * 900 = 1710
    assert (out["score"], out["pay"]) == ("190.0", "1710.00")
