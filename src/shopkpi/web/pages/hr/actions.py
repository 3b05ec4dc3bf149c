"""HR console: consequence action items (警告, 劝退, 年终特别奖 …) — handled by HR and closed with a note."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.exports.action_items import STATES, listed_items
from shopkpi.appraisal.models import ActionItem
from shopkpi.appraisal.periods.consequences import close_action_item, settle_due
from shopkpi.web.pages.hr.access import hr_page


def _page(
    request: HttpRequest, *, error: str = "", error_item: int | None = None, status: int = 200
) -> HttpResponse:
    shown = request.GET.get("status", "open")
    page = Paginator(listed_items(shown), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "shopkpi/hr/actions.html",
        {
            "page": page,
            "shown": shown,
            "states": STATES,
            "error": error,
            "error_item": error_item,
            "posted_note": request.POST.get("note", "") if request.method == "POST" else "",
        },
        status=status,
    )


@hr_page()
def action_items(request: HttpRequest) -> HttpResponse:
    settle_due(request.user)  # results whose appeal window has closed since: their items first
    return _page(request)


def _reshow(request: HttpRequest, item_id: int, error: str) -> HttpResponse:
    return _page(request, error=error, error_item=item_id, status=409)


@hr_page(reshow=_reshow)
@require_POST
def close_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(ActionItem.objects.select_related("employee"), pk=item_id)
    close_action_item(request.user, item, request.POST.get("note", ""))
    messages.success(request, _("行动项已关闭。"))
    return redirect(f"/hr/actions/?status={request.POST.get('status', 'open')}")
