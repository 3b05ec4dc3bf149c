"""/notices/: the signed-in person's inbox (their notices, newest first, unread marked), and marking
them read. The top bar shows the unread count (navigation.nav_links)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shopkpi.appraisal.models import Notice
from shopkpi.appraisal.notifications import messages

PER_PAGE = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    mine = Notice.objects.filter(recipient_id=request.user.pk).select_related("review__cycle")
    page = Paginator(mine, PER_PAGE).get_page(request.GET.get("page"))
    shown = [
        {
            "subject": messages.subject(notice),
            "body": messages.body(notice),
            "at": notice.created_at,
            "unread": notice.read_at is None,
            "review": notice.review_id,
        }
        for notice in page
    ]
    return render(request, "shopkpi/notices.html", {"notices": shown, "page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    Notice.objects.filter(recipient_id=request.user.pk, read_at=None).update(read_at=timezone.now())
    return redirect("notices")
