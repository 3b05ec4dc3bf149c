"""The review page (/reviews/<id>/) through Django's test client: confidentiality, the explanation,
the forms of each step, and a stale save.

The company is tests/web/api_org.py: every review reads 销售额 95000 of 目标 100000 (95%, the band
"< 100%" → 50; 60% × 50 = 30 points) and has one rated item 工作态度 (40%).
"""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import api_org
import pytest
from django.test import Client

from shopkpi.appraisal.models import Interview, Rating, Review, TemplateVersion
from shopkpi.appraisal.reviews import workflow
from shopkpi.appraisal.reviews.review_scoring import recompute

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> api_org.Org:
    org = api_org.build(hash_passwords=False)
    for review in org.reviews.values():
        recompute(review)  # as opening a cycle does
    return org


def client_for(org: api_org.Org, key: str) -> Client:
    client = Client()
    client.force_login(org.users[key])
    return client


def page(org: api_org.Org, key: str, review: Review) -> str:
    answer = client_for(org, key).get(f"/reviews/{review.pk}/")
    assert answer.status_code == 200, answer.status_code
    return answer.content.decode()


def version_in(html: str) -> int:
    found = re.search(r'name="expected_version" value="(\d+)"', html)
    assert found, "the page has no form with a version"
    return int(found.group(1))


def to_published(org: api_org.Org, review: Review, *, comment: str = "认真负责，执行到位") -> Review:
    """The review through self-review, the supervisor (rating 80, interview), HR and the GM."""
    users = org.users
    if review.status == "pending_self":
        review = workflow.perform(
            users["emp"], review, "save_self", ratings={"attitude": "90"}, self_assessment="自评"
        )
        review = workflow.perform(users["emp"], review, "submit_self")
    review = workflow.perform(users["mgr"], review, "rate", ratings={"attitude": "80"}, comment=comment)
    review = workflow.perform(
        users["mgr"],
        review,
        "record_interview",
        held_on="2026-04-05",
        strengths="执行力",
        improvements="数据分析",
        plan="每周复盘",
    )
    review = workflow.perform(users["mgr"], review, "submit_supervisor")
    review = workflow.perform(users["hr"], review, "adjust_pay", amount="200.00", reason="加班补贴")
    review = workflow.perform(users["hr"], review, "submit_hr")
    return workflow.perform(users["gm"], review, "approve", reason="同意")


# ---- confidentiality -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "outsider",
    [
        "emp2",  # a peer in the same team
        "mgr2",  # another supervisor of the same department
        "cs",  # someone of another department
        "dir",  # the supervisor's own supervisor (not HR, not GM)
        "hra",  # in the HR department but without the HR role
    ],
)
def test_a_foreign_review_does_not_exist_for_an_outsider(org: api_org.Org, outsider: str) -> None:
    review = org.reviews["emp"]
    client = client_for(org, outsider)
    assert client.get(f"/reviews/{review.pk}/").status_code == 404
    assert client.get(f"/reviews/{review.pk}/actions/").status_code == 404
    posted = client.post(
        f"/reviews/{review.pk}/act/", {"action": "acknowledge", "expected_version": review.version}
    )
    assert posted.status_code == 404
    # and the same answer as for a review that does not exist at all
    assert client.get("/reviews/999999/").status_code == 404


@pytest.mark.parametrize("insider", ["emp", "mgr", "hr", "hr2", "gm", "gm2"])
def test_the_four_parties_see_the_review(org: api_org.Org, insider: str) -> None:
    assert "销售额达成" in page(org, insider, org.reviews["emp"])


def test_the_employee_sees_the_supervisor_part_only_from_publication_on(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    users = org.users
    review = workflow.perform(users["emp"], review, "submit_self")
    review = workflow.perform(
        users["mgr"], review, "rate", ratings={"attitude": "80"}, comment="沟通要更主动"
    )
    before = page(org, "emp", review)
    # the computed item is explained: 95000 / 100000 → 30 points
    assert "30.00" in before
    assert "沟通要更主动" not in before
    assert "上级评分、评语、总分与绩效工资在总经理批准发布后可见。" in before
    assert "the supervisor's rating is missing" not in before  # not even whether it was given
    # 40% × 80 = 32 points of the rated item; the evaluator sees them, the employee does not
    assert "32.00" not in before and "32.00" in page(org, "mgr", review)
    assert 'id="pay-title"' not in before

    published = to_published(org, Review.objects.get(pk=review.pk), comment="沟通要更主动")
    after = page(org, "emp", published)
    assert "沟通要更主动" in after
    assert "32.00" in after  # 40% × 80
    # score 30 + 32 = 62; pay: this template has none, the adjustment ¥200.00 is the pay line
    assert re.search(r'class="num total">62\.0<', after)
    assert 'id="pay-title"' in after and "¥200.00" in after and "加班补贴" in after
    assert "执行力" in after and "每周复盘" in after  # the interview record


def test_the_evaluator_sees_the_self_review_once_submitted(org: api_org.Org) -> None:
    review = workflow.perform(
        org.users["emp"],
        org.reviews["emp"],
        "save_self",
        ratings={"attitude": "95"},
        self_assessment="本月超额完成",
    )
    assert "本月超额完成" not in page(org, "mgr", review)
    review = workflow.perform(org.users["emp"], review, "submit_self")
    assert "本月超额完成" in page(org, "mgr", review)


# ---- the explanation ------------------------------------------------------------------------


def test_the_band_of_the_value_is_highlighted_with_formula_and_source(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    Review.objects.filter(pk=review.pk).update(
        provenance={
            "销售额": "店铺数据 生意参谋 2026-03: 31 行, 批次 b-7",
            "目标": "目标 targets 2026-03, 批次 t-1",
        }
    )
    html = page(org, "emp", review)
    rows = re.findall(
        r"<tr( class=\"match\"[^>]*)?><td>([^<]+)", html.split('class="bands"')[1].split("</table>")[0]
    )
    # 95000 / 100000 = 0.95 falls in "< 100%" (rating 50), not in ">= 100%"
    assert [(unescape(text).strip(), bool(match)) for match, text in rows] == [
        ("≥ 100%", False),
        ("< 100%", True),
    ]
    assert "95.0%" in html
    assert "按区间评分" in html  # the rule in words
    # the calculation in shop words: 95000 / 100000 = 95.0% → band < 100% → 50
    assert "销售额 95,000 / 目标 100,000 = 95.0%，落在 &lt; 100% 档 → 50 分" in html
    # the employee reads no formula, variable code or batch; HR has them under 技术细节
    assert "<code>销售额 / 目标</code>" not in html and "批次 b-7" not in html and "技术细节" not in html
    hr_html = page(org, "hr2", review)
    assert "技术细节" in hr_html and "<code>销售额 / 目标</code>" in hr_html
    assert "生意参谋 2026-03: 31 行, 批次 b-7" in hr_html and "批次 t-1" in hr_html


def test_an_hr_override_shows_who_and_why(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    review = workflow.perform(org.users["emp"], review, "submit_self")
    review = workflow.perform(org.users["mgr"], review, "rate", ratings={"attitude": "80"})
    review = workflow.perform(
        org.users["mgr"],
        review,
        "record_interview",
        held_on="2026-04-05",
        strengths="a",
        improvements="b",
        plan="c",
    )
    review = workflow.perform(org.users["mgr"], review, "submit_supervisor")
    review = workflow.perform(
        org.users["hr2"], review, "override", name="销售额", value="100000", reason="补录退款"
    )
    html = page(org, "gm", review)
    assert "补录退款" in html and "hr2" in html
    # 100000 / 100000 = 100% → band ">= 100%" now
    bands = html.split('class="bands"')[1].split("</table>")[0]
    assert re.search(r'<tr class="match"[^>]*><td>≥ 100%', bands)


# ---- the forms -------------------------------------------------------------------------------


def test_the_self_review_is_saved_and_submitted_through_the_page(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    client = client_for(org, "emp")
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert 'name="rating-attitude"' in html and f'<label for="r{review.pk}-self-attitude">' in html
    saved = client.post(
        f"/reviews/{review.pk}/act/",
        {
            "action": "save_self",
            "expected_version": version_in(html),
            "rating-attitude": "88",
            "self_assessment": "草稿",
        },
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200 and "自评已保存" in saved.content.decode()
    assert Rating.objects.get(review=review, rater="self").value == Decimal("88")
    submitted = client.post(
        f"/reviews/{review.pk}/act/",
        {
            "action": "submit_self",
            "expected_version": version_in(saved.content.decode()),
            "rating-attitude": "90",
            "self_assessment": "本月完成目标",
        },
    )
    assert submitted.status_code == 302 and submitted["Location"] == f"/reviews/{review.pk}/"
    review.refresh_from_db()
    assert (review.status, review.self_assessment) == ("pending_supervisor", "本月完成目标")
    assert Rating.objects.get(review=review, rater="self").value == Decimal("90")
    # the self-review form is gone: submitting is no longer an allowed action
    assert 'value="save_self"' not in client.get(f"/reviews/{review.pk}/").content.decode()


def test_forms_appear_only_for_allowed_actions(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    assert 'value="save_self"' in page(org, "emp", review)
    for key in ("mgr", "hr", "gm"):
        assert 'value="save_self"' not in page(org, key, review)
        assert 'value="rate"' not in page(org, key, review)


def test_a_stale_save_shows_the_clear_message(org: api_org.Org) -> None:
    review = workflow.perform(org.users["emp"], org.reviews["emp"], "submit_self")
    first, second = client_for(org, "mgr"), client_for(org, "mgr")  # two tabs of the evaluator
    loaded = version_in(first.get(f"/reviews/{review.pk}/").content.decode())
    second_version = version_in(second.get(f"/reviews/{review.pk}/").content.decode())
    assert (
        second.post(
            f"/reviews/{review.pk}/act/",
            {
                "action": "rate",
                "expected_version": second_version,
                "rating-attitude": "70",
                "comment": "第二个标签页",
            },
        ).status_code
        == 302
    )
    stale = first.post(
        f"/reviews/{review.pk}/act/",
        {"action": "rate", "expected_version": loaded, "rating-attitude": "85", "comment": "第一个标签页"},
    )
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "保存冲突：此考核在您打开之后已被他人修改。" in html
    assert f"您打开的是第 {loaded} 版，现在是第 {loaded + 1} 版" in html and "mgr" in html
    assert "第一个标签页" in html  # what the user typed is kept
    assert Rating.objects.get(review=review, rater="supervisor").value == Decimal("70")  # nothing lost
    # through HTMX the panel alone answers, with the same message
    partial = first.post(
        f"/reviews/{review.pk}/act/",
        {"action": "rate", "expected_version": loaded, "rating-attitude": "85"},
        HTTP_HX_REQUEST="true",
    )
    assert partial.status_code == 409
    assert "保存冲突" in partial.content.decode() and "<html" not in partial.content.decode()


def test_the_whole_evaluator_step_through_the_pages(org: api_org.Org) -> None:
    review = workflow.perform(
        org.users["emp"],
        org.reviews["emp"],
        "save_self",
        ratings={"attitude": "95"},
        self_assessment="自评内容",
    )
    review = workflow.perform(org.users["emp"], review, "submit_self")
    mgr = client_for(org, "mgr")
    url = f"/reviews/{review.pk}/act/"
    html = mgr.get(f"/reviews/{review.pk}/").content.decode()
    assert "自评 95.00" in html  # the self rating beside the evaluator's field
    # no interview yet: submitting to HR is refused with the reason, status 409
    refused = mgr.post(url, {"action": "submit_supervisor", "expected_version": version_in(html)})
    assert refused.status_code == 409 and "interview" in refused.content.decode()
    # the rating, saved in place (HTMX): the panel answers with the live score
    rated = mgr.post(
        url,
        {"action": "rate", "expected_version": version_in(html), "rating-attitude": "80", "comment": "认真"},
        HTTP_HX_REQUEST="true",
    )
    panel = rated.content.decode()
    assert rated.status_code == 200 and "评分已保存" in panel
    assert "62.00" in panel  # 30 + 40% × 80 = 62
    interviewed = mgr.post(
        url,
        {
            "action": "record_interview",
            "expected_version": version_in(panel),
            "held_on": "2026-04-06",
            "strengths": "执行力强",
            "improvements": "数据分析",
            "plan": "每周复盘",
            "employee_response": "同意",
            "next": "/team/",
        },
    )
    assert interviewed.status_code == 302 and interviewed["Location"] == "/team/"
    assert Interview.objects.get(review=review).employee_response == "同意"
    html = mgr.get(f"/reviews/{review.pk}/").content.decode()
    submitted = mgr.post(url, {"action": "submit_supervisor", "expected_version": version_in(html)})
    assert submitted.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.score, review.supervisor_comment) == ("pending_hr", Decimal("62"), "认真")
    assert 'value="rate"' not in mgr.get(f"/reviews/{review.pk}/").content.decode()


def test_returning_to_the_employee_needs_a_reason(org: api_org.Org) -> None:
    review = workflow.perform(org.users["emp"], org.reviews["emp"], "submit_self")
    mgr = client_for(org, "mgr")
    url = f"/reviews/{review.pk}/act/"
    empty = mgr.post(url, {"action": "return_to_self", "expected_version": review.version, "reason": "  "})
    assert empty.status_code == 409 and "退回考核需要填写原因。" in empty.content.decode()
    back = mgr.post(
        url, {"action": "return_to_self", "expected_version": review.version, "reason": "请补充数据"}
    )
    assert back.status_code == 302
    review.refresh_from_db()
    assert review.status == "pending_self"
    assert "请补充数据" in page(org, "emp", review)  # the reason addressed to the employee


def test_acknowledge_and_appeal_after_publication(org: api_org.Org) -> None:
    published = to_published(org, org.reviews["emp"])
    emp = client_for(org, "emp")
    html = emp.get(f"/reviews/{published.pk}/").content.decode()
    assert "本人签字确认" in html and 'name="appeal-attitude"' in html
    nothing = emp.post(
        f"/reviews/{published.pk}/act/", {"action": "appeal", "expected_version": version_in(html)}
    )
    assert nothing.status_code == 409 and "申诉至少要针对一个指标，并写明理由。" in nothing.content.decode()
    appealed = emp.post(
        f"/reviews/{published.pk}/act/",
        {
            "action": "appeal",
            "expected_version": version_in(html),
            "appeal-attitude": "加班未计入",
            "appeal-sales": "",
        },
    )
    assert appealed.status_code == 302
    published.refresh_from_db()
    assert published.status == "appealed"
    assert [(a.item_key, a.reason) for a in published.appeals.all()] == [("attitude", "加班未计入")]

    review = org.reviews["emp2"]
    users = org.users
    review = workflow.perform(users["emp2"], review, "submit_self")
    review = workflow.perform(users["mgr"], review, "rate", ratings={"attitude": "60"})
    review = workflow.perform(
        users["mgr"],
        review,
        "record_interview",
        held_on="2026-04-05",
        strengths="a",
        improvements="b",
        plan="c",
    )
    review = workflow.perform(users["mgr"], review, "submit_supervisor")
    review = workflow.perform(users["hr"], review, "submit_hr")
    review = workflow.perform(users["gm"], review, "approve")
    emp2 = client_for(org, "emp2")
    html = emp2.get(f"/reviews/{review.pk}/").content.decode()
    signed = emp2.post(
        f"/reviews/{review.pk}/act/", {"action": "acknowledge", "expected_version": version_in(html)}
    )
    assert signed.status_code == 302
    review.refresh_from_db()
    assert review.status == "acknowledged"


def test_an_action_of_another_party_is_refused_with_the_reason(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    answer = client_for(org, "mgr").post(
        f"/reviews/{review.pk}/act/", {"action": "save_self", "expected_version": review.version}
    )
    assert answer.status_code == 403
    html = answer.content.decode()
    # the person stays on the review page they came from, the reason at its forms
    assert "只有本人可以" in html and "艾运营 的 2026-03 月度考核" in html
    assert html.index("只有本人可以") > html.index('id="review-title"')


def test_an_unknown_action_is_a_bad_request(org: api_org.Org) -> None:
    review = org.reviews["emp"]
    answer = client_for(org, "hr").post(
        f"/reviews/{review.pk}/act/", {"action": "delete", "expected_version": 1}
    )
    assert answer.status_code == 400


def test_my_review_goes_to_the_latest_and_a_user_without_reviews_gets_a_list(org: api_org.Org) -> None:
    answer = client_for(org, "emp").get("/reviews/mine/")
    assert answer.status_code == 302 and answer["Location"] == f"/reviews/{org.reviews['emp'].pk}/"
    listed = client_for(org, "nobody").get("/reviews/mine/")
    assert listed.status_code == 200 and "暂无考核。" in listed.content.decode()


def test_the_history_of_earlier_months_as_chart_and_table(org: api_org.Org) -> None:
    from datetime import date

    from shopkpi.appraisal.models import Cycle

    earlier = Cycle.objects.create(
        period="2026-02", self_due=date(2026, 3, 3), supervisor_due=date(2026, 3, 7), hr_due=date(2026, 3, 10)
    )
    current = org.reviews["emp"]
    old = Review.objects.create(
        cycle=earlier,
        employee=current.employee,
        evaluator=current.evaluator,
        template_version=current.template_version,
        status="acknowledged",
        score=Decimal("87.5"),
        grade="合格",
        published_at="2026-03-12T10:00:00+08:00",
    )
    html = page(org, "emp", current)
    assert f'<a href="/reviews/{old.pk}/">2026-02</a>' in html and "87.5" in html
    assert 'id="trend-chart"' in html and '"periods": ["2026-02"]' in html
    assert "/static/vendor/echarts/echarts.min.js" in html


def test_the_page_in_english(org: api_org.Org) -> None:
    client = client_for(org, "emp")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/reviews/{org.reviews['emp'].pk}/").content.decode()
    assert "Self-review" in html and "Rule" in html


LEVELS_TEMPLATE = """\
id: levels-test
name: 等级测试
period: month
self_weight: 20%
grades:
  - {name: 合格, when: ">= 0"}
items:
  - key: sales
    name: 销售额达成
    weight: 60%
    value: 销售额 / 目标
    bands: {">= 100%": 100, "< 100%": 50}
  - key: attitude
    name: 工作态度
    weight: 20%
    rated_by: supervisor
    levels: {优: 100, 良: 80, 中: 60}
  - key: teamwork
    name: 团队合作
    weight: 20%
    rated_by: supervisor
"""


def test_levels_as_a_select_and_a_submit_refused_after_the_save(org: api_org.Org) -> None:
    version = TemplateVersion.objects.create(
        template_id="levels-test", version=1, name="等级测试", text=LEVELS_TEMPLATE
    )
    review = org.reviews["emp"]
    Review.objects.filter(pk=review.pk).update(template_version=version)
    client = client_for(org, "emp")
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert f'<select id="r{review.pk}-self-attitude" name="rating-attitude">' in html
    assert '<option value="良">良（80）</option>' in html
    # an item without levels offers the five-step scale, not a free 0–100 box
    assert f'<select id="r{review.pk}-self-teamwork" name="rating-teamwork">' in html
    teamwork = html.split(f'id="r{review.pk}-self-teamwork"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"', teamwork) == ["100", "80", "60", "40", "0"]
    assert "评分等级：优 100、良 80、中 60。" in html  # the rule in words
    # the self-review counts here (20%): submitting with 团队合作 unrated is refused, the save stands
    answer = client.post(
        f"/reviews/{review.pk}/act/",
        {
            "action": "submit_self",
            "expected_version": version_in(html),
            "rating-attitude": "良",
            "rating-teamwork": "",
        },
    )
    text = answer.content.decode()
    assert answer.status_code == 409
    assert "未能保存：" in text and "保存冲突" not in text and "teamwork" in text
    assert '<option value="良" selected>' in text  # what the user chose is still chosen
    saved = Rating.objects.get(review=review, rater="self", item_key="attitude")
    assert (saved.level, saved.value) == ("良", Decimal("80"))
    assert Review.objects.get(pk=review.pk).status == "pending_self"


def test_hr_and_the_gm_are_pointed_to_their_consoles(org: api_org.Org) -> None:
    review = workflow.perform(org.users["emp"], org.reviews["emp"], "submit_self")
    review = workflow.perform(org.users["mgr"], review, "rate", ratings={"attitude": "80"})
    review = workflow.perform(
        org.users["mgr"],
        review,
        "record_interview",
        held_on="2026-04-05",
        strengths="a",
        improvements="b",
        plan="c",
    )
    review = workflow.perform(org.users["mgr"], review, "submit_supervisor")
    # HR's step is named at the top of the page, with the way to HR's own page for this review
    shown = page(org, "hr", review)
    assert "轮到您：人事核准" in shown and f'href="/hr/reviews/{review.pk}/"' in shown
    assert "当前没有需要您处理的步骤。" in page(org, "emp", review)
