"""The HR console's data imports: upload, the recognised profile, every problem (file, row, column,
reason) in the page with nothing changed, progress of a large file, and the batch history."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from test_hr_company import build_company, client_for

from shopkpi.appraisal.background import jobs
from shopkpi.appraisal.importing import import_jobs
from shopkpi.appraisal.models import AuditEntry, Job
from shopkpi.data.warehouse.catalogue import Warehouse

SHOP = "shop,date,uv,gmv\nS1,2026-09-01,100,50000\nS1,2026-09-02,200,45000\nS2,2026-09-01,10,1000\n"
BAD = "shop,date,uv,gmv\nS1,2026-09-01,100,50000\nS1,2026-09-31,200,很多\n"


@pytest.fixture
def company(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    return build_company(monkeypatch)


def _upload(client, text: str, name: str = "shop.csv", **fields: str):  # type: ignore[no-untyped-def]
    data = {"dataset": "shop_daily", "profile": "", "period": "2026-09", **fields}
    return client.post("/hr/imports/", {**data, "file": SimpleUploadedFile(name, text.encode("utf-8"))})


def _batches(settings) -> list[str]:  # type: ignore[no-untyped-def]
    warehouse = Warehouse(settings.HOME)
    if not warehouse.catalogue.exists():
        return []
    con = warehouse.connect()
    try:
        return [row[0] for row in con.execute("SELECT file_name FROM batches").fetchall()]
    finally:
        con.close()


def _job_id(page: str) -> str:
    found = re.search(r'action="/hr/imports/jobs/([0-9a-f]{16})/confirm/"', page)
    assert found, page
    return found.group(1)


def _warnings(page: str) -> list[tuple[str, ...]]:
    table = page[page.index('<table class="warnings">') :].split("</table>")[0]
    return re.findall(r'<tr><td>(.*?)</td><td class="num">(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', table)


@pytest.mark.django_db
def test_an_upload_is_imported_with_its_profile_and_shows_in_the_history(company, settings) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    checked = _upload(hr, SHOP)
    assert checked.status_code == 200
    # no account of the file has an owner yet: checked, listed, and nothing written until HR confirms
    page = checked.content.decode()
    assert "文件已检查，没有错误，但有 1 条提醒需要您确认；还没有导入任何数据。" in page
    assert _warnings(page) == [("shop.csv", "2", "shop", "3 行的账号在当天没有负责人：S1、S2")]
    assert _batches(settings) == [] and not AuditEntry.objects.filter(action="data.import").exists()
    answer = hr.post(f"/hr/imports/jobs/{_job_id(page)}/confirm/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "导入完成。 （已确认 1 条提醒）" in page
    assert "<td>shop.csv</td><td>已导入</td><td>标准格式（数据集的列名）</td>" in page
    assert '<td class="num">3</td>' in page  # three rows
    assert _batches(settings) == ["shop.csv"]
    entry = AuditEntry.objects.get(action="data.import")
    assert (entry.actor, entry.object_type, entry.after["dataset"], entry.after["rows"]) == (
        "hr",
        "batch",
        "shop_daily",
        3,
    )
    assert entry.object_id == entry.after["batch"]
    assert [w["code"] for w in entry.after["accepted_warnings"]] == ["unowned_account"]
    history = hr.get("/hr/imports/").content.decode()
    assert (
        '<td>店铺/商品日报</td><td translate="no">shop.csv</td><td translate="no">标准格式（数据集的列名）</td><td class="num">3</td>'
        "<td>2026-09</td><td>hr</td>" in history
    )
    # the same file again changes nothing
    again = _upload(hr, SHOP).content.decode()
    assert "未变化（同一文件已导入）" in again
    assert AuditEntry.objects.filter(action="data.import").count() == 1


@pytest.mark.django_db
def test_a_bad_row_shows_file_row_column_and_changes_nothing(company, settings) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    before = AuditEntry.objects.count()
    answer = _upload(hr, BAD, name="生意参谋.csv")
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "未导入：发现 2 个问题，什么都没有改变。" in page
    # row 3 of the file (the heading is row 1): an impossible date and a number that is not one
    assert (
        '<tr><td>生意参谋.csv</td><td class="num">3</td><td>date</td><td>不是日期：2026-09-31</td></tr>'
        in page
    )
    assert '<tr><td>生意参谋.csv</td><td class="num">3</td><td>gmv</td><td>不是数字：很多</td></tr>' in page
    assert _batches(settings) == []
    assert AuditEntry.objects.count() == before
    assert not list((settings.HOME / import_jobs.UPLOADS).iterdir())  # the upload is not kept


@pytest.mark.django_db
def test_an_unknown_profile_and_a_bad_period_are_reported(company) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    bad_period = _upload(hr, SHOP, period="2026-9")
    assert bad_period.status_code == 400 and "期间的格式是 YYYY-MM" in bad_period.content.decode()
    wrong_profile = _upload(hr, SHOP, profile="qianniu-cs")  # a 千牛 profile does not import shop data
    assert wrong_profile.status_code == 422
    assert (
        "数据集 shop_daily 没有导入模板 &#x27;qianniu-cs&#x27;；可用的有：" in wrong_profile.content.decode()
    )


@pytest.mark.django_db
def test_only_hr_imports(company) -> None:  # type: ignore[no-untyped-def]
    for who in ("e01", "gm"):
        client = client_for(company, who)
        assert client.get("/hr/imports/").status_code == 403
        assert _upload(client, SHOP).status_code == 403


def _fragment(hr, job_id: str) -> str:  # type: ignore[no-untyped-def]
    return str(hr.get(f"/hr/imports/jobs/{job_id}/status/").content.decode())


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_queued_for_the_worker_and_followed_on_the_page(
    company, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from django_q.models import OrmQ

    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 10)  # every file here counts as large
    hr = client_for(company, "hr")
    answer = _upload(hr, SHOP)
    assert answer.status_code == 302
    job_page = answer["Location"]
    job_id = job_page.rstrip("/").rsplit("/", 1)[1]
    page = hr.get(job_page).content.decode()
    # on the queue (a row of the application database), waiting for `shopkpi worker`; the page polls it
    assert f'hx-get="/hr/imports/jobs/{job_id}/status/"' in page
    assert "排队中，等待后台处理程序（shopkpi worker）导入…" in _fragment(hr, job_id)
    assert OrmQ.objects.count() == 1 and _batches(settings) == []
    jobs.work(job_id)  # what the worker runs for it
    fragment = _fragment(hr, job_id)
    assert "hx-get" not in fragment  # ended: no more polling
    assert "需要您确认" in fragment and _batches(settings) == []
    confirmed = hr.post(f"/hr/imports/jobs/{job_id}/confirm/")
    assert confirmed.status_code == 302  # a large file is queued again
    assert "hx-get" in _fragment(hr, job_id) and OrmQ.objects.count() == 2
    jobs.work(job_id)
    fragment = _fragment(hr, job_id)
    assert "导入完成。" in fragment and "<td>shop.csv</td><td>已导入</td>" in fragment
    assert _batches(settings) == ["shop.csv"]
    assert AuditEntry.objects.filter(action="data.import").count() == 1
    jobs.work(job_id)  # a second delivery of the same job (the queue delivers at least once) does nothing
    assert AuditEntry.objects.filter(action="data.import").count() == 1
    assert Job.objects.get(id=job_id).attempts == 1
    assert hr.get("/hr/imports/jobs/0000000000000000/status/").status_code == 404
    assert hr.get("/hr/imports/jobs/../status/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_died_is_run_again_and_one_that_keeps_dying_says_so(
    company, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(import_jobs, "BACKGROUND_BYTES", 10)
    hr = client_for(company, "hr")
    job_id = _upload(hr, SHOP, period="")["Location"].rstrip("/").rsplit("/", 1)[1]
    # a worker claimed it and died: no heartbeat since
    assert jobs.claim(job_id) is not None
    assert jobs.claim(job_id) is None  # running, its heartbeat fresh: no one else runs it
    assert jobs.requeue_stalled() == []
    long_ago = timezone.now() - dt.timedelta(seconds=jobs.STALE_SECONDS + 1)
    Job.objects.filter(id=job_id).update(updated_at=long_ago)
    assert jobs.requeue_stalled() == [job_id]
    assert Job.objects.get(id=job_id).state == "queued"
    jobs.work(job_id)
    assert "需要您确认" in _fragment(hr, job_id)
    assert Job.objects.get(id=job_id).attempts == 2
    # another that dies every time: after the last attempt it fails, and says to look at the history
    other = _upload(hr, SHOP, name="again.csv", period="")["Location"].rstrip("/").rsplit("/", 1)[1]
    Job.objects.filter(id=other).update(state="running", attempts=jobs.MAX_ATTEMPTS, updated_at=long_ago)
    assert jobs.requeue_stalled() == [other]
    jobs.work(other)
    fragment = _fragment(hr, other)
    assert "hx-get" not in fragment  # no more polling
    assert "导入失败，什么都没有改变。" not in fragment
    assert "导入反复中断（后台处理程序停止了 3 次）；请在下方的导入历史里查看这个文件是否已导入" in fragment


ZTC_OCTOBER = (
    "日期,计划名称,展现量,点击量,花费,直接成交金额\n"
    "2026-10-01,计划A,1000,30,50.00,200.00\n"
    "2026-10-02,计划A,900,20,,100.00\n"
    "2026-09-15,计划A,700,10,10.00,0\n"
)


@pytest.mark.django_db
def test_the_planted_report_is_warned_about_in_chinese_and_can_be_cancelled(company, settings) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    assert '<option value="" selected>自动识别</option>' in hr.get("/hr/imports/").content.decode()
    # a plain upload: no dataset chosen, the 直通车 report is recognised as 推广计划日报
    upload = SimpleUploadedFile("直通车.csv", ZTC_OCTOBER.encode("gbk"))
    page = hr.post(
        "/hr/imports/", {"dataset": "", "profile": "", "period": "2026-10", "file": upload}
    ).content.decode()
    assert "导入 直通车.csv → 推广计划日报" in page
    assert _warnings(page) == [
        ("直通车.csv", "4", "日期", "1 行不在期间 2026-10 之内（第一行的日期：2026-09-15）"),
        ("直通车.csv", "3", "花费", "1 个金额单元格是空的"),
        ("直通车.csv", "2", "计划名称", "3 行的账号在当天没有负责人：计划A"),
    ]
    job_id = _job_id(page)
    assert list((settings.HOME / import_jobs.UPLOADS / job_id).iterdir())  # kept for the confirmation
    cancelled = hr.post(f"/hr/imports/jobs/{job_id}/cancel/", follow=True).content.decode()
    assert "没有导入：您取消了这次导入，什么都没有改变。" in cancelled
    assert not (settings.HOME / import_jobs.UPLOADS / job_id).exists()
    assert _batches(settings) == [] and not AuditEntry.objects.filter(action="data.import").exists()
    # a cancelled import cannot be confirmed afterwards
    hr.post(f"/hr/imports/jobs/{job_id}/confirm/")
    assert _batches(settings) == []


@pytest.mark.django_db
def test_hr_withdraws_a_batch_with_a_reason_and_the_history_keeps_it(company, settings) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    page = _upload(hr, SHOP).content.decode()
    hr.post(f"/hr/imports/jobs/{_job_id(page)}/confirm/")
    [batch] = [b for b in AuditEntry.objects.filter(action="data.import").values_list("object_id", flat=True)]
    history = hr.get("/hr/imports/").content.decode()
    assert f'action="/hr/imports/batches/{batch}/withdraw/"' in history and "撤回原因（必填）" in history
    # without a reason: refused, nothing changes
    refused = hr.post(f"/hr/imports/batches/{batch}/withdraw/", {"reason": " "})
    assert refused.status_code == 409 and "撤回导入批次需要填写原因。" in refused.content.decode()
    assert not AuditEntry.objects.filter(action="data.withdraw").exists()
    done = hr.post(f"/hr/imports/batches/{batch}/withdraw/", {"reason": "上传错了月份"}, follow=True)
    page = done.content.decode()
    assert f"已撤回导入批次 {batch}（shop.csv）。" in page
    entry = AuditEntry.objects.get(action="data.withdraw")
    assert (entry.actor, entry.object_id, entry.reason) == ("hr", batch, "上传错了月份")
    assert re.search(r"<td>已撤回</td>\s*<td>—</td>", page)  # still in the history, no longer withdrawable
    con = Warehouse(settings.HOME).connect()
    assert con.execute("SELECT count(*) FROM shop_daily").fetchone() == (0,)
    assert (
        client_for(company, "e01").post(f"/hr/imports/batches/{batch}/withdraw/", {"reason": "x"}).status_code
        == 403
    )


@pytest.mark.django_db
def test_the_page_tells_the_truth_when_the_audit_entry_cannot_be_written(
    company, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The application database locked at the import's audit entry: the page says the import failed,
    and it did (nothing in the warehouse); the same file then imports (not "unchanged")."""
    from django.db import OperationalError

    from shopkpi.appraisal.importing import imports

    hr = client_for(company, "hr")

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    page = _upload(hr, SHOP).content.decode()
    monkeypatch.setattr(imports.audit, "record_many", locked)
    failed = hr.post(f"/hr/imports/jobs/{_job_id(page)}/confirm/").content.decode()
    monkeypatch.undo()
    assert "导入失败，什么都没有改变。" in failed
    assert _batches(settings) == [] and not AuditEntry.objects.filter(action="data.import").exists()
    again = _upload(hr, SHOP).content.decode()
    done = hr.post(f"/hr/imports/jobs/{_job_id(again)}/confirm/").content.decode()
    assert "<td>shop.csv</td><td>已导入</td>" in done
    assert _batches(settings) == ["shop.csv"]
