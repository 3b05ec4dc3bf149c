"""The dashboards page (/dashboards/), and the same charts on HR's and the GM's home page.

Each chart's data goes to the page once, as JSON (`json_script`), drawn by static/shopkpi/charts.js
with ECharts; the same numbers are printed in a table under each chart. The numbers themselves come
from `dashboard_data` (aggregates in the database over the reviews the user may see).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shopkpi.appraisal.accounts.roles import EVALUATOR, GM, HR, roles
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.insight import dashboard_data as data


def _number(value: Decimal | None) -> float | None:
    """A chart value (ECharts wants numbers); the tables print the exact Decimal."""
    return None if value is None else float(value)


def may_see_dashboards(user: Any) -> bool:
    return bool(roles(user) & {HR, GM, EVALUATOR})


def _chosen_period(request: HttpRequest, reviews: Any, periods: list[str]) -> str | None:
    """The asked period, else the latest one with any score to show, else the latest one."""
    asked = str(request.GET.get("period") or "")
    if asked in periods:
        return asked
    latest = (
        reviews.filter(score__isnull=False)
        .order_by("-cycle__period")
        .values_list("cycle__period", flat=True)
        .first()
    )
    return str(latest) if latest is not None else (periods[0] if periods else None)


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """Everything the charts partial (shopkpi/dashboard/_charts.html) needs."""
    reviews = data.scope(request.user)
    periods = list(reviews.order_by("-cycle__period").values_list("cycle__period", flat=True).distinct())
    period = _chosen_period(request, reviews, periods)
    person = data.find_person(reviews, str(request.GET.get("employee") or ""))
    context: dict[str, Any] = {"periods": periods, "period": period, "person": person}
    if period is None:
        return {**context, "empty": True}
    scores = data.score_distribution(reviews, period)
    departments = data.department_comparison(reviews, period)
    trend = data.employee_trend(reviews, person)
    heatmap = data.team_kpi_heatmap(reviews, period)
    months = data.pay_and_margin(reviews)
    raters = data.rater_distribution(reviews)
    charts = {
        "scores": _scores_chart(scores) if scores.count else None,
        "departments": _departments_chart(departments) if departments else None,
        "trend": _trend_chart(trend) if trend.rows else None,
        "heatmap": _heatmap_chart(heatmap) if heatmap.cells else None,
        "pay": _pay_chart(months) if months else None,
        "raters": _raters_chart(raters) if raters.rows else None,
    }
    heat_rows = [
        (team, [heatmap.value(t, k) for k in range(len(heatmap.kpis))])
        for t, team in enumerate(heatmap.teams)
    ]
    return {
        **context,
        "empty": False,
        "scores": scores,
        "departments": departments,
        "trend": trend,
        "heatmap": heatmap,
        "heat_rows": heat_rows,
        "months": months,
        "raters": raters,
        "charts": charts,
        "margin_name": data.MARGIN,
    }


def _scores_chart(scores: data.Distribution) -> dict[str, Any]:
    return {
        "kind": "bar",
        "categories": [b.label for b in scores.bins],
        "axes": [{"name": _("人数")}],
        "series": [{"name": _("人数"), "data": [b.count for b in scores.bins], "label": True}],
    }


def _departments_chart(rows: list[data.DepartmentRow]) -> dict[str, Any]:
    return {
        "kind": "bar",
        "categories": [r.department for r in rows],
        "axes": [{"name": _("平均分")}],
        "series": [{"name": _("平均分"), "data": [_number(r.average) for r in rows], "label": True}],
    }


def _trend_chart(trend: data.Trend) -> dict[str, Any]:
    return {
        "kind": "line",
        "categories": [r.period for r in trend.rows],
        "axes": [{"name": _("得分")}],
        "series": [
            {
                "name": trend.person.name if trend.person else "",
                "type": "line",
                "data": [_number(r.score) for r in trend.rows],
                "label": True,
            },
            {
                "name": _("部门平均"),
                "type": "line",
                "dashed": True,
                "data": [_number(r.department_average) for r in trend.rows],
            },
        ],
    }


def _heatmap_chart(heatmap: data.Heatmap) -> dict[str, Any]:
    return {
        "kind": "heatmap",
        "x": heatmap.kpis,
        "y": heatmap.teams,
        "min": 0,
        "max": 100,
        "name": _("平均上级评分"),
        "data": [[k, t, float(average)] for (t, k), (average, _n) in sorted(heatmap.cells.items())],
    }


def _pay_chart(months: list[data.MonthCost]) -> dict[str, Any]:
    """Performance pay with adjustments beside gross margin; whole wages (整月工资) a series apart,
    where there are any."""
    wages = (
        [{"name": _("整月工资（另列）"), "data": [_number(m.wage) for m in months]}]
        if any(m.wage for m in months)
        else []
    )
    return {
        "kind": "bar",
        "categories": [m.period for m in months],
        "axes": [{"name": _("元")}, {"name": _("占毛利 %")}],
        "series": [
            {"name": _("绩效工资＋奖惩"), "data": [_number(m.pay) for m in months]},
            *wages,
            {"name": _("销售毛利"), "data": [_number(m.margin) for m in months]},
            {
                "name": _("人工成本占毛利"),
                "type": "line",
                "axis": 1,
                "data": [None if m.share is None else float(m.share * 100) for m in months],
            },
        ],
    }


def _raters_chart(raters: data.RaterDistribution) -> dict[str, Any]:
    return {
        "kind": "bar",
        "horizontal": True,
        "categories": [r.label for r in raters.rows],
        "axes": [{"name": _("评分占比 %"), "max": 100}],
        "series": [
            {"name": label, "stack": "ratings", "data": [float(r.shares()[i]) for r in raters.rows]}
            for i, label in enumerate(raters.bins)
        ],
    }


@login_required
@require_GET
@domain_errors
def dashboards(request: HttpRequest) -> HttpResponse:
    if not may_see_dashboards(request.user):
        raise ActionRefused(_("看板只对考评负责人、人事和总经理开放。"))
    return render(request, "shopkpi/dashboard/index.html", dashboard_context(request))


def home_dashboards(request: HttpRequest) -> dict[str, Any] | None:
    """The dashboards' context for the home page of HR and the GM (None for everyone else)."""
    if not roles(request.user) & {HR, GM}:
        return None
    return dashboard_context(request)
