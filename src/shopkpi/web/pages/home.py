"""The home page: what needs the user's attention, from the reviews they may see (a page at a time,
searched by 工号 or name)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shopkpi.appraisal import policy
from shopkpi.appraisal.roles import roles
from shopkpi.web.pages.common.list_pages import page_of
from shopkpi.web.pages.insight.dashboard_views import home_dashboards

PER_PAGE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    reviews = (
        policy.visible_reviews(request.user)
        .select_related("employee", "employee__department", "employee__position", "cycle")
        .defer("values", "provenance", "result")
        .order_by("-cycle__period", "employee__code")
    )
    query = request.GET.get("q", "").strip()
    if query:
        reviews = reviews.filter(Q(employee__code__icontains=query) | Q(employee__name__icontains=query))
    page, links = page_of(request, reviews, PER_PAGE)
    context = {"reviews": page, "q": query, "roles": sorted(roles(request.user)), **links}
    dashboards = home_dashboards(request)  # HR and the GM: the dashboards above the list
    if dashboards is not None:
        return render(request, "shopkpi/dashboard/home.html", {**context, **dashboards})
    return render(request, "shopkpi/home.html", context)
