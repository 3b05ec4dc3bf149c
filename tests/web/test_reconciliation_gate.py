"""数据核对: a planted difference between two exports is shown to HR with both figures, stops the
month's reviews at 人事核准 until HR acknowledges it (with a note, in the audit log), and asks again
when the figures change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import api_org
import pytest
from django.test import Client

from shopkpi.appraisal.models import AuditEntry, Review
from shopkpi.appraisal.periods import reconciliation
from shopkpi.appraisal.reviews import workflow
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.data.imports.importer import import_files

pytestmark = pytest.mark.django_db


def _import(home: Path, tmp_path: Path, dataset: str, text: str) -> None:
    path = tmp_path / f"{dataset}.csv"
    path.write_text(text, encoding="utf-8")
    import_files(home, dataset, [path])


@pytest.fixture
def org(settings: Any, tmp_path: Path) -> api_org.Org:
    settings.HOME = tmp_path / "home"
    org = api_org.build(hash_passwords=False)
    # shop S1's agents received 70 + 50 = 120 customers in March; its report had 100 visitors
    _import(
        settings.HOME,
        tmp_path,
        "cs_daily",
        "agent,date,received\nS1:小王,2026-03-05,70\nS1:小李,2026-03-06,50\n",
    )
    _import(
        settings.HOME,
        tmp_path,
        "shop_daily",
        "shop,date,uv\nS1,2026-03-05,60\nS1,2026-03-06,40\nS2,2026-03-05,9\n",
    )
    return org


def at_hr(org: api_org.Org, key: str = "emp") -> Review:
    users, review = org.users, org.reviews[key]
    boss = {"emp": "mgr", "emp2": "mgr", "cs": "gm"}[key]
    review = workflow.perform(
        users[key], review, "save_self", ratings={"attitude": "90"}, self_assessment="自评"
    )
    review = workflow.perform(users[key], review, "submit_self")
    review = workflow.perform(users[boss], review, "rate", ratings={"attitude": "80"}, comment="好")
    review = workflow.perform(
        users[boss],
        review,
        "record_interview",
        held_on="2026-04-05",
        strengths="a",
        improvements="b",
        plan="c",
    )
    return workflow.perform(users[boss], review, "submit_supervisor")


def test_the_planted_difference_is_found_with_both_figures(org: api_org.Org) -> None:
    assert org.cycle is not None
    [failure] = reconciliation.month_failures(org.cycle)
    assert (failure.check, failure.key, failure.left, failure.right) == (
        "cs_received_within_shop_visitors",
        "S1",
        120,
        100,
    )
    client = Client()
    client.force_login(org.users["hr"])
    html = client.get("/hr/cycles/2026-03/checks/").content.decode()
    assert "客服接待人数不超过店铺访客数" in html and "120" in html and "100" in html and "S1" in html
    assert "有 1 处差异尚未确认" in html
    other = Client()
    other.force_login(org.users["mgr"])
    assert other.get("/hr/cycles/2026-03/checks/").status_code == 403


def test_the_month_waits_for_hr_to_acknowledge_the_difference(
    org: api_org.Org, settings: Any, tmp_path: Path
) -> None:
    assert org.cycle is not None
    review = at_hr(org)
    with pytest.raises(WorkflowError) as refused:
        workflow.perform(org.users["hr"], review, "submit_hr")
    assert refused.value.code == "reconciliation_unacknowledged" and "S1 120 对 100" in str(refused.value)
    client = Client()
    client.force_login(org.users["hr"])
    answer = client.post(
        "/hr/cycles/2026-03/checks/acknowledge/",
        {"check": "cs_received_within_shop_visitors", "key": "S1", "note": "子账号也接待了分销渠道的客户"},
    )
    assert answer.status_code == 302
    entry = AuditEntry.objects.get(action="reconciliation.acknowledge")
    assert entry.actor == "hr" and entry.after == {
        "check": "cs_received_within_shop_visitors",
        "key": "S1",
        "left": "120",
        "right": "100",
    }
    review = workflow.perform(org.users["hr"], Review.objects.get(pk=review.pk), "submit_hr")
    assert review.status == "pending_gm"
    # a corrected import changes the figures (130 vs 100): the acknowledgement does not hold for them
    _import(
        settings.HOME,
        tmp_path,
        "cs_daily",
        "agent,date,received\nS1:小王,2026-03-05,80\nS1:小李,2026-03-06,50\n",
    )
    [again] = reconciliation.unacknowledged(org.cycle)
    assert (again.left, again.right) == (130, 100)


def test_hr_sees_who_lacks_a_target(org: api_org.Org) -> None:
    assert org.cycle is not None
    Review.objects.filter(pk=org.reviews["emp2"].pk).update(values={"销售额": "95000"})  # no 目标
    [missing] = reconciliation.missing_targets(org.cycle)
    assert (missing.code, missing.target, missing.items) == ("E013", "目标", "销售额达成")
    client = Client()
    client.force_login(org.users["hr"])
    html = client.get("/hr/cycles/2026-03/checks/").content.decode()
    assert "1 项目标缺失" in html and "E013" in html


def test_the_gate_reads_the_warehouse_once_a_month_and_refuses_after_an_import_adds_a_difference(
    org: api_org.Org, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """人事核准 of many reviews reads the warehouse's checks once while the warehouse stays as it is, yet a
    review submitted after an import that brings a new difference is refused."""
    from shopkpi.data.warehouse import reconciliation as checks

    assert org.cycle is not None
    reads: list[str] = []
    differences = checks.differences

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append("read")
        return differences(*args, **kwargs)

    monkeypatch.setattr(checks, "differences", counted)
    reconciliation.acknowledge(
        org.users["hr"], org.cycle, "cs_received_within_shop_visitors", "S1", "分销渠道的客户"
    )
    first, second, third = (at_hr(org, key) for key in ("emp", "emp2", "cs"))
    reconciliation._FOUND.clear()  # as a new process finds it
    reads.clear()
    for review in (first, second):
        assert workflow.perform(org.users["hr"], review, "submit_hr").status == "pending_gm"
    assert len(reads) == 1  # the same warehouse: read for the first review only
    # a new import: shop S2's agents received 30 customers, its report had 9 visitors
    _import(settings.HOME, tmp_path, "cs_daily", "agent,date,received\nS2:小张,2026-03-05,30\n")
    with pytest.raises(WorkflowError) as refused:
        workflow.perform(org.users["hr"], third, "submit_hr")
    assert refused.value.code == "reconciliation_unacknowledged" and "S2 30 对 9" in str(refused.value)
    assert Review.objects.get(pk=third.pk).status == "pending_hr"
    assert len(reads) == 2
