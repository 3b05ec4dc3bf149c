"""HR's target distribution page (校准目标): per grade, at most and at least a share of the graded
reviews, for the company or one department (whose targets then replace the company's for it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shopkpi.appraisal.calibration import targets
from shopkpi.appraisal.calibration.distribution import grade_names
from shopkpi.appraisal.models import Department
from shopkpi.web.pages.hr.access import hr_page

EXTRA_ROWS = 2  # empty rows for a grade no template names yet


def _department(request: HttpRequest) -> Department | None:
    chosen = request.POST.get("department", request.GET.get("department", ""))
    return Department.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None


def _page(request: HttpRequest, *, error: str = "") -> HttpResponse:
    department = _department(request)
    own = targets.targets_of(department)
    company = targets.targets_of(None) if department is not None else own
    names = [*grade_names(), *(g for g in own if g not in grade_names())]
    rows: list[dict[str, Any]] = [
        {
            "grade": name,
            "at_most": _percent_text(own[name].at_most if name in own else None),
            "at_least": _percent_text(own[name].at_least if name in own else None),
        }
        for name in names
    ]
    rows += [{"grade": "", "at_most": "", "at_least": ""} for _ in range(EXTRA_ROWS)]
    if request.method == "POST":
        rows = [
            {"grade": row.grade, "at_most": row.at_most, "at_least": row.at_least}
            for row in targets.rows_from(request.POST)
        ]
    return render(
        request,
        "shopkpi/calibration/targets.html",
        {
            "department": department,
            "departments": list(Department.objects.order_by("name")),
            "rows": rows,
            "company": company,
            "follows_company": department is not None and not own,
            "error": error,
        },
        status=409 if error else 200,
    )


def _percent_text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _reshow(request: HttpRequest, *, error: str = "") -> HttpResponse:
    return _page(request, error=error)


@hr_page(reshow=_reshow)
@require_http_methods(["GET", "POST"])
def target_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    department = _department(request)
    made = targets.set_targets(request.user, department, targets.rows_from(request.POST))
    scope = department.name if department is not None else _("全公司")
    messages.success(
        request, _("已保存%(scope)s的校准目标（%(n)s 个等级）。") % {"scope": scope, "n": len(made)}
    )
    return redirect("/calibration/targets/" + (f"?department={department.pk}" if department else ""))
