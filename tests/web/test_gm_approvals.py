"""The GM pages: the pending_gm reviews with score, grade and pay; approval per review, of a selection
and of the whole cycle; returns to HR with a reason; recusal; and who may open them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_hr_company import PERIOD, S, advance, build_company, client_for, open_month

from shopkpi.appraisal.models import AuditEntry, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    company = build_company(monkeypatch)
    open_month(company)
    for code in ("G01", "E01", "E02", "P01"):
        advance(company, code, S.PENDING_GM)
    return company


def test_only_the_gm_opens_the_approvals(company) -> None:  # type: ignore[no-untyped-def]
    review = company.review("E01")
    for who in ("hr", "e01", "m01"):
        client = client_for(company, who)
        assert client.get("/gm/").status_code == 403
        assert client.get(f"/gm/reviews/{review.pk}/").status_code == 404
        assert client.post(f"/gm/reviews/{review.pk}/approve/").status_code == 404
    assert company.review("E01").status == S.PENDING_GM
    page = client_for(company, "gm").get("/").content.decode()
    assert 'href="/gm/"' in page and "审批" in page and 'href="/hr/"' not in page


def test_the_list_shows_score_grade_and_pay(company) -> None:  # type: ignore[no-untyped-def]
    page = client_for(company, "gm").get("/gm/").content.decode()
    # 80.0 合格; E01 6000 × 10% × 80% = 480, E02 5000 → 400, P01 4000 → 320, G01 20000 → 1600
    assert '<td class="num">80.0</td><td>合格</td><td class="num">¥480.00</td>' in page
    assert "符合筛选条件的考核共 4 份，绩效工资合计 ¥2,800.00，奖惩合计 ¥0.00。" in page
    # the GM's own review: 回避, no buttons
    own = company.review("G01")
    assert f'action="/gm/reviews/{own.pk}/approve/"' not in page and "回避" in page


def test_approve_one_and_return_one_with_a_reason(company) -> None:  # type: ignore[no-untyped-def]
    gm = client_for(company, "gm")
    first, second = company.review("E01"), company.review("E02")
    assert gm.post(f"/gm/reviews/{first.pk}/approve/", {"version": first.version}).status_code == 302
    assert company.review("E01").status == S.PUBLISHED
    refused = gm.post(f"/gm/reviews/{second.pk}/return/", {"version": second.version, "reason": ""})
    assert refused.status_code == 409 and "退回考核需要填写原因。" in refused.content.decode()
    assert (
        gm.post(
            f"/gm/reviews/{second.pk}/return/", {"version": second.version, "reason": "奖金偏高，请复核"}
        ).status_code
        == 302
    )
    assert company.review("E02").status == S.PENDING_HR
    assert AuditEntry.objects.get(action="review.return_to_hr").reason == "奖金偏高，请复核"
    stale = gm.post(f"/gm/reviews/{second.pk}/approve/", {"version": second.version})
    assert stale.status_code == 403  # no longer pending_gm: the step is refused with the reason
    assert (
        client_for(company, "gm").post(f"/gm/reviews/{company.review('G01').pk}/approve/").status_code == 403
    )
    assert (
        client_for(company, "vgm").post(f"/gm/reviews/{company.review('G01').pk}/approve/").status_code == 302
    )


def test_approve_a_selection_all_or_nothing(company) -> None:  # type: ignore[no-untyped-def]
    gm = client_for(company, "gm")
    e01, e02, g01 = (company.review(c).pk for c in ("E01", "E02", "G01"))
    assert gm.post("/gm/approve/", {"reviews": []}).status_code == 409
    refused = gm.post("/gm/approve/", {"reviews": [e01, g01]})  # the GM's own review among them
    assert refused.status_code == 403
    assert company.review("E01").status == S.PENDING_GM  # none approved
    assert gm.post("/gm/approve/", {"reviews": [e01, e02], "reason": "同意"}).status_code == 302
    assert {company.review(c).status for c in ("E01", "E02")} == {S.PUBLISHED}
    assert company.review("P01").status == S.PENDING_GM


def test_approve_the_whole_cycle_leaves_the_gms_own_review(company) -> None:  # type: ignore[no-untyped-def]
    answer = client_for(company, "gm").post(f"/gm/cycles/{PERIOD}/approve/", {"reason": "本月结果同意"})
    assert answer.status_code == 302
    statuses = dict(Review.objects.filter(cycle__period=PERIOD).values_list("employee__code", "status"))
    assert statuses["E01"] == statuses["E02"] == statuses["P01"] == S.PUBLISHED
    assert statuses["G01"] == S.PENDING_GM  # 回避: another GM approves it
    entry = AuditEntry.objects.get(action="cycle.approve_all")
    assert entry.reason == "本月结果同意" and len(entry.after["approved"]) == 3


def test_the_review_page_for_the_gm(company) -> None:  # type: ignore[no-untyped-def]
    review = company.review("E01")
    gm = client_for(company, "gm")
    page = gm.get(f"/gm/reviews/{review.pk}/").content.decode()
    assert "销售完成率" in page and "¥480.00" in page
    assert f'action="/gm/reviews/{review.pk}/approve/"' in page
    answer = gm.post(f"/gm/reviews/{review.pk}/approve/", {"version": review.version, "back": "detail"})
    assert answer["Location"] == f"/gm/reviews/{review.pk}/"
    assert company.review("E01").pay == Decimal("480.00")


def _left() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    from shopkpi.appraisal.models import Notice, Transition

    timed = ("published_at", "appeal_deadline")
    return (
        sorted(Review.objects.values_list("pk", "status", "version", "score", "grade", "pay")),
        [
            (
                e.action,
                e.object_id,
                e.before,
                {k: v for k, v in (e.after or {}).items() if k not in timed},
                e.reason,
            )
            for e in AuditEntry.objects.order_by("id")
        ],
        [
            (t.review_id, t.from_status, t.to_status, t.action, t.reason)
            for t in Transition.objects.order_by("id")
        ]
        + [(n.kind, n.recipient_id, n.review_id) for n in Notice.objects.order_by("id")],
    )


def test_approving_the_ticked_ones_leaves_what_approving_them_one_by_one_in_id_order_leaves(  # type: ignore[no-untyped-def]
    company, django_capture_on_commit_callbacks
) -> None:
    """The ticked reviews are approved together (workflow.approve_reviews): the same reviews, audit
    entries (in order), steps and notices as perform on each in the order of their ids; the same refusal
    (the first in that order) when one may not be approved or does not exist for the GM."""
    from django.db import transaction

    from shopkpi.appraisal.policy import ActionRefused
    from shopkpi.appraisal.reviews.workflow import perform

    gm = client_for(company, "gm")
    ticked = [company.review(c).pk for c in ("P01", "E02", "E01")]  # the page's order, not the ids'
    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            for pk in sorted(ticked):
                perform(company.user("gm"), Review.objects.get(pk=pk), "approve", reason="同意")
        one_by_one = _left()
        transaction.set_rollback(True)
    with django_capture_on_commit_callbacks(execute=True):
        assert gm.post("/gm/approve/", {"reviews": ticked, "reason": "同意"}).status_code == 302
    assert _left() == one_by_one
    # refusals: approved already (the first in id order), and an id the GM cannot see
    before = _left()
    refused = gm.post("/gm/approve/", {"reviews": [company.review("G01").pk, *ticked]})
    assert refused.status_code == 403
    first = min([company.review("G01").pk, *ticked])
    with pytest.raises(ActionRefused) as expected:
        perform(company.user("gm"), Review.objects.get(pk=first), "approve")
    assert str(expected.value) in refused.content.decode()
    assert gm.post("/gm/approve/", {"reviews": [999999]}).status_code == 404
    assert _left() == before
