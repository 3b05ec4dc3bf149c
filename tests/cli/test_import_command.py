"""`shopkpi import`: results on stdout, problems on stderr, exit status 1 on refusal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.utils import translation

from shopkpi.appraisal.models import AuditEntry
from shopkpi.cli.main import cli
from shopkpi.data.warehouse.catalogue import Warehouse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))
from hostile_files import dimension_bomb

# `shopkpi import` writes its audit entry into the application database
pytestmark = pytest.mark.django_db


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


QIANNIU = (
    "旺旺昵称,询单人数,询单最终付款人数,询单最终付款转化率,询单最终付款金额\r\n"
    '小美,100,38,38.00%,"12,345.60"\r\n'
    + "".join(
        f"{label},100,38,38.00%,0\r\n"
        for label in ["汇总值", "平均值", "全店汇总值", "全店平均值", "同行同层优秀", "同行同层均值"]
    )
)


def test_import_a_qianniu_export_then_again(tmp_path: Path) -> None:
    path = write(tmp_path / "自制报表-报表查看-客服绩效_20261001_20261031_全部.csv", QIANNIU, "gbk")
    home = tmp_path / "home"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            *("--home", str(home), "import", "cs_daily", str(path)),
            *(
                "--period",
                "2026-10",
                "--user",
                "hr-li",
                "--accept-warnings",
            ),  # 小美's account has no owner yet
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"imported   {path.name} → cs_daily: 1 rows, batch cs_daily-")
    assert "(qianniu-cs, 6 summary rows left out)" in result.stdout
    assert Warehouse(home).connect().execute("SELECT imported_by, period FROM batches").fetchall() == [
        ("hr-li", "2026-10")
    ]
    again = runner.invoke(cli, ["--home", str(home), "import", "cs_daily", str(path)])
    assert again.exit_code == 0
    assert again.stdout.startswith(f"unchanged  {path.name}: already imported as batch cs_daily-")
    # the command writes the same audit entry as a page upload, once: the unchanged second run adds none
    entries = list(AuditEntry.objects.filter(action="data.import").values("actor", "object_id", "after"))
    assert [
        (e["actor"], e["after"]["dataset"], e["after"]["rows"], e["after"]["period"]) for e in entries
    ] == [("hr-li", "cs_daily", 1, "2026-10")]
    assert entries[0]["object_id"] == entries[0]["after"]["batch"]  # one entry per batch, named by it


def test_a_refused_import_lists_problems_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path / "shops.csv", "shop,date,uv,gmv\nA,2026-10-01,-3,1\nA,2026-10-02,x,-2.5\n")
    result = CliRunner().invoke(
        cli, ["--home", str(tmp_path / "home"), "import", "shop_daily", str(path), "--period", "2026-10"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "import refused: 3 problem(s)",
        "  shops.csv, row 2, column uv: negative count: -3",
        "  shops.csv, row 3, column gmv: negative amount: -2.5",
        "  shops.csv, row 3, column uv: not a number: x",
        "nothing was imported",
    ]
    assert not list((tmp_path / "home" / "warehouse").rglob("*"))  # the home has its (empty) warehouse folder


def test_set_fills_a_column_and_home_comes_from_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path / "day.csv", '统计日期,访客数\n2026-10-01,"1,234"\n')
    home = tmp_path / "envhome"
    result = CliRunner(env={"SHOPKPI_HOME": str(home)}).invoke(
        cli, ["import", "shop_daily", str(path), "--set", "shop=旗舰店", "--accept-warnings"]
    )
    assert result.exit_code == 0, result.output
    assert Warehouse(home).connect().execute("SELECT shop, uv FROM shop_daily").fetchall() == [
        ("旗舰店", 1234)
    ]
    bad = CliRunner().invoke(cli, ["--home", str(home), "import", "shop_daily", str(path), "--set", "shop"])
    assert bad.exit_code == 2 and "is not COLUMN=VALUE" in bad.output


def test_bad_arguments_are_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "shop,date\nA,2026-10-01\n")
    result = CliRunner().invoke(
        cli,
        [
            "--home",
            str(tmp_path),
            "import",
            "shop_daily",
            str(path),
            "--period",
            "2026-13",
            "--timezone",
            "Mars/Olympus",
        ],
    )
    assert result.exit_code == 1
    assert "--period: not a period: '2026-13' (write 2026-10)" in result.stderr
    assert "--timezone: unknown time zone 'Mars/Olympus'" in result.stderr
    missing = CliRunner().invoke(
        cli, ["--home", str(tmp_path), "import", "shop_daily", str(tmp_path / "nope.csv")]
    )
    assert missing.exit_code == 1 and "nope.csv: cannot read the file" in missing.stderr


# an October 直通车 report: an empty 花费, a campaign nobody owns, a row of 15 September
ZTC_OCTOBER = (
    "日期,计划名称,展现量,点击量,花费,直接成交金额\n"
    "2026-10-01,计划A,1000,30,50.00,200.00\n"
    "2026-10-02,计划A,900,20,,100.00\n"
    "2026-09-15,计划A,700,10,10.00,0\n"
)
ZTC_WARNINGS = [
    "warning    直通车.csv, row 4, column 日期: 1 row(s) outside the period 2026-10 (first: 2026-09-15)",
    "warning    直通车.csv, row 3, column 花费: 1 empty money cell(s)",
    "warning    直通车.csv, row 2, column 计划名称: 3 row(s) of campaign accounts nobody owns on their date: 计划A",
]


def test_warnings_stop_the_import_until_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "直通车.csv", ZTC_OCTOBER, "gbk")
    home = tmp_path / "home"
    command = [
        "--home",
        str(home),
        "import",
        "campaigns",
        str(path),
        "--period",
        "2026-10",
        "--user",
        "hr-li",
    ]
    dry = CliRunner().invoke(cli, [*command, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines() == [
        "checked    直通车.csv → campaigns: 3 rows (ztc-campaign), not written (--dry-run)",
        *ZTC_WARNINGS,
    ]
    assert not list((home / "warehouse").rglob("*"))
    stopped = CliRunner().invoke(cli, command)
    assert stopped.exit_code == 3
    assert stopped.stdout == ""
    assert stopped.stderr.splitlines() == [
        *ZTC_WARNINGS,
        "nothing was imported: 3 warning(s); check them, then run again with --accept-warnings to import anyway",
    ]
    assert not list((home / "warehouse").rglob("*"))
    assert not AuditEntry.objects.filter(action="data.import").exists()
    accepted = CliRunner().invoke(cli, [*command, "--accept-warnings"])
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.splitlines()[0].startswith(
        "imported   直通车.csv → campaigns: 3 rows, batch campaigns-"
    )
    assert accepted.stdout.splitlines()[1:] == [w.replace("warning ", "accepted", 1) for w in ZTC_WARNINGS]
    assert Warehouse(home).connect().execute("SELECT count(*) FROM campaigns").fetchone() == (3,)
    [entry] = AuditEntry.objects.filter(action="data.import")
    assert [w["code"] for w in entry.after["accepted_warnings"]] == [
        "outside_period",
        "empty_money",
        "unowned_account",
    ]


def test_the_dimension_bomb_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    # a 1.6 KB sheet reaching XFD1048576: read in this process, python-calamine would abort it
    path = dimension_bomb(tmp_path / "bomb.xlsx")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "import", "shop_daily", str(path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "import refused: 1 problem(s)",
        "  bomb.xlsx: file too large or malformed: sheet xl/worksheets/sheet1.xml reaches cell XFD1048576 "
        "(1,048,576 rows × 16,384 columns), more than the 30,720,000 cells an import reads; "
        "save it as a new XLSX in Excel, or split it into smaller files",
        "nothing was imported",
    ]


def test_the_roster_with_dry_run_lists_the_changes_then_imports_them(tmp_path: Path) -> None:
    roster = write(
        tmp_path / "花名册.csv",
        "工号,姓名,部门,岗位,上级工号,基本工资\nE01,高总,总经办,总经理,,20000\nE02,马经理,运营部,运营经理,E01,12000\n",
    )
    positions = write(tmp_path / "岗位.csv", "岗位,考核表模板\n运营经理,s002-operations-manager\n")
    home = ["--home", str(tmp_path / "home")]
    runner = CliRunner()
    preview = runner.invoke(cli, [*home, "import", "employees", str(roster), "--dry-run", "--user", "hr-li"])
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.splitlines() == [
        "new department   总经办",
        "new department   运营部",
        "new position     总经理",
        "new position     运营经理",
        "no template      总经理: bind one (shopkpi import positions)",
        "no template      运营经理: bind one (shopkpi import positions)",
        "new employee     E01 高总",
        "new employee     E02 马经理",
        "dry run: nothing was written",
    ]
    assert not AuditEntry.objects.exists()
    done = runner.invoke(cli, [*home, "import", "employees", str(roster), "--user", "hr-li"])
    assert done.exit_code == 0 and done.stdout.endswith("6 change(s) written\n")
    bound = runner.invoke(cli, [*home, "import", "positions", str(positions), "--user", "hr-li"])
    assert bound.stdout.splitlines() == [
        "template         运营经理: — → s002-operations-manager",
        "1 change(s) written",
    ]
    again = runner.invoke(cli, [*home, "import", "positions", str(positions)])
    assert again.stdout == "nothing changed\n"


def test_a_refused_roster_names_file_row_and_column(tmp_path: Path) -> None:
    roster = write(tmp_path / "花名册.csv", "工号,姓名,部门,岗位,上级工号\nE01,高总,总经办,总经理,E09\n")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "import", "employees", str(roster)])
    assert result.exit_code == 1
    assert "花名册.csv, row 2, column 上级工号: 没有工号为 E09 的员工可以做上级。" in result.stderr
    assert "nothing was imported" in result.stderr


def test_withdraw_a_batch_with_a_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "直通车.csv", ZTC_OCTOBER, "gbk")
    home = tmp_path / "home"
    imported = CliRunner().invoke(
        cli, ["--home", str(home), "import", "campaigns", str(path), "--accept-warnings"]
    )
    assert imported.exit_code == 0, imported.output
    batch = imported.stdout.split("batch ")[1].split(" ")[0]
    withdraw = ["--home", str(home), "import", "--withdraw", batch, "--user", "hr-li"]
    with translation.override("zh-hans"):  # the refusal in the application's language
        no_reason = CliRunner().invoke(cli, withdraw)
    assert no_reason.exit_code == 1
    assert no_reason.stderr == "not withdrawn: 撤回导入批次需要填写原因。\n"
    done = CliRunner().invoke(cli, [*withdraw, "--reason", "十月报表混入了九月的数据"])
    assert done.exit_code == 0, done.output
    assert done.stdout == f"withdrawn  {batch} (直通车.csv → campaigns, 3 rows)\n"
    assert Warehouse(home).connect().execute("SELECT count(*) FROM campaigns").fetchone() == (0,)
    entry = AuditEntry.objects.get(action="data.withdraw")
    assert (entry.actor, entry.object_id, entry.reason) == ("hr-li", batch, "十月报表混入了九月的数据")
    with translation.override("zh-hans"):
        again = CliRunner().invoke(cli, [*withdraw, "--reason", "x"])
    assert again.exit_code == 1 and "不是当前数据（已撤回）" in again.stderr
    mixed = CliRunner().invoke(cli, [*withdraw, "--reason", "x", "campaigns"])
    assert mixed.exit_code == 2 and "--withdraw BATCH takes no DATASET or FILE" in mixed.output
    nothing = CliRunner().invoke(cli, ["--home", str(home), "import"])
    assert nothing.exit_code == 2 and "give a DATASET and at least one FILE" in nothing.output
