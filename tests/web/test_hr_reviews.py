"""The HR console's review pages: the list, one review with HR's actions (override with a reason,
submit to the GM, return with a reason, pay adjustment, appeal decision), conflicts and recusal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_hr_company import PERIOD, S, advance, build_company, client_for, open_month

from appraisal.workflow_company import use_template
from shopkpi.appraisal.models import Appeal, AuditEntry, PayAdjustment
from shopkpi.appraisal.reviews.workflow import perform

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    company = build_company(monkeypatch)
    open_month(company)
    return company


def test_the_review_list_filters_by_status_department_and_name(company) -> None:  # type: ignore[no-untyped-def]
    advance(company, "E01", S.PENDING_HR)
    hr = client_for(company, "hr")
    page = hr.get(f"/hr/cycles/{PERIOD}/reviews/").content.decode()
    assert "共 8 份" in page
    pending_hr = hr.get(f"/hr/cycles/{PERIOD}/reviews/", {"status": "pending_hr"}).content.decode()
    assert "共 1 份" in pending_hr and "赵一" in pending_hr and "钱二" not in pending_hr
    # 80.0 = 销售完成率 95% → 80 × 60% + 工作态度 良 80 × 40%; pay 6000 × 10% × 80% = ¥480.00
    assert '<td class="num">80.0</td><td>合格</td><td class="num">¥480.00</td>' in pending_hr
    by_name = hr.get(f"/hr/cycles/{PERIOD}/reviews/", {"q": "钱"}).content.decode()
    assert "共 1 份" in by_name and "钱二" in by_name


def test_the_review_page_shows_items_values_and_sources(company) -> None:  # type: ignore[no-untyped-def]
    review = advance(company, "E01", S.PENDING_HR)
    page = client_for(company, "hr").get(f"/hr/reviews/{review.pk}/").content.decode()
    assert "销售完成率" in page and "工作态度" in page
    assert "店铺数据 shop_daily 2026-09: 30 行" in page  # the provenance of gmv
    assert f'action="/hr/reviews/{review.pk}/override/"' in page
    assert f'action="/hr/reviews/{review.pk}/submit_hr/"' in page
    assert f'action="/hr/reviews/{review.pk}/return_to_supervisor/"' in page


def test_override_with_a_reason_rescores_and_is_audited(company) -> None:  # type: ignore[no-untyped-def]
    review = advance(company, "E01", S.PENDING_HR)
    hr = client_for(company, "hr")
    answer = hr.post(
        f"/hr/reviews/{review.pk}/override/",
        {"name": "gmv", "value": "100000", "reason": "补录退款冲回", "version": review.version},
    )
    assert answer.status_code == 302 and answer["Location"] == f"/hr/reviews/{review.pk}/"
    # 100% of target → 100 × 60% + 良 80 × 40% = 92
    assert company.review("E01").score == Decimal("92.0")
    entry = AuditEntry.objects.filter(action="review.override").get()
    assert entry.actor == "hr" and entry.reason == "补录退款冲回" and entry.after["value"] == "100000"
    page = hr.get(answer["Location"]).content.decode()
    assert "修正已保存，得分已重算。" in page and "补录退款冲回" in page


def test_an_override_without_a_reason_shows_the_form_again(company) -> None:  # type: ignore[no-untyped-def]
    review = advance(company, "E01", S.PENDING_HR)
    answer = client_for(company, "hr").post(
        f"/hr/reviews/{review.pk}/override/",
        {"name": "gmv", "value": "100000", "reason": " ", "version": review.version},
    )
    assert answer.status_code == 409
    page = answer.content.decode()
    assert "修正数值需要写明原因。" in page
    assert 'id="override-value" name="value" required value="100000"' in page  # what was typed stays
    assert company.review("E01").score == Decimal("80.0")


def test_a_stale_version_is_refused_with_who_saved_it(company) -> None:  # type: ignore[no-untyped-def]
    review = advance(company, "E01", S.PENDING_HR)
    hr = client_for(company, "hr")
    old = review.version
    perform(company.user("hr2"), review, "adjust_pay", amount="100", reason="全勤奖")
    answer = hr.post(f"/hr/reviews/{review.pk}/submit_hr/", {"version": old})
    assert answer.status_code == 409
    assert "已被 hr2 于" in answer.content.decode()
    assert company.review("E01").status == S.PENDING_HR


def test_submit_to_the_gm_and_return_with_a_reason(company) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    first = advance(company, "E01", S.PENDING_HR)
    assert hr.post(f"/hr/reviews/{first.pk}/submit_hr/", {"version": first.version}).status_code == 302
    assert company.review("E01").status == S.PENDING_GM
    second = advance(company, "E02", S.PENDING_HR)
    assert hr.post(f"/hr/reviews/{second.pk}/return_to_supervisor/", {"reason": ""}).status_code == 409
    assert (
        hr.post(f"/hr/reviews/{second.pk}/return_to_supervisor/", {"reason": "面谈记录太简略"}).status_code
        == 302
    )
    assert company.review("E02").status == S.PENDING_SUPERVISOR
    assert AuditEntry.objects.get(action="review.return_to_supervisor").reason == "面谈记录太简略"
    # not an HR action
    assert hr.post(f"/hr/reviews/{second.pk}/approve/").status_code == 404


def test_hr_never_acts_on_their_own_review(company) -> None:  # type: ignore[no-untyped-def]
    own = advance(company, "H01", S.PENDING_HR)
    hr = client_for(company, "hr")
    page = hr.get(f"/hr/reviews/{own.pk}/").content.decode()
    assert "回避" in page and f'action="/hr/reviews/{own.pk}/submit_hr/"' not in page
    refused = hr.post(f"/hr/reviews/{own.pk}/submit_hr/")
    assert refused.status_code == 403 and "回避" in refused.content.decode()
    assert client_for(company, "hr2").post(f"/hr/reviews/{own.pk}/submit_hr/").status_code == 302


def test_pay_adjustment_from_the_pay_sheet(company) -> None:  # type: ignore[no-untyped-def]
    review = advance(company, "E01", S.PUBLISHED)
    hr = client_for(company, "hr")
    answer = hr.post(
        f"/hr/reviews/{review.pk}/adjust_pay/",
        {"amount": "-50", "reason": "迟到两次", "next": f"/hr/cycles/{PERIOD}/paysheet/"},
    )
    assert answer.status_code == 302 and answer["Location"] == f"/hr/cycles/{PERIOD}/paysheet/"
    assert PayAdjustment.objects.get().amount == Decimal("-50")
    page = hr.get(answer["Location"]).content.decode()
    # ¥480.00 pay − ¥50.00 = ¥430.00
    assert (
        '<td class="num">¥480.00</td><td class="num">—</td>\n'
        '        <td class="num">-¥50.00</td><td class="num">¥430.00</td><td>-50.00 迟到两次</td>' in page
    )
    # an outside next is ignored
    other = hr.post(
        f"/hr/reviews/{review.pk}/adjust_pay/",
        {"amount": "10", "reason": "x", "next": "https://evil.example/"},
    )
    assert other["Location"] == f"/hr/reviews/{review.pk}/"


def test_appeals_are_decided_upheld_or_amended(company) -> None:  # type: ignore[no-untyped-def]
    first = advance(company, "E01", S.PUBLISHED)
    second = advance(company, "E02", S.PUBLISHED)
    for review in (first, second):
        perform(
            review.employee.user, review, "appeal", items=[{"item_key": "attainment", "reason": "退款未剔除"}]
        )
    hr = client_for(company, "hr")
    page = hr.get(f"/hr/cycles/{PERIOD}/appeals/").content.decode()
    assert page.count("退款未剔除") == 2 and "销售完成率" in page
    back = f"/hr/cycles/{PERIOD}/appeals/"
    assert (
        hr.post(f"/hr/reviews/{first.pk}/decide_appeal/", {"outcome": "upheld", "note": ""}).status_code
        == 409
    )
    answer = hr.post(
        f"/hr/reviews/{first.pk}/decide_appeal/", {"outcome": "upheld", "note": "数据无误", "next": back}
    )
    assert answer.status_code == 302 and answer["Location"] == back
    assert company.review("E01").status == S.PUBLISHED
    answer = hr.post(
        f"/hr/reviews/{second.pk}/decide_appeal/",
        {
            "outcome": "amended",
            "note": "剔除退款",
            "name": "gmv",
            "value": "100000",
            "reason": "剔除退款后的销售额",
        },
    )
    assert answer.status_code == 302
    amended = company.review("E02")
    assert amended.status == S.PENDING_GM and amended.score == Decimal("92.0")
    assert set(Appeal.objects.values_list("status", flat=True)) == {"upheld", "amended"}
    assert "没有待处理的申诉。" in hr.get(back).content.decode()


def test_pages_label_a_whole_wage_and_a_position_without_pay(monkeypatch, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    company = build_company(monkeypatch)
    use_template(company, "E02", "t-nopay", "")
    use_template(company, "P01", "t-wage", "pay:\n  amount: 3000 * score / 100\n  kind: wage\n")
    open_month(company)
    for code in ("E01", "E02", "P01"):
        advance(company, code, S.PUBLISHED)
    hr = client_for(company, "hr")
    listed = hr.get(f"/hr/cycles/{PERIOD}/reviews/").content.decode()
    # E01 80 -> 6000 × 10% × 80% = 480 performance pay; E02 none; P01 3000 × 80 / 100 = 2400, a whole wage
    assert '<td class="num">¥480.00</td>' in listed
    assert '<td class="num">本岗位不计绩效工资</td>' in listed
    assert '<td class="num">¥2,400.00（整月工资）</td>' in listed
    wage_page = client_for(company, "p01").get(f"/reviews/{company.review('P01').pk}/").content.decode()
    assert '<h2 id="pay-title">整月工资</h2>' in wage_page and "应发工资" in wage_page
    none_page = client_for(company, "e02").get(f"/reviews/{company.review('E02').pk}/").content.decode()
    assert "<p>本岗位不计绩效工资</p>" in none_page
    printed = client_for(company, "e02").get(f"/reviews/{company.review('E02').pk}/print/").content.decode()
    assert "本岗位不计绩效工资" in printed and "—" not in printed.split("绩效工资（元）")[1].split("</tr>")[0]
