"""Refusals of the appraisal app read in the page's language: Chinese by default, English with the switch.

Each message is produced by the real step (perform, open_cycle, archive …) once with zh-Hans active and
once with English, and compared with the whole text written out here, specifics included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone, translation

from appraisal.workflow_company import Company, advance, build_company, open_month, recompute_month
from shopkpi.appraisal.models import ActionItem, Review, Transition
from shopkpi.appraisal.periods import cycles
from shopkpi.appraisal.periods.consequences import close_action_item
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.workflow import StaleReview, WorkflowError, perform

pytestmark = pytest.mark.django_db
S = Review.Status


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    open_month(company)
    return company


def refusal_in(language: str, step: Callable[[], Any]) -> Exception:
    with translation.override(language):
        try:
            step()
        except (WorkflowError, ActionRefused) as exc:
            return exc
    raise AssertionError("the step was not refused")


def both(step: Callable[[], Any]) -> tuple[str, str]:
    return str(refusal_in("zh-hans", step)), str(refusal_in("en", step))


def test_a_rating_with_three_decimals(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_SUPERVISOR)
    zh, en = both(lambda: perform(co.user("m01"), review, "rate", ratings={"attitude": "85.125"}))
    assert zh == "指标「工作态度」的评分 85.125 超过两位小数。"
    assert en == "The rating 85.125 of item 「工作态度」 has more than 2 decimals."
    assert refusal_in(
        "en", lambda: perform(co.user("m01"), review, "rate", ratings={"attitude": "85.125"})
    ).code == ("bad_rating")


def test_a_rating_that_is_no_number_nor_level_names_the_levels(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_SUPERVISOR)
    zh, en = both(lambda: perform(co.user("m01"), review, "rate", ratings={"attitude": "很好"}))
    assert zh == "“很好”不是指标「工作态度」的评分（0–100 的数字，或等级：优、良、差）。"
    assert en == "'很好' is not a rating of item 「工作态度」 (a number 0–100, or a level: 优, 良, 差)."
    zh, en = both(lambda: perform(co.user("m01"), review, "rate", ratings={"attitude": "101"}))
    assert (zh, en) == (
        "指标「工作态度」的评分 101 超出 0–100。",
        "The rating 101 of item 「工作态度」 is outside 0–100.",
    )


def test_an_appeal_after_the_window_names_when_it_closed(co: Company) -> None:
    review = advance(co, "E01", S.PUBLISHED)
    closed = timezone.make_aware(dt.datetime(2026, 10, 20, 18, 0))  # local time (Asia/Shanghai)
    Review.objects.filter(pk=review.pk).update(appeal_deadline=closed)
    review.refresh_from_db()
    zh, en = both(
        lambda: perform(co.user("e01"), review, "appeal", items=[{"item_key": "attitude", "reason": "x"}])
    )
    assert zh == "申诉期已于 2026-10-20 18:00 结束；现在只能签字确认。"
    assert en == "The appeal window closed at 2026-10-20 18:00; the review can only be acknowledged now."


def test_a_stale_save_names_who_saved_when_and_with_which_step(co: Company) -> None:
    loaded = co.review("E01")
    perform(co.user("e01"), co.review("E01"), "save_self", self_assessment="第一版")
    review_id = loaded.pk
    saved = Transition.objects.get(review_id=review_id, action="save_self")
    at = timezone.localtime(saved.at).strftime("%Y-%m-%d %H:%M:%S")
    zh_error = refusal_in(
        "zh-hans", lambda: perform(co.user("e01"), loaded, "save_self", self_assessment="第二版")
    )
    en_error = refusal_in(
        "en", lambda: perform(co.user("e01"), loaded, "save_self", self_assessment="第二版")
    )
    assert isinstance(zh_error, StaleReview) and zh_error.code == en_error.code == "stale_review"
    assert str(zh_error) == (
        f"考核 {review_id} 在您打开之后已被 e01 于 {at} 保存（保存自评）（您打开的是第 1 版，现在是第 2 版）；请刷新后重试。"
    )
    assert str(en_error) == (
        f"Review {review_id} was saved by e01 at {at} (Save the self-review) after you loaded it "
        "(your version 1, now version 2); reload it and try again."
    )


def test_a_foreign_users_action_and_a_step_out_of_turn(co: Company) -> None:
    review = co.review("E01")
    zh, en = both(lambda: perform(co.user("e02"), review, "save_self", self_assessment="x"))
    assert (zh, en) == (
        "只有本人可以保存自评。",
        "Only the employee may take the step “Save the self-review”.",
    )
    assert refusal_in("en", lambda: perform(co.user("e02"), review, "save_self")).code == "wrong_party"
    zh, en = both(lambda: perform(co.user("hr"), review, "submit_hr"))
    assert zh == "考核当前处于「待自评」，不能人事核准。"
    assert en == "The review is waiting for the self-review; the step “HR's check” is not possible now."
    assert refusal_in("zh-hans", lambda: perform(co.user("hr"), review, "submit_hr")).code == "wrong_status"


def test_recusal_names_the_step_another_user_must_take(co: Company) -> None:
    review = advance(co, "H01", S.PENDING_HR)
    zh, en = both(lambda: perform(co.user("hr"), review, "submit_hr"))
    assert zh == "回避：本人的考核只能以员工身份操作；人事核准须由另一位人事或总经理完成。"
    assert en == (
        "Recusal: nobody acts on their own review in any role but the employee's; another HR or GM "
        "user must take the step “HR's check”."
    )


def test_the_interview_record_names_what_is_missing(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_SUPERVISOR)
    zh, en = both(
        lambda: perform(
            co.user("m01"),
            review,
            "record_interview",
            held_on="2026-10-05",
            strengths="执行力",
            improvements=" ",
            plan="",
        )
    )
    assert (zh, en) == ("面谈表还缺：待改进、改进计划。", "The interview record needs: improvements, plan.")
    zh, en = both(lambda: perform(co.user("m01"), review, "submit_supervisor"))
    assert zh == "请先记录考评面谈（面谈表）；没有面谈记录的考核不能提交人事。"
    assert en == "Record the one-to-one interview first; a review cannot go to HR without it."


def test_an_incomplete_review_names_the_item_and_the_missing_value(co: Company) -> None:
    co.shop.gmv["E01"] = None
    recompute_month()
    review = advance(co, "E01", S.PENDING_HR)
    error = refusal_in("zh-hans", lambda: perform(co.user("hr"), review, "submit_hr"))
    assert error.code == "review_incomplete"
    assert str(error) == (
        "考核不完整（缺：「销售完成率」）；请先以修正数值（写明原因）补上缺失的数值，再提交总经理（缺失的数值：gmv）。"
    )
    english = str(refusal_in("en", lambda: perform(co.user("hr"), review, "submit_hr")))
    assert english.startswith("The review is incomplete (missing: 「销售完成率」); ")
    assert english.endswith("before it goes to the GM (missing values: gmv).")


def test_numbers_name_the_field_and_the_limit(co: Company) -> None:
    review = advance(co, "E01", S.PENDING_HR)
    zh, en = both(lambda: perform(co.user("hr"), review, "adjust_pay", amount="12.345", reason="全勤"))
    assert (zh, en) == ("金额 12.345 超过 2 位小数。", "the amount 12.345 has more than 2 decimals.")
    zh, en = both(lambda: perform(co.user("hr"), review, "override", name="gmv", value="abc", reason="补录"))
    assert (zh, en) == ("数值必须是数字，“abc”不是。", "the value must be a number, not 'abc'.")


def test_cycle_refusals(co: Company) -> None:
    zh, en = both(lambda: cycles.open_cycle(co.user("e01"), "2026-10"))
    assert (zh, en) == ("只有人事可以开启考核期。", "Only HR may open a cycle.")
    zh, en = both(lambda: cycles.open_cycle(co.user("hr"), "2026-13"))
    assert (
        zh
        == "“2026-13”不是考核期：月度写作 YYYY-MM（如 2026-03），季度写作 YYYY-Qn（如 2026-Q3），年度写作 YYYY（如 2026）。"
    )
    assert en == (
        "'2026-13' is not a period: a month is written YYYY-MM (2026-03), a quarter YYYY-Qn (2026-Q3), a year YYYY (2026)."
    )
    advance(co, "E01", S.PENDING_GM)
    cycle = co.review("E01").cycle
    error = refusal_in("zh-hans", lambda: cycles.archive_cycle(co.user("hr"), cycle))
    assert error.code == "cycle_not_closed"
    assert "E01（待总经理批准）" in str(error) and "还不能归档" in str(error)
    assert "E01 (waiting for the GM's approval)" in str(
        refusal_in("en", lambda: cycles.archive_cycle(co.user("hr"), cycle))
    )


def test_closing_an_action_item_twice(co: Company) -> None:
    review = co.review("E01")
    item = ActionItem.objects.create(
        review=review, employee=review.employee, cycle=review.cycle, action="警告"
    )
    close_action_item(co.user("hr"), item, "已面谈")
    zh, en = both(lambda: close_action_item(co.user("hr2"), item, "再次"))
    assert (zh, en) == (
        f"行动项 {item.pk}（警告）已经关闭。",
        f"Action item {item.pk} (警告) is already closed.",
    )
