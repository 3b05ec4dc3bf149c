"""HR console: a month's reconciliation (数据核对, /hr/cycles/<period>/checks/): each difference with
both figures, the exports they come from and the rows (shops) that differ, acknowledged with a note;
then the appraised people whose targets are missing.
The rules are `shopkpi.appraisal.periods.reconciliation`'s; a month with an unacknowledged difference is not
sent to the GM."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.models import Cycle
from shopkpi.appraisal.periods import reconciliation
from shopkpi.data.datasets import DATASETS
from shopkpi.web.number_format import number
from shopkpi.web.pages.common.list_pages import page_of
from shopkpi.web.pages.hr.access import hr_page

COMPARE = {"=": "=", "<=": "≤", ">=": "≥"}
TARGETS_PER_PAGE = 100


@hr_page()
def checks(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    failures = reconciliation.month_failures(cycle)
    rows = [
        {
            "failure": f,
            "left": number(f.left),
            "right": number(f.right),
            "left_dataset": DATASETS[f.left_dataset].label_zh,
            "right_dataset": DATASETS[f.right_dataset].label_zh,
            "compare": COMPARE[f.compare],
        }
        for f in failures
    ]
    pending = sum(1 for f in failures if f.acknowledged is None)
    # the missing targets of a company of thousands are listed a page at a time
    targets, pages = page_of(request, reconciliation.missing_targets(cycle), TARGETS_PER_PAGE)
    context = {"cycle": cycle, "rows": rows, "pending": pending, "targets": targets.object_list, **pages}
    return render(request, "shopkpi/hr/checks.html", context)


@hr_page()
@require_POST
def acknowledge(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    post = request.POST
    reconciliation.acknowledge(
        request.user, cycle, str(post.get("check", "")), str(post.get("key", "")), str(post.get("note", ""))
    )
    messages.success(request, _("差异已确认。"))
    return redirect("hr-checks", period=period)
