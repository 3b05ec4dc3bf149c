"""What the review page shows, for one user: built from the presenter (which obeys the policy), the
template (formulas, bands, rules) and the review's stored provenance; forms only for allowed actions.

`page(request, review)` is the whole page; `actions(request, review)` the forms panel alone (what an
HTMX save answers). On a refused save, `failed` names the form and its posted values are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts import roles
from shopkpi.appraisal.incidents import lists
from shopkpi.appraisal.models import Appeal, AppealPoint, Review
from shopkpi.appraisal.reviews import chain, deadlines, todo
from shopkpi.appraisal.wording import labels
from shopkpi.scorecard.template import Template
from shopkpi.web.api import presenters
from shopkpi.web.api.schemas import ReviewDetailOut
from shopkpi.web.pages.common.appeal_points import point_rows
from shopkpi.web.pages.review.explained import explain, plain_text, rating_inputs
from shopkpi.web.pages.review.forms import PANEL, WHOLE
from shopkpi.web.pages.review.versions import version_rows

EVALUATOR_ACTIONS = ("rate", "record_interview", "submit_supervisor", "return_to_self")
CHAIN_ACTIONS = ("pass_step", "return_step")


@dataclass
class Failure:
    """A save the workflow refused: the message, which form, and what the user had typed."""

    message: str
    action: str
    posted: QueryDict
    stale: bool

    @property
    def panel(self) -> str:
        return PANEL.get(self.action, "")


def safe_next(request: HttpRequest, review: Review) -> str:
    """Where to go after a save: the posted or asked `next` when it is on this site, else the review."""
    wanted = str(request.POST.get("next") or request.GET.get("next") or "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("review", args=[review.pk])


def _initial(failure: Failure | None, panel: str, name: str, default: str) -> str:
    if failure is not None and failure.panel == panel and name in failure.posted:
        return str(failure.posted.get(name, ""))
    return default


def _ratings_form(
    template: Template,
    detail: ReviewDetailOut,
    rater: str,
    failure: Failure | None,
    panel: str,
    fed: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    fields = rating_inputs(template, detail.ratings, rater)
    if rater == "self":  # a peers item (互评) is rated by colleagues, not self-rated
        fields = [f for f in fields if not template.item(f["key"]).rated_by_peers]
    for entry in fields:
        entry["fed"] = (fed or {}).get(entry["key"])  # made from spot checks or peers: shown, not typed
        entry["value"] = _initial(failure, panel, f"rating-{entry['key']}", entry["value"])
        entry["self_value"] = next(
            (i.self_rating for i in detail.items if i.key == entry["key"] and i.self_rating is not None), None
        )
    return fields


def _forms(
    request: HttpRequest, review: Review, template: Template, detail: ReviewDetailOut, failure: Failure | None
) -> dict[str, Any]:
    allowed = set(detail.actions)
    forms: dict[str, Any] = {
        "allowed": allowed,
        "version": detail.version,
        "next": safe_next(request, review),
    }
    if "save_self" in allowed:
        forms["self"] = {
            "ratings": _ratings_form(template, detail, "self", failure, "self"),
            "self_assessment": _initial(failure, "self", "self_assessment", detail.self_assessment or ""),
            "counts": template.self_weight != 0,
        }
    if allowed & set(EVALUATOR_ACTIONS):
        interview = detail.interview
        fields = {
            "held_on": interview.held_on.isoformat() if interview else timezone.localdate().isoformat(),
            "strengths": interview.strengths if interview else "",
            "improvements": interview.improvements if interview else "",
            "plan": interview.plan if interview else "",
            "employee_response": interview.employee_response if interview else "",
        }
        forms["evaluator"] = {
            "ratings": _ratings_form(template, detail, "supervisor", failure, "evaluator", _fed(review)),
            "comment": _initial(failure, "evaluator", "comment", detail.supervisor_comment or ""),
            "interview": {k: _initial(failure, "evaluator", k, v) for k, v in fields.items()},
            "interview_recorded": interview is not None,
            "reason": _initial(failure, "evaluator", "reason", ""),
            "live": live_score(review),
            "self_assessment": detail.self_assessment,
            "next": _first_step(review),
        }
    if allowed & set(CHAIN_ACTIONS):
        step = chain.current_step(review)
        forms["chain"] = {
            "step": step.name if step is not None else "",
            "reason": _initial(failure, "chain", "reason", ""),
            "live": live_score(review),
        }
    if allowed & {"acknowledge", "appeal"}:
        forms["published"] = {
            "appeal_items": [
                {
                    "key": key,
                    "name": name,
                    "reason": _initial(failure, "published", f"appeal-{key}", ""),
                }
                for key, name in [(WHOLE, _("整体结果")), *((i.key, i.name) for i in template.items)]
            ],
            "appeal_deadline": review.appeal_deadline,
        }
    return forms


def _fed(review: Review) -> dict[str, Any]:
    """The items whose supervisor's rating the month's spot checks make, with their cases."""
    entries = (review.result or {}).get("items", [])
    return {str(e.get("key")): e["fed"] for e in entries if isinstance(e, dict) and e.get("fed")}


def next_step(review: Review, detail: ReviewDetailOut, today: Any) -> dict[str, Any] | None:
    """The viewer's own step on this review (the top of the page), with its deadline and, when the
    review was sent back to them, the reason; None when nothing waits for them. HR's and the GM's
    steps are taken on their own pages, linked from here."""
    allowed = set(detail.actions)
    kind, link = None, ""
    if "save_self" in allowed:
        kind = todo.SELF
    elif allowed & set(EVALUATOR_ACTIONS):
        kind = todo.RATE
    elif allowed & set(CHAIN_ACTIONS):
        kind = todo.REVIEW
    elif allowed & {"acknowledge", "appeal"}:
        kind = todo.SIGN
    elif allowed & {"submit_hr", "decide_appeal"}:
        kind = todo.APPEAL if "decide_appeal" in allowed else todo.CHECK
        link = reverse("hr-review", args=[review.pk])
    elif "approve" in allowed:
        kind, link = todo.APPROVE, reverse("gm-review", args=[review.pk])
    if kind is None:
        return None
    last = detail.transitions[-1] if detail.transitions else None
    return {
        "kind": kind,
        "step": _step_title(review, kind),
        "button": labels.todo_button(kind),
        "link": link,
        "due": deadlines.due_date(review),
        "overdue": deadlines.overdue(review, today),
        "appeal_deadline": review.appeal_deadline if kind == todo.SIGN else None,
        "reason": last.reason if last is not None and last.action in todo.RETURNS else "",
    }


def _first_step(review: Review) -> str:
    """The name of the step after the supervisor's when the company or department set their own chain
    (the submit button names it); empty for the default chain (人事核准)."""
    first = chain.chain_of(review)[0]
    return "" if first == chain.default_chain(review)[0] else first.name


def _step_title(review: Review, kind: str) -> str:
    """The viewer's step as the top of the page names it: a named reviewer's by its name in the chain."""
    step = chain.current_step(review) if kind == todo.REVIEW else None
    return step.name if step is not None else labels.todo_step(kind)


def live_score(review: Review) -> dict[str, Any]:
    """The score as it stands: the final one once complete, else the points of the items scored so far."""
    if review.score is not None:
        return {"score": review.score, "partial": False, "scored": None}
    items = [e for e in (review.result or {}).get("items", []) if isinstance(e, dict)]
    points = [Decimal(str(e["points"])) for e in items if e.get("points") is not None]
    if not points:
        return {"score": None, "partial": True, "scored": 0, "items": len(items)}
    return {"score": sum(points, Decimal(0)), "partial": True, "scored": len(points), "items": len(items)}


def _history(user: Any, review: Review) -> list[dict[str, Any]]:
    earlier = (
        policy.visible_reviews(user)
        .filter(employee_id=review.employee_id, cycle__period__lt=review.cycle.period)
        .select_related("cycle")
        .order_by("cycle__period")
    )
    rows = []
    for other in earlier:
        shown = policy.sees_supervisor_part(user, other)
        rows.append(
            {
                "id": other.pk,
                "period": other.cycle.period,
                "status": other.get_status_display(),
                "score": other.score if shown else None,
                "grade": other.grade if shown else "",
            }
        )
    return rows


def actions(request: HttpRequest, review: Review, failure: Failure | None = None) -> dict[str, Any]:
    """The forms panel alone (the HTMX answer to a save)."""
    detail = presenters.detail(request.user, review)
    template = review.template_version.compiled()
    return {
        "review": review,
        "detail": detail,
        "forms": _forms(request, review, template, detail, failure),
        "failure": failure,
    }


def page(request: HttpRequest, review: Review, failure: Failure | None = None) -> dict[str, Any]:
    user = request.user
    detail = presenters.detail(user, review)
    template = review.template_version.compiled()
    supervisor_part = policy.sees_supervisor_part(user, review)
    today = timezone.localdate()
    adjustments = sum((Decimal(a.amount) for a in detail.adjustments), Decimal(0))
    pay = None if detail.pay is None else Decimal(detail.pay)
    history = _history(user, review)
    employee = review.employee
    items = explain(template, detail, review, supervisor_part)
    peers = _peers(user, review, template)
    for item in items:
        item.peers = peers.get(item.key)
    counted = lists.for_review(review, sorted(template.variables))
    for item in items:
        item.incidents = [i for s in item.sources for i in counted.get(s.name, [])]
    return {
        "review": review,
        "detail": detail,
        "employee": employee,
        "department": employee.department.name,
        "position": employee.position.name,
        "template": template,
        "due": deadlines.due_date(review),
        "overdue": deadlines.overdue(review, today),
        "items": items,
        "missing": [item.name for item in items if item.missing],
        "overrides": [
            {"override": o, "value": plain_text(o.value), "previous": plain_text(o.previous or None)}
            for o in detail.overrides
        ],
        "supervisor_part": supervisor_part,
        # 校准调整: the grade set in calibration, the grade the score earns, why (with the result)
        "calibration": (review.result or {}).get("calibration") if supervisor_part else None,
        "self_part": policy.sees_self_part(user, review),
        "is_hr": roles.is_hr(user),
        "totals": {
            "supervisor": (review.result or {}).get("supervisor_total") if supervisor_part else None,
            "self": (review.result or {}).get("self_total") if supervisor_part else None,
            "self_weight": template.self_weight,
        },
        "pay": {
            "amount": pay,
            "kind": review.pay_kind,
            "proration": ((review.result or {}).get("proration") or {}).get("explanation")
            if supervisor_part
            else None,
            "adjustments": detail.adjustments,
            "adjusted": adjustments,
            "total": None if pay is None and not detail.adjustments else (pay or Decimal(0)) + adjustments,
        },
        "history": history,
        "chart": {
            "periods": [row["period"] for row in history if row["score"] is not None],
            "scores": [str(row["score"]) for row in history if row["score"] is not None],
        },
        "steps": [(t, labels.action(t.action)) for t in detail.transitions],
        "forms": _forms(request, review, template, detail, failure),
        "failure": failure,
        "next_step": next_step(review, detail, today),
        "spot_check": _spot_check_link(user, review, template),
        # no query for a review never appealed (the page's query budget); versions after an amendment
        "appeal_items": [
            (a, {i.key: i.name for i in template.items}.get(a.item_key, a.item_key)) for a in detail.appeals
        ],
        "appeal_points": point_rows(AppealPoint.objects.filter(appeal__review=review).order_by("id"))
        if detail.appeals
        else [],
        "versions": version_rows(review)
        if supervisor_part and any(a.status == Appeal.Status.AMENDED for a in detail.appeals)
        else [],
    }


def _peers(user: Any, review: Review, template: Template) -> dict[str, dict[str, Any]]:
    """Each peers item's named colleagues and their ratings (互评), for those who may see them, with the
    naming form where the user may name them."""
    keys = [item.key for item in template.items if item.rated_by_peers]
    if not keys or not policy.sees_peer_raters(user, review):
        return {}
    from shopkpi.appraisal.models import PeerRater

    may_name = policy.peer_naming_refusal(user, review) is None
    found: dict[str, dict[str, Any]] = {key: {"raters": [], "may_name": may_name} for key in keys}
    for peer in (
        PeerRater.objects.filter(review=review, item_key__in=keys).select_related("rater").order_by("id")
    ):
        found[peer.item_key]["raters"].append(peer)
    for entry in found.values():
        entry["codes"] = ", ".join(p.rater.code for p in entry["raters"])
    return found


def _spot_check_link(user: Any, review: Review, template: Template) -> dict[str, Any] | None:
    """The fed item and the link to its weekly spot checks, for those who may open them; for the employee
    of a published review that can still be appealed, the claims a case can be appealed with."""
    spot = template.spot_check
    if spot is None:
        return None
    if policy.sees_spot_checks(user, review):
        return {"feeds": spot.feeds, "url": reverse("spot_checks", args=[review.pk, 1])}
    if policy.is_subject(user, review) and "appeal" in policy.allowed_actions(user, review):
        from shopkpi.appraisal.spot_checks.appeals import SPOT_CHECK

        return {"appeal": [(name, str(label)) for name, label in SPOT_CHECK.claims.items()]}
    return None


def load(user: Any, review_id: object) -> Review:
    """The review if the user may see it (ReviewNotFound otherwise), with what the header shows."""
    review = policy.review_for(user, review_id)
    # one more query for the header's department and position (two, one by one)
    return Review.objects.select_related(
        "employee__department", "employee__position", "evaluator", "cycle", "template_version"
    ).get(pk=review.pk)
