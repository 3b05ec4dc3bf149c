"""Peer evaluation (互评) pages: the named colleague's rating page (/peer-ratings/<id>/: the colleague's
name, the month and the item, nothing else of the review) and the evaluator's or HR's list of raters
(posted from the review page to /reviews/<id>/peer-raters/<item>/).

Thin: the policy, the naming and the rating are `shopkpi.appraisal.peer_ratings.service`'s."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shopkpi.appraisal import policy
from shopkpi.appraisal.peer_ratings import service
from shopkpi.appraisal.wording.variable_names import without_codes
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.review.explained import DEFAULT_SCALE, rule_in_words

TEMPLATE = "shopkpi/review/peer_rating.html"


def _page(request: HttpRequest, peer_id: int, *, error: str = "", **_kwargs: Any) -> HttpResponse:
    peer = policy.peer_task_for(request.user, peer_id)
    item = peer.review.template_version.compiled().item(peer.item_key)
    levels = list(getattr(item.rule, "levels", {}).items())
    refused = policy.peer_rating_refusal(peer)
    current = peer.level or ("" if peer.rating is None else f"{peer.rating.normalize():f}")
    context = {
        "peer": peer,
        "colleague": peer.review.employee,
        "period": peer.review.cycle.period,
        "item": {
            "name": item.name,
            "description": without_codes(item.description or ""),
            "rule": rule_in_words(item),
        },
        "levels": [(name, f"{value.normalize():f}") for name, value in levels],
        "scale": DEFAULT_SCALE,
        "value": str(request.POST.get("rating", "")) if error else current,
        "comment": str(request.POST.get("comment", "")) if error else peer.comment,
        "error": error,
        "closed": None if refused is None else refused[1],
    }
    return render(request, TEMPLATE, context, status=409 if error else 200)  # no-store: NoStoreMiddleware


@login_required
@require_GET
@domain_errors
def peer_rating_page(request: HttpRequest, peer_id: int) -> HttpResponse:
    return _page(request, peer_id)


@login_required
@require_POST
@domain_errors(reshow=_page)
def peer_rating_save(request: HttpRequest, peer_id: int) -> HttpResponse:
    service.rate(request.user, peer_id, request.POST.get("rating"), str(request.POST.get("comment", "")))
    messages.success(request, _("互评已保存，谢谢。"))
    return redirect("home")


@login_required
@require_POST
@domain_errors
def peer_raters(request: HttpRequest, review_id: int, item_key: str) -> HttpResponse:
    named = service.name_raters(request.user, review_id, item_key, str(request.POST.get("codes", "")))
    messages.success(request, _("已指定 %(n)s 位互评人。") % {"n": len(named)})
    return redirect(f"/reviews/{review_id}/#item-{item_key}")
