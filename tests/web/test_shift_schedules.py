"""客服班表: HR uploads a shift schedule on the page; it is checked in full (the shift checks, and
against the organisation: a known 子账号, an employee's 工号) before it is kept where the metrics read
it, audited, and the open months computed again; a refused file changes nothing."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import api_org
import pytest
from django.test import Client

from shopkpi.appraisal.models import Account, AuditEntry, MonthComputation
from shopkpi.data.metrics.catalogue import load_catalogue
from shopkpi.data.metrics.computation import compute_metrics

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))
from export_builders import write_xlsx
from hostile_files import dimension_bomb, zip_bomb
from metric_tables import connection_with, employees, organisation_of, owns

pytestmark = pytest.mark.django_db

SHARED = "旗舰店:客服1"
HEADER = ["子账号", "班次", "开始", "结束", "星期", "日期", "工号"]
# 陈客服 (E020) works Monday's 早班 09:30–16:30, 包运营 (E013) Monday's 晚班 16:30–24:00; the account is
# 马经理's (E011), who keeps what falls outside the shifts
SCHEDULE = [
    HEADER,
    [SHARED, "早班", "09:30", "16:30", "一", None, "E020"],
    [SHARED, "晚班", "16:30", "24:00", "一", None, "E013"],
]
DATA: dict[str, list[dict[str, Any]]] = {
    "employees": employees("E020", "E013", "E011"),
    "accounts": [owns("E011", "agent", SHARED)],
    "cs_chats": [
        {"agent": SHARED, "buyer": "b1", "ts": "2026-10-05 10:00:00", "shop": "旗舰店"},  # Monday 早班
        {"agent": SHARED, "buyer": "b2", "ts": "2026-10-05 20:00:00", "shop": "旗舰店"},  # Monday 晚班
    ],
}


@pytest.fixture
def org(settings: Any, tmp_path: Path) -> api_org.Org:
    settings.HOME = tmp_path / "home"
    org = api_org.build(hash_passwords=False)
    Account.objects.create(employee=org.employees["mgr"], kind="agent", account=SHARED)
    return org


def _hr(org: api_org.Org) -> Client:
    client = Client()
    client.force_login(org.users["hr"])
    return client


def _upload(client: Client, path: Path, **extra: str) -> Any:
    with path.open("rb") as handle:
        return client.post("/hr/shifts/", {"file": handle, **extra})


def _chats(home: Path) -> dict[str, Decimal | None]:
    values = compute_metrics(
        connection_with(DATA), "2026-10", load_catalogue(home), organisation=organisation_of(DATA)
    )
    return {e: values.employees[e].value("cs_chat_buyers") for e in ("E020", "E013", "E011")}


def test_an_uploaded_schedule_splits_the_shared_account_by_the_hour(org: api_org.Org, tmp_path: Path) -> None:
    from django.conf import settings

    home = Path(settings.HOME)
    # no schedule yet: both chats are the owner's (whole days)
    assert _chats(home) == {"E020": None, "E013": None, "E011": Decimal(2)}
    write_xlsx(tmp_path / "客服排班.xlsx", SCHEDULE)
    hr = _hr(org)
    kept = _upload(hr, tmp_path / "客服排班.xlsx")
    assert kept.status_code == 302
    assert (home / "shifts" / "客服排班.xlsx").is_file()  # where the metrics read shifts
    # the chat at 10:00 is 陈客服's (早班), the one at 20:00 包运营's (晚班), none left to the owner
    assert _chats(home) == {"E020": Decimal(1), "E013": Decimal(1), "E011": None}
    page = hr.get("/hr/shifts/").content.decode()
    entry = AuditEntry.objects.get(action="shifts.upload")
    assert (
        "客服排班.xlsx" in page and f'data-label="上传人">{entry.actor}</td>' in page
    )  # who uploaded it, and when
    assert entry.object_id == "客服排班.xlsx" and entry.before is None and len(entry.after["sha256"]) == 64
    assert (
        MonthComputation.objects.filter(reason="shifts").count()
        == MonthComputation.objects.filter(reason="shifts", cycle__status="open").count()
        >= 1
    )  # the open months computed again, as after an import
    assert 'href="/hr/shifts/"' in hr.get("/hr/imports/").content.decode()  # linked from 数据导入


def test_a_schedule_with_an_unknown_employee_or_account_is_refused_and_changes_nothing(
    org: api_org.Org, tmp_path: Path
) -> None:
    from django.conf import settings

    home = Path(settings.HOME)
    write_xlsx(tmp_path / "客服排班.xlsx", SCHEDULE)
    hr = _hr(org)
    assert _upload(hr, tmp_path / "客服排班.xlsx").status_code == 302
    before = (home / "shifts" / "客服排班.xlsx").read_bytes()
    bad = [
        HEADER,
        [SHARED, "早班", "09:30", "16:30", "一", None, "E020"],
        [SHARED, "晚班", "16:30", "24:00", "一", None, "E999"],  # row 3: no such employee
        ["旗舰店:客服9", "早班", "09:30", "16:30", "二", None, "E020"],  # row 4: no such account
    ]
    (tmp_path / "bad").mkdir()
    write_xlsx(tmp_path / "bad" / "客服排班.xlsx", bad)  # the same name: it would replace the schedule
    refused = _upload(hr, tmp_path / "bad" / "客服排班.xlsx")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "班表 客服排班.xlsx 未保存，什么都没有改变" in page
    cells = [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>.*?</td>", tr, re.S)]
        for tr in re.findall(r"<tr><td.*?</tr>", page.split('class="error"')[1].split("</table>")[0], re.S)
    ]
    assert [c[:3] for c in cells] == [["客服排班.xlsx", "3", "工号"], ["客服排班.xlsx", "4", "子账号"]]
    assert cells[0][3].startswith("工号“E999”不是本公司的员工：请改正工号")
    assert cells[1][3].startswith("子账号“旗舰店:客服9”不是已登记的客服账号")
    assert (home / "shifts" / "客服排班.xlsx").read_bytes() == before  # the schedule kept is unchanged
    assert AuditEntry.objects.filter(action="shifts.upload").count() == 1
    assert _chats(home) == {"E020": Decimal(1), "E013": Decimal(1), "E011": None}


def test_hr_removes_a_schedule_and_the_owner_keeps_the_whole_day_again(
    org: api_org.Org, tmp_path: Path
) -> None:
    from django.conf import settings

    home = Path(settings.HOME)
    write_xlsx(tmp_path / "客服排班.xlsx", SCHEDULE)
    hr = _hr(org)
    _upload(hr, tmp_path / "客服排班.xlsx")
    removed = hr.post("/hr/shifts/remove/", {"name": "客服排班.xlsx"})
    assert removed.status_code == 302 and not (home / "shifts" / "客服排班.xlsx").exists()
    assert _chats(home) == {"E020": None, "E013": None, "E011": Decimal(2)}
    assert AuditEntry.objects.get(action="shifts.remove").before["file"] == "客服排班.xlsx"
    employee = Client()
    employee.force_login(org.users["emp"])
    assert employee.get("/hr/shifts/").status_code == 403  # HR only


def test_the_shift_checks_are_shown_in_chinese_with_their_row_and_column(
    org: api_org.Org, tmp_path: Path
) -> None:
    wrong = [
        HEADER,
        [SHARED, "早班", "09:30", "17:00", "一", None, "E020"],
        [SHARED, "晚班", "16:30", "24:00", "一", None, "E013"],  # overlaps 早班 by half an hour
        [SHARED, "中班", "25:00", "26:00", "一", None, "E013"],  # row 4: not a time
        [SHARED, "夜班", "20:00", "21:00", "一", "2026-10-07", "E013"],  # row 5: both weekday and date
    ]
    write_xlsx(tmp_path / "客服排班.xlsx", wrong)
    page = _upload(_hr(org), tmp_path / "客服排班.xlsx").content.decode()
    assert "开始“25:00”不是时刻：请写成 09:30 这样（00:00 至 24:00）。" in page
    assert "星期（每周的班）和日期（某一天的调班）须填且只填一个。" in page
    assert "旗舰店:客服1 的早班（09:30-17:00）与晚班（16:30-24:00）时间重叠：请调整开始或结束时间。" in page
    assert "is not" not in page and "give either" not in page  # no English left on the Chinese page


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (dimension_bomb, "工作表 xl/worksheets/sheet1.xml 延伸到单元格 XFD1048576"),
        (zip_bomb, "文件过大/格式异常：部件 xl/worksheets/sheet1.xml 解压后是压缩大小的"),
    ],
)
def test_a_hostile_schedule_is_refused_in_a_reading_process_of_its_own(
    org: api_org.Org, tmp_path: Path, settings: Any, make: Any, reason: str
) -> None:
    hr = _hr(org)
    refused = _upload(hr, make(tmp_path / "客服排班.xlsx"))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "班表 客服排班.xlsx 未保存，什么都没有改变" in page and reason in page
    assert not (Path(settings.HOME) / "shifts").exists() or not any(
        (Path(settings.HOME) / "shifts").iterdir()
    )
    assert not AuditEntry.objects.filter(action="shifts.upload").exists()
    assert hr.get("/hr/shifts/").status_code == 200  # this process read nothing of it: it is still here


def test_a_file_that_is_not_a_workbook_is_refused_though_named_xlsx(org: api_org.Org, tmp_path: Path) -> None:
    (tmp_path / "客服排班.xlsx").write_text(
        "子账号,班次,开始,结束\n=1+1,早班,09:30,16:30\n", encoding="utf-8"
    )
    refused = _upload(_hr(org), tmp_path / "客服排班.xlsx")
    assert refused.status_code == 400
    assert "不是 XLSX 工作簿：请在 Excel 中另存为 .xlsx 后再上传。" in refused.content.decode()
    assert not AuditEntry.objects.filter(action="shifts.upload").exists()


def test_a_schedule_over_the_upload_limit_is_refused_with_413(
    org: api_org.Org, tmp_path: Path, settings: Any
) -> None:
    from shopkpi.config.upload_limits import UploadLimits

    settings.UPLOAD_LIMITS = UploadLimits(1)
    write_xlsx(tmp_path / "客服排班.xlsx", SCHEDULE)
    with (tmp_path / "客服排班.xlsx").open("ab") as grown:  # 1 MB and a bit: over the limit
        grown.write(b"\0" * (1 << 20))
    answer = _upload(_hr(org), tmp_path / "客服排班.xlsx")
    assert answer.status_code == 413
    assert (
        "文件过大/格式异常：客服排班.xlsx 大于「客服班表」的上传上限 1 MB，没有导入。"
        in answer.content.decode()
    )
    assert not (Path(settings.HOME) / "shifts" / "客服排班.xlsx").exists()
    assert not AuditEntry.objects.filter(action="shifts.upload").exists()


def test_a_hand_placed_bomb_is_a_catalogue_problem_naming_the_file(org: api_org.Org, settings: Any) -> None:
    from shopkpi.data.metrics.catalogue import MetricCatalogueError

    folder = Path(settings.HOME) / "shifts"
    folder.mkdir(parents=True)
    dimension_bomb(folder / "手工.xlsx")
    (folder / "坏的.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(MetricCatalogueError) as refused:
        load_catalogue(Path(settings.HOME))
    text = str(refused.value)
    assert "手工.xlsx: file too large or malformed: sheet xl/worksheets/sheet1.xml reaches" in text
    assert "坏的.xlsx: " in text
    assert _hr(org).get("/hr/shifts/").status_code == 200  # the page still lists what is there


def test_a_month_of_many_reviews_is_computed_again_by_the_worker(
    org: api_org.Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shopkpi.appraisal.background import jobs
    from shopkpi.appraisal.models import Job, Review
    from shopkpi.appraisal.periods import recompute_jobs

    reviews = Review.objects.filter(cycle=org.cycle).count()
    assert org.cycle.status == "open" and reviews > 1
    monkeypatch.setattr(recompute_jobs, "IN_REQUEST", reviews - 1)  # the open month is "large" here
    write_xlsx(tmp_path / "客服排班.xlsx", SCHEDULE)
    hr = _hr(org)
    assert _upload(hr, tmp_path / "客服排班.xlsx").status_code == 302
    job = Job.objects.get(kind="recompute")
    assert (job.state, job.total, job.params) == (
        "queued",
        reviews,
        {"period": org.cycle.period, "reason": "shifts"},
    )
    assert not MonthComputation.objects.filter(reason="shifts").exists()  # not in the request
    page = hr.get("/hr/shifts/").content.decode()
    assert (
        f"考核期 {org.cycle.period} 有 {reviews} 份考核，已交给后台重算；完成后该考核期页面显示结果。" in page
    )
    assert "进行中的考核已重新计算" not in page
    jobs.work(job.id)  # what a worker runs
    job.refresh_from_db()
    assert job.state == "done"
    assert MonthComputation.objects.filter(reason="shifts", cycle=org.cycle).count() == 1
