"""Incidents from a workbook: every problem with its row and column and nothing recorded, or every row
recorded (audited, the open month computed again); a workbook imported twice adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from pytest_django.fixtures import Settings

from appraisal.test_incidents_feeding import KIND, TEMPLATE
from appraisal.workflow_company import Company, build_company, open_month
from shopkpi.appraisal.incidents.files import import_incidents
from shopkpi.appraisal.models import AuditEntry, Incident, Position
from shopkpi.appraisal.periods import cycles
from shopkpi.data.problems import ImportRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> Company:
    settings.HOME = tmp_path
    co = build_company(monkeypatch)
    cycles.new_template_version(co.user("hr"), "t-records", TEMPLATE)
    Position.objects.filter(name="运营专员").update(template_id="t-records")
    open_month(co)
    return co


def workbook(
    tmp: Path,
    rows: list[list[object]],
    header: tuple[str, ...] = ("工号", "日期", "类型", "次数/金额", "说明"),
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    path = tmp / "奖惩记录.xlsx"
    book.save(path)
    return path


def test_every_problem_is_named_with_its_row_and_column_and_nothing_is_recorded(
    company: Company, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path,
        [
            ["E01", dt.datetime(2026, 9, 3), KIND, 1, "周报未交"],  # row 2: fine
            ["E99", "2026-09-04", KIND, 1, "周报未交"],  # row 3: no such employee
            ["E01", "2026-09-31", KIND, 1, "周报未交"],  # row 4: no such day
            ["E01", "2026-09-05", "迟到次数", 1, "迟到"],  # row 5: not a kind E01's scorecard counts
            ["E02", "2026-09-06", KIND, -1, ""],  # row 6: amount and note
            ["E01", dt.datetime(2026, 9, 3), KIND, 1, "周报未交"],  # row 7: the same as row 2
            ["M01", "2026-09-06", KIND, 1, "周报未交"],  # row 8: hr records M01's; fine
        ],
    )
    with pytest.raises(ImportRefused) as refused:
        import_incidents(company.user("hr"), path, home=settings.HOME)
    found = [(p.row, p.column) for p in refused.value.problems]
    assert found == [
        (3, "工号"),
        (4, "日期"),
        (5, "类型"),
        (6, "次数/金额"),
        (6, "说明"),
        (7, None),
    ]
    assert "没有工号为“E99”的员工" in refused.value.problems[0].reason
    assert "与第 2 行完全相同" in refused.value.problems[-1].reason
    assert not Incident.objects.exists()


def test_missing_and_unknown_columns_are_named(company: Company, tmp_path: Path) -> None:
    path = workbook(
        tmp_path, [["E01", "2026-09-03", 1, "周报未交", "x"]], ("工号", "日期", "次数", "说明", "备注")
    )
    with pytest.raises(ImportRefused) as refused:
        import_incidents(company.user("hr"), path, home=settings.HOME)
    assert [(p.row, p.column) for p in refused.value.problems] == [(1, "备注"), (1, "类型")]


def test_a_good_workbook_is_recorded_whole_and_feeds_the_open_month(company: Company, tmp_path: Path) -> None:
    path = workbook(
        tmp_path,
        [["E01", f"2026-09-{day:02d}", KIND, 1, f"9月{day}日 周报未交"] for day in (3, 10, 17)]
        + [["E02", "2026-09-03", KIND, "0.5", "周报只交了一半"]],
    )
    done = import_incidents(company.user("hr"), path, home=settings.HOME)
    assert len(done.incidents) == 4
    # E01: 3 → 10 − 6 = 4;  E02: 0.5 → 10 − 1 = 9
    for code, value, points in (("E01", "3", "4"), ("E02", "0.5", "9")):
        review = company.review(code)
        assert review.values[KIND] == value
        assert next(i for i in review.result["items"] if i["key"] == "work_records")["points"] == points
    assert Incident.objects.filter(employee__code="E02").get().amount == Decimal("0.5")
    entries = AuditEntry.objects.filter(action="incident.record")
    assert entries.count() == 4 and entries.first().after["file"] == "奖惩记录.xlsx 第 2 行"  # type: ignore[union-attr]
    with pytest.raises(ImportRefused) as refused:  # the same workbook again adds nothing
        import_incidents(company.user("hr"), path, home=settings.HOME)
    assert len(refused.value.problems) == 4 and "已经记录过" in refused.value.problems[0].reason
    assert Incident.objects.count() == 4


def test_only_hr_imports_through_the_page(company: Company, tmp_path: Path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    path = workbook(
        tmp_path, [["E01", "2026-09-03", KIND, 1, "周报未交"], ["E09", "2026-09-03", KIND, 1, "x"]]
    )
    boss, hr = Client(), Client()
    boss.force_login(company.user("m01"))
    hr.force_login(company.user("hr"))
    upload = SimpleUploadedFile("奖惩记录.xlsx", path.read_bytes())
    assert boss.post("/incidents/import/", {"workbook": upload}).status_code == 403
    upload = SimpleUploadedFile("奖惩记录.xlsx", path.read_bytes())
    answer = hr.post("/incidents/import/", {"workbook": upload})
    assert answer.status_code == 400 and "E09" in answer.content.decode()
    assert not Incident.objects.exists()
