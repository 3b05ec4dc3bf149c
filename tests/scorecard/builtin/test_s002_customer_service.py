"""Golden test of the built-in template s002-customer-service (客服专员, seed 002).

Every expected number is worked out by hand in the comment beside it, never by the engine.
The score is 75% the supervisor's spot-check rating and 25% the month-end self-appraisal.
Pay = 500 × 绩效系数 (< 65: 0.5, 65..: 1.0, 80..: 1.2, 95..: 1.5) + 2% × cs_paid_amount
      + 10 × 中评修改 + 20 × 差评修改 (奖惩 is added by HR on the pay sheet).
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from shopkpi.scorecard import (
    EmployeeInput,
    PeriodResult,
    Template,
    builtin_template_dir,
    load_template_file,
    score,
)

PATH = builtin_template_dir() / "s002-customer-service.yaml"

VALUES = {"cs_paid_amount": Decimal("52000"), "中评修改": Decimal("3"), "差评修改": Decimal("2")}
NO_EXTRAS = {"cs_paid_amount": Decimal("0"), "中评修改": Decimal("0"), "差评修改": Decimal("0")}


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template_file(PATH)


def _employee(
    supervisor: Decimal | None, own: Decimal | None, values: dict[str, Decimal], period: str = "2026-10"
) -> EmployeeInput:
    ratings = {} if supervisor is None else {"spot_check": supervisor}
    self_ratings = {} if own is None else {"spot_check": own}
    return EmployeeInput(
        employee="E101", period=period, values=values, ratings=ratings, self_ratings=self_ratings
    )


def test_the_builtin_file_loads() -> None:
    assert load_template_file(PATH) is not None


def test_pay_is_a_whole_wage_by_design() -> None:
    # the seed's "工资制度:500(底薪)*绩效系数+销售提成…" is the whole wage (底薪 × 系数 + …), not a performance part on top of one
    template = load_template_file(PATH)
    assert template.pay_kind == "wage"
    assert template.pay_base is None


def test_worked_example(template: Template) -> None:
    result = score(template, _employee(Decimal("84"), Decimal("92"), VALUES))

    item = result.item("spot_check")
    assert item.rating == Decimal("84")
    assert item.self_rating == Decimal("92")
    assert item.points == Decimal("84")  # the supervisor's: 100 * 84 / 100
    assert result.status == "ok"
    assert result.score == Decimal("86")  # 0.75 * 84 + 0.25 * 92 = 63 + 23 = 86.0
    assert result.grade is None  # the seed names no grades
    # 86 in [80, 95) -> 1.2: 500 * 1.2 = 600; 2% * 52000 = 1040; 10 * 3 = 30; 20 * 2 = 40
    # 600 + 1040 + 30 + 40 = 1710.00
    assert result.pay == Decimal("1710.00")
    assert result.actions == ()


@pytest.mark.parametrize(
    ("supervisor", "own", "final", "pay"),
    [
        (
            Decimal("69.8"),
            Decimal("50.2"),
            Decimal("64.9"),
            Decimal("250"),
        ),  # 52.35 + 12.55 = 64.9 -> 0.5 * 500
        (
            Decimal("66.6"),
            Decimal("60"),
            Decimal("65"),
            Decimal("500"),
        ),  # 49.95 + 15 = 64.95 -> 65.0 -> 1.0 * 500
        (Decimal("60"), Decimal("80"), Decimal("65"), Decimal("500")),  # 45 + 20 = 65 (含65) -> 1.0 * 500
        (Decimal("80"), Decimal("80"), Decimal("80"), Decimal("600")),  # 60 + 20 = 80 (含80) -> 1.2 * 500
        (Decimal("100"), Decimal("80"), Decimal("95"), Decimal("750")),  # 75 + 20 = 95 -> 1.5 * 500
    ],
)
def test_coefficient_edges(
    template: Template, supervisor: Decimal, own: Decimal, final: Decimal, pay: Decimal
) -> None:
    result = score(template, _employee(supervisor, own, NO_EXTRAS))

    assert result.score == final
    assert result.pay == pay


def test_a_missing_self_appraisal_makes_the_result_incomplete(template: Template) -> None:
    result = score(template, _employee(Decimal("84"), None, VALUES))

    assert result.status == "incomplete"  # self_weight is 25%, so the self rating is needed
    assert result.missing == ("spot_check",)
    assert result.score is None
    assert result.pay is None


def test_a_missing_pay_variable_makes_the_result_incomplete(template: Template) -> None:
    values = {k: v for k, v in VALUES.items() if k != "差评修改"}
    result = score(template, _employee(Decimal("84"), Decimal("92"), values))

    assert result.status == "incomplete"
    assert result.missing == ("pay",)
    assert result.pay is None


def test_two_months_below_65_fire_dismissal(template: Template) -> None:
    history = [PeriodResult(period="2026-09", score=Decimal("60"))]
    values = {**NO_EXTRAS, "cs_paid_amount": Decimal("20000")}
    result = score(template, _employee(Decimal("60"), Decimal("50"), values), history)

    assert result.score == Decimal("57.5")  # 0.75 * 60 + 0.25 * 50 = 45 + 12.5
    assert result.pay == Decimal("650.00")  # 500 * 0.5 + 2% * 20000 = 250 + 400
    assert result.actions == ("辞退",)


def test_a_gap_or_a_pass_breaks_the_run(template: Template) -> None:
    low_now = _employee(Decimal("60"), Decimal("50"), NO_EXTRAS)  # 57.5 this month
    gap = [PeriodResult(period="2026-08", score=Decimal("60"))]  # no result for 2026-09
    passed = [PeriodResult(period="2026-09", score=Decimal("65"))]  # 65 is not below 65

    assert score(template, low_now, gap).actions == ()
    assert score(template, low_now, passed).actions == ()


def test_cli_scores_the_worked_example_with_history(tmp_path: Path) -> None:
    values = tmp_path / "values.csv"
    values.write_text(
        "employee,cs_paid_amount,中评修改,差评修改,rating.spot_check,self.spot_check\n"
        "E101,52000,3,2,84,92\n"
        "E102,20000,0,0,60,50\n",
        encoding="utf-8",
    )
    history = tmp_path / "history.csv"
    history.write_text("employee,period,score\nE102,2026-09,60\n", encoding="utf-8")
    shopkpi = Path(sys.executable).parent / "shopkpi"
    args = [str(shopkpi), "score", str(PATH), str(values), "--period", "2026-10", "--history", str(history)]
    args += ["--format", "json"]
    run = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    first, second = json.loads(run.stdout)
    assert (first["employee"], first["status"]) == ("E101", "ok")
    assert Decimal(first["score"]) == Decimal("86")  # 63 + 23
    assert Decimal(first["pay"]) == Decimal("1710.00")  # 600 + 1040 + 30 + 40
    assert first["actions"] == []
    assert Decimal(second["score"]) == Decimal("57.5")  # 45 + 12.5
    assert Decimal(second["pay"]) == Decimal("650.00")  # 250 + 400
    assert second["actions"] == ["辞退"]
