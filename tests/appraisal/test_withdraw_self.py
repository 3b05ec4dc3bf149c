"""An employee takes a submitted self-review back until the supervisor acts on it (issue 12)."""

from __future__ import annotations

import pytest

from appraisal.workflow_company import Company, build_company, open_month
from shopkpi.appraisal.models import AuditEntry, Review
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.appraisal.reviews.workflow import perform

pytestmark = pytest.mark.django_db
S = Review.Status


@pytest.fixture
def co(monkeypatch: pytest.MonkeyPatch) -> Company:
    company = build_company(monkeypatch)
    open_month(company)
    return company


def test_a_submitted_self_review_is_withdrawn_and_audited(co: Company) -> None:
    e01 = co.user("e01")
    review = perform(e01, co.review("E01"), "save_self", ratings={"attitude": "优"}, self_assessment="初稿")
    review = perform(e01, review, "submit_self")
    review = perform(e01, review, "withdraw_self")
    assert review.status == S.PENDING_SELF and review.submitted_self_at is None
    entry = AuditEntry.objects.filter(action="review.withdraw_self").get()
    assert entry.actor == e01.get_username()
    # the self-review is kept, changed and submitted again
    review = perform(e01, review, "save_self", self_assessment="改好了")
    assert perform(e01, review, "submit_self").status == S.PENDING_SUPERVISOR


def test_no_withdrawal_once_the_supervisor_has_rated_nor_by_anyone_else(co: Company) -> None:
    e01, m01 = co.user("e01"), co.user("m01")
    review = perform(e01, co.review("E01"), "submit_self")
    with pytest.raises(ActionRefused) as refused:
        perform(m01, review, "withdraw_self")
    assert refused.value.code == "wrong_party"
    review = perform(m01, review, "rate", ratings={"attitude": "良"})
    with pytest.raises(ActionRefused) as refused:
        perform(e01, review, "withdraw_self")
    assert refused.value.code == "supervisor_started"
    assert Review.objects.get(pk=review.pk).status == S.PENDING_SUPERVISOR
