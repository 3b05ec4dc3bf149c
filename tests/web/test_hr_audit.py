"""The HR console's audit log (filters, pages, the chain check) and consequence action items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from test_hr_company import PERIOD, S, advance, build_company, client_for, open_month

from appraisal.workflow_company import recompute_month
from shopkpi.appraisal import audit
from shopkpi.appraisal.models import ActionItem, AuditEntry, Review
from shopkpi.appraisal.periods import consequences

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    company = build_company(monkeypatch)
    open_month(company)
    return company


def test_the_audit_log_filters_by_actor_action_object_and_date(company) -> None:  # type: ignore[no-untyped-def]
    review = advance(company, "E01", S.PENDING_HR)
    hr = client_for(company, "hr")
    everything = hr.get("/hr/audit/").content.decode()
    assert f"共 {AuditEntry.objects.count()} 条" in everything
    by_actor = hr.get("/hr/audit/", {"actor": "m01"}).content.decode()
    assert (
        f"共 {AuditEntry.objects.filter(actor='m01').count()} 条" in by_actor
        and '<td title="review.rate">上级评分</td>' in by_actor
    )
    assert 'title="cycle.open"' not in by_actor
    by_action = hr.get("/hr/audit/", {"action": "review.submit_self"}).content.decode()
    assert "共 1 条" in by_action
    by_prefix = hr.get("/hr/audit/", {"action": "cycle."}).content.decode()
    assert "共 1 条" in by_prefix and '<td title="cycle.open">开启考核期</td>' in by_prefix
    by_object = hr.get("/hr/audit/", {"object_type": "review", "object_id": str(review.pk)}).content.decode()
    assert (
        f"共 {AuditEntry.objects.filter(object_type='review', object_id=str(review.pk)).count()} 条"
        in by_object
    )
    assert f'href="/hr/reviews/{review.pk}/"' in by_object
    today = dt.date.today()
    later = hr.get("/hr/audit/", {"since": (today + dt.timedelta(days=2)).isoformat()}).content.decode()
    assert "共 0 条" in later and "没有符合条件的记录。" in later
    until = hr.get("/hr/audit/", {"until": (today + dt.timedelta(days=2)).isoformat()}).content.decode()
    assert f"共 {AuditEntry.objects.count()} 条" in until


def test_the_audit_log_pages(company) -> None:  # type: ignore[no-untyped-def]
    for n in range(60):
        audit.record("hr", "test.entry", object_type="test", object_id=n)
    hr = client_for(company, "hr")
    first = hr.get("/hr/audit/", {"action": "test.entry"}).content.decode()
    assert "第 1 / 2 页" in first and 'href="?action=test.entry&amp;page=2"' in first
    second = hr.get("/hr/audit/", {"action": "test.entry", "page": "2"}).content.decode()
    assert second.count('<td title="test.entry">test.entry</td>') == 10


def test_verify_says_the_chain_holds_then_names_the_broken_entry(company) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    page = hr.get("/hr/audit/").content.decode()
    assert 'hx-post="/hr/audit/verify/"' in page
    holds = hr.post("/hr/audit/verify/").content.decode()
    assert f"链条完整：{AuditEntry.objects.count()} 条记录全部校验通过" in holds
    victim = AuditEntry.objects.order_by("id")[1]
    with connection.cursor() as cursor:  # below the application: the database's guard dropped first
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER appraisal_auditentry_no_update")
        else:
            cursor.execute(
                "ALTER TABLE appraisal_auditentry DISABLE TRIGGER appraisal_auditentry_append_only"
            )
        cursor.execute("UPDATE appraisal_auditentry SET reason = 'edited' WHERE id = %s", [victim.pk])
    broken = hr.post("/hr/audit/verify/").content.decode()
    assert f"链条在第 {victim.pk} 条记录处断开" in broken
    assert client_for(company, "e01").post("/hr/audit/verify/").status_code == 403


def test_action_items_are_closed_with_a_note(company) -> None:  # type: ignore[no-untyped-def]
    company.shop.gmv["E01"] = Decimal(100000)  # 100% → 60 + 优 40 = 100; the rule "score >= 90" → 表扬
    recompute_month()
    review = advance(company, "E01", S.PUBLISHED, rating="优")
    hr = client_for(company, "hr")
    assert "没有行动项。" in hr.get("/hr/actions/").content.decode()  # the appeal window is open
    Review.objects.filter(pk=review.pk).update(appeal_deadline=timezone.now() - dt.timedelta(minutes=1))
    page = hr.get("/hr/actions/").content.decode()  # the window has closed: the result is final
    item = ActionItem.objects.get(review=review)
    assert item.action == "表扬"
    assert "<strong>表扬</strong>" in page and f'action="/hr/actions/{item.pk}/close/"' in page
    empty = hr.post(f"/hr/actions/{item.pk}/close/", {"note": " "})
    assert empty.status_code == 409 and "关闭行动项需要填写处理说明。" in empty.content.decode()
    assert hr.post(f"/hr/actions/{item.pk}/close/", {"note": "部门会上通报表扬"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "closed" and item.note == "部门会上通报表扬"
    assert AuditEntry.objects.get(action="action_item.close").reason == "部门会上通报表扬"
    closed = hr.get("/hr/actions/", {"status": "closed"}).content.decode()
    assert "部门会上通报表扬" in closed
    assert "没有行动项。" in hr.get("/hr/actions/").content.decode()
    assert PERIOD in closed


def test_a_withdrawn_action_item_shows_why(company) -> None:  # type: ignore[no-untyped-def]
    company.shop.gmv["E01"] = Decimal(100000)  # 100 → 表扬, as above
    recompute_month()
    review = advance(company, "E01", S.ACKNOWLEDGED, rating="优")
    item = ActionItem.objects.get(review=review)
    consequences._withdraw(company.user("hr"), item, "申诉处理：复核后改为合格")
    hr = client_for(company, "hr")
    assert "没有行动项。" in hr.get("/hr/actions/").content.decode()
    withdrawn = hr.get("/hr/actions/", {"status": "withdrawn"}).content.decode()
    assert "<strong>表扬</strong>" in withdrawn and "撤回：申诉处理：复核后改为合格" in withdrawn


def test_the_audit_log_names_an_overridden_value_and_the_accepted_warnings(company) -> None:  # type: ignore[no-untyped-def]
    review = advance(company, "E01", S.PENDING_HR)
    audit.record("hr", "review.override", object_type="review", object_id=review.pk, after={"name": "pv"})
    warning = {"code": "outside_period", "file": "a.csv", "row": 2, "column": None}
    params = {"rows": 1, "period": PERIOD, "first": "2026-09-15"}
    audit.record(
        "hr",
        "data.import",
        object_type="batch",
        object_id="b1",
        after={"accepted_warnings": [{**warning, "params": params}]},
    )
    page = client_for(company, "hr").get("/hr/audit/").content.decode()
    assert "名称：浏览量" in page
    assert f"已确认的提醒：a.csv：1 行不在期间 {PERIOD} 之内（第一行的日期：2026-09-15）" in page
