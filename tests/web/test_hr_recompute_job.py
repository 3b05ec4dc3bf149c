"""HR's recompute of a month larger than a request is a job (issue 13): queued, run by `shopkpi worker`,
its state and outcome on the month's page of any server (the `Job` row); a small month is recomputed
within the request as before (tests/web/test_hr_cycles.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_hr_company import PERIOD, S, advance, build_company, client_for, open_month

from shopkpi.appraisal.background import jobs
from shopkpi.appraisal.models import AuditEntry, Job
from shopkpi.appraisal.periods import recompute_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    return build_company(monkeypatch)


def test_a_large_months_recompute_runs_as_a_job_whose_outcome_the_page_shows(company, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(recompute_jobs, "IN_REQUEST", 7)  # the company's 8 reviews are "large" here
    open_month(company)
    advance(company, "E01", S.PENDING_HR)
    company.shop.gmv["E01"] = Decimal(100000)  # the month's data corrected: 100% of target
    hr = client_for(company, "hr")
    answer = hr.post(f"/hr/cycles/{PERIOD}/recompute/")
    assert answer.status_code == 302
    assert company.review("E01").score == Decimal("80.0")  # queued, not done in the request
    job = Job.objects.get(kind="recompute")
    assert (job.state, job.total, job.params, job.user) == ("queued", 8, {"period": PERIOD}, "hr")
    page = hr.get(f"/hr/cycles/{PERIOD}/").content.decode()
    assert "已交给后台重算" in page  # the message after the POST
    assert "hr 要求重算 8 份考核：排队中" in page
    assert f'hx-get="/hr/cycles/{PERIOD}/recompute/status/"' in page  # the page follows it

    jobs.work(job.id)  # what a worker runs, on whichever machine
    # 销售完成率 100% → 100 × 60% = 60, 工作态度 良 80 × 40% = 32: 92
    assert company.review("E01").score == Decimal("92.0")
    job.refresh_from_db()
    assert (job.state, job.result) == ("done", {"period": PERIOD, "reviews": 8, "changed": ["E01"]})
    assert AuditEntry.objects.get(action="cycle.recompute").after == {"reviews": 8, "changed": ["E01"]}
    fragment = hr.get(f"/hr/cycles/{PERIOD}/recompute/status/").content.decode()
    assert "已按仓库数据重算 8 份考核，其中 1 份结果有变化。" in fragment
    assert "hx-get" not in fragment  # ended: no more polling
    jobs.work(job.id)  # a second delivery of the same job does nothing
    assert AuditEntry.objects.filter(action="cycle.recompute").count() == 1


def test_a_small_month_is_recomputed_within_the_request(company) -> None:  # type: ignore[no-untyped-def]
    open_month(company)
    assert recompute_jobs.IN_REQUEST >= 8
    assert client_for(company, "hr").post(f"/hr/cycles/{PERIOD}/recompute/").status_code == 302
    assert not Job.objects.filter(kind="recompute").exists()
    assert AuditEntry.objects.filter(action="cycle.recompute").count() == 1


def test_a_metric_engine_that_fails_is_told_on_the_page_and_changes_nothing(company, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from shopkpi.appraisal.periods import month_close
    from shopkpi.data.engines import EngineError

    open_month(company)
    advance(company, "E01", S.PENDING_HR)
    company.shop.gmv["E01"] = Decimal(100000)

    def unreachable(*args: object, **kwargs: object) -> None:
        raise EngineError("PostgreSQL at postgresql://pg.example/kpi cannot be reached: timeout")

    monkeypatch.setattr(month_close, "recompute_cycle", unreachable)
    answer = client_for(company, "hr").post(f"/hr/cycles/{PERIOD}/recompute/")
    assert answer.status_code == 503
    page = answer.content.decode()
    assert "指标无法计算，本次操作没有改动任何数据" in page and "SHOPKPI_METRICS_ENGINE" in page
    assert "postgresql://pg.example/kpi cannot be reached: timeout" in page
    # the person's next step, then the administrator's note with the engine's own words set apart
    assert "请稍后再试一次；仍然不行时，请把下面的说明转给系统管理员。" in page
    answer = "PostgreSQL at postgresql://pg.example/kpi cannot be reached: timeout"
    assert (
        '<span class="for-admin">给管理员：' in page
        and f'<code class="answer" translate="no">{answer}</code>' in page
    )
    assert company.review("E01").score == Decimal("80.0")
    assert not AuditEntry.objects.filter(action="cycle.recompute").exists()
