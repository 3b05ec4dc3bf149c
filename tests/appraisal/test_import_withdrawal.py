"""Withdrawing an imported batch, and an import and its audit entry written together or not at all."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.db import OperationalError
from pytest_django.fixtures import Settings

from appraisal.workflow_company import Company, advance, build_company
from shopkpi.appraisal import audit
from shopkpi.appraisal.importing import imports
from shopkpi.appraisal.importing.import_withdrawal import WithdrawRefused, withdraw_batch
from shopkpi.appraisal.importing.imports import ImportRequest, run_import
from shopkpi.appraisal.models import AuditEntry, Cycle, MonthComputation, Review, Transition
from shopkpi.appraisal.periods import cycles
from shopkpi.data.warehouse.catalogue import Warehouse

pytestmark = pytest.mark.django_db
S = Review.Status


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _import(home: Path, dataset: str, path: Path, period: str | None = None) -> str:
    request = ImportRequest(files=(path,), user="hr", dataset=dataset, period=period, accept_warnings=True)
    [outcome] = run_import(home, request).outcomes
    return outcome.batch


@pytest.fixture
def company(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> Company:
    """E01 owns shop S1, E02 shop S2; September's shop figures and targets are in; the month is open
    and its reviews read the warehouse."""
    settings.HOME = tmp_path / "home"
    home = settings.HOME
    co = build_company(monkeypatch, fake_shop=False)
    # the organisation's account workbook, into the application database
    accounts = _write(tmp_path / "accounts.csv", "工号,账号类型,账号\nE01,店铺,S1\nE02,店铺,S2\n")
    run_import(home, ImportRequest(files=(accounts,), user="hr", dataset="accounts"))
    _import(
        home,
        "shop_daily",
        _write(
            tmp_path / "shop.csv",
            "shop,date,gmv\nS1,2026-09-01,50000\nS1,2026-09-02,45000\nS2,2026-09-01,98000\n",
        ),
        "2026-09",
    )
    _import(
        home,
        "targets",
        _write(
            tmp_path / "targets.csv",
            "employee,period,name,value\nE01,2026-09,目标销售额,100000\nE02,2026-09,目标销售额,100000\n",
        ),
    )
    cycles.open_cycle(co.user("hr"), "2026-09")
    return co


def _correction(tmp_path: Path) -> str:
    """A corrected day for S1: 2 September was 65000, not 45000."""
    home = Path(str(tmp_path / "home"))
    # the import computes the open month again (month_close.refresh_open_cycles)
    return _import(
        home, "shop_daily", _write(tmp_path / "fix.csv", "shop,date,gmv\nS1,2026-09-02,65000\n"), "2026-09"
    )


def test_a_withdrawn_batch_is_out_of_the_data_and_the_open_months_reviews_say_so(
    company: Company, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    e01 = advance(company, "E01", S.PENDING_HR)  # rated 良, not yet checked by HR
    before = (e01.values["gmv"], e01.score)
    assert before == ("95000", Decimal("80.0"))  # 95000 / 100000 → 80 × 60% = 48;  良 80 × 40% = 32
    fix = _correction(tmp_path)
    e01.refresh_from_db()
    # 50000 + 65000 = 115000 ≥ 100% → 100 × 60% = 60;  + 32 = 92
    assert e01.values["gmv"] == "115000" and fix in e01.provenance["gmv"]
    assert e01.score == Decimal("92.0")
    e02_before = company.review("E02").score

    report = withdraw_batch(home, fix, user="hr", reason="更正文件有误，以原报表为准")
    e01.refresh_from_db()
    assert e01.values["gmv"] == "95000" and fix not in e01.provenance["gmv"]
    assert e01.score == before[1]
    assert [(c.employee, c.recomputed, c.score_after) for c in report.reviews] == [("E01", True, before[1])]
    assert company.review("E02").score == e02_before  # E02's values never came from the batch
    step = Transition.objects.get(review=e01, action="data_withdrawn")
    assert step.actor.username == "hr"
    assert step.reason == f"导入批次 {fix}（fix.csv）已撤回：更正文件有误，以原报表为准"
    entry = AuditEntry.objects.get(action="data.withdraw")
    assert (entry.actor, entry.object_type, entry.object_id) == ("hr", "batch", fix)
    assert entry.reason == "更正文件有误，以原报表为准"
    assert entry.after["reviews"] == ["2026-09 E01"]
    # the month was computed again for everyone, and the computation says why
    assert MonthComputation.objects.filter(cycle__period="2026-09", reason="withdraw").count() == 1
    assert audit.verify() is None
    con = Warehouse(home).connect()
    assert con.execute("SELECT state FROM batches WHERE id = ?", [fix]).fetchone() == ("withdrawn",)


def test_a_review_whose_values_hr_froze_keeps_them_and_says_so(company: Company, tmp_path: Path) -> None:
    fix = _correction(tmp_path)
    e01 = advance(company, "E01", S.PENDING_GM)  # HR's check froze its values (115000)
    report = withdraw_batch(tmp_path / "home", fix, user="hr", reason="导错了")
    e01.refresh_from_db()
    assert e01.values["gmv"] == "115000"
    [change] = report.reviews
    assert (change.employee, change.recomputed) == ("E01", False)
    assert Transition.objects.get(review=e01, action="data_withdrawn").reason.endswith("已撤回：导错了")
    assert AuditEntry.objects.get(action="data.withdraw").after["frozen"] == ["2026-09 E01"]


def test_refusals_change_nothing(company: Company, tmp_path: Path) -> None:
    home = tmp_path / "home"
    fix = _correction(tmp_path)
    entries = AuditEntry.objects.count()
    with pytest.raises(WithdrawRefused) as no_reason:
        withdraw_batch(home, fix, user="hr", reason="  ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(WithdrawRefused) as unknown:
        withdraw_batch(home, "shop_daily-nope", user="hr", reason="x")
    assert (unknown.value.code, str(unknown.value)) == ("no_such_batch", "没有导入批次 shop_daily-nope。")
    # a month whose reviews used the batch is archived: reopen it first
    Cycle.objects.filter(period="2026-09").update(status=Cycle.Status.ARCHIVED)
    with pytest.raises(WithdrawRefused) as archived:
        withdraw_batch(home, fix, user="hr", reason="x")
    assert archived.value.code == "batch_in_archived_month"
    assert str(archived.value) == (
        f"已归档的考核期 2026-09 用到了导入批次 {fix}：请先重新开启这些考核期，再撤回。"
    )
    assert AuditEntry.objects.count() == entries
    con = Warehouse(home).connect()
    assert con.execute("SELECT state FROM batches WHERE id = ?", [fix]).fetchone() == ("current",)
    Cycle.objects.filter(period="2026-09").update(status=Cycle.Status.OPEN)
    withdraw_batch(home, fix, user="hr", reason="x")
    with pytest.raises(WithdrawRefused) as twice:
        withdraw_batch(home, fix, user="hr", reason="x")
    assert twice.value.code == "batch_not_current"
    assert str(twice.value) == f"导入批次 {fix} 不是当前数据（已撤回），不能撤回。"


def test_an_import_whose_audit_entry_fails_is_not_in_the_warehouse(
    company: Company, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The application database locked when the audit entry is written: the import is not in, and the
    same file imports afterwards (issue 11: it was in, reported failed, then "unchanged")."""
    home = tmp_path / "home"
    path = _write(tmp_path / "fix.csv", "shop,date,gmv\nS1,2026-09-02,65000\n")
    con = Warehouse(home).connect()
    batches = con.execute("SELECT id, state FROM batches ORDER BY seq").fetchall()
    gmv = con.execute("SELECT sum(gmv) FROM shop_daily").fetchone()
    entries = AuditEntry.objects.count()

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(imports.audit, "record_many", locked)
    with pytest.raises(OperationalError):
        _import(home, "shop_daily", path, "2026-09")
    monkeypatch.undo()
    con = Warehouse(home).connect()
    assert con.execute("SELECT id, state FROM batches ORDER BY seq").fetchall() == batches
    assert con.execute("SELECT sum(gmv) FROM shop_daily").fetchone() == gmv
    assert AuditEntry.objects.count() == entries
    request = ImportRequest(
        files=(path,), user="hr", dataset="shop_daily", period="2026-09", accept_warnings=True
    )
    [outcome] = run_import(home, request).outcomes
    assert outcome.status == "imported"
    assert AuditEntry.objects.filter(action="data.import", object_id=outcome.batch).count() == 1
