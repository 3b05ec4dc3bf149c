"""Appeals on a row: the employee names a row behind a value (这单是我接的 / 这天我休假), HR decides
per row, and the month is recomputed as a new version of the result that differs by exactly that
row, the version before kept and the difference written to the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import api_org
import pytest
from django.utils import timezone

from shopkpi.appraisal.models import (
    Account,
    AppealPoint,
    AuditEntry,
    Rating,
    Review,
    RowOverride,
    TemplateVersion,
)
from shopkpi.appraisal.reviews import workflow
from shopkpi.appraisal.reviews.review_scoring import recompute
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.data.imports.importer import import_files

pytestmark = pytest.mark.django_db

# 销售完成率 = gmv / 目标 (目标 ¥400), weight 60%; 工作态度 rated 90 by the supervisor, weight 40%
TEMPLATE = """\
id: row-appeal
name: 运营
period: month
self_weight: 0
rounding: 1
grades:
  - {name: 优秀, when: ">= 90"}
  - {name: 合格, when: "< 90"}
items:
  - key: sales
    name: 销售完成率
    weight: 60%
    value: gmv / 目标
    bands: {">= 100%": 100, "[80%, 100%)": 80, "< 80%": 50}
  - key: attitude
    name: 工作态度
    weight: 40%
    rated_by: supervisor
"""


@pytest.fixture
def org(settings: Any, tmp_path: Path) -> api_org.Org:
    settings.HOME = tmp_path / "home"
    org = api_org.build(hash_passwords=False)
    Account.objects.create(employee=org.employees["emp"], kind="shop", account="S1")
    Account.objects.create(employee=org.employees["emp2"], kind="shop", account="S2")
    daily = tmp_path / "生意参谋日报.csv"  # E012's S1: 31 days of ¥10.50 in March, file rows 2..32
    daily.write_text(
        "shop,date,gmv\n" + "".join(f"S1,2026-03-{d:02d},10.50\n" for d in range(1, 32)), "utf-8"
    )
    import_files(settings.HOME, "shop_daily", [daily])
    orders = tmp_path / "订单.csv"  # E013's S2: order o9 of ¥77.00, which E012 says was theirs
    orders.write_text(
        "order_id,shop,buyer,created_at,status,amount\no9,S2,b9,2026-03-05 10:00:00,paid,77.00\n", "utf-8"
    )
    import_files(settings.HOME, "orders", [orders])
    version = TemplateVersion.objects.create(template_id="row-appeal", version=1, name="运营", text=TEMPLATE)
    review = org.reviews["emp"]
    Review.objects.filter(pk=review.pk).update(
        template_version=version,
        values={"gmv": "325.50", "目标": "400"},
        status=Review.Status.PUBLISHED,
        published_at=timezone.now(),
        appeal_deadline=timezone.now() + dt.timedelta(days=7),
    )
    review.refresh_from_db()
    Rating.objects.create(review=review, item_key="attitude", rater="supervisor", value=Decimal(90))
    recompute(review)
    # E013 (o9's owner) is still with the employee: values read afresh, not frozen
    Review.objects.filter(pk=org.reviews["emp2"].pk).update(
        template_version=version, values={"gmv": "77.00", "目标": "400"}
    )
    return org


def _review(org: api_org.Org) -> Review:
    return Review.objects.get(pk=org.reviews["emp"].pk)


def _appeal(org: api_org.Org, **point: Any) -> AppealPoint:
    workflow.perform(
        org.users["emp"],
        _review(org),
        "appeal",
        items=[{"item_key": "sales", "reason": "明细有误", "points": [{"kind": "row", **point}]}],
    )
    return AppealPoint.objects.latest("id")


def _decide(org: api_org.Org, point: AppealPoint, decision: str, outcome: str = "amended") -> Review:
    return workflow.perform(
        org.users["hr"],
        _review(org),
        "decide_appeal",
        outcome=outcome,
        note="已核实",
        points=[{"id": point.pk, "decision": decision, "reason": "核对聊天记录"}],
    )


def test_a_re_credited_order_makes_a_new_version_that_differs_by_exactly_that_order(org: api_org.Org) -> None:
    before = _review(org)
    # ¥325.50 / ¥400 = 81.375% → band [80%, 100%) → 80; score 60% × 80 + 40% × 90 = 48 + 36 = 84.0
    assert before.score == Decimal("84.0")
    point = _appeal(org, claim="credit", note="这单是我接的", ref={"metric": "gmv", "order": "o9"})
    assert (
        point.ref["owner"] == "E013" and point.ref["kind"] == "shop" and point.ref["key"]["order_id"] == "o9"
    )
    after = _decide(org, point, "credit")
    # o9's ¥77.00 is E012's now: ¥325.50 + ¥77.00 = ¥402.50 → 100.625% → 100; 60 + 36 = 96.0
    assert after.values["gmv"] == "402.5" and after.score == Decimal("96.0")
    assert after.status == Review.Status.PENDING_GM  # the GM approves the amended result again
    # E013's live review loses o9: ¥77.00 − ¥77.00, no row left: gmv null (as if it had no rows)
    assert Review.objects.get(pk=org.reviews["emp2"].pk).values["gmv"] is None
    override = RowOverride.objects.get()
    assert (override.dataset, override.kind, override.credit_to) == ("orders", "shop", org.employees["emp"])
    kept = after.snapshots.get()
    assert Decimal(kept.data["score"]) == Decimal("84.0") and kept.data["values"]["gmv"] == "325.50"
    entry = AuditEntry.objects.filter(action="review.decide_appeal").latest("id")
    difference = entry.after["difference"]
    assert [Decimal(s) for s in difference["score"]] == [Decimal("84.0"), Decimal("96.0")] and difference[
        "values"
    ]["gmv"] == ["325.50", "402.5"]
    # the item's band 80 → 100, its points 60% × 80 = 48 → 60% × 100 = 60
    assert [(i["key"], i["rating"], i["points"]) for i in difference["items"]] == [
        ("sales", ["80", "100"], ["48", "60"])
    ]


def test_an_excluded_row_drops_exactly_that_row(org: api_org.Org) -> None:
    from shopkpi.appraisal.reviews.review_rows import rows_page

    page = rows_page(org.users["emp"], _review(org).pk, "gmv", Path(org_home()))
    last = next(r for r in page.rows if r.day == dt.date(2026, 3, 31))
    point = _appeal(
        org,
        claim="exclude",
        note="31日休假",
        ref={"metric": "gmv", "batch": last.source.batch, "row": last.source.row},
    )
    after = _decide(org, point, "exclude")
    # ¥325.50 − ¥10.50 = ¥315.00 → 78.75% → band < 80% → 50; score 60% × 50 + 36 = 30 + 36 = 66.0
    assert Decimal(after.values["gmv"]) == Decimal("315.00") and after.score == Decimal("66.0")
    page = rows_page(org.users["emp"], after.pk, "gmv", Path(org_home()))
    excluded = [r for r in page.rows if r.excluded == "override"]
    assert [r.day for r in excluded] == [dt.date(2026, 3, 31)] and excluded[
        0
    ].override.reason == "核对聊天记录"
    assert page.value == Decimal("315.00") == Decimal(page.recorded or "")  # the rows and the value agree


def test_claims_are_checked_when_filed_and_every_point_needs_a_decision(org: api_org.Org) -> None:
    with pytest.raises(WorkflowError) as mine:
        _appeal(org, claim="credit", ref={"metric": "gmv", "order": "nope"})
    assert mine.value.code == "unknown_row"
    page_row = {"metric": "gmv", "order": "o9"}
    with pytest.raises(WorkflowError) as not_mine:
        _appeal(org, claim="exclude", ref=page_row)  # o9 is E013's: E012 cannot ask to leave it out
    assert not_mine.value.code == "not_your_row"
    assert _review(org).status == Review.Status.PUBLISHED and not AppealPoint.objects.exists()
    point = _appeal(org, claim="credit", ref=page_row)
    with pytest.raises(WorkflowError) as undecided:
        workflow.perform(org.users["hr"], _review(org), "decide_appeal", outcome="upheld", note="不支持")
    assert undecided.value.code == "point_undecided"
    with pytest.raises(WorkflowError) as upheld:
        _decide(org, point, "credit", outcome="upheld")
    assert upheld.value.code == "bad_outcome" and not RowOverride.objects.exists()
    refused = _decide(org, point, "refused", outcome="upheld")
    assert refused.status == Review.Status.PUBLISHED and refused.score == Decimal("84.0")
    assert not RowOverride.objects.exists()


def org_home() -> str:
    from django.conf import settings

    return str(settings.HOME)


def test_the_pages_file_an_appeal_on_a_row_and_decide_it(org: api_org.Org) -> None:
    from django.test import Client

    pk = org.reviews["emp"].pk
    emp, hr = Client(), Client()
    emp.force_login(org.users["emp"])
    hr.force_login(org.users["hr"])
    page = emp.get(f"/reviews/{pk}/rows/gmv/").content.decode()
    assert 'id="row-appeal"' in page and "这天我休假 / 这行不该算" in page
    assert 'id="row-appeal"' not in hr.get(f"/reviews/{pk}/rows/gmv/").content.decode()  # HR decides
    version = _review(org).version
    refused = emp.post(f"/reviews/{pk}/rows/gmv/appeal/", {"version": version, "note": "x"})
    assert refused.status_code == 409 and "请至少选择一行" in refused.content.decode()
    filed = emp.post(
        f"/reviews/{pk}/rows/gmv/appeal/", {"version": version, "order": "o9", "note": "这单是我接的"}
    )
    assert filed.status_code == 302 and _review(org).status == Review.Status.APPEALED
    point = AppealPoint.objects.get()
    form = hr.get(f"/hr/reviews/{pk}/").content.decode()
    assert f'name="point-{point.pk}"' in form and "订单编号 o9" in form and "申诉时计给 包运营" in form
    decided = hr.post(
        f"/hr/reviews/{pk}/decide_appeal/",
        {
            "version": _review(org).version,
            "outcome": "amended",
            "note": "已核实",
            f"point-{point.pk}": "credit",
            f"point-reason-{point.pk}": "聊天记录为艾运营接待",
        },
    )
    assert decided.status_code == 302, decided.content.decode()[:500]
    assert _review(org).score == Decimal("96.0")
    gm = Client()
    gm.force_login(org.users["gm"])
    approving = gm.get(f"/gm/reviews/{pk}/").content.decode()  # the GM sees each row's decision
    assert "订单编号 o9" in approving and "改计给本人（聊天记录为艾运营接待）" in approving
    workflow.perform(org.users["gm"], _review(org), "approve")  # the amended result, published again
    mine = emp.get(f"/reviews/{pk}/").content.decode()
    assert "结果版本" in mine and "总分 84.0 → 96.0" in mine and "改计给本人（聊天记录为艾运营接待）" in mine
    rows = emp.get(f"/reviews/{pk}/rows/gmv/").content.decode()
    assert "人事在申诉中裁定计给 艾运营" in rows and "以下 32 行合计：<strong>¥402.50</strong>" in rows


def _withdraw_and_import(org: api_org.Org, file: Path) -> None:
    """HR withdraws the shop_daily batch and imports `file` in its place."""
    from shopkpi.appraisal.importing.import_withdrawal import withdraw_batch
    from shopkpi.data.warehouse.catalogue import Warehouse

    connection = Warehouse(Path(org_home())).connect()
    try:
        (batch,) = connection.execute("SELECT DISTINCT _batch FROM shop_daily").fetchone() or ("",)
    finally:
        connection.close()
    withdraw_batch(Path(org_home()), str(batch), user="hr", reason="文件有误，重新导入")
    import_files(Path(org_home()), "shop_daily", [file])


def _excluded_last_day(org: api_org.Org) -> Review:
    from shopkpi.appraisal.reviews.review_rows import rows_page

    page = rows_page(org.users["emp"], _review(org).pk, "gmv", Path(org_home()))
    last = next(r for r in page.rows if r.day == dt.date(2026, 3, 31))
    point = _appeal(
        org,
        claim="exclude",
        note="31日休假",
        ref={"metric": "gmv", "batch": last.source.batch, "row": last.source.row},
    )
    return _decide(org, point, "exclude")


def test_an_excluded_row_stays_excluded_when_its_batch_is_withdrawn_and_the_same_file_imported_again(
    org: api_org.Org, tmp_path: Path
) -> None:
    from shopkpi.appraisal.reviews.review_rows import rows_page
    from shopkpi.appraisal.reviews.row_appeals import refresh_values, review_decisions

    decided = _excluded_last_day(org)
    assert Decimal(decided.values["gmv"]) == Decimal("315.00")
    override = RowOverride.objects.get()
    assert override.reference == {
        "by": "key",
        "values": {"shop": "S1", "date": "2026-03-31", "item": None},
        "nth": 0,
    }
    _withdraw_and_import(org, tmp_path / "生意参谋日报.csv")  # the very same file, a new batch
    review = _review(org)
    refresh_values(review)
    # 31 × ¥10.50 = ¥325.50, less the 31st's ¥10.50 HR left out = ¥315.00, as before the re-import
    assert Decimal(review.values["gmv"]) == Decimal("315.00")
    page = rows_page(org.users["emp"], review.pk, "gmv", Path(org_home()))
    excluded = [r for r in page.rows if r.excluded == "override"]
    assert [r.day for r in excluded] == [dt.date(2026, 3, 31)] and excluded[0].source.batch != override.batch
    assert page.value == Decimal("315.00")
    assert [d.found for d in review_decisions(review)] == [True]


def test_a_decision_whose_row_is_gone_after_a_re_import_shows_as_not_found_and_hr_can_drop_it(
    org: api_org.Org, tmp_path: Path
) -> None:
    from django.test import Client

    from shopkpi.appraisal.reviews.row_appeals import refresh_values

    _excluded_last_day(org)
    corrected = tmp_path / "生意参谋日报（更正）.csv"  # the 31st is gone: 30 days of ¥10.50
    corrected.write_text(
        "shop,date,gmv\n" + "".join(f"S1,2026-03-{d:02d},10.50\n" for d in range(1, 31)), "utf-8"
    )
    _withdraw_and_import(org, corrected)
    review = _review(org)
    refresh_values(review)
    assert Decimal(review.values["gmv"]) == Decimal("315.00")  # 30 × ¥10.50, the decision applies to nothing
    hr = Client()
    hr.force_login(org.users["hr"])
    page = hr.get(f"/hr/reviews/{review.pk}/").content.decode()
    override = RowOverride.objects.get()
    assert (
        f'id="row-decision-{override.pk}"' in page
        and "未找到这行" in page
        and "当前数据中已没有这一行" in page
    )
    assert "店铺 S1，统计日期 2026-03-31" in page and f"批次 {override.batch} 第 32 行" in page
    dropped = hr.post(f"/hr/reviews/{review.pk}/row-decisions/{override.pk}/drop/")
    assert dropped.status_code == 302 and not RowOverride.objects.exists()
    entry = AuditEntry.objects.get(action="row_override.drop")
    assert entry.before["batch"] == override.batch and entry.before["matches"] == 0


def test_a_decision_that_still_finds_its_row_cannot_be_dropped(org: api_org.Org) -> None:
    from django.test import Client

    _excluded_last_day(org)
    override = RowOverride.objects.get()
    hr = Client()
    hr.force_login(org.users["hr"])
    page = hr.get(f"/hr/reviews/{org.reviews['emp'].pk}/").content.decode()
    assert "生效中" in page and "未找到这行" not in page
    refused = hr.post(f"/hr/reviews/{org.reviews['emp'].pk}/row-decisions/{override.pk}/drop/")
    assert refused.status_code == 409 and RowOverride.objects.exists()


def test_the_migration_names_existing_decisions_by_their_row_and_keeps_those_whose_batch_is_gone(
    org: api_org.Org,
) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("shopkpi.appraisal.migrations.0024_rowoverride_reference")
    _excluded_last_day(org)
    present = RowOverride.objects.get()
    RowOverride.objects.filter(pk=present.pk).update(reference=None)  # as before the migration
    gone = RowOverride.objects.create(
        cycle=present.cycle,
        dataset="shop_daily",
        kind="shop",
        batch="b-gone",
        row=5,
        reason="x",
        created_by=present.created_by,
    )
    migration.references(apps, None)
    present.refresh_from_db()
    gone.refresh_from_db()
    assert present.reference["values"] == {"shop": "S1", "date": "2026-03-31", "item": None}
    assert gone.reference is None and (gone.batch, gone.row) == ("b-gone", 5)
