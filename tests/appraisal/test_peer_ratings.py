"""Peer evaluation (互评): a `rated_by: peers` item rated by colleagues the evaluator or HR names; its
rating is the average of the ratings given by the time the supervisor submits (those not given are
left out, and say so); with none given the supervisor rates it. Through the real engine, with the
arithmetic written here.

E01 (赵一) reports to M01 (user m01); the colleagues named are E02, P01 and H02."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from appraisal.workflow_company import Company, build_company, open_month, recompute_month
from shopkpi.appraisal.models import AuditEntry, Employee, Position
from shopkpi.appraisal.peer_ratings import service
from shopkpi.appraisal.periods import cycles
from shopkpi.appraisal.policy import ActionRefused, ReviewNotFound, review_for
from shopkpi.appraisal.reviews.workflow import WorkflowError, perform

pytestmark = pytest.mark.django_db

# 销售完成率 weight 60 (gmv 95000 / 100000 = 95% → band 80 → 48 points); 团结协作 weight 40 by peers.
TEMPLATE = """\
id: t-peers
name: 运营（互评）
self_weight: 25%
items:
  - key: attainment
    name: 销售完成率
    weight: 60
    value: gmv / 目标销售额
    bands: {">= 100%": 100, "[80%, 100%)": 80, "< 80%": 0}
  - key: teamwork
    name: 团结协作
    weight: 40
    rated_by: peers
    levels: {优: 100, 良: 80, 中: 60, 差: 40}
"""


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    cycles.new_template_version(company.user("hr"), "t-peers", TEMPLATE)
    position = Position.objects.create(name="运营专员（互评）", template_id="t-peers")
    Employee.objects.filter(code="E01").update(position=position)
    open_month(company)
    return company


def interview_and_submit(co: Company) -> None:
    m01 = co.user("m01")
    perform(
        m01,
        co.review("E01"),
        "record_interview",
        held_on=dt.date(2026, 10, 5),
        strengths="配合积极",
        improvements="数据分析",
        plan="每周复盘",
    )
    perform(m01, co.review("E01"), "submit_supervisor")


def peer_of(code: str, co: Company) -> Any:
    return service.waiting(co.user(code.lower())).get()


def test_the_item_is_the_average_of_the_ratings_given_by_the_deadline(co: Company) -> None:
    named = service.name_raters(co.user("m01"), co.review("E01").pk, "teamwork", "E02, P01，H02")
    assert [p.rater.code for p in named] == ["E02", "P01", "H02"]
    service.rate(co.user("e02"), peer_of("E02", co).pk, "良", "很配合")  # 80
    service.rate(co.user("p01"), peer_of("P01", co).pk, "90")
    perform(co.user("e01"), co.review("E01"), "submit_self")  # nothing to self-rate: peers rate teamwork
    interview_and_submit(co)  # H02 has not rated: the deadline passes
    review = co.review("E01")
    # teamwork = (80 + 90) / 2 = 85 → 40 × 85 / 100 = 34; attainment 48; both totals 82 (the self-review
    # does not rate a peers item): 75% × 82 + 25% × 82 = 82
    assert review.score == Decimal("82")
    teamwork = review.result["items"][1]
    assert (teamwork["rating"], teamwork["points"]) == ("85", "34")
    assert teamwork["fed"] == {
        "kind": "peers",
        "ratings": ["80", "90"],
        "count": 2,
        "named": 3,
        "average": "85",
    }
    recompute_month()  # HR's recompute reads the raters prefetched for everyone: the same result
    assert co.review("E01").result["items"][1]["fed"] == teamwork["fed"]
    with pytest.raises(ActionRefused) as late:  # after the deadline the rating is refused
        service.rate(co.user("hr2"), service.policy.peer_task_for(co.user("hr2"), named[2].pk).pk, "60")
    assert late.value.code == "peer_rating_closed"
    assert not service.waiting(co.user("hr2")).exists()
    assert AuditEntry.objects.filter(action="peer.rate").count() == 2


def test_with_no_rating_given_the_supervisor_rates_the_item(co: Company) -> None:
    service.name_raters(co.user("hr"), co.review("E01").pk, "teamwork", ["E02"])
    perform(co.user("e01"), co.review("E01"), "submit_self")
    with pytest.raises(WorkflowError) as unrated:
        interview_and_submit(co)
    assert unrated.value.code == "ratings_incomplete"
    perform(co.user("m01"), co.review("E01"), "rate", ratings={"teamwork": "中"})  # 60 → 24
    perform(co.user("m01"), co.review("E01"), "submit_supervisor")
    assert co.review("E01").score == Decimal("72")  # 48 + 24


def test_a_typed_rating_gives_way_to_the_peers_and_nobody_self_rates_it(co: Company) -> None:
    service.name_raters(co.user("m01"), co.review("E01").pk, "teamwork", ["E02"])
    with pytest.raises(WorkflowError) as own:
        perform(co.user("e01"), co.review("E01"), "save_self", ratings={"teamwork": "优"})
    assert own.value.code == "item_rated_by_peers"
    service.rate(co.user("e02"), peer_of("E02", co).pk, "差")  # 40 → 16
    perform(co.user("e01"), co.review("E01"), "submit_self")
    with pytest.raises(WorkflowError) as typed:
        perform(co.user("m01"), co.review("E01"), "rate", ratings={"teamwork": "优"})
    assert typed.value.code == "item_fed_by_peers"
    interview_and_submit(co)
    assert co.review("E01").score == Decimal("64")  # 48 + 16


def test_a_rater_sees_the_task_not_the_review(co: Company) -> None:
    service.name_raters(co.user("m01"), co.review("E01").pk, "teamwork", ["E02"])
    peer = peer_of("E02", co)
    assert (peer.review.employee.code, peer.item_key) == ("E01", "teamwork")
    with pytest.raises(ReviewNotFound):  # being named gives no sight of the colleague's review
        review_for(co.user("e02"), co.review("E01").pk)
    for other in ("e01", "m01", "hr", "gm", "p01"):  # the task is the rater's own
        with pytest.raises(ReviewNotFound):
            service.rate(co.user(other), peer.pk, "80")
    with pytest.raises(WorkflowError):
        service.rate(co.user("e02"), peer.pk, "101")


def test_who_names_whom(co: Company) -> None:
    review = co.review("E01")
    with pytest.raises(ActionRefused):  # the employee does not choose their raters
        service.name_raters(co.user("e01"), review.pk, "teamwork", ["E02"])
    with pytest.raises(ReviewNotFound):  # a peer does not see the review at all
        service.name_raters(co.user("e02"), review.pk, "teamwork", ["P01"])
    for codes, code in (
        (["E01"], "recusal"),
        (["X99"], "unknown_employee"),
        ("attainment", "unknown_employee"),
    ):
        with pytest.raises(WorkflowError) as refused:
            service.name_raters(co.user("m01"), review.pk, "teamwork", codes)
        assert refused.value.code == code
    with pytest.raises(WorkflowError) as not_peers:
        service.name_raters(co.user("m01"), review.pk, "attainment", ["E02"])
    assert not_peers.value.code == "not_a_peer_item"
    service.name_raters(co.user("m01"), review.pk, "teamwork", ["E02", "P01"])
    service.rate(co.user("e02"), peer_of("E02", co).pk, "80")
    with pytest.raises(WorkflowError) as rated:  # a colleague who has rated stays named
        service.name_raters(co.user("m01"), review.pk, "teamwork", ["P01"])
    assert rated.value.code == "rater_has_rated"
    kept = service.name_raters(co.user("m01"), review.pk, "teamwork", ["E02", "H02"])
    assert [p.rater.code for p in kept] == ["E02", "H02"]
