"""审批流程 (/org/approval-chain/): the steps after the supervisor, for the company and per department.

HR (or an admin) edits one chain at a time: the company's, or a department's own (which replaces the
company's for its people; removing it returns them to the company's). Each step is a row of the form:
name, who acts (人事, 总经理 or a named person), the deadline in days after the previous step, and where
a return sends the review. Saving checks every row at once (`approval_chain.replace`); a refused chain
is shown again with each problem beside the form and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shopkpi.appraisal.models import Department
from shopkpi.appraisal.models.chain import Actor, ReturnTo
from shopkpi.appraisal.organisation import approval_chain
from shopkpi.appraisal.organisation.approval_chain import MAX_STEPS, StepSetting
from shopkpi.appraisal.organisation.problems import OrganisationRefused
from shopkpi.web.pages.hr.access import org_page

FIELDS = ("name", "actor", "person", "due_days", "returns_to")
BLANK_ROWS = 2  # empty rows offered after the steps set, for new steps


def _department(request: HttpRequest) -> Department | None:
    raw = str(request.GET.get("department") or request.POST.get("department") or "")
    if not raw:
        return None
    found = Department.objects.filter(pk=raw).first() if raw.isdigit() else None
    if found is None:
        raise Http404("no such department")
    return found


def _rows(steps: list[StepSetting]) -> list[dict[str, str]]:
    return _padded(
        [
            {
                "name": s.name,
                "actor": s.actor,
                "person": s.person,
                "person_name": s.person_name,
                "due_days": "" if s.due_days is None else str(s.due_days),
                "returns_to": s.returns_to,
            }
            for s in steps
        ]
    )


def _padded(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The rows with empty ones after them for new steps (up to MAX_STEPS in all)."""
    blank = {"name": "", "actor": "", "person": "", "due_days": "", "returns_to": ReturnTo.PREVIOUS}
    return [*rows, *(dict(blank) for _ in range(min(BLANK_ROWS, MAX_STEPS - len(rows))))]


def posted_steps(form: QueryDict) -> list[dict[str, str]]:
    """The rows of the posted form, in order; a row left wholly empty is no step."""
    steps = []
    for n in range(MAX_STEPS):
        row = {name: str(form.get(f"step-{n}-{name}", "")).strip() for name in FIELDS}
        if row["name"] or row["actor"] or row["person"] or row["due_days"]:
            steps.append(row)
    return steps


def _page(
    request: HttpRequest,
    department: Department | None,
    rows: list[dict[str, str]] | None = None,
    problems: tuple[Any, ...] = (),
    status: int = 200,
) -> HttpResponse:
    own = approval_chain.chain(department)
    company = approval_chain.chain(None)
    departments = [
        {"department": d, "steps": approval_chain.chain(d)} for d in Department.objects.order_by("name")
    ]
    return render(
        request,
        "shopkpi/org/approval_chain.html",
        {
            "department": department,
            "own": own,
            "company": company or approval_chain.default_settings(),
            "company_is_default": not company,
            "in_force": approval_chain.in_force(department),
            "departments": departments,
            "rows": rows if rows is not None else _rows(own or _starting_point(department)),
            "problems": problems,
            "actors": Actor.choices,
            "returns": ReturnTo.choices,
        },
        status=status,
    )


def _starting_point(department: Department | None) -> list[StepSetting]:
    """What the form starts from when the chain has no steps of its own: for the company the default
    chain, for a department the company's chain (to copy and change)."""
    return approval_chain.in_force(None) if department is not None else approval_chain.default_settings()


@org_page()
def approval_chain_page(request: HttpRequest) -> HttpResponse:
    department = _department(request)
    if request.method != "POST":
        return _page(request, department)
    steps = [] if request.POST.get("clear") else posted_steps(request.POST)
    try:
        approval_chain.replace(request.user.get_username(), department, steps)
    except OrganisationRefused as refused:
        return _page(request, department, _padded(steps), refused.problems, status=400)
    if department is None:
        messages.success(request, _("公司的审批流程已保存；下次开启的考核期起生效。"))
    elif steps:
        messages.success(
            request, _("%(name)s 的审批流程已保存；下次开启的考核期起生效。") % {"name": department.name}
        )
    else:
        messages.success(request, _("%(name)s 改用公司的审批流程。") % {"name": department.name})
    target = reverse("org-approval-chain")
    return redirect(target if department is None else f"{target}?department={department.pk}")
