"""`shopkpi prepare`: per employee, the targets, inputs and supervisor ratings their template needs, as a
workbook with Chinese headers that imports back as it is filled in (through `run_import`)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from shopkpi.appraisal.importing.imports import ImportRequest, run_import
from shopkpi.appraisal.models import AuditEntry, Department, Employee, Position
from shopkpi.appraisal.periods.cycles import new_template_version
from shopkpi.cli.main import cli
from shopkpi.data.problems import ImportRefused
from shopkpi.data.warehouse.catalogue import Warehouse

pytestmark = pytest.mark.django_db

# gmv is a metric (computed, nothing to prepare); 计划销售额 a target; 接待量 an input; 执行力 a rating
TEMPLATE = """\
id: t-mix
name: 运营
period: month
rounding: 1
items:
  - {key: sales, name: 销售额完成率, weight: 60, value: gmv, proportional: {target: 计划销售额}}
  - {key: reception, name: 接待量考核, weight: 20, value: 接待量, bands: {">= 1000": 100, "< 1000": 50}}
  - {key: execution, name: 执行力, weight: 20, rated_by: supervisor, levels: {优: 100, 良: 80}}
pay:
  amount: base_salary * 10% * score / 100
"""
FILES = {
    "employees": "employee,name,department,position\nE1,张三,运营部,运营\nE2,李四,运营部,运营\n",
    "accounts": "employee,kind,account,valid_from,valid_to\nE1,shop,旗舰店,2026-01-01,\nE2,shop,专营店,2026-01-01,\n",
    "shop_daily": "shop,date,uv,gmv\n旗舰店,2026-10-01,100,45000\n专营店,2026-10-01,100,40000\n",
    "targets": "employee,period,name,value\nE1,2026-10,计划销售额,60000\n",
}


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    new_template_version(None, "t-mix", TEMPLATE)
    department = Department.objects.create(name="运营部")
    position = Position.objects.create(name="运营", template_id="t-mix")
    for code, name in (("E1", "张三"), ("E2", "李四")):
        Employee.objects.create(
            code=code, name=name, department=department, position=position, base_salary=Decimal(6000)
        )
    for dataset, text in FILES.items():
        path = tmp_path / f"{dataset}.csv"
        path.write_text(text, encoding="utf-8")
        report = run_import(
            home, ImportRequest(files=(path,), user="hr", dataset=dataset, accept_warnings=True)
        )
        assert report.written, report
    return home


def _sheet(path: Path, name: str) -> list[tuple[object, ...]]:
    return list(load_workbook(path)[name].iter_rows(values_only=True))


def test_the_workbook_lists_what_each_template_needs_and_refuses_to_overwrite(tmp_path: Path) -> None:
    home = _home(tmp_path)
    target = tmp_path / "2026-10-准备.xlsx"
    args = ["--home", str(home), "prepare", "--period", "2026-10", "--output", str(target)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "2 employees" in result.stdout and "6 values to prepare, 1 already in" in result.stdout
    assert load_workbook(target).sheetnames == ["目标", "手工录入", "评分", "说明"]
    # the target imported already is filled in; the metric gmv is not listed
    assert _sheet(target, "目标") == [
        ("工号", "姓名", "岗位", "考核期间", "目标名称", "目标值", "说明"),
        ("E1", "张三", "运营", "2026-10", "计划销售额", "60000", "销售额完成率"),
        ("E2", "李四", "运营", "2026-10", "计划销售额", None, "销售额完成率"),
    ]
    assert _sheet(target, "手工录入")[1] == ("E1", "张三", "运营", "2026-10", "接待量", None, "接待量考核")
    assert _sheet(target, "评分") == [
        ("工号", "姓名", "岗位", "考核期间", "考核项目", "评分", "评分人", "说明"),
        ("E1", "张三", "运营", "2026-10", "执行力", None, "上级", "优=100、良=80"),
        ("E2", "李四", "运营", "2026-10", "执行力", None, "上级", "优=100、良=80"),
    ]
    before = target.read_bytes()
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2 and "exists; nothing was written" in again.output
    assert target.read_bytes() == before


def _fill(path: Path, cells: dict[tuple[str, str], object]) -> None:
    book = load_workbook(path)
    for (sheet, coordinate), value in cells.items():
        book[sheet][coordinate] = value
    book.save(path)


def test_the_filled_workbook_imports_back_and_scores(tmp_path: Path) -> None:
    home = _home(tmp_path)
    target = tmp_path / "准备.xlsx"
    args = ["--home", str(home), "prepare", "--period", "2026-10", "--output", str(target)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    # E2's target, E1's 接待量 (E2's left empty: not imported), both ratings (a level, by the item's name)
    _fill(
        target, {("目标", "F3"): 50000, ("手工录入", "F2"): 1200, ("评分", "F2"): "良", ("评分", "F3"): "优"}
    )
    report = run_import(home, ImportRequest(files=(target,), user="hr"))
    assert (report.dataset, report.state) == ("targets+inputs+ratings", "imported")
    assert [o.file for o in report.outcomes] == ["准备-目标.csv", "准备-手工录入.csv", "准备-评分.csv"]
    imports = [e.after.get("dataset", e.object_id) for e in AuditEntry.objects.filter(action="data.import")]
    assert imports[-3:] == ["targets", "inputs", "ratings"]  # after the setup's own imports
    closed = CliRunner().invoke(cli, ["--home", str(home), "run", "--period", "2026-10"])
    assert closed.exit_code == 0, closed.output
    cards = {c["employee"]: c for c in json.loads(closed.stdout)}
    # E1: 45000 / 60000 × 60 = 45; 接待量 1200 → 100 → 20; 良 80 → 16: 81.0
    assert (cards["E1"]["status"], cards["E1"]["score"]) == ("ok", "81.0")
    # E2: 40000 / 50000 × 60 = 48; 优 → 20; no 接待量 yet: incomplete, nothing counted as zero
    assert cards["E2"]["missing"] == ["reception"]
    assert [i["points"] for i in cards["E2"]["items"]] == ["48", None, "20"]


def test_a_bad_cell_refuses_the_whole_workbook_naming_sheet_row_and_column(tmp_path: Path) -> None:
    home = _home(tmp_path)
    target = tmp_path / "准备.xlsx"
    args = ["--home", str(home), "prepare", "--period", "2026-10", "--output", str(target)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    _fill(target, {("目标", "F3"): 50000, ("手工录入", "F3"): "很多"})
    batches = Warehouse(home).connect().execute("SELECT count(*) FROM batches").fetchone()
    with pytest.raises(ImportRefused) as refused:
        run_import(home, ImportRequest(files=(target,), user="hr"))
    (problem,) = refused.value.problems
    assert (problem.file, problem.row, problem.column) == ("准备.xlsx（手工录入）", 3, "数值")
    # nothing written: not even the good target sheet
    assert Warehouse(home).connect().execute("SELECT count(*) FROM batches").fetchone() == batches


def test_one_sheet_imports_by_naming_its_dataset(tmp_path: Path) -> None:
    home = _home(tmp_path)
    target = tmp_path / "准备.xlsx"
    args = ["--home", str(home), "prepare", "--period", "2026-10", "--output", str(target)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    _fill(target, {("目标", "F3"): 50000, ("评分", "F2"): "良"})
    result = CliRunner().invoke(cli, ["--home", str(home), "import", "ratings", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("imported   准备-评分.csv → ratings: 1 rows")
    rows = Warehouse(home).connect().execute("SELECT employee, item, rating, rater FROM ratings").fetchall()
    assert rows == [("E1", "执行力", "良", "supervisor")]
