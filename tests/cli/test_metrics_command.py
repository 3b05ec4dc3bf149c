"""`shopkpi metrics`: the spec's command-line contract over a home filled by `shopkpi import` (the
roster and accounts into the organisation, the shop data into the warehouse)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from shopkpi.appraisal.models import Account
from shopkpi.cli.main import cli

# the organisation is in the application database
pytestmark = pytest.mark.django_db

FILES = {
    "employees": "employee,name,department,position\nE1,张三,运营部,运营专员\nE2,李四,运营部,运营专员\nE3,王五,客服部,客服\n",
    "accounts": "employee,kind,account,valid_from,valid_to\nE1,shop,S1,,2026-10-15\nE2,shop,S1,2026-10-16,\n",
    "shop_daily": (
        "shop,date,pv,uv,buyers,gmv\n"
        "S1,2026-10-01,100,40,2,200.00\n"
        "S1,2026-10-02,60,10,1,50.00\n"
        "S1,2026-10-20,0,0,0,0\n"
        "S9,2026-10-03,5,5,5,5.00\n"
    ),
}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    for dataset, text in FILES.items():
        path = tmp_path / f"{dataset}.csv"
        path.write_text(text, encoding="utf-8")
        command = ["--home", str(home), "import", dataset, str(path), "--accept-warnings"]
        imported = CliRunner().invoke(cli, command)  # S9 is nobody's: a warning, accepted
        assert imported.exit_code == 0, imported.output
    return home


def run(home: Path, *args: str) -> tuple[str, str]:
    result = CliRunner().invoke(cli, ["--home", str(home), "metrics", *args])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_json_is_one_array_of_employees_with_decimal_strings(home: Path) -> None:
    out, err = run(home, "--period", "2026-10", "--format", "json")
    records = {r["employee"]: r for r in json.loads(out)}
    assert sorted(records) == ["E1", "E2", "E3"]
    first = records["E1"]
    assert first["period"] == "2026-10"
    # E1 owns S1 until the 15th: (100 + 60) pv, (40 + 10) uv, 3 buyers, 250.00
    assert first["metrics"]["pv"] == "160" and first["metrics"]["uv"] == "50"
    assert first["metrics"]["gmv"] == "250.00"
    assert first["metrics"]["conversion_rate"] == "0.060000"  # 3 / 50
    assert first["metrics"]["aov"] == "83.33"  # 250 / 3
    # E2 has the 20th: all zero, so sums are "0" and the ratios null, never 0
    second = records["E2"]["metrics"]
    assert second["uv"] == "0" and second["conversion_rate"] is None
    # E3 has no data at all: every metric null
    assert set(records["E3"]["metrics"].values()) == {None}
    assert "1 shop_daily rows belong to no one (shop accounts: S9)" in err


def test_employee_filter_and_csv(home: Path) -> None:
    out, _ = run(home, "--period", "2026-10", "--format", "csv", "--employee", "E1")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1 and rows[0]["employee"] == "E1" and rows[0]["period"] == "2026-10"
    assert rows[0]["buyers"] == "3" and rows[0]["cs_inquiries"] == ""


def test_table_shows_chinese_labels(home: Path) -> None:
    out, _ = run(home, "--period", "2026-10", "--format", "table", "--employee", "E1")
    assert "支付转化率" in out and "0.060000" in out


def test_a_bad_period_and_a_bad_user_metric_are_clear_errors(home: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(home), "metrics", "--period", "2026-13"])
    assert result.exit_code == 2 and "2026-13" in result.output and "YYYY-MM" in result.output
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "bad.yaml").write_text(
        "metrics:\n  leak:\n    type: query\n    by: shop\n    label_zh: 泄露\n    label: Leak\n"
        "    definition: x\n    definition_zh: x\n    sql: SELECT * FROM read_csv('/etc/passwd')\n"
    )
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "metrics", "--period", "2026-10"])
    assert result.exit_code == 1
    assert "leak" in result.output and "table function read_csv() is not allowed" in result.output


def test_a_hand_over_recorded_in_the_application_changes_attribution_without_an_import(home: Path) -> None:
    """Attribution reads the organisation's snapshot: moving S1's second owner's first day in the
    application database moves the days' figures, with no warehouse import."""
    Account.objects.filter(employee__code="E1").update(valid_to="2026-10-01")
    Account.objects.filter(employee__code="E2").update(valid_from="2026-10-02")
    out, _ = run(home, "--period", "2026-10", "--format", "json")
    records = {r["employee"]: r["metrics"] for r in json.loads(out)}
    # E1 keeps the 1st only (pv 100, uv 40), E2 has the 2nd and the 20th (60 + 0 pv, 10 + 0 uv)
    assert (records["E1"]["pv"], records["E1"]["uv"]) == ("100", "40")
    assert (records["E2"]["pv"], records["E2"]["uv"]) == ("60", "10")


def test_rows_behind_a_value_name_their_file_row_and_owner(home: Path) -> None:
    out, err = run(home, "--period", "2026-10", "--employee", "E1", "--rows", "gmv")
    records = json.loads(out)
    # E1's S1 rows are the file's rows 2 and 3 (row 1 is the header); the 20th (row 4) is E2's
    assert [(r["source"]["file"], r["source"]["row"], r["part"]) for r in records] == [
        ("shop_daily.csv", 2, "200.00"),
        ("shop_daily.csv", 3, "50.00"),
    ]
    first = records[0]
    assert first["values"] == {"shop": "S1", "date": "2026-10-01", "gmv": "200.00", "item": None}
    assert first["credited_by"] == {
        "rule": "owner",
        "employee": "E1",
        "kind": "shop",
        "account": "S1",
        "valid_from": None,
        "valid_to": "2026-10-15",
        "credit_rule": None,
        "window_days": None,
        "chat_at": None,
        "silent": False,
        "shift": None,
        "shift_hours": None,
        "unsplit": False,
    }
    assert "gmv E1 2026-10: 250.00 from 2 rows (2 counted)" in err  # 200.00 + 50.00


def test_rows_of_a_ratio_are_its_base_metrics_rows_in_csv_and_xlsx(home: Path) -> None:
    out, err = run(
        home, "--period", "2026-10", "--employee", "E1", "--rows", "conversion_rate", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["metric"], r["row"], r["part"]) for r in rows] == [
        ("uv", "2", "40"),
        ("uv", "3", "10"),
        ("buyers", "2", "2"),
        ("buyers", "3", "1"),
    ]
    assert "conversion_rate E1 2026-10: 0.060000" in err  # 3 / 50
    result = CliRunner().invoke(
        cli,
        [
            "--home",
            str(home),
            "metrics",
            "--period",
            "2026-10",
            "--employee",
            "E1",
            "--rows",
            "gmv",
            "--format",
            "xlsx",
        ],
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(io.BytesIO(result.stdout_bytes)).active
    assert sheet is not None
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0][:6] == ["metric", "period", "employee", "dataset", "date", "part"]
    assert [r[9] for r in table[1:]] == [2, 3] and [Decimal(str(r[5])) for r in table[1:]] == [200, 50]


def test_rows_need_one_employee_and_a_known_metric(home: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(home), "metrics", "--period", "2026-10", "--rows", "gmv"])
    assert result.exit_code == 2 and "exactly one --employee" in result.output
    result = CliRunner().invoke(
        cli, ["--home", str(home), "metrics", "--period", "2026-10", "--employee", "E1", "--rows", "nope"]
    )
    assert result.exit_code == 2 and "no metric 'nope'" in result.output


def test_the_configured_engine_is_named_when_wrong_and_its_functions_are_checked(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPKPI_METRICS_ENGINE", "oracle://db")
    result = CliRunner().invoke(cli, ["--home", str(home), "metrics", "--period", "2026-10"])
    assert (
        result.exit_code == 1 and "SHOPKPI_METRICS_ENGINE=oracle://db: not a metric engine" in result.output
    )
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "regex.yaml").write_text(
        "metrics:\n  code_digits:\n    type: aggregate\n    label_zh: 编码\n    label: Code\n"
        "    definition: x\n    definition_zh: x\n    dataset: orders\n"
        "    expression: count(distinct regexp_extract(buyer, '[0-9]+'))\n"
    )
    monkeypatch.setenv("SHOPKPI_METRICS_ENGINE", "postgresql://postgres@127.0.0.1:5432/nowhere")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "metrics", "--period", "2026-10"])
    assert result.exit_code == 1
    assert "code_digits" in result.output
    assert "function regexp_extract() is not available on the metric engine PostgreSQL" in result.output
