"""组织架构 (/org/): departments with their head counts (their people on the paged list of employees),
positions with their template (set here), the reporting lines of the managers as a tree from the head of
the company down, and a search by 工号 or name that jumps to the person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.models import Department, Employee, Position
from shopkpi.appraisal.organisation import records, service
from shopkpi.appraisal.organisation.period_templates import bind_period_template
from shopkpi.appraisal.organisation.problems import OrganisationRefused
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.scorecard import PeriodKind
from shopkpi.scorecard.periods import KINDS
from shopkpi.web.pages.hr.access import org_page
from shopkpi.web.pages.org.forms import NameForm, TemplateForm


@dataclass
class Node:
    """One person in the reporting lines, with the people who report to them."""

    employee: Employee
    reports: list[Node] = field(default_factory=list)


def reporting_tree(people: Sequence[Employee]) -> list[Node]:
    """The heads (no supervisor, or one outside `people`) with everyone below them; a loop (which the
    service refuses) cannot hang the page: each person is placed once."""
    nodes = {e.pk: Node(e) for e in people}
    heads: list[Node] = []
    for e in people:
        parent = nodes.get(e.supervisor_id) if e.supervisor_id not in (None, e.pk) else None
        (parent.reports if parent is not None else heads).append(nodes[e.pk])
    return heads


def _page(
    request: HttpRequest,
    *,
    department_form: NameForm | None = None,
    position_form: NameForm | None = None,
    template_error: tuple[int, str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    active = records.employees(status="active")
    counted = Count("employees", filter=Q(employees__in=active.values("pk")))
    positions = [
        {
            "position": p,
            "people": p.people,
            "forms": [
                {
                    "kind": kind,
                    "form": TemplateForm(
                        initial={"template": p.template_for(kind)}, prefix=f"{kind}{p.pk}", kind=kind
                    ),
                    "error": template_error[2]
                    if template_error and template_error[:2] == (p.pk, kind)
                    else "",
                }
                for kind in KINDS
            ],
        }
        for p in Position.objects.annotate(people=counted).order_by("name")
    ]
    # the reporting lines of those who have people reporting to them (the rest are counted, and listed
    # department by department on the people's list): a company of thousands is a tree of its managers
    managers = list(
        active.annotate(people=Count("reports", filter=Q(reports__in=active.values("pk")))).filter(
            people__gt=0
        )
    )
    return render(
        request,
        "shopkpi/org/chart.html",
        {
            "departments": Department.objects.annotate(people=counted).order_by("name"),
            "positions": positions,
            "tree": reporting_tree(managers),
            "department_form": department_form or NameForm(prefix="department"),
            "position_form": position_form or NameForm(prefix="position"),
            "without_template": list(Position.objects.filter(template_id="").values_list("name", flat=True)),
        },
        status=status,
    )


@org_page()
def chart(request: HttpRequest) -> HttpResponse:
    """The chart; ?find= jumps to the person of that 工号 (or the only one of that name), else to the
    people's list searched for it."""
    find = request.GET.get("find", "").strip()
    if find:
        found = list(records.employees(q=find).filter(Q(code__iexact=find) | Q(name=find))[:2])
        if len(found) == 1:
            return redirect("org-employee", code=found[0].code)
        return redirect(f"{reverse('org-employees')}?{urlencode({'q': find, 'status': 'all'})}")
    return _page(request)


@org_page()
@require_POST
def position_template(request: HttpRequest, position_id: int) -> HttpResponse:
    position = Position.objects.filter(pk=position_id).first()
    if position is None:
        raise Http404("no such position")
    form = TemplateForm(request.POST, prefix=f"month{position.pk}")
    if not form.is_valid():
        return _page(
            request, template_error=(position.pk, "month", str(_("请选择一个考核表模板。"))), status=400
        )
    try:
        service.put_position(request.user.get_username(), position.name, form.cleaned_data["template"])
    except OrganisationRefused as refusal:
        return _page(request, template_error=(position.pk, "month", refusal.problems[0].message), status=400)
    messages.success(request, _("岗位 %(name)s 已绑定考核表模板。") % {"name": position.name})
    return redirect("org-chart")


@org_page()
@require_POST
def position_period_template(request: HttpRequest, position_id: int, kind: str) -> HttpResponse:
    """The position's quarterly or annual template (or none)."""
    position = Position.objects.filter(pk=position_id).first()
    if position is None or kind not in ("quarter", "year"):
        raise Http404("no such position")
    period_kind: PeriodKind = "quarter" if kind == "quarter" else "year"
    form = TemplateForm(request.POST, prefix=f"{kind}{position.pk}", kind=period_kind)
    if not form.is_valid():
        return _page(
            request, template_error=(position.pk, kind, str(_("请选择一个考核表模板。"))), status=400
        )
    try:
        bind_period_template(request.user, position, period_kind, form.cleaned_data["template"])
    except WorkflowError as refusal:
        return _page(request, template_error=(position.pk, kind, str(refusal)), status=400)
    messages.success(request, _("岗位 %(name)s 已绑定考核表模板。") % {"name": position.name})
    return redirect("org-chart")


@org_page()
@require_POST
def department_new(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST, prefix="department")
    if form.is_valid():
        try:
            service.add_department(request.user.get_username(), form.cleaned_data["name"])
        except OrganisationRefused as refusal:
            form.refused(refusal)
        else:
            messages.success(request, _("已新建部门 %(name)s。") % {"name": form.cleaned_data["name"]})
            return redirect("org-chart")
    return _page(request, department_form=form, status=400)


@org_page()
@require_POST
def position_new(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST, prefix="position")
    if form.is_valid():
        try:
            service.put_position(request.user.get_username(), form.cleaned_data["name"], None)
        except OrganisationRefused as refusal:
            form.refused(refusal)
        else:
            messages.success(
                request,
                _("已新建岗位 %(name)s，请为它绑定考核表模板。") % {"name": form.cleaned_data["name"]},
            )
            return redirect("org-chart")
    return _page(request, position_form=form, status=400)
