"""HR console: what to prepare for a month (本月准备) — per employee, the targets, inputs and supervisor
ratings their template needs and which of them are in — and the workbook to fill in
(`appraisal.month_prepare`; it imports back on the import page)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from shopkpi.appraisal.models import Cycle
from shopkpi.appraisal.periods.month_prepare import Need, cycle_needs, write_workbook
from shopkpi.data.metrics.catalogue import load_catalogue
from shopkpi.web.pages.common.list_pages import page_of
from shopkpi.web.pages.hr.access import hr_page
from shopkpi.web.pages.hr.export_pages import xlsx_response

PER_PAGE = 50


@dataclass
class PersonNeeds:
    code: str
    name: str
    position: str
    counts: dict[str, list[int]] = field(default_factory=dict)  # dataset -> [filled, needed]
    missing: list[str] = field(default_factory=list)


def _people(needs: list[Need]) -> list[PersonNeeds]:
    people: dict[str, PersonNeeds] = {}
    for need in needs:
        person = people.setdefault(need.code, PersonNeeds(need.code, need.name, need.position))
        count = person.counts.setdefault(need.dataset, [0, 0])
        count[1] += 1
        if need.filled:
            count[0] += 1
        else:
            person.missing.append(need.key)
    return list(people.values())


@hr_page()
def prepare_page(request: HttpRequest, period: str) -> HttpResponse:
    """The month's needs as its reviews hold them, PER_PAGE people a page (searched by 工号 or name, or
    only those with something to fill in); the counts are of everyone."""
    cycle = get_object_or_404(Cycle, period=period)
    needs, problems = cycle_needs(cycle, frozenset(load_catalogue(Path(settings.HOME)).metrics))
    people = _people(needs)
    query = request.GET.get("q", "").strip()
    missing = request.GET.get("missing") == "1"
    shown = [
        person
        for person in people
        if (not query or query.lower() in person.code.lower() or query in person.name)
        and (not missing or person.missing)
    ]
    page, pages = page_of(request, shown, PER_PAGE)
    return render(
        request,
        "shopkpi/hr/prepare.html",
        {
            "cycle": cycle,
            "people": page.object_list,
            **pages,
            "query": query,
            "missing": missing,
            "needed": len(needs),
            "filled": sum(1 for need in needs if need.filled),
            "problems": [problem.text() for problem in problems],
        },
    )


@hr_page()
@require_POST
def prepare_xlsx(request: HttpRequest, period: str) -> HttpResponse:
    """The workbook to fill in, of the needs the page lists (the month as its reviews hold it)."""
    cycle = get_object_or_404(Cycle, period=period)
    needs, _ = cycle_needs(cycle, frozenset(load_catalogue(Path(settings.HOME)).metrics))
    stream = io.BytesIO()
    write_workbook(needs, stream)
    return xlsx_response(stream.getvalue(), f"prepare-{cycle.period}.xlsx")
