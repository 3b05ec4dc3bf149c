"""Calibration pages (校准): HR sets the target, sees the distribution with the reviews behind each bar and
adjusts a grade with a reason; the GM is warned with the figures before publishing and confirms; the
employee sees "校准调整" with the grade before and the reason on their published review.

Every score of the company is 80 (95000 / 100000 -> 80 × 60% = 48; 良 -> 80 × 40% = 32), grade 合格."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from test_hr_company import PERIOD, Company, S, advance, build_company, client_for, open_month

from shopkpi.appraisal.accounts import tokens
from shopkpi.appraisal.models import AuditEntry, Review

pytestmark = pytest.mark.django_db
EVERYONE = ("G01", "G02", "H01", "H02", "M01", "E01", "E02", "P01")


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any) -> Company:
    settings.HOME = tmp_path
    company = build_company(monkeypatch)
    open_month(company)
    return company


def _text(answer: Any) -> str:
    return str(answer.content.decode("utf-8"))


def test_hr_sets_the_target_and_a_refused_target_changes_nothing(co: Company) -> None:
    hr = client_for(co, "hr")
    page = hr.get("/calibration/targets/")
    assert page.status_code == 200 and "合格" in _text(page)  # the templates' grades are offered
    form = {
        "grade_0": "优秀",
        "at_most_0": "20",
        "at_least_0": "",
        "grade_1": "差",
        "at_most_1": "",
        "at_least_1": "5",
    }
    assert hr.post("/calibration/targets/", form).status_code == 302
    bad = hr.post("/calibration/targets/", {**form, "at_most_0": "120"})
    assert bad.status_code == 409 and "0 到 100 之间的百分比" in _text(bad)
    saved = hr.get("/calibration/targets/")
    assert 'name="at_most_0" value="20"' in _text(saved) or 'value="20"' in _text(saved)
    entry = AuditEntry.objects.filter(action="calibration.targets").get()
    assert entry.after == {"targets": "优秀 ≤ 20%；差 ≥ 5%"}
    assert client_for(co, "gm").get("/calibration/targets/").status_code == 403
    assert client_for(co, "e01").get(f"/calibration/{PERIOD}/").status_code == 403


def test_calibration_shown_to_the_employee_with_its_reason(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_GM)
    hr = client_for(co, "hr")
    page = _text(hr.get(f"/calibration/{PERIOD}/"))
    # the bars, each a link listing its reviews; no review's form until a bar is chosen
    assert "全公司" in page and "运营部" in page and f'action="/calibration/reviews/{review.pk}/"' not in page
    assert 'href="?scope=company&amp;grade=%E5%90%88%E6%A0%BC#chosen"' in page
    page = _text(hr.get(f"/calibration/{PERIOD}/", {"scope": "company", "grade": "合格"}))
    assert f'action="/calibration/reviews/{review.pk}/"' in page and "等级为 合格 的考核共" in page
    back = f"/calibration/{PERIOD}/?scope=company&amp;grade=%E5%90%88%E6%A0%BC&amp;page=1"
    assert f'name="next" value="{back}"' in page  # the calibration comes back to this page of the bar
    answer = hr.post(
        f"/calibration/reviews/{review.pk}/",
        {
            "grade": "优秀",
            "reason": "大促期间独立承担直播间运营",
            "version": review.version,
            "period": PERIOD,
            "next": back.replace("&amp;", "&"),
        },
    )
    assert answer.status_code == 302 and answer["Location"] == back.replace("&amp;", "&")
    employee = client_for(co, "e01")
    before = _text(employee.get(f"/reviews/{review.pk}/"))
    assert "大促期间独立承担直播间运营" not in before  # not before publication
    advance(co, "E01", S.PUBLISHED)
    shown = _text(employee.get(f"/reviews/{review.pk}/"))
    assert (
        "校准调整" in shown and "等级由 合格 调整为 优秀" in shown and "大促期间独立承担直播间运营" in shown
    )
    token, _ = tokens.issue(co.user("e01"))
    api = (
        Client().get(f"/api/reviews/{review.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").json()["calibration"]
    )
    assert (api["grade"], api["score_grade"], api["reason"]) == ("优秀", "合格", "大促期间独立承担直播间运营")
    missing = hr.post(f"/calibration/reviews/{review.pk}/", {"grade": "合格", "reason": "", "period": PERIOD})
    assert missing.status_code == 403  # published: no calibration any more


def test_a_refused_calibration_is_shown_at_its_form(co: Company) -> None:
    review = advance(co, "E02", S.PENDING_HR)
    answer = client_for(co, "hr").post(
        f"/calibration/reviews/{review.pk}/",
        {"grade": "优秀", "reason": " ", "version": review.version, "period": PERIOD},
    )
    assert answer.status_code == 409 and "校准调整等级需要写明原因" in _text(answer)
    assert f'action="/calibration/reviews/{review.pk}/"' in _text(answer)  # its bar listed again, at its form
    assert Review.objects.get(pk=review.pk).grade == "合格"


def test_the_gm_is_warned_with_the_figures_and_confirms(co: Company) -> None:
    for code in EVERYONE:
        advance(co, code, S.PENDING_GM)
    hr = client_for(co, "hr")
    hr.post("/calibration/targets/", {"grade_0": "合格", "at_most_0": "50", "at_least_0": ""})
    gm = client_for(co, "gm")
    # 合格 8 of 8 = 100.0% > 50%
    figures = "全公司 合格 8/8 = 100.0%（目标至多 50%）"
    assert figures in _text(gm.get("/gm/"))
    refused = gm.post(f"/gm/cycles/{PERIOD}/approve/")
    assert refused.status_code == 409 and figures in _text(refused)
    assert not Review.objects.filter(status=S.PUBLISHED).exists()
    assert gm.post(f"/calibration/{PERIOD}/confirm/", {"reason": "首月试行"}).status_code == 302
    assert "已于" in _text(gm.get(f"/calibration/{PERIOD}/"))
    assert gm.post(f"/gm/cycles/{PERIOD}/approve/").status_code == 302
    assert Review.objects.filter(status=S.PUBLISHED).count() == 7  # the GM's own waits (回避)
    assert client_for(co, "hr").post(f"/calibration/{PERIOD}/confirm/").status_code == 403
