"""The home page: what needs the user's attention, from the reviews they may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shopkpi.appraisal import policy
from shopkpi.appraisal.roles import roles
from shopkpi.web.pages.insight.dashboard_views import home_dashboards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    reviews = (
        policy.visible_reviews(request.user)
        .select_related("employee", "employee__department", "employee__position", "cycle")
        .order_by("-cycle__period", "employee__code")[:200]
    )
    context = {"reviews": reviews, "roles": sorted(roles(request.user))}
    dashboards = home_dashboards(request)  # HR and the GM: the dashboards above the list
    if dashboards is not None:
        return render(request, "shopkpi/dashboard/home.html", {**context, **dashboards})
    return render(request, "shopkpi/home.html", context)
