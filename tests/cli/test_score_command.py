"""`shopkpi score TEMPLATE.yaml VALUES.csv --period P [--history H] [--format json|csv|table]`
(spec: "Command-line contract"). Every expected number is worked out by hand."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.cells import cell_len

from shopkpi.cli.main import cli

D = Decimal

CS_AGENT = textwrap.dedent(
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

HEADER = "employee,实际销售额,计划销售额,平均响应秒数,差评次数,销售额,rating.attitude,self.attitude"

# E002 (first in the file, so first in the output):
#   attainment 47000 / 60000 = 0.7833333333333333333333333333 → [70%, 80%) → 85 → 40 × 85 / 100 = 34
#   response 45 s → (30, 60] → 80 → 20 × 80 / 100 = 16;  incidents 20 − 2 × 1 = 18
#   attitude supervisor 优 = 100 → 20, self 良 = 80 → 16
#   supervisor 34 + 16 + 18 + 20 = 88; self 34 + 16 + 18 + 16 = 84
#   0.75 × 88 + 0.25 × 84 = 66 + 21 = 87 → 87.0 良好; pay 500 × 1.2 + 2% × 30000 = 600 + 600 = 1200.00
# 张三:
#   0.8 → 100 → 40; 30 s → 100 → 20; 20 − 2 × 3 = 14; 良 → 16 (self 优 → 20)
#   0.75 × 90 + 0.25 × 94 = 67.5 + 23.5 = 91 → 91.0 良好; pay 600 + 2% × 52000 = 600 + 1040 = 1640.00
# E003: the response time cell is empty → response missing → incomplete
VALUES = (
    f"{HEADER}\n"
    "E002,47000,60000,45,1,30000,优,良\n"
    "张三,48000,60000,30,3,52000,良,优\n"
    "E003,48000,60000,,3,52000,良,优\n"
)

# a poor month: 3 / 10 = 0.3 → 0; 200 s → 0; 20 − 2 × 10 = 0; 差 = 40 → 8 (self 8); raw 8 → 8.0 差
POOR = "欧阳娜娜,3,10,200,10,0,差,差\n"


def write(directory: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = directory / name
    path.write_text(text, encoding=encoding)
    return path


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return write(tmp_path, "cs-agent.yaml", CS_AGENT)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["score", *map(str, args)])


def as_json(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert isinstance(parsed, list)
    return parsed


# --- json ---------------------------------------------------------------------------------------

TOP_KEYS = {"employee", "status", "score", "grade", "pay", "items", "actions", "missing"}
ITEM_KEYS = {"key", "value", "rating", "points"}


def test_json_has_the_spec_s_shape_in_input_order(template: Path, tmp_path: Path) -> None:
    rows = as_json(run(template, write(tmp_path, "values.csv", VALUES), "--period", "2026-10"))
    assert [row["employee"] for row in rows] == ["E002", "张三", "E003"]
    for row in rows:
        assert set(row) == TOP_KEYS
        assert row["status"] in ("ok", "incomplete")
        assert isinstance(row["items"], list)
        assert isinstance(row["actions"], list)
        assert isinstance(row["missing"], list)
        assert [item["key"] for item in row["items"]] == ["attainment", "response", "incidents", "attitude"]
        for item in row["items"]:
            assert set(item) >= ITEM_KEYS


def test_json_numbers_are_decimal_strings(template: Path, tmp_path: Path) -> None:
    rows = as_json(run(template, write(tmp_path, "values.csv", VALUES), "--period", "2026-10"))
    decimal_text = re.compile(r"^-?\d+(\.\d+)?$")
    for row in rows:
        numbers = [row["score"], row["pay"]]
        numbers += [item[k] for item in row["items"] for k in ("value", "rating", "points")]
        for number in numbers:
            assert number is None or (isinstance(number, str) and decimal_text.match(number)), number


def test_json_values_worked_out_by_hand(template: Path, tmp_path: Path) -> None:
    rows = as_json(run(template, write(tmp_path, "values.csv", VALUES), "--period", "2026-10"))
    e002, zhang, _ = rows
    assert e002["status"] == "ok"
    assert e002["score"] == "87.0"
    assert e002["grade"] == "良好"
    assert e002["pay"] == "1200.00"
    assert e002["actions"] == []
    assert e002["missing"] == []
    items = {item["key"]: item for item in e002["items"]}
    assert items["attainment"]["value"] == "0.7833333333333333333333333333"
    assert D(items["attainment"]["rating"]) == 85
    assert D(items["attainment"]["points"]) == 34
    assert D(items["response"]["value"]) == 45
    assert D(items["response"]["rating"]) == 80
    assert D(items["response"]["points"]) == 16
    assert D(items["incidents"]["value"]) == 1
    assert D(items["incidents"]["points"]) == 18
    assert D(items["attitude"]["rating"]) == 100
    assert D(items["attitude"]["points"]) == 20
    assert (zhang["score"], zhang["grade"], zhang["pay"]) == ("91.0", "良好", "1640.00")
    assert D({i["key"]: i for i in zhang["items"]}["attainment"]["value"]) == D("0.8")


def test_an_incomplete_employee_has_null_score_grade_and_pay(template: Path, tmp_path: Path) -> None:
    rows = as_json(run(template, write(tmp_path, "values.csv", VALUES), "--period", "2026-10"))
    e003 = rows[2]
    assert e003["employee"] == "E003"
    assert e003["status"] == "incomplete"
    assert e003["score"] is None
    assert e003["grade"] is None
    assert e003["pay"] is None
    assert e003["missing"] == ["response"]


def test_empty_cells_are_absent_values(template: Path, tmp_path: Path) -> None:
    # an empty 计划销售额 and an empty rating: attainment and attitude are missing, not zero
    values = f"{HEADER}\nE1,48000,,30,0,1,,优\nE2,48000,60000,30, ,1,良,优\n"
    rows = as_json(run(template, write(tmp_path, "values.csv", values), "--period", "2026-10"))
    assert rows[0]["status"] == "incomplete"
    assert sorted(rows[0]["missing"]) == ["attainment", "attitude"]
    assert rows[1]["status"] == "incomplete"
    assert rows[1]["missing"] == ["incidents"]


def test_a_byte_order_mark_is_accepted(template: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "values.csv", VALUES, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = as_json(run(template, path, "--period", "2026-10"))
    assert [row["employee"] for row in rows] == ["E002", "张三", "E003"]
    assert rows[0]["score"] == "87.0"


def test_json_is_the_default_format(template: Path, tmp_path: Path) -> None:
    values = write(tmp_path, "values.csv", VALUES)
    default = run(template, values, "--period", "2026-10")
    explicit = run(template, values, "--period", "2026-10", "--format", "json")
    assert default.stdout == explicit.stdout
    assert as_json(default)


# --- history and actions ----------------------------------------------------------------------


def test_history_fires_the_consecutive_rule(template: Path, tmp_path: Path) -> None:
    # 欧阳娜娜: 2026-09 score 60 < 65 and 2026-10 8.0 < 65 → 辞退; 张三 has no history → nothing
    values = write(tmp_path, "values.csv", f"{HEADER}\n{POOR}张三,48000,60000,30,3,52000,良,优\n")
    history = write(tmp_path, "history.csv", "employee,period,score\n欧阳娜娜,2026-09,60\n张三,2026-09,50\n")
    rows = as_json(run(template, values, "--period", "2026-10", "--history", history))
    assert rows[0]["score"] == "8.0"
    assert rows[0]["grade"] == "差"
    assert rows[0]["actions"] == ["辞退"]
    assert rows[1]["actions"] == []


def test_without_history_the_rule_does_not_fire(template: Path, tmp_path: Path) -> None:
    rows = as_json(run(template, write(tmp_path, "values.csv", f"{HEADER}\n{POOR}"), "--period", "2026-10"))
    assert rows[0]["actions"] == []


def test_a_gap_month_in_history_breaks_the_run(template: Path, tmp_path: Path) -> None:
    values = write(tmp_path, "values.csv", f"{HEADER}\n{POOR}")
    history = write(tmp_path, "history.csv", "employee,period,score\n欧阳娜娜,2026-08,60\n")
    rows = as_json(run(template, values, "--period", "2026-10", "--history", history))
    assert rows[0]["actions"] == []


def test_an_empty_grade_in_history_is_computed_from_the_template(tmp_path: Path) -> None:
    # 2026-09: score 50, grade cell empty → "< 65" → 差; 2026-10: 8.0 → 差 → 警告
    text = CS_AGENT.replace(
        '{when: "score < 65", consecutive: 2, action: 辞退}',
        "{when: \"grade == '差'\", consecutive: 2, action: 警告}",
    )
    template = write(tmp_path, "graded.yaml", text)
    values = write(tmp_path, "values.csv", f"{HEADER}\n{POOR}")
    history = write(tmp_path, "history.csv", "employee,period,score,grade\n欧阳娜娜,2026-09,50,\n")
    rows = as_json(run(template, values, "--period", "2026-10", "--history", history))
    assert rows[0]["actions"] == ["警告"]


# --- csv and table ------------------------------------------------------------------------------


def test_csv_format(template: Path, tmp_path: Path) -> None:
    result = run(template, write(tmp_path, "values.csv", VALUES), "--period", "2026-10", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["employee"] for row in rows] == ["E002", "张三", "E003"]
    assert {"employee", "status", "score", "grade", "pay"} <= set(rows[0])
    assert (rows[0]["status"], rows[0]["score"], rows[0]["grade"], rows[0]["pay"]) == (
        "ok",
        "87.0",
        "良好",
        "1200.00",
    )
    assert (rows[1]["score"], rows[1]["pay"]) == ("91.0", "1640.00")
    assert rows[2]["status"] == "incomplete"
    assert rows[2]["score"] == ""
    assert rows[2]["pay"] == ""
    assert "response" in rows[2].get("missing", "")


def test_table_format_aligns_chinese_text(template: Path, tmp_path: Path) -> None:
    values = f"{HEADER}\nE002,47000,60000,45,1,30000,优,良\n张三,48000,60000,30,3,52000,良,优\n{POOR}"
    result = run(template, write(tmp_path, "values.csv", values), "--period", "2026-10", "--format", "table")
    assert result.exit_code == 0, result.output
    output = result.stdout
    for text in ("张三", "欧阳娜娜", "E002", "指标完成率", "87.0", "91.0", "1640.00"):
        assert text in output
    table_lines = [line.rstrip() for line in output.splitlines() if line[:1] in set("┏┃┡│└┌├╭╰|+")]
    assert len(table_lines) >= 5, output
    widths = {cell_len(line) for line in table_lines}
    assert len(widths) == 1, "\n".join(f"{cell_len(line):4d} {line}" for line in table_lines)

    # the vertical rules of every row sit in the same display columns
    def rule_columns(line: str) -> list[int]:
        return [cell_len(line[:i]) for i, ch in enumerate(line) if ch in "┃│"]

    body = [line for line in table_lines if line[:1] in "┃│"]
    assert len({tuple(rule_columns(line)) for line in body}) == 1, "\n".join(body)


# --- what is refused ------------------------------------------------------------------------------


def test_a_bad_cell_is_reported_with_file_row_and_column_and_nobody_is_scored(
    template: Path, tmp_path: Path
) -> None:
    # row 1 is the header; the bad cell is on row 3, column 实际销售额
    values = write(
        tmp_path, "values.csv", f"{HEADER}\nE1,48000,60000,30,3,52000,良,优\nE2,abc,60000,30,3,52000,良,优\n"
    )
    result = run(template, values, "--period", "2026-10")
    assert result.exit_code != 0
    assert result.stdout.strip() == ""
    report = result.stderr
    line = next(line for line in report.splitlines() if "实际销售额" in line)
    assert "values.csv" in line
    assert re.search(r"\b(row|line) 3\b|values\.csv:3\b", line), line
    assert "abc" in line


def test_a_bad_rating_is_reported_with_file_row_and_column(template: Path, tmp_path: Path) -> None:
    values = write(tmp_path, "values.csv", f"{HEADER}\nE1,48000,60000,30,3,52000,很好,优\n")
    result = run(template, values, "--period", "2026-10")
    assert result.exit_code != 0
    assert result.stdout.strip() == ""
    line = next(line for line in result.stderr.splitlines() if "rating.attitude" in line)
    assert "values.csv" in line
    assert re.search(r"\b(row|line) 2\b|values\.csv:2\b", line), line


def test_a_values_file_that_cannot_be_read(template: Path, tmp_path: Path) -> None:
    result = run(template, tmp_path / "nothere.csv", "--period", "2026-10")
    assert result.exit_code != 0
    assert result.stdout.strip() == ""
    assert "nothere.csv" in result.stderr


def test_a_bad_history_cell_is_reported(template: Path, tmp_path: Path) -> None:
    values = write(tmp_path, "values.csv", f"{HEADER}\n{POOR}")
    history = write(tmp_path, "history.csv", "employee,period,score\n欧阳娜娜,2026-09,sixty\n")
    result = run(template, values, "--period", "2026-10", "--history", history)
    assert result.exit_code != 0
    assert result.stdout.strip() == ""
    line = next(line for line in result.stderr.splitlines() if "history.csv" in line)
    assert "score" in line
    assert re.search(r"\b(row|line) 2\b|history\.csv:2\b", line), line


@pytest.mark.parametrize("period", ["2026-Q4", "2026", "2026-13", "2026-1", "10/2026"])
def test_a_period_not_written_yyyy_mm_is_refused_for_a_monthly_template(
    template: Path, tmp_path: Path, period: str
) -> None:
    result = run(template, write(tmp_path, "values.csv", VALUES), "--period", period)
    assert result.exit_code != 0
    assert "E002" not in result.stdout


def test_an_invalid_template_gives_the_same_report_as_check_and_scores_no_one(tmp_path: Path) -> None:
    broken = CS_AGENT.replace('"(60, 120]": 60', '"[50, 120]": 60').replace("weight: 40%", "weight: 30%")
    template = write(tmp_path, "bad.yaml", broken)
    values = write(tmp_path, "values.csv", VALUES)
    checked = CliRunner().invoke(cli, ["check", str(template)])
    scored = run(template, values, "--period", "2026-10")
    assert checked.exit_code != 0
    assert scored.exit_code != 0
    assert scored.stdout.strip() == ""
    assert scored.stderr == checked.stderr
    assert (
        """cs-agent: item 'response': bands "(30, 60]" and "[50, 120]" overlap on [50, 60]""" in scored.stderr
    )
    assert "90" in scored.stderr  # 30 + 20 + 20 + 20


# --- the installed console script ---------------------------------------------------------------


def test_the_console_script_scores(template: Path, tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "shopkpi"
    if not script.exists():
        script = Path(sys.executable).parent / "shopkpi"
    values = write(tmp_path, "values.csv", VALUES, encoding="utf-8-sig")
    completed = subprocess.run(
        [str(script), "score", str(template), str(values), "--period", "2026-10", "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    rows = json.loads(completed.stdout)
    assert [(row["employee"], row["score"], row["pay"]) for row in rows] == [
        ("E002", "87.0", "1200.00"),
        ("张三", "91.0", "1640.00"),
        ("E003", None, None),
    ]
