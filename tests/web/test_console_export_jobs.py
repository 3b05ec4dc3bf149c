"""The audit log, the GM's approvals and HR's action items past `export_jobs.IN_REQUEST` lines are written
by `shopkpi worker` (issue 13), as the pay sheet and the review lists are (tests/web/test_export_jobs.py):
the file holds the cells of the immediate export of the same filter, on the home's folder and on object
storage, is downloaded only by who asked, and is written to the audit log; a small export stays immediate.

IN_REQUEST is lowered to 2 here rather than building thousands of rows. The company is
`three_kinds_of_pay` at 待总经理批准 (tests/appraisal/workflow_company.py): E01 480.00 and E02 400.00
performance pay and M01 none (运营部), P01 a 2400.00 wage (客服部); 奖惩 E01 −100.00, P01 +50.00,
M01 +30.00."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from test_export_jobs import cells, store  # noqa: F401 (store: the fixture of the folder and S3 runs)
from test_hr_company import Company, S, client_for

from appraisal.workflow_company import three_kinds_of_pay
from shopkpi.appraisal.background import jobs
from shopkpi.appraisal.exports import export_jobs
from shopkpi.appraisal.models import ActionItem, AuditEntry, Department, Job
from shopkpi.data.warehouse.batch_store import open_store

pytestmark = pytest.mark.django_db
SMALL = 2  # IN_REQUEST in these tests: three lines make a job
HEADINGS = {"audit": "审计日志", "approvals": "总经理审批清单", "actions": "行动项"}  # the job's page


@pytest.fixture
def company(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Company:
    settings.HOME = tmp_path / "home"
    settings.HOME.mkdir()
    made = three_kinds_of_pay(monkeypatch, to=S.PENDING_GM)
    hr = made.user("hr")
    now = timezone.now()
    for code, state in (("E01", "open"), ("E02", "closed"), ("P01", "withdrawn"), ("M01", "open")):
        review = made.review(code)
        ActionItem.objects.create(
            employee=review.employee,
            cycle=review.cycle,
            review=review,
            action="警告",
            status=state,
            note="已面谈" if state == "closed" else "",
            closed_by=hr if state == "closed" else None,
            closed_at=now if state == "closed" else None,
            withdrawn_reason="结果已修正" if state == "withdrawn" else "",
            withdrawn_at=now if state == "withdrawn" else None,
        )
    monkeypatch.setattr(export_jobs, "IN_REQUEST", SMALL)
    return made


def _job_then_immediate(
    company: Company, who: str, address: str, monkeypatch: pytest.MonkeyPatch, back: str
) -> tuple[Job, list[list[Any]], list[list[Any]]]:
    """Export `address` as a job, run it as a worker does, check that nobody else gets its file, download
    it; then export the same within the request. The job's page leads `back` to the list under the
    filter it was asked with. The job, and the cells of both files."""
    client = client_for(company, who)
    answer = client.post(address)
    job = Job.objects.get(kind="export")
    assert answer.status_code == 302 and answer["Location"] == f"/hr/exports/{job.id}/"
    assert (job.state, job.user, job.params["language"]) == ("queued", who, "zh-hans")
    page = client.get(answer["Location"]).content.decode()
    assert f"导出 Excel：{HEADINGS[job.params['what']]}" in page and f'href="{back}"' in page
    jobs.work(job.id)  # what a worker runs, on whichever machine
    job.refresh_from_db()
    assert job.state == "done" and job.done == job.total == job.result["lines"]
    assert open_store(company_home()).present([export_jobs.key(job)])
    for other in {"hr", "hr2", "gm", "e01"} - {who}:  # anyone else: as if there were none
        someone = client_for(company, other)
        assert someone.get(f"/hr/exports/{job.id}/").status_code == 404
        assert someone.post(f"/hr/exports/{job.id}/download/").status_code == 404
    download = client.post(f"/hr/exports/{job.id}/download/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"].split(", ")
    assert download["Content-Disposition"] == f"attachment; filename*=UTF-8''{job.params['file']}"

    monkeypatch.setattr(export_jobs, "IN_REQUEST", 1000)  # the same export, within the request
    immediate = client.post(address)
    assert immediate.status_code == 200 and Job.objects.filter(kind="export").count() == 1
    return job, cells(download.content), cells(immediate.content)


def _same_but_when(from_job: list[list[Any]], from_request: list[list[Any]], note: str) -> None:
    """The two files' cells are the same, but for the time of row 2 (导出：who when)."""
    assert from_job[1][0][0].startswith(note) and from_request[1][0][0].startswith(note)
    del from_job[1], from_request[1]
    assert from_job == from_request


def _exported(name: str) -> list[dict[str, Any]]:
    return [e.after for e in AuditEntry.objects.filter(action="list.export", object_id=name).order_by("id")]


def test_a_large_audit_log_is_a_job_under_the_filter_chosen(
    company: Company,
    store: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today = timezone.localdate().isoformat()
    steps = AuditEntry.objects.filter(action__startswith="review.")  # every step of the four reviews
    expected = list(steps.order_by("-id").values_list("id", flat=True))
    assert len(expected) > SMALL
    address = f"/hr/audit.xlsx?action=review.&since={today}&actor=&page=3"  # the page's filter, page 3
    back = f"/hr/audit/?action=review.&amp;since={today}"  # the filter, not its page
    job, from_job, from_request = _job_then_immediate(company, "hr", address, monkeypatch, back)
    filters = {"action": "review.", "since": today, "actor": ""}
    assert job.params == {
        "what": "audit",
        "file": "audit-log.xlsx",
        "language": "zh-hans",
        "chosen": {"action": "review.", "since": today},  # the filter's valid values
        "filters": filters,  # the page's query, for the audit entry
    }
    assert job.total == len(expected)
    # the export's own entries (list.export) are not steps of a review: both files list the same
    assert _exported("audit") == [{"rows": len(expected), "filters": filters, "format": "xlsx"}] * 2
    _same_but_when(from_job, from_request, f"操作：考核；起始日期：{today}；共 {len(expected)} 条；导出：hr ")
    assert from_job[0][0][0] == "审计日志"
    assert [row[0][0] for row in from_job[2:]] == [str(n) for n in expected]  # newest first
    adjusted = next(row for row in from_job[2:] if row[3][0] == "奖惩调整")
    assert adjusted[2][0] == "hr" and adjusted[4][0].startswith("考核 ")


def test_the_worker_words_the_audit_log_in_the_language_it_was_asked_in(
    company: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOPKPI_STORE_URL", raising=False)
    hr = client_for(company, "hr")
    hr.cookies["django_language"] = "en"
    hr.post("/hr/audit.xlsx?action=review.")
    job = Job.objects.get(kind="export")
    assert job.params["language"] == "en"
    jobs.work(job.id)  # the worker has no request: the job says which language
    from_job = cells(hr.post(f"/hr/exports/{job.id}/download/").content)
    monkeypatch.setattr(export_jobs, "IN_REQUEST", 1000)
    from_request = cells(hr.post("/hr/audit.xlsx?action=review.").content)
    steps = AuditEntry.objects.filter(action__startswith="review.").count()
    _same_but_when(from_job, from_request, f"Action：Review；{steps} entries；Exported by hr on ")
    assert from_job[0][0][0] == "Audit log"
    # E01's 奖惩 of −100.00, and the supervisor's 良 for the item attitude named as its template names it
    after = {row[6][0] for row in from_job[2:] if row[3][0] in ("Adjustment", "Supervisor's rating")}
    assert any(text.startswith("Adjustment：-100；") for text in after)
    assert any("Rated by：Supervisor；Rating：工作态度：良；" in text for text in after)
    words = {value for row in from_job for value, _format in row if isinstance(value, str)}
    assert not {"奖惩调整", "审计日志"} & words and not any(w.startswith("考核 ") for w in words)


def test_a_large_approval_list_is_a_job_the_gm_downloads(
    company: Company,
    store: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ops = Department.objects.get(name="运营部").pk
    address = f"/gm/approvals.xlsx?state=pending_gm&department={ops}"
    back = f"/gm/?state=pending_gm&amp;department={ops}"
    job, from_job, from_request = _job_then_immediate(company, "gm", address, monkeypatch, back)
    filters = {"period": "", "department": ops, "state": "pending_gm", "q": ""}
    assert (job.params["what"], job.params["filters"], job.total) == ("approvals", filters, 3)
    assert _exported("approvals") == [{"rows": 3, "filters": filters, "format": "xlsx"}] * 2
    _same_but_when(
        from_job,
        from_request,
        "考核期间：全部；部门：运营部；状态：待总经理批准；工号或姓名：全部；共 3 条；导出：gm ",
    )
    assert [row[1][0] for row in from_job[2:5]] == ["E01", "E02", "M01"]
    # 合计 of 运营部: 绩效工资 480 + 400 = 880, no wage; 奖惩 −100 + 30 = −70; 应发 880 − 70 = 810
    total = [value for value, _format in from_job[5]]
    assert total[:2] == ["合计", "3 人"] and total[8:12] == ["880.00", "0.00", "-70.00", "810.00"]


def test_a_large_action_item_list_is_a_job_of_the_state_chosen(
    company: Company,
    store: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job, from_job, from_request = _job_then_immediate(
        company, "hr", "/hr/actions.xlsx?status=all", monkeypatch, "/hr/actions/?status=all"
    )
    assert (job.params["what"], job.params["filters"], job.total) == ("actions", {"status": "all"}, 4)
    assert _exported("actions") == [{"rows": 4, "filters": {"status": "all"}, "format": "xlsx"}] * 2
    _same_but_when(from_job, from_request, "状态：全部；共 4 条；导出：hr ")
    by_code = {row[1][0]: [value for value, _format in row] for row in from_job[2:6]}
    assert by_code["E01"][5] == "待处理" and by_code["E02"][5:8:2] == ["已处理", "hr"]
    assert by_code["E02"][9] == "已面谈" and by_code["P01"][5] == "已撤回"
    assert by_code["P01"][9] == "结果已修正"
    assert isinstance(by_code["E02"][8], dt.datetime)  # 处理时间, the company's wall-clock time


def test_small_exports_still_download_within_the_request(company: Company) -> None:
    hr, gm = client_for(company, "hr"), client_for(company, "gm")
    service = Department.objects.get(name="客服部").pk
    for client, address in (
        (hr, "/hr/actions.xlsx?status=open"),  # E01 and M01: two
        (hr, "/hr/actions.xlsx?status=withdrawn"),  # P01
        (gm, f"/gm/approvals.xlsx?state=pending_gm&department={service}"),  # P01
        (hr, "/hr/audit.xlsx?action=review.adjust_pay&object_id=none"),  # nothing
    ):
        answer = client.post(address)
        assert answer.status_code == 200, address
        assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not Job.objects.filter(kind="export").exists()
    assert AuditEntry.objects.filter(action="list.export").count() == 4


def test_the_worker_loads_no_page(tmp_path: Path) -> None:
    """`shopkpi worker` writes these exports without the web pages: the job runner and every export's
    builder import nothing of `shopkpi.web.pages`."""
    code = (
        "import sys, django; django.setup()\n"
        "from shopkpi.appraisal.background import jobs\n"
        "from django.utils.module_loading import import_string\n"
        "[import_string(runner) for runner in jobs.RUNNERS.values()]\n"
        "print(sorted(m for m in sys.modules if m.startswith('shopkpi.web.pages')))\n"
    )
    settings = {"DJANGO_SETTINGS_MODULE": "shopkpi.config.settings", "SHOPKPI_HOME": str(tmp_path)}
    # a home of its own (no database is opened: importing is enough)
    env = {**{k: v for k, v in os.environ.items() if k != "SHOPKPI_DATABASE_URL"}, **settings}
    found = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"


def company_home() -> Any:
    from django.conf import settings

    return settings.HOME
