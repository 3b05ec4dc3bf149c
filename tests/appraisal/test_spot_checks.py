"""Spot checks feeding the supervisor-rated item of seed 002's 客服专员 card (主管每个星期会随机抽取若干客户
进行考察打分, 占75%; 月底自我鉴定, 占25%), through the built-in template and the real engine.

P01 (孙客服) is evaluated by G01 (user gm). The warehouse is stood in for by the week's received
orders (`served_orders` is tested on its own in tests/data/test_served_cases.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from appraisal.workflow_company import Company, build_company, open_month, recompute_month
from shopkpi.appraisal.models import AuditEntry, Position, Review, SpotCheckCase
from shopkpi.appraisal.periods import cycles
from shopkpi.appraisal.policy import ActionRefused, ReviewNotFound
from shopkpi.appraisal.reviews import review_scoring
from shopkpi.appraisal.reviews.workflow import WorkflowError, perform
from shopkpi.appraisal.spot_checks import service
from shopkpi.appraisal.spot_checks.draw import draw
from shopkpi.data.metrics.served_cases import ServedOrder
from shopkpi.scorecard.loader import builtin_template_dir

pytestmark = pytest.mark.django_db
S002 = "s002-customer-service"
HOME = Path(".")
CHECKLIST = ("服务态度", "专业性", "响应", "规范用语")


def _orders(week_start: dt.date, buyers: int) -> list[ServedOrder]:
    return [
        ServedOrder(
            f"O{week_start.day:02d}{n:02d}",
            "旗舰店",
            f"buyer{n:02d}",
            "旗舰店:小冰",
            dt.datetime.combine(week_start, dt.time(10, n)),
            "paid",
            Decimal("99.00"),
        )
        for n in range(1, buyers + 1)
    ]


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    text = (builtin_template_dir() / f"{S002}.yaml").read_text(encoding="utf-8")
    cycles.new_template_version(company.user("hr"), S002, text)
    position = Position.objects.create(name="客服专员", template_id=S002)
    company.employees["P01"].position = position
    company.employees["P01"].save()

    def received(home: Any, review: Review, week: Any, cases_of: str) -> dict[str, list[ServedOrder]]:
        found: dict[str, list[ServedOrder]] = {}
        for order in _orders(week.start, 12):
            found.setdefault(order.buyer, []).append(order)
        return found

    monkeypatch.setattr(service, "_candidates", received)
    open_month(company)
    review = company.review("P01")
    review.values = {**review.values, "cs_paid_amount": "10000", "中评修改": "1", "差评修改": "0"}
    review.save(update_fields=["values"])
    review_scoring.recompute(review)
    return company


def score(co: Company, case: SpotCheckCase, points: tuple[int, int, int, int], note: str = "") -> None:
    service.score_case(
        co.user("gm"), co.review("P01").pk, case.pk, dict(zip(CHECKLIST, map(str, points), strict=True)), note
    )


def test_a_weeks_draw_repeats_with_its_seed_and_is_stored_with_it(co: Company) -> None:
    review = co.review("P01")
    made = service.draw_week(co.user("gm"), review.pk, 2, HOME, seed=4242)
    # week 2 of 2026-09: Monday 7 to Sunday 13; five cases (the template's per_week) of twelve buyers
    assert (made.first_day, made.last_day, made.seed, made.size, made.population) == (
        dt.date(2026, 9, 7),
        dt.date(2026, 9, 13),
        4242,
        5,
        12,
    )
    keys = [c.key for c in made.cases.all()]
    buyers = [f"buyer{n:02d}" for n in range(1, 13)]
    assert keys == draw(4242, buyers, 5)
    assert made.cases.first().orders[0]["order_id"] == f"O07{keys[0][-2:]}"  # type: ignore[union-attr]
    # drawn again with the same seed (nothing scored yet): the same cases; another seed: others
    again = service.draw_week(co.user("gm"), review.pk, 2, HOME, seed=4242)
    assert [c.key for c in again.cases.all()] == keys
    other = service.draw_week(co.user("gm"), review.pk, 2, HOME, seed=4243, size=3)
    assert [c.key for c in other.cases.all()] == draw(4243, buyers, 3) != keys[:3]
    assert AuditEntry.objects.filter(action="spot_check.draw").count() == 3


def test_the_months_average_feeds_the_75_percent_item_through_the_engine(co: Company) -> None:
    gm, review = co.user("gm"), co.review("P01")
    week2 = service.draw_week(gm, review.pk, 2, HOME, seed=11, size=2)
    week3 = service.draw_week(gm, review.pk, 3, HOME, seed=12, size=2)
    a, b = week2.cases.all()
    c, d = week3.cases.all()
    score(co, a, (90, 80, 100, 70))  # (90 + 80 + 100 + 70) / 4 = 85
    score(co, b, (100, 100, 90, 90), note="主动推荐搭配")  # 380 / 4 = 95
    score(co, c, (60, 70, 80, 91))  # 301 / 4 = 75.25
    # d is not scored: it does not count
    perform(co.user("p01"), co.review("P01"), "save_self", ratings={"spot_check": "80"})  # 月底自我鉴定
    review = co.review("P01")
    # supervisor's rating = (85 + 95 + 75.25) / 3 = 255.25 / 3 = 85.08333… (28 significant digits)
    item = review.result["items"][0]
    assert Decimal(item["rating"]) == Decimal("255.25") / 3
    # score = 75% × 85.08333… + 25% × 80 = 63.8125 + 20 = 83.8125 → 83.8 (one decimal, half-up)
    assert review.score == Decimal("83.8")
    # 绩效系数 of 83.8 is 1.2: 500 × 1.2 + 2% × 10000 + 10 × 1 + 20 × 0 = 600 + 200 + 10 = 810.00
    assert review.pay == Decimal("810.00")
    fed = item["fed"]
    assert (fed["kind"], fed["count"]) == ("spot_check", 3)
    assert [(x["week"], x["key"], x["score"]) for x in fed["cases"]] == [
        (2, a.key, "85"),
        (2, b.key, "95"),
        (3, c.key, "75.25"),
    ]
    assert fed["cases"][1]["note"] == "主动推荐搭配" and fed["cases"][0]["seed"] == 11
    assert fed["cases"][0]["scores"] == {"服务态度": "90", "专业性": "80", "响应": "100", "规范用语": "70"}
    assert d.pk not in {x["case"] for x in fed["cases"]}
    recompute_month()  # the month computed again for everyone reads the cases prefetched: the same result
    again = co.review("P01")
    assert again.score == Decimal("83.8") and again.result["items"][0]["fed"] == fed


def test_a_fed_item_is_not_typed_and_counts_as_rated_on_submission(co: Company) -> None:
    gm = co.user("gm")
    perform(co.user("p01"), co.review("P01"), "save_self", ratings={"spot_check": "80"})
    perform(co.user("p01"), co.review("P01"), "submit_self")
    case = service.draw_week(gm, co.review("P01").pk, 1, HOME, seed=5, size=1).cases.get()
    score(co, case, (80, 80, 80, 80))
    with pytest.raises(WorkflowError) as refused:
        perform(gm, co.review("P01"), "rate", ratings={"spot_check": "100"})
    assert refused.value.code == "item_fed_by_spot_checks"
    perform(gm, co.review("P01"), "rate", ratings={"spot_check": ""}, comment="好")  # the form's empty field
    perform(
        gm,
        co.review("P01"),
        "record_interview",
        held_on="2026-10-05",
        strengths="耐心",
        improvements="话术",
        plan="每周复盘",
    )
    perform(gm, co.review("P01"), "submit_supervisor")
    review = co.review("P01")
    assert review.status == Review.Status.PENDING_HR
    assert review.score == Decimal("80")  # 75% × 80 + 25% × 80
    with pytest.raises(ActionRefused):  # once submitted, the spot checks are closed
        score(co, case, (100, 100, 100, 100))


def test_without_a_scored_case_the_supervisor_rates_the_item_directly(co: Company) -> None:
    gm = co.user("gm")
    service.draw_week(gm, co.review("P01").pk, 1, HOME, seed=5, size=1)  # drawn, not scored
    perform(co.user("p01"), co.review("P01"), "save_self", ratings={"spot_check": "80"})
    perform(co.user("p01"), co.review("P01"), "submit_self")
    perform(gm, co.review("P01"), "rate", ratings={"spot_check": "60"})
    review = co.review("P01")
    assert review.score == Decimal("65")  # 75% × 60 + 25% × 80 = 45 + 20
    assert "fed" not in review.result["items"][0]


def test_who_may_see_draw_and_score(co: Company) -> None:
    review = co.review("P01")
    with pytest.raises(ReviewNotFound):  # the agent sees the cases in the published explanation only
        service.week_page(co.user("p01"), review.pk, 1)
    with pytest.raises(ReviewNotFound):  # another supervisor does not know the review exists
        service.week_page(co.user("m01"), review.pk, 1)
    page = service.week_page(co.user("hr"), review.pk, 1)  # HR looks, does not draw
    assert page.refusal is not None and page.draw is None
    with pytest.raises(ActionRefused):
        service.draw_week(co.user("hr"), review.pk, 1, HOME)
    assert service.week_page(co.user("gm"), review.pk, 1).refusal is None


def test_a_scored_week_is_not_drawn_again_and_bad_scores_change_nothing(co: Company) -> None:
    gm, review = co.user("gm"), co.review("P01")
    case = service.draw_week(gm, review.pk, 1, HOME, seed=5, size=2).cases.first()
    assert case is not None
    for points, code in (
        ({"服务态度": "90", "专业性": "80", "响应": "100"}, "score_missing"),
        ({"服务态度": "90", "专业性": "80", "响应": "100", "规范用语": "101"}, "bad_score"),
        ({"服务态度": "90", "专业性": "80", "响应": "100", "规范用语": "9.999"}, "bad_score"),
        ({"服务态度": "90", "专业性": "80", "响应": "100", "规范用语": "90", "颜值": "1"}, "unknown_point"),
    ):
        with pytest.raises(WorkflowError) as refused:
            service.score_case(gm, review.pk, case.pk, points)
        assert refused.value.code == code
    assert SpotCheckCase.objects.get(pk=case.pk).scored_at is None
    score(co, case, (90, 90, 90, 90))
    with pytest.raises(WorkflowError) as refused:
        service.draw_week(gm, review.pk, 1, HOME, seed=6)
    assert refused.value.code == "already_scored"
    for size, seed in (("0", "1"), ("51", "1"), ("5", "-1"), ("5", "abc")):
        with pytest.raises(WorkflowError):
            service.draw_week(gm, review.pk, 2, HOME, size=size, seed=seed)
    with pytest.raises(ReviewNotFound):  # a week the month does not have
        service.week_page(gm, review.pk, 7)


def test_an_appealed_case_hr_accepts_leaves_the_average(co: Company) -> None:
    gm, p01 = co.user("gm"), co.user("p01")
    perform(p01, co.review("P01"), "save_self", ratings={"spot_check": "80"})
    perform(p01, co.review("P01"), "submit_self")
    a, b = service.draw_week(gm, co.review("P01").pk, 2, HOME, seed=3, size=2).cases.all()
    score(co, a, (60, 60, 60, 60))  # 60
    score(co, b, (90, 90, 100, 100))  # 95
    perform(
        gm,
        co.review("P01"),
        "record_interview",
        held_on="2026-10-05",
        strengths="耐心",
        improvements="话术",
        plan="每周复盘",
    )
    perform(gm, co.review("P01"), "submit_supervisor")
    perform(co.user("hr"), co.review("P01"), "submit_hr")
    perform(co.user("vgm"), co.review("P01"), "approve")
    review = co.review("P01")
    # (60 + 95) / 2 = 77.5; 75% × 77.5 + 25% × 80 = 58.125 + 20 = 78.125 → 78.1
    assert review.score == Decimal("78.1")
    with pytest.raises(WorkflowError) as refused:  # a case that is not this review's
        perform(
            p01,
            review,
            "appeal",
            items=[
                {
                    "item_key": "spot_check",
                    "reason": "x",
                    "points": [{"kind": "spot_check", "ref": {"case": 0}, "claim": "unfair"}],
                }
            ],
        )
    assert refused.value.code == "unknown_case"
    perform(
        p01,
        co.review("P01"),
        "appeal",
        items=[
            {
                "item_key": "spot_check",
                "reason": "该客户是售后转来的",
                "points": [{"kind": "spot_check", "ref": {"case": a.pk}, "claim": "not_mine"}],
            }
        ],
    )
    point = co.review("P01").appeals.get().points.get()
    assert point.ref == {"case": a.pk, "week": 2, "key": a.key, "score": "60"}
    perform(
        co.user("hr"),
        co.review("P01"),
        "decide_appeal",
        outcome="amended",
        note="核对聊天记录属实",
        points=[{"id": point.pk, "decision": "drop", "reason": "售后转接，不计"}],
    )
    review = co.review("P01")
    # only b counts now: 95; 75% × 95 + 25% × 80 = 71.25 + 20 = 91.25 → 91.3 (half-up)
    assert review.score == Decimal("91.3")
    fed = review.result["items"][0]["fed"]
    assert [c["key"] for c in fed["cases"]] == [b.key]
    assert fed["dropped"] == [{"week": 2, "key": a.key, "score": "60", "reason": "售后转接，不计"}]
    assert AuditEntry.objects.filter(action="spot_check.drop").count() == 1
