"""The home page: what needs the user's attention, from the reviews they may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shopkpi.appraisal import policy
from shopkpi.appraisal.roles import roles


@login_required
def home(request: HttpRequest) -> HttpResponse:
    reviews = (
        policy.visible_reviews(request.user)
        .select_related("employee", "employee__department", "employee__position", "cycle")
        .order_by("-cycle__period", "employee__code")[:200]
    )
    return render(request, "shopkpi/home.html", {"reviews": reviews, "roles": sorted(roles(request.user))})
