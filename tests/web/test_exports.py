"""Scorecard exports: the 考核表 workbook's layout and numbers, the print page, 404 for an outsider, and an
audit entry for every export by an insider.

The company is tests/web/api_org.py. Its template (api-test):
    销售额达成 weight 60%, value 销售额 / 目标, bands ">= 100%" -> 100, "< 100%" -> 50
    工作态度   weight 40%, rated by the supervisor
Every review holds 销售额 95000, 目标 100000: 95% falls in "< 100%" -> rating 50 -> 60 × 50 / 100 = 30 points.
艾运营 (emp, E012) is rated 80 on 工作态度 by 马经理 (mgr) -> 40 × 80 / 100 = 32; score 30 + 32 = 62, grade 合格.
She rated herself 90 (self_weight 0: recorded, not counted).
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

import api_org
import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from shopkpi.appraisal.models import AuditEntry, Rating, Review
from shopkpi.appraisal.reviews.review_scoring import recompute

pytestmark = pytest.mark.django_db

HEADERS = [
    *("考核指标", "详细描述", "标准", "分值", "权重"),
    *("实际值", "目标", "完成率", "得分", "自评分", "考评分", "评语"),
]


@pytest.fixture
def org() -> api_org.Org:
    org = api_org.build(hash_passwords=False)
    review = org.reviews["emp"]
    Rating.objects.create(
        review=review,
        item_key="attitude",
        rater="supervisor",
        value=Decimal(80),
        comment="积极主动",
        rated_by=org.users["mgr"],
    )
    Rating.objects.create(
        review=review, item_key="attitude", rater="self", value=Decimal(90), rated_by=org.users["emp"]
    )
    review.self_assessment = "本月完成了大促准备。"
    review.supervisor_comment = "继续保持。"
    review.submitted_self_at = timezone.now()
    review.save()
    recompute(review)
    return org


def _publish(review: Review) -> None:
    Review.objects.filter(pk=review.pk).update(status=Review.Status.PUBLISHED, published_at=timezone.now())


def _client(org: api_org.Org, who: str) -> Client:
    client = Client()
    client.force_login(org.users[who])
    return client


def _sheet(response: Any) -> Any:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(BytesIO(response.content)).active


def test_the_scorecard_workbook_in_the_kaohebiao_layout(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    _publish(review)
    response = _client(org, "emp").get(f"/reviews/{review.pk}/xlsx/")
    sheet = _sheet(response)
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]  # the Chinese file name, RFC 5987
    # the title row, merged over the twelve columns: period and employee
    assert "A1:L1" in [str(r) for r in sheet.merged_cells.ranges]
    assert sheet["A1"].value == "2026年3月绩效考核表：艾运营（E012）"
    assert [sheet.cell(2, c).value for c in (1, 2, 3, 4, 5, 6, 7, 8)] == [
        "姓名",
        "艾运营",
        "工号",
        "E012",
        "部门",
        "运营部",
        "岗位",
        "运营专员",
    ]
    assert sheet["B3"].value == "2026-03" and sheet["D3"].value == "马经理"
    assert [sheet.cell(4, c).value for c in range(1, 13)] == HEADERS
    # 销售额达成: one row per band, the item's cells merged down its two rows
    assert (sheet["A5"].value, sheet["C5"].value, sheet["D5"].value) == ("销售额达成", ">= 100%", 100)
    assert (sheet["C6"].value, sheet["D6"].value) == ("< 100%", 50)
    assert "A5:A6" in [str(r) for r in sheet.merged_cells.ranges]
    assert {"F5:F6", "I5:I6"} <= {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["C6"].fill.fgColor.rgb.endswith("FFF8C5")  # the band 95% fell in
    assert sheet["C5"].fill.fgColor.rgb in (None, "00000000")
    assert sheet["E5"].value == 0.6 and sheet["E5"].number_format == "0%"
    # 实际值 销售额 95000, 目标 100000, 完成率 95000 / 100000 = 95%
    assert (sheet["F5"].value, sheet["G5"].value, sheet["H5"].value) == (95000, 100000, 0.95)
    assert (sheet["F5"].number_format, sheet["H5"].number_format) == ("#,##0", "0.0%")
    assert sheet["I5"].value == 30  # 60 × 50 / 100
    assert sheet["K5"].value == 50  # the band's rating
    assert sheet["L5"].value is None  # 评语 holds comments only, never the computation
    # 工作态度: the supervisor's rating and comment, her own rating; a rating measures no value
    assert (sheet["A7"].value, sheet["C7"].value) == ("工作态度", "上级评分（0–100）")
    assert sheet["E7"].value == 0.4
    assert (sheet["F7"].value, sheet["G7"].value, sheet["H7"].value) == (None, None, None)
    assert (sheet["I7"].value, sheet["J7"].value, sheet["K7"].value) == (32, 90, 80)  # 40 × 80 / 100 = 32
    assert sheet["L7"].value == "积极主动"
    assert (sheet["A8"].value, sheet["I8"].value) == ("合计", 62)  # 30 + 32
    assert (sheet["A9"].value, sheet["I9"].value) == ("等级", "合格")
    texts = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(11, 14)}
    assert texts["自我评价"] == "本月完成了大促准备。" and texts["上级评语"] == "继续保持。"
    labels = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]
    assert labels[-3:] == ["本人签字：", "直接上司签字：", "总经理签字："]
    assert int(sheet.page_setup.paperSize) == 9  # A4


def test_an_imported_rating_leaves_no_batch_in_the_comments(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    _publish(review)
    Rating.objects.filter(review=review, rater="self").update(
        rated_by=None, comment="导入的评分（批次 ratings-20261206T164453）"
    )
    sheet = _sheet(_client(org, "hr").get(f"/reviews/{review.pk}/xlsx/"))
    assert sheet["L7"].value == "积极主动"  # the supervisor's words; the import's note is no comment


def test_before_publication_the_employee_sees_no_rating_score_or_pay(org: api_org.Org) -> None:
    review = org.reviews["emp"]  # pending_self
    sheet = _sheet(_client(org, "emp").get(f"/reviews/{review.pk}/xlsx/"))
    assert (sheet["I5"].value, sheet["H5"].value) == (30, 0.95)  # a computed item: shown
    assert sheet["K7"].value is None and sheet["I7"].value is None  # the supervisor's rating: not yet
    assert "积极主动" not in [sheet.cell(7, 12).value]
    assert sheet["I8"].value is None  # no score
    assert sheet["J7"].value == 90  # her own rating
    # the evaluator sees it all (the self-review was submitted)
    sheet = _sheet(_client(org, "mgr").get(f"/reviews/{review.pk}/xlsx/"))
    assert (sheet["I7"].value, sheet["J7"].value, sheet["K7"].value, sheet["I8"].value) == (32, 90, 80, 62)


@pytest.mark.parametrize("outsider", ["emp2", "mgr2", "dir", "cs", "admin", "nobody"])
@pytest.mark.parametrize("form", ["xlsx", "print"])
def test_an_outsider_gets_404_and_nothing_is_audited(org: api_org.Org, outsider: str, form: str) -> None:
    review = org.reviews["emp"]
    before = AuditEntry.objects.count()
    response = _client(org, outsider).get(f"/reviews/{review.pk}/{form}/")
    assert response.status_code == 404
    assert AuditEntry.objects.count() == before


def test_a_missing_review_is_404(org: api_org.Org) -> None:
    assert _client(org, "hr").get("/reviews/999999/xlsx/").status_code == 404


def test_signed_out_goes_to_login(org: api_org.Org) -> None:
    response = Client().get(f"/reviews/{org.reviews['emp'].pk}/xlsx/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("insider", ["emp", "mgr", "hr", "gm"])
@pytest.mark.parametrize("form", ["xlsx", "print"])
def test_every_export_by_an_insider_is_audited(org: api_org.Org, insider: str, form: str) -> None:
    review = org.reviews["emp"]
    response = _client(org, insider).get(f"/reviews/{review.pk}/{form}/")
    assert response.status_code == 200
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        insider,
        "scorecard.export",
        "review",
        str(review.pk),
    )
    assert entry.after == {"format": form, "employee": "E012", "period": "2026-03"}


def test_the_print_page(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    _publish(review)
    response = _client(org, "emp").get(f"/reviews/{review.pk}/print/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "2026年3月绩效考核表：艾运营（E012）" in content
    for header in HEADERS:
        assert f">{header}</th>" in content
    assert 'rowspan="2"' in content  # 销售额达成's two bands
    assert '<td class="matched">&lt; 100%' in content
    # 实际值, 目标, 完成率 of 销售额达成; 评语 without the computation in words
    assert '<td class="num" rowspan="2">95,000</td><td class="num" rowspan="2">100,000</td>' in content
    assert '<td class="num" rowspan="2">95.0%</td>' in content
    assert "落在" not in content
    assert "<strong>62.0</strong>" in content
    for line in ("本人签字：", "直接上司签字：", "总经理签字："):
        assert line in content
    assert '<button type="button" data-print>' in content  # printed by static/shopkpi/page.js
    assert f"/reviews/{review.pk}/xlsx/" in content
