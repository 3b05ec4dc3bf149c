"""What the GM approval page lists: the reviews of open cycles matching a filter (period, department,
state, a 工号 or name; by default those waiting for the GM), fifty a page, and the totals of the whole filter. Its export
(`exports.approvals`, written by `shopkpi worker` past `export_jobs.IN_REQUEST` lines) lists the same.

Every number here is a query over the filter, never a loop over its rows, so a page costs the same few
queries for ten reviews or a thousand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet, Sum

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts.roles import employee_of
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.pay import pay_totals
from shopkpi.appraisal.pay.pay_totals import PayTotals
from shopkpi.appraisal.reviews.list_filters import of_department_and_person

S = Review.Status
PER_PAGE = 50
ALL = "all"


@dataclass(frozen=True)
class ApprovalFilter:
    period: str = ""
    department: int | None = None
    state: str = S.PENDING_GM
    q: str = ""  # part of the employee's 工号 or name

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> ApprovalFilter:
        """The filter of the page's address (the forms post to an address carrying it too)."""
        department = query.get("department", "")
        state = query.get("state", S.PENDING_GM)
        return cls(
            period=query.get("period", "").strip(),
            department=int(department) if department.isdigit() else None,
            state=state if state in S.values or state == ALL else S.PENDING_GM,
            q=query.get("q", "").strip(),
        )

    def query_string(self) -> str:
        """The filter as an address's query (without the page), for links and form actions."""
        fields: dict[str, Any] = {"state": self.state}
        if self.period:
            fields["period"] = self.period
        if self.department is not None:
            fields["department"] = self.department
        if self.q:
            fields["q"] = self.q
        return urlencode(fields)


def matching(user: Any, chosen: ApprovalFilter) -> QuerySet[Review]:
    """The reviews of open cycles the user sees that match the filter, in the page's order."""
    reviews = policy.visible_reviews(user).filter(cycle__status=Cycle.Status.OPEN)
    if chosen.period:
        reviews = reviews.filter(cycle__period=chosen.period)
    if chosen.state != ALL:
        reviews = reviews.filter(status=chosen.state)
    reviews = of_department_and_person(reviews, chosen.department, chosen.q)
    return reviews.order_by("-cycle__period", "employee__department__name", "employee__code", "pk")


def with_page_columns(reviews: QuerySet[Review]) -> QuerySet[Review]:
    # the employee's login: the policy's 回避 asks whether they hold HR or GM
    return reviews.select_related(
        "employee__department",
        "employee__position",
        "employee__user",
        "cycle",
        "evaluator",
        "template_version",
    ).annotate(adjusted=Sum("adjustments__amount"))


def approvable(user: Any, reviews: QuerySet[Review]) -> QuerySet[Review]:
    """Of `reviews`, those waiting for the GM that the user may approve: not their own (回避).

    The same rule as `policy.refusal(user, review, "approve")` for a GM user on an open cycle, as a
    query; approving still asks the policy of every review."""
    waiting = reviews.filter(status=S.PENDING_GM)
    own = employee_of(user)
    return waiting if own is None else waiting.exclude(employee=own)


def totals(reviews: QuerySet[Review]) -> PayTotals:
    """How many reviews, and their pay by the rule of `pay_totals` (two aggregate queries)."""
    return pay_totals.of_reviews(reviews)
