"""`shopkpi run`: the month's close through the web cycle's own service, checked against hand arithmetic.

The organisation (departments, positions bound to templates, employees) is in the application
database, templates are saved versions (as the web's template editor saves them), the shop data,
targets and ratings are imported files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from shopkpi.appraisal.models import Cycle, Department, Employee, Position, Review
from shopkpi.appraisal.periods.cycles import new_template_version
from shopkpi.cli.main import cli
from shopkpi.data.imports.importer import import_files

# the organisation (the roster and the accounts) is in the application database
pytestmark = pytest.mark.django_db
TEMPLATE = """\
id: t-ops
name: 运营
items:
  - {key: conv, name: 成交转化率, weight: 60, value: conversion_rate, bands: {">= 3%": 100, "[2%, 3%)": 80, "< 2%": 0}}
  - {key: sales, name: 销售额完成率, weight: 30, value: gmv, proportional: {target: 计划销售额}}
  - {key: attitude, name: 工作态度, weight: 10, rated_by: supervisor, levels: {优: 100, 良: 80}}
grades:
  - {name: 优秀, when: ">= 90"}
  - {name: 合格, when: "< 90"}
pay:
  amount: score / 100 * 900
rules:
  - {when: "score >= 90", consecutive: 2, action: 表扬}
"""

FILES = {
    "employees.csv": "employee,name,department,position,supervisor,base_salary\nE1,张三,运营部,运营,,6000\nE2,李四,运营部,运营,E1,5000\n",
    "accounts.csv": "employee,kind,account,valid_from,valid_to\nE1,shop,旗舰店,2026-09-01,\nE2,shop,专营店,2026-09-01,\n",
    "shop_daily.csv": (
        "shop,date,uv,buyers,gmv\n"
        "旗舰店,2026-10-01,1000,25,30000\n旗舰店,2026-10-02,1000,35,15000\n"
        "旗舰店,2026-09-30,500,5,1000\n"  # September: not in the October close
        "专营店,2026-10-01,2000,30,20000\n"
    ),
    "targets.csv": "employee,period,name,value\nE1,2026-10,计划销售额,60000\n",
    "ratings.csv": "employee,period,item,rating,rater\nE1,2026-10,attitude,良,supervisor\nE2,2026-10,attitude,优,supervisor\n",
}


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    new_template_version(None, "t-ops", TEMPLATE)
    department = Department.objects.create(name="运营部")
    position = Position.objects.create(name="运营", template_id="t-ops")
    e1 = Employee.objects.create(
        code="E1", name="张三", department=department, position=position, base_salary=Decimal(6000)
    )
    Employee.objects.create(
        code="E2",
        name="李四",
        department=department,
        position=position,
        base_salary=Decimal(5000),
        supervisor=e1,
    )
    for name, text in FILES.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        imported = CliRunner().invoke(
            cli, ["--home", str(home), "import", name.removesuffix(".csv"), str(path)]
        )
        assert imported.exit_code == 0, imported.output
    return home


def _run(home: Path, *args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["--home", str(home), "run", "--period", "2026-10", *args])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def test_run_scores_everyone_from_the_warehouse(tmp_path: Path) -> None:
    home = _home(tmp_path)
    records = {r["employee"]: r for r in _run(home)}
    e1 = records["E1"]
    # conversion (25 + 35) / (1000 + 1000) = 3% -> ">= 3%" -> 100 -> 60 points
    # sales 45000 / 60000 = 0.75 -> 30 x 0.75 = 22.5; attitude 良 = 80 -> 10 x 80 / 100 = 8
    # score 60 + 22.5 + 8 = 90.5 -> 优秀; pay 90.5 / 100 x 900 = 814.50
    assert [i["points"] for i in e1["items"]] == ["60", "22.5", "8"]
    assert (e1["status"], e1["score"], e1["grade"], e1["pay"]) == ("ok", "90.5", "优秀", "814.50")
    assert (e1["name"], e1["position"], e1["template"], e1["template_version"]) == (
        "张三",
        "运营",
        "t-ops",
        1,
    )
    assert e1["source"] == "preview"  # no cycle for October: computed as opening it would
    # E2 has no 计划销售额 target: incomplete, nothing counted as zero
    assert records["E2"]["status"] == "incomplete" and records["E2"]["missing"] == ["sales"]
    assert records["E2"]["pay"] is None


def test_run_reads_the_published_history_for_the_consequence_rules(tmp_path: Path) -> None:
    home = _home(tmp_path)
    september = Cycle.objects.create(
        period="2026-09",
        self_due=dt.date(2026, 10, 5),
        supervisor_due=dt.date(2026, 10, 8),
        hr_due=dt.date(2026, 10, 10),
    )
    Review.objects.create(
        cycle=september,
        employee=Employee.objects.get(code="E1"),
        template_version_id=1,
        status=Review.Status.ACKNOWLEDGED,
        score=Decimal("95.0"),
        grade="优秀",
        published_at=dt.datetime(2026, 10, 12, tzinfo=dt.UTC),
    )
    records = {r["employee"]: r for r in _run(home)}
    assert records["E1"]["actions"] == ["表扬"]  # 95.0 in September and 90.5 in October: two in a row
    assert records["E2"]["actions"] == []
    assert not (home / "results").exists()  # read-only: nothing written


def test_run_writes_xlsx(tmp_path: Path) -> None:
    home = _home(tmp_path)
    target = tmp_path / "close.xlsx"
    result = CliRunner().invoke(
        cli, ["--home", str(home), "run", "--period", "2026-10", "--format", "xlsx", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target)["2026-10 汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("工号", "姓名", "部门") and rows[0][8:10] == ("绩效工资", "整月工资")
    assert rows[1][0] == "E1" and rows[1][6] == 90.5 and rows[1][8:10] == (814.5, None)


def test_run_labels_a_whole_wage_and_a_position_without_pay(tmp_path: Path) -> None:
    home = _home(tmp_path)
    # E1's template pays a whole wage by design; E2's position has a template without pay
    new_template_version(
        None,
        "t-ops",
        TEMPLATE.replace("  amount: score / 100 * 900\n", "  amount: score / 100 * 900\n  kind: wage\n"),
    )
    new_template_version(None, "t-nopay", TEMPLATE.replace("id: t-ops", "id: t-nopay").split("pay:")[0])
    Employee.objects.filter(code="E2").update(
        position=Position.objects.create(name="客服", template_id="t-nopay")
    )
    records = {r["employee"]: r for r in _run(home)}
    # 90.5 / 100 × 900 = 814.50, a whole wage
    assert (records["E1"]["pay"], records["E1"]["pay_kind"]) == ("814.50", "wage")
    assert (records["E2"]["pay"], records["E2"]["pay_kind"]) == (None, None)
    target = tmp_path / "close.xlsx"
    args = ["--home", str(home), "run", "--period", "2026-10", "--format", "xlsx", "--output", str(target)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    rows = {row[0]: row for row in load_workbook(target)["2026-10 汇总"].iter_rows(values_only=True)}
    assert rows["E1"][8:10] == (None, 814.5)  # in the 整月工资 column, not under 绩效工资
    assert rows["E2"][8:10] == ("本岗位不计绩效工资", None)
    csv_result = CliRunner().invoke(
        cli, ["--home", str(home), "run", "--period", "2026-10", "--format", "csv"]
    )
    lines = list(csv.reader(io.StringIO(csv_result.stdout)))
    assert lines[0][8:10] == ["pay", "wage"] and lines[1][8:10] == ["", "814.50"]


def test_names_that_look_like_formulas_are_written_as_quoted_text(tmp_path: Path) -> None:
    # the roster's names reach the CSV and the workbook (the import refuses `=…` and calls such as `+cmd|`,
    # but not every text a spreadsheet would read as a formula): text that would run gets a leading quote
    home = _home(tmp_path)
    Employee.objects.filter(code="E2").update(
        name="-李四", department=Department.objects.create(name="@运营部")
    )
    csv_result = CliRunner().invoke(
        cli, ["--home", str(home), "run", "--period", "2026-10", "--format", "csv"]
    )
    assert csv_result.exit_code == 0, csv_result.output
    rows = {row[0]: row for row in csv.reader(io.StringIO(csv_result.stdout)) if row}
    assert rows["E2"][1:3] == ["'-李四", "'@运营部"]
    assert rows["E1"][6] == "90.5"  # a number stays as it is
    target = tmp_path / "close.xlsx"
    args = ["--home", str(home), "run", "--period", "2026-10", "--format", "xlsx", "--output", str(target)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    book = load_workbook(target)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    names = {row[0].value: row for row in book["2026-10 汇总"].iter_rows(min_row=2)}
    assert [cell.value for cell in names["E2"][1:3]] == ["'-李四", "'@运营部"]
    assert names["E1"][6].data_type == "n"


def test_people_without_a_position_template_are_listed_and_nobody_is_scored(tmp_path: Path) -> None:
    home = _home(tmp_path)
    Position.objects.filter(name="运营").update(template_id="")
    result = CliRunner().invoke(cli, ["--home", str(home), "run", "--period", "2026-10"])
    assert result.exit_code == 1
    assert result.stderr.startswith("template_missing: ")
    assert "E1 张三（岗位 运营）：岗位没有指定月度考核表模板" in result.stderr
    assert "E2 李四（岗位 运营）" in result.stderr
    assert result.stdout == ""


def test_a_rating_that_fits_no_item_is_reported_and_nobody_is_scored(tmp_path: Path) -> None:
    home = _home(tmp_path)
    ratings = tmp_path / "more-ratings.csv"
    ratings.write_text("employee,period,item,rating,rater\nE2,2026-10,沟通,优,supervisor\n", encoding="utf-8")
    import_files(home, "ratings", [ratings])
    result = CliRunner().invoke(cli, ["--home", str(home), "run", "--period", "2026-10"])
    assert result.exit_code == 1
    assert "评分 ratings：工号 E2，指标“沟通”，评分“优”：考核表没有这个指标" in result.stderr
    assert result.stdout == ""


def test_an_item_is_rated_by_its_name_as_well_as_its_key(tmp_path: Path) -> None:
    home = _home(tmp_path)
    ratings = tmp_path / "ratings-by-name.csv"
    ratings.write_text(
        "employee,period,item,rating,rater\nE1,2026-10,工作态度,优,supervisor\n", encoding="utf-8"
    )
    import_files(home, "ratings", [ratings])
    e1 = {r["employee"]: r for r in _run(home)}["E1"]
    # the later file's 优 = 100 replaces 良: attitude 10 x 100 / 100 = 10; 60 + 22.5 + 10 = 92.5
    assert [i["points"] for i in e1["items"]] == ["60", "22.5", "10"]
    assert e1["score"] == "92.5"


RATE_TEMPLATE = """\
id: t-rate
name: 转化
items:
  - {key: conv, name: 转化率达成, weight: 26, value: conversion_rate, proportional: {target: 转化率目标}}
  - {key: sales, name: 销售额, weight: 64, value: gmv, proportional: {target: 计划销售额}}
  - {key: attitude, name: 工作态度, weight: 10, rated_by: supervisor, levels: {优: 100, 良: 80}}
"""


def test_a_rate_target_reaches_the_scorecard_exactly(tmp_path: Path) -> None:
    home = _home(tmp_path)
    new_template_version(None, "t-rate", RATE_TEMPLATE)
    Position.objects.filter(name="运营").update(template_id="t-rate")
    targets = tmp_path / "rate-targets.csv"
    targets.write_text(
        "employee,period,name,value\nE1,2026-10,转化率目标,3.25%\nE1,2026-10,计划销售额,4.5万\n",
        encoding="utf-8",
    )
    import_files(home, "targets", [targets])
    e1 = {r["employee"]: r for r in _run(home)}["E1"]
    # conversion (25 + 35) / 2000 = 0.03 against 3.25% = 0.0325: 26 x 0.03 / 0.0325 = 26 x 12 / 13 = 24
    # points (a target rounded to 0.03 would give 26); sales 45000 against 4.5万 = 45000: 64 points;
    # attitude 良 = 80: 8 points
    assert [i["points"] for i in e1["items"]] == ["24", "64", "8"]
    assert (e1["status"], e1["score"]) == ("ok", "96.0")
