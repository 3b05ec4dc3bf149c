"""HR console: a cycle's reviews, one review with HR's actions (override a value with a reason,
submit to the GM, return with a reason, pay adjustment, decide an appeal), and the open appeals.

Every read goes through policy (`visible_reviews`, `review_for`); every action through
`workflow.perform`; what a role may see of a review comes from the API's presenter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal import policy
from shopkpi.appraisal.exports import lists
from shopkpi.appraisal.models import Appeal, AppealPoint, Cycle, Department, Review
from shopkpi.appraisal.reviews import chain, deadlines
from shopkpi.appraisal.reviews.list_filters import of_department_and_person
from shopkpi.appraisal.reviews.row_appeals import drop_override
from shopkpi.appraisal.reviews.workflow import perform
from shopkpi.appraisal.wording import labels
from shopkpi.web.api import presenters
from shopkpi.web.number_format import quantity
from shopkpi.web.pages.common.appeal_points import decision_rows, point_rows
from shopkpi.web.pages.common.list_pages import page_of
from shopkpi.web.pages.hr.access import hr_page, safe_next
from shopkpi.web.pages.review import record as review_record

S = Review.Status
PAGE_SIZE = 100
APPEALS_PER_PAGE = 20  # each with its decision form
HR_ACTIONS = ("override", "submit_hr", "return_to_supervisor", "adjust_pay", "decide_appeal")
DONE = {
    "override": _("修正已保存，得分已重算。"),
    "submit_hr": _("已核准，提交总经理批准。"),
    "return_to_supervisor": _("已退回上级。"),
    "adjust_pay": _("奖惩调整已记录。"),
    "decide_appeal": _("申诉已处理。"),
}


def matching_reviews(request: HttpRequest, cycle: Cycle) -> QuerySet[Review]:
    """The list's rows under the page's filter (`appraisal.exports.lists.matching_reviews`)."""
    return lists.matching_reviews(request.user, cycle, request.GET)


@hr_page()
def review_list(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    reviews = matching_reviews(request, cycle)
    status = request.GET.get("status", "")
    department = request.GET.get("department", "")
    query = request.GET.get("q", "").strip()
    page, links = page_of(request, reviews, PAGE_SIZE)
    today = _today()
    rows = [
        {
            "review": r,
            "status_label": labels.review_state(r.status),
            "overdue": deadlines.overdue(r, today),
            "due": deadlines.due_date(r),
        }
        for r in page
    ]
    return render(
        request,
        "shopkpi/hr/reviews.html",
        {
            "cycle": cycle,
            "rows": rows,
            "page": page,
            "statuses": [(s.value, labels.REVIEW_STATES[s]) for s in S],
            "departments": Department.objects.order_by("name"),
            "status": status,
            "department": department,
            "q": query,
            **links,
        },
    )


def _after_hr(review: Review) -> dict[str, Any]:
    """Where HR's 核准 sends the review, for its button: the GM (the default chain), the next step of a
    chain the company set (by its name), or publication when HR's is the last step."""
    if review.status != S.PENDING_HR:
        return {}
    following = chain.following(review)
    if following is None:
        return {"publish": True}
    return {} if following == chain.default_chain(review)[1] else {"name": following.name}


def _done(action: str, review: Review) -> str:
    if action == "submit_hr" and review.status == S.PUBLISHED:
        return str(_("已核准，考核结果已发布。"))
    step = chain.current_step(review)
    if action == "submit_hr" and step is not None and step != chain.default_chain(review)[1]:
        return str(_("已核准，提交：%(step)s。") % {"step": step.name})
    return str(DONE[action])


def _today() -> dt.date:
    return timezone.localdate()


def _review_page(
    request: HttpRequest, review_id: int, action: str = "", *, error: str = "", status: int = 200
) -> HttpResponse:
    review = policy.review_for(request.user, review_id)
    detail = presenters.detail(request.user, review)
    template = review.template_version.compiled()
    posted = request.POST if request.method == "POST" else {}
    provenance = review.provenance or {}
    values = [
        {
            "name": name,
            "label": labels.variable(name),
            "value": detail.values.get(name),
            "text": quantity(detail.values.get(name), labels.metric_unit(name)),
            "source": provenance.get(name, ""),
        }
        for name in sorted(set(detail.values) | set(template.variables))
    ]
    refusals = {a: policy.refusal(request.user, review, a) for a in HR_ACTIONS}
    points = (
        point_rows(AppealPoint.objects.filter(appeal__review=review).order_by("id")) if detail.appeals else []
    )
    return render(
        request,
        "shopkpi/hr/review.html",
        {
            "review": review,
            "detail": detail,
            "status_label": labels.review_state(review.status),
            "item_rows": review_record.item_rows(template, detail),
            "appeal_records": review_record.appeal_records(review, template),
            "values": values,
            "variables": sorted(template.variables),
            "items": template.items,
            "allowed": {a for a, why in refusals.items() if why is None},
            "recusal": next((why for why in refusals.values() if why and why.startswith("回避")), ""),
            "open_appeals": [a for a in detail.appeals if a.status == Appeal.Status.OPEN],
            "appeal_points": points,
            "row_decisions": decision_rows(review) if detail.appeals else [],
            "points": [p for p in points if p["open"]],
            "error_action": action,
            "error": error,
            "posted": posted,
            "transitions": [
                (
                    t,
                    labels.review_state(t.from_status) if t.from_status else "",
                    labels.review_state(t.to_status),
                )
                for t in detail.transitions
            ],
            "due": deadlines.due_date(review),
            "overdue": deadlines.overdue(review, _today()),
            "after_hr": _after_hr(review),
        },
        status=status,
    )


@hr_page(review_level=True)
def review_page(request: HttpRequest, review_id: int) -> HttpResponse:
    return _review_page(request, review_id)


def _reshow(request: HttpRequest, review_id: int, action: str, error: str) -> HttpResponse:
    return _review_page(request, review_id, action, error=error, status=409)


def _action_data(action: str, post: Any) -> dict[str, Any]:
    if action == "override":
        return {
            "name": post.get("name", ""),
            "value": post.get("value", ""),
            "reason": post.get("reason", ""),
        }
    if action == "return_to_supervisor":
        return {"reason": post.get("reason", "")}
    if action == "adjust_pay":
        return {"amount": post.get("amount", ""), "reason": post.get("reason", "")}
    if action == "decide_appeal":
        data: dict[str, Any] = {"outcome": post.get("outcome", ""), "note": post.get("note", "")}
        data["points"] = [
            {
                "id": name[len("point-") :],
                "decision": post.get(name, ""),
                "reason": post.get(f"point-reason-{name[6:]}", ""),
            }
            for name in post
            if name.startswith("point-") and not name.startswith("point-reason-")
        ]
        if post.get("name"):
            data["overrides"] = [
                {"name": post.get("name"), "value": post.get("value", ""), "reason": post.get("reason", "")}
            ]
        return data
    return {}


@hr_page(review_level=True, reshow=_reshow)
@require_POST
def review_action(request: HttpRequest, review_id: int, action: str) -> HttpResponse:
    if action not in HR_ACTIONS:
        raise Http404("no such action")
    review = policy.review_for(request.user, review_id)
    version = request.POST.get("version", "")
    after = perform(
        request.user,
        review,
        action,
        expected_version=int(version) if version.isdigit() else None,
        **_action_data(action, request.POST),
    )
    messages.success(request, _done(action, after))
    return redirect(safe_next(request, f"/hr/reviews/{review.pk}/"))


@hr_page(review_level=True)
@require_POST
def drop_row_decision(request: HttpRequest, review_id: int, override_id: int) -> HttpResponse:
    review = policy.review_for(request.user, review_id)
    drop_override(request.user, review, override_id)
    messages.success(request, _("已删除未找到数据行的决定。"))
    return redirect(f"/hr/reviews/{review.pk}/#appeals")


@hr_page()
def appeals(request: HttpRequest, period: str) -> HttpResponse:
    """The cycle's appealed reviews with their open appeals, each with the decision form; filtered by
    department and 工号 or name, the filter kept in the page links and on the way back from a decision."""
    cycle = get_object_or_404(Cycle, period=period)
    department = request.GET.get("department", "")
    query = request.GET.get("q", "").strip()
    appealed = of_department_and_person(
        policy.visible_reviews(request.user).filter(cycle=cycle, status=S.APPEALED), department, query
    )
    reviews = (
        appealed
        # the employee's login: the policy's 回避 asks whether they hold HR
        .select_related(
            "employee__department", "employee__position", "employee__user", "cycle", "template_version"
        ).order_by("employee__code")
    )
    page, links = page_of(request, reviews, APPEALS_PER_PAGE)
    open_appeals: dict[int, list[Appeal]] = {}
    on_page = [review.pk for review in page]
    for appeal in (
        Appeal.objects.filter(review__in=on_page, status=Appeal.Status.OPEN)
        .prefetch_related("points")
        .order_by("created_at", "id")
    ):
        open_appeals.setdefault(appeal.review_id, []).append(appeal)
    decided = (
        Appeal.objects.filter(review__cycle=cycle)
        .exclude(status=Appeal.Status.OPEN)
        .select_related("review__employee", "handled_by")
        .order_by("-handled_at")[:50]
    )
    rows = []
    for review in page:
        names = {item.key: item.name for item in review.template_version.compiled().items}
        rows.append(
            {
                "review": review,
                "appeals": [
                    (a, names.get(a.item_key, a.item_key) if a.item_key else _("整体结果"))
                    for a in open_appeals.get(review.pk, [])
                ],
                "variables": sorted(review.template_version.compiled().variables),
                "points": point_rows(p for a in open_appeals.get(review.pk, []) for p in a.points.all()),
                "refusal": policy.refusal(request.user, review, "decide_appeal"),
            }
        )
    return render(
        request,
        "shopkpi/hr/appeals.html",
        {
            "cycle": cycle,
            "rows": rows,
            "decided": decided,
            "outcomes": Appeal.Status,
            "departments": Department.objects.order_by("name"),
            "department": department,
            "q": query,
            "here": request.get_full_path(),
            **links,
        },
    )
