"""A pay sheet larger than a request is written by `shopkpi worker` (issue 13): the export becomes a job,
its page follows it, and the file — the same cells as the immediate export of the same month — is
downloaded from the store only by the person who asked, never cached, written to the audit log. The
store is the home's folder or object storage (a local S3 server). A small export stays immediate
(tests/web/test_hr_reports.py).

The company: 1,003 people (over `export_jobs.IN_REQUEST`), every review published, pay
(600 + n % 40) × 10 each, a deduction of 50.00 on every tenth."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from shopkpi.appraisal.background import jobs
from shopkpi.appraisal.exports import export_jobs
from shopkpi.appraisal.models import (
    AuditEntry,
    Cycle,
    Department,
    Employee,
    Job,
    PayAdjustment,
    PayProposal,
    Position,
    Review,
    TemplateVersion,
)
from shopkpi.appraisal.pay import paysheet
from shopkpi.data.warehouse.batch_store import open_store

pytestmark = pytest.mark.django_db
PERIOD = "2026-03"
PEOPLE = export_jobs.IN_REQUEST + 3
TEMPLATE = """\
id: q-export
name: 导出测试
period: month
items:
  - {key: attitude, name: 工作态度, weight: 100%, rated_by: supervisor}
pay:
  amount: 1000 * score / 100
"""


def _pay(n: int) -> Decimal:
    return Decimal(600 + n % 40) * 10


@pytest.fixture
def company(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    settings.HOME.mkdir()
    for username, role in (("hr", "hr"), ("hr2", "hr"), ("gm", "gm"), ("clerk", None)):
        user = User.objects.create_user(username)
        if role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
    department = Department.objects.create(name="运营部")
    version = TemplateVersion.objects.create(
        template_id="q-export", version=1, name="导出测试", text=TEMPLATE
    )
    position = Position.objects.create(name="专员", template_id="q-export")
    cycle = Cycle.objects.create(
        period=PERIOD,
        self_due=dt.date(2026, 4, 3),
        supervisor_due=dt.date(2026, 4, 7),
        hr_due=dt.date(2026, 4, 10),
    )
    made = Employee.objects.bulk_create(
        Employee(code=f"E{n:05d}", name=f"员工{n}", department=department, position=position)
        for n in range(PEOPLE)
    )
    reviews = Review.objects.bulk_create(
        Review(
            cycle=cycle,
            employee=employee,
            template_version=version,
            status=Review.Status.PUBLISHED,
            score=Decimal(60 + n % 40),
            grade="合格",
            pay=_pay(n),
            result={"pay_kind": "performance"},
        )
        for n, employee in enumerate(made)
    )
    hr = User.objects.get(username="hr")
    PayAdjustment.objects.bulk_create(
        PayAdjustment(review=r, amount=Decimal("-50.00"), reason="迟到", created_by=hr) for r in reviews[::10]
    )


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def cells(content: bytes) -> list[list[Any]]:
    """Every cell of the workbook's sheet: money and scores as Decimal strings, with its number format."""
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [[(_text(c.value, c.number_format), c.number_format) for c in row] for row in sheet.iter_rows()]


def _text(value: Any, number_format: str) -> Any:
    if not isinstance(value, int | float):
        return value
    amount = Decimal(str(value))
    return f"{amount:.2f}" if number_format == paysheet.MONEY else str(amount)


@pytest.fixture(params=["folder", "s3"])
def store(request, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """The store the files go to: the home's folder (no SHOPKPI_STORE_URL), or object storage."""
    monkeypatch.delenv("SHOPKPI_STORE_URL", raising=False)
    if request.param == "s3":
        for name, value in request.getfixturevalue("s3_store").items():
            monkeypatch.setenv(name, value)
    return str(request.param)


def test_a_large_pay_sheet_is_written_by_the_worker_and_downloaded_only_by_who_asked(
    company, store, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    hr = client_for("hr")
    answer = hr.post(f"/hr/cycles/{PERIOD}/paysheet.xlsx")
    job = Job.objects.get(kind="export")
    assert answer.status_code == 302 and answer["Location"] == f"/hr/exports/{job.id}/"
    assert (job.state, job.total, job.user) == ("queued", PEOPLE, "hr")
    assert job.params == {
        "what": "paysheet",
        "file": f"paysheet-{PERIOD}.xlsx",
        "language": "zh-hans",
        "period": PERIOD,
    }
    page = hr.get(answer["Location"]).content.decode()
    assert (
        f"共 {PEOPLE} 行，已交给后台生成" in page
        and '排队中，等待后台处理程序 <code translate="no">shopkpi worker</code> 生成文件' in page
    )
    assert f'hx-get="/hr/exports/{job.id}/status/"' in page  # the page follows the job
    assert not AuditEntry.objects.filter(action="paysheet.export").exists()  # nothing taken out yet

    jobs.work(job.id)  # what a worker runs, on whichever machine
    job.refresh_from_db()
    assert (job.state, job.done, job.result) == ("done", PEOPLE, {"lines": PEOPLE})
    assert open_store(settings_home()).present([f"exports/{job.id}/paysheet-{PERIOD}.xlsx"])
    fragment = hr.get(f"/hr/exports/{job.id}/status/").content.decode()
    assert f"已生成，共 {PEOPLE} 行" in fragment and "hx-get" not in fragment
    assert f'action="/hr/exports/{job.id}/download/"' in fragment

    for other in ("hr2", "gm", "clerk"):  # anyone else, another HR too: as if there were none
        client = client_for(other)
        assert client.get(f"/hr/exports/{job.id}/").status_code == 404
        assert client.post(f"/hr/exports/{job.id}/download/").status_code == 404
    assert not AuditEntry.objects.filter(action="paysheet.export").exists()
    assert hr.get(f"/hr/exports/{job.id}/download/").status_code == 405  # a POST, never a link to follow

    download = hr.post(f"/hr/exports/{job.id}/download/")
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"].split(", ")
    assert download["Content-Disposition"] == f"attachment; filename*=UTF-8''paysheet-{PERIOD}.xlsx"
    entry = AuditEntry.objects.get(action="paysheet.export")
    assert (entry.actor, entry.object_id, entry.after) == ("hr", PERIOD, {"rows": PEOPLE, "format": "xlsx"})

    monkeypatch.setattr(export_jobs, "IN_REQUEST", PEOPLE)  # the same month, exported within the request
    immediate = hr.post(f"/hr/cycles/{PERIOD}/paysheet.xlsx")
    assert immediate.status_code == 200 and Job.objects.filter(kind="export").count() == 1
    from_job, from_request = cells(download.content), cells(immediate.content)
    assert (
        len(from_job) == len(from_request) == 3 + PEOPLE + 3
    )  # title, note, header; 合计, a gap, signatures
    for row_of_job, row_of_request in zip(from_job, from_request, strict=True):
        assert row_of_job == row_of_request
    # the 合计 row by hand: 绩效工资 Σ (600 + n % 40) × 10; 奖惩 −50 on every tenth; payable their sum
    performance = sum(_pay(n) for n in range(PEOPLE))
    adjustments = Decimal("-50.00") * len(range(0, PEOPLE, 10))
    total_row = from_job[3 + PEOPLE]
    assert total_row[0][0] == "合计" and total_row[1][0] == f"{PEOPLE} 人"
    assert [value for value, _format in total_row[8:12]] == [
        f"{performance:.2f}",
        "0.00",  # no whole wages
        f"{adjustments:.2f}",
        f"{performance + adjustments:.2f}",
    ]
    assert total_row[8][1] == "#,##0.00"

    User.objects.get(username="hr").groups.clear()  # no longer HR: the file is refused at download time
    assert hr.post(f"/hr/exports/{job.id}/download/").status_code == 403
    assert AuditEntry.objects.filter(action="paysheet.export").count() == 2  # the job's and the immediate one


def test_the_worker_writes_the_file_in_the_language_it_was_asked_in(company, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SHOPKPI_STORE_URL", raising=False)
    hr = client_for("hr")
    hr.cookies["django_language"] = "en"
    hr.post(f"/hr/cycles/{PERIOD}/paysheet.xlsx")
    job = Job.objects.get(kind="export")
    assert job.params["language"] == "en"
    jobs.work(job.id)  # the worker has no request: the job says which language
    download = hr.post(f"/hr/exports/{job.id}/download/")
    monkeypatch.setattr(export_jobs, "IN_REQUEST", PEOPLE)
    immediate = hr.post(f"/hr/cycles/{PERIOD}/paysheet.xlsx")
    from_job, from_request = cells(download.content), cells(immediate.content)
    assert from_job == from_request
    assert from_job[3 + PEOPLE][0][0] == "Total"  # not 合计
    assert "合计" not in {value for row in from_job for value, _format in row}


def test_a_newer_export_and_the_retention_remove_the_file(company, store) -> None:  # type: ignore[no-untyped-def]
    hr = client_for("hr")
    hr.post(f"/hr/cycles/{PERIOD}/paysheet.xlsx")
    first = Job.objects.get(kind="export")
    jobs.work(first.id)
    hr.post(f"/hr/cycles/{PERIOD}/paysheet.xlsx")
    second = Job.objects.filter(kind="export").exclude(id=first.id).get()
    jobs.work(second.id)
    first.refresh_from_db()
    assert first.result == {"lines": PEOPLE, "removed": True}
    store_of = open_store(settings_home())
    assert not store_of.present([export_jobs.key(first)]) and store_of.present([export_jobs.key(second)])
    assert "这个文件已删除" in hr.get(f"/hr/exports/{first.id}/").content.decode()
    assert hr.post(f"/hr/exports/{first.id}/download/").status_code == 302  # back to its page, which says so
    assert not AuditEntry.objects.filter(action="paysheet.export").exists()

    export_jobs.sweep()  # within the day: kept
    assert store_of.present([export_jobs.key(second)])
    Job.objects.filter(id=second.id).update(
        finished_at=timezone.now() - export_jobs.KEEP - dt.timedelta(minutes=1)
    )
    export_jobs.sweep()
    assert not store_of.present([export_jobs.key(second)])
    assert not Job.objects.filter(id=second.id).exists()  # ended more than a day ago: gone with its file


def test_who_may_no_longer_have_the_pay_sheet_gets_no_file(company) -> None:  # type: ignore[no-untyped-def]
    hr = client_for("hr")
    hr.post(f"/hr/cycles/{PERIOD}/paysheet.xlsx")
    job = Job.objects.get(kind="export")
    User.objects.get(username="hr").groups.clear()  # no longer HR before the worker got to it
    jobs.work(job.id)
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "wrong_party")
    assert not open_store(settings_home()).present([export_jobs.key(job)])
    assert hr.post(f"/hr/cycles/{PERIOD}/paysheet.xlsx").status_code == 403
    assert Job.objects.count() == 1 and not AuditEntry.objects.filter(action="paysheet.export").exists()


def test_a_large_years_adjustment_list_is_a_job_the_gm_downloads(company, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SHOPKPI_STORE_URL", raising=False)
    hr = User.objects.get(username="hr")
    PayProposal.objects.bulk_create(
        PayProposal(
            period="2026",
            employee=review.employee,
            review=review,
            grade="合格",
            band="P3",
            step_from=2,
            step_to=3,
            amount_from=Decimal("5000.00"),
            amount_to=Decimal("5250.50"),
            promotion=n % 7 == 0,
            hr_by=hr,
        )
        for n, review in enumerate(Review.objects.select_related("employee").order_by("employee__code"))
    )
    gm = client_for("gm")
    answer = gm.post("/pay-grades/2026/adjustments.xlsx")
    job = Job.objects.get(kind="export")
    assert answer["Location"] == f"/hr/exports/{job.id}/"
    assert (job.user, job.total, job.params["what"]) == ("gm", PEOPLE, "pay_adjustments")
    assert "年度调薪清单 2026" in gm.get(answer["Location"]).content.decode()  # the GM's own page
    jobs.work(job.id)
    assert client_for("hr").post(f"/hr/exports/{job.id}/download/").status_code == 404  # HR did not ask
    download = gm.post(f"/hr/exports/{job.id}/download/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"].split(", ")
    entry = AuditEntry.objects.get(action="list.export")
    assert (entry.actor, entry.object_id) == ("gm", "pay_adjustments")
    assert entry.after == {"rows": PEOPLE, "filters": {"period": "2026"}, "format": "xlsx"}

    monkeypatch.setattr(export_jobs, "IN_REQUEST", PEOPLE)
    immediate = gm.post("/pay-grades/2026/adjustments.xlsx")
    assert immediate.status_code == 200
    from_job, from_request = cells(download.content), cells(immediate.content)
    assert from_job[1][0][0].startswith(f"年度：2026；共 {PEOPLE} 条；导出：gm ")  # who, and when it was made
    del from_job[1], from_request[1]
    assert from_job == from_request
    total_row = from_job[2 + PEOPLE]  # title, header, the rows: 合计 of 原金额, 新金额, 调整额
    assert [value for value, _format in total_row[8:11]] == [
        f"{Decimal('5000.00') * PEOPLE:.2f}",
        f"{Decimal('5250.50') * PEOPLE:.2f}",
        f"{Decimal('250.50') * PEOPLE:.2f}",
    ]


def test_a_large_review_list_is_a_job_holding_what_the_page_listed(company, store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    Review.objects.filter(employee__code__in=["E00000", "E00001"]).update(status=Review.Status.PENDING_HR)
    department = Department.objects.get(name="运营部")
    query = f"?status=published&department={department.id}&q=员工&page=3"  # the page's filter, on page 3
    filters = {"status": "published", "department": str(department.id), "q": "员工"}
    hr = client_for("hr")
    answer = hr.post(f"/hr/cycles/{PERIOD}/reviews.xlsx{query}")
    job = Job.objects.get(kind="export")
    assert answer.status_code == 302 and answer["Location"] == f"/hr/exports/{job.id}/"
    assert (job.user, job.total) == ("hr", PEOPLE - 2)  # the two waiting for HR are not listed
    assert job.params == {
        "what": "reviews",
        "file": f"reviews-{PERIOD}.xlsx",
        "language": "zh-hans",
        "period": PERIOD,
        "filters": filters,
    }
    assert f"考核列表 {PERIOD}" in hr.get(answer["Location"]).content.decode()
    jobs.work(job.id)
    for other in ("hr2", "gm", "clerk"):
        client = client_for(other)
        assert client.get(f"/hr/exports/{job.id}/").status_code == 404
        assert client.post(f"/hr/exports/{job.id}/download/").status_code == 404
    assert not AuditEntry.objects.filter(action="list.export").exists()
    download = hr.post(f"/hr/exports/{job.id}/download/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"].split(", ")
    assert download["Content-Disposition"] == f"attachment; filename*=UTF-8''reviews-{PERIOD}.xlsx"
    entry = AuditEntry.objects.get(action="list.export")
    assert (entry.actor, entry.object_id) == ("hr", "reviews")
    assert entry.after == {"rows": PEOPLE - 2, "filters": filters, "format": "xlsx"}

    monkeypatch.setattr(export_jobs, "IN_REQUEST", PEOPLE)  # the same list, exported within the request
    immediate = hr.post(f"/hr/cycles/{PERIOD}/reviews.xlsx{query}")
    assert immediate.status_code == 200 and Job.objects.filter(kind="export").count() == 1
    assert AuditEntry.objects.filter(action="list.export").latest("id").after == entry.after
    from_job, from_request = cells(download.content), cells(immediate.content)
    note = f"状态：已发布；部门：运营部；工号或姓名：员工；共 {PEOPLE - 2} 条；导出：hr "
    assert from_job[1][0][0].startswith(note) and from_request[1][0][0].startswith(note)
    del from_job[1], from_request[1]  # when it was made
    assert from_job == from_request
    assert [row[0][0] for row in from_job[2:PEOPLE]] == [f"E{n:05d}" for n in range(2, PEOPLE)]
    total_row = from_job[PEOPLE]  # title, header, the PEOPLE - 2 rows, then 合计
    assert [value for value, _format in total_row[:2]] == ["合计", f"{PEOPLE - 2} 人"]
    assert total_row[10][0] == f"{sum(_pay(n) for n in range(2, PEOPLE)):.2f}"


def test_a_large_summary_is_a_job_with_the_same_sheets(company, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SHOPKPI_STORE_URL", raising=False)
    hr = client_for("hr")
    answer = hr.post(f"/hr/cycles/{PERIOD}/summary.xlsx")
    job = Job.objects.get(kind="export")
    assert answer["Location"] == f"/hr/exports/{job.id}/"
    assert (job.user, job.total) == ("hr", PEOPLE)  # a line of 明细 for each review it sums
    assert job.params == {
        "what": "summary",
        "file": f"summary-{PERIOD}.xlsx",
        "language": "zh-hans",
        "period": PERIOD,
    }
    assert f"汇总表 {PERIOD}" in hr.get(answer["Location"]).content.decode()
    jobs.work(job.id)
    job.refresh_from_db()
    assert job.result == {"lines": PEOPLE, "departments": 1}
    for other in ("hr2", "gm", "clerk"):  # the GM may export a summary, but not download HR's file
        assert client_for(other).post(f"/hr/exports/{job.id}/download/").status_code == 404
    assert not AuditEntry.objects.filter(action="summary.export").exists()
    download = hr.post(f"/hr/exports/{job.id}/download/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"].split(", ")
    entry = AuditEntry.objects.get(action="summary.export")
    assert (entry.actor, entry.object_id) == ("hr", PERIOD)
    assert entry.after == {"departments": 1, "reviews": PEOPLE, "format": "xlsx"}

    monkeypatch.setattr(export_jobs, "IN_REQUEST", PEOPLE)
    immediate = hr.post(f"/hr/cycles/{PERIOD}/summary.xlsx")
    assert immediate.status_code == 200 and Job.objects.filter(kind="export").count() == 1
    assert AuditEntry.objects.filter(action="summary.export").latest("id").after == entry.after
    from_job, from_request = every_sheet(download.content), every_sheet(immediate.content)
    assert from_job == from_request
    assert [title for title, _rows in from_job] == [f"汇总表 {PERIOD}", f"明细 {PERIOD}"]
    total = from_job[0][1][-1]  # 合计: every review, 绩效工资 Σ (600 + n % 40) × 10, 奖惩 −50 on every tenth
    assert [value for value, _format in total[:3]] == ["合计", str(PEOPLE), str(PEOPLE)]
    performance = sum(_pay(n) for n in range(PEOPLE))
    adjustments = Decimal("-50.00") * len(range(0, PEOPLE, 10))
    assert [value for value, _format in total[-4:]] == [
        f"{performance:.2f}",
        "0.00",
        f"{adjustments:.2f}",
        f"{performance + adjustments:.2f}",
    ]
    assert len(from_job[1][1]) == 1 + PEOPLE  # 明细: the header, then each review


def test_a_large_overdue_list_is_a_job_of_the_step_chosen(company, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SHOPKPI_STORE_URL", raising=False)
    Review.objects.update(status=Review.Status.PENDING_SUPERVISOR)  # due 2026-04-07: late today
    Review.objects.filter(employee__code__in=["E00000", "E00001"]).update(status=Review.Status.PENDING_HR)
    hr = client_for("hr")
    answer = hr.post(f"/hr/cycles/{PERIOD}/overdue.xlsx?status=pending_supervisor")
    job = Job.objects.get(kind="export")
    assert answer["Location"] == f"/hr/exports/{job.id}/"
    assert (job.user, job.total) == ("hr", PEOPLE - 2)
    assert job.params["filters"] == {"status": "pending_supervisor"}
    jobs.work(job.id)
    for other in ("hr2", "gm", "clerk"):
        assert client_for(other).post(f"/hr/exports/{job.id}/download/").status_code == 404
    download = hr.post(f"/hr/exports/{job.id}/download/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"].split(", ")
    today = timezone.localdate()
    entry = AuditEntry.objects.get(action="list.export")
    assert (entry.actor, entry.object_id) == ("hr", "overdue")
    filters = {"today": today.isoformat(), "status": "pending_supervisor"}
    assert entry.after == {"rows": PEOPLE - 2, "filters": filters, "format": "xlsx"}

    monkeypatch.setattr(export_jobs, "IN_REQUEST", PEOPLE)
    immediate = hr.post(f"/hr/cycles/{PERIOD}/overdue.xlsx?status=pending_supervisor")
    assert immediate.status_code == 200 and Job.objects.filter(kind="export").count() == 1
    assert AuditEntry.objects.filter(action="list.export").latest("id").after == entry.after
    from_job, from_request = cells(download.content), cells(immediate.content)
    note = f"截至 {today.isoformat()}；环节：待上级评分；共 {PEOPLE - 2} 条；导出：hr "
    assert from_job[1][0][0].startswith(note) and from_request[1][0][0].startswith(note)
    del from_job[1], from_request[1]
    assert from_job == from_request
    late = str((today - dt.date(2026, 4, 7)).days)
    assert [(row[2][0], row[7][0]) for row in from_job[2:]] == [(f"E{n:05d}", late) for n in range(2, PEOPLE)]


def every_sheet(content: bytes) -> list[tuple[str, list[list[Any]]]]:
    book = load_workbook(io.BytesIO(content))
    return [
        (
            sheet.title,
            [[(_text(c.value, c.number_format), c.number_format) for c in row] for row in sheet.iter_rows()],
        )
        for sheet in book.worksheets
    ]


def settings_home() -> Any:
    from django.conf import settings

    return settings.HOME
