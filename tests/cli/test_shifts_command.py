"""`shopkpi shifts import FILE` / `list` / `remove NAME`, each run as a real process on a home of its own:
a schedule is checked in full against the home's organisation before it is kept where the metrics
read it; a refused one lists each problem with its row and column, exits 1 and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from shopkpi.data.metrics.catalogue import load_catalogue
from shopkpi.data.metrics.computation import compute_metrics

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))
from export_builders import write_xlsx
from hostile_files import dimension_bomb
from metric_tables import connection_with, employees, organisation_of, owns

RUN_CLI = "import sys; from shopkpi.cli.main import main; sys.argv[0] = 'shopkpi'; main()"
NOT_PASSED = ("DJANGO_SETTINGS_MODULE", "SHOPKPI_HOME", "SHOPKPI_DATABASE_URL", "SHOPKPI_DEBUG")
SHARED = "旗舰店:客服1"
HEADER = ["子账号", "班次", "开始", "结束", "星期", "日期", "工号"]


def shopkpi(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in NOT_PASSED}
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )


def chats(home: Path) -> dict[str, Decimal | None]:
    """Monday 2026-10-05's chats on the shared account at 10:00 and at 20:00, by who they count for."""
    data = {
        "employees": employees("BING", "JIAO", "LEAD"),
        "accounts": [owns("LEAD", "agent", SHARED)],
        "cs_chats": [
            {"agent": SHARED, "buyer": "b1", "ts": "2026-10-05 10:00:00", "shop": "旗舰店"},
            {"agent": SHARED, "buyer": "b2", "ts": "2026-10-05 20:00:00", "shop": "旗舰店"},
        ],
    }
    values = compute_metrics(
        connection_with(data), "2026-10", load_catalogue(home), organisation=organisation_of(data)
    )
    return {e: values.employees[e].value("cs_chat_buyers") for e in ("BING", "JIAO", "LEAD")}


def test_shifts_import_checks_against_the_organisation_then_keeps_the_schedule(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (tmp_path / "employees.csv").write_text(
        "工号,姓名,部门,岗位\nBING,小冰,客服部,客服\nJIAO,小焦,客服部,客服\nLEAD,组长,客服部,客服主管\n",
        "utf-8",
    )
    (tmp_path / "accounts.csv").write_text(f"工号,账号类型,账号\nLEAD,旺旺子账号,{SHARED}\n", "utf-8")
    for dataset in ("employees", "accounts"):
        done = shopkpi(home, "import", dataset, str(tmp_path / f"{dataset}.csv"))
        assert done.returncode == 0, done.stdout + done.stderr
    (tmp_path / "bad").mkdir()
    bad = write_xlsx(
        tmp_path / "bad" / "客服排班.xlsx",
        [
            HEADER,
            [SHARED, "早班", "09:30", "16:30", "一", None, "BING"],
            [SHARED, "晚班", "16:30", "24:00", "一", None, "NOBODY"],  # row 3: no such employee
            [SHARED, "夜班", "23:00", "22:00", "二", None, "BING"],  # row 4: ends before it starts
        ],
    )
    refused = shopkpi(home, "shifts", "import", str(bad))
    assert refused.returncode == 1 and refused.stdout == ""
    assert "problem    客服排班.xlsx, row 3, column 工号: 工号“NOBODY”不是本公司的员工" in refused.stderr
    # the shift checks' problems as the 客服班表 page shows them, in Chinese
    assert (
        "problem    客服排班.xlsx, row 4, column 结束: 结束 22:00 不晚于开始 23:00：请改正；"
        "一个班次在当天 24:00 前结束，不跨午夜。\n" in refused.stderr
    )
    assert "is not after" not in refused.stderr
    assert refused.stderr.endswith("nothing was changed\n")
    assert not (home / "shifts").exists() or not list((home / "shifts").iterdir())
    assert shopkpi(home, "shifts", "list").stdout == "no shift schedules\n"
    good = write_xlsx(
        tmp_path / "客服排班.xlsx",
        [
            HEADER,
            [SHARED, "早班", "09:30", "16:30", "一", None, "BING"],
            [SHARED, "晚班", "16:30", "24:00", "一", None, "JIAO"],
        ],
    )
    kept = shopkpi(home, "shifts", "import", str(good), "--user", "hr-li")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert kept.stdout == "kept       客服排班.xlsx: 2 row(s), 2 shift(s); open months computed again\n"
    listed = shopkpi(home, "shifts", "list").stdout
    assert listed.startswith("客服排班.xlsx\t2 row(s)\t2 shift(s)\tuploaded by hr-li at ")
    # the chat at 10:00 is 小冰's (早班), the one at 20:00 小焦's (晚班); the account's owner keeps none
    assert chats(home) == {"BING": Decimal(1), "JIAO": Decimal(1), "LEAD": None}
    removed = shopkpi(home, "shifts", "remove", "客服排班.xlsx")
    assert removed.returncode == 0 and not (home / "shifts" / "客服排班.xlsx").exists()
    assert chats(home) == {"BING": None, "JIAO": None, "LEAD": Decimal(2)}  # whole days again


def test_shifts_import_refuses_a_hostile_workbook_read_in_a_process_of_its_own(tmp_path: Path) -> None:
    home = tmp_path / "home"
    refused = shopkpi(home, "shifts", "import", str(dimension_bomb(tmp_path / "客服排班.xlsx")))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert (
        "problem    客服排班.xlsx: 文件过大/格式异常：工作表 xl/worksheets/sheet1.xml 延伸到单元格 XFD1048576"
        in refused.stderr
    )
    assert refused.stderr.endswith("nothing was changed\n")
    assert not (home / "shifts").exists() or not list((home / "shifts").iterdir())
