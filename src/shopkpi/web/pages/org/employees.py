"""员工 (/org/employees/): search, filter and page through the employees; add one; change one from a
day (department, position, supervisor, base salary) or at once (name, contacts); record a leaver.
Every change goes through the organisation service; a refusal is shown at its field."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from shopkpi.appraisal.models import Department, Employee, Position
from shopkpi.appraisal.organisation import records, service
from shopkpi.appraisal.organisation.kinds import KINDS
from shopkpi.appraisal.organisation.problems import OrganisationRefused
from shopkpi.web.pages.hr.access import org_page
from shopkpi.web.pages.org.forms import ChangeForm, EmployeeForm, LeaverForm, names

PAGE_SIZE = 50
STATUSES = (("active", _("在职")), ("left", _("已离职")), ("", _("全部")))


def _employee(code: str) -> Employee:
    found = Employee.objects.select_related("department", "position", "supervisor").filter(code=code).first()
    if found is None:
        raise Http404("no such employee")
    return found


@org_page()
def employee_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    department = request.GET.get("department", "")
    position = request.GET.get("position", "")
    status = request.GET.get("status", "active")
    rows = records.employees(q=q, department=department, position=position, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "shopkpi/org/employees.html",
        {
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number),
            "q": q,
            "department": department,
            "position": position,
            "status": status,
            "statuses": STATUSES,
            "departments": Department.objects.order_by("name").values_list("name", flat=True),
            "positions": Position.objects.order_by("name").values_list("name", flat=True),
            "filters": urlencode({"q": q, "department": department, "position": position, "status": status}),
        },
    )


@org_page()
@require_http_methods(["GET", "POST"])
def employee_new(request: HttpRequest) -> HttpResponse:
    form = EmployeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.add_employee(request.user.get_username(), form.values())
        except OrganisationRefused as refusal:
            form.refused(refusal)
        else:
            messages.success(request, _("已新增员工 %(code)s。") % {"code": form.cleaned_data["code"]})
            return redirect("org-employee", code=form.cleaned_data["code"])
    status = 400 if request.method == "POST" else 200
    return render(request, "shopkpi/org/employee_new.html", {"form": form, **names()}, status=status)


def _detail(
    request: HttpRequest,
    employee: Employee,
    *,
    change: ChangeForm | None = None,
    leaver: LeaverForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = {
        "department": employee.department.name,
        "position": employee.position.name,
        "supervisor": employee.supervisor.code if employee.supervisor else "",
        "base_salary": employee.base_salary,
        "name": employee.name,
        "hired_on": employee.hired_on,
        "email": employee.email,
        "mobile": employee.mobile,
    }
    owned = [
        {"window": w, "kind": KINDS.get(w.kind, w.kind)} for w in records.accounts(employee=employee.code)
    ]
    return render(
        request,
        "shopkpi/org/employee.html",
        {
            "employee": employee,
            "terms": records.terms_of(employee),
            "owned": owned,
            "reports": employee.reports.order_by("code"),
            "change": change or ChangeForm(initial=initial),
            "leaver": leaver or LeaverForm(initial={"left_on": employee.left_on}),
            **names(),
        },
        status=status,
    )


@org_page()
def employee_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, _employee(code))


@org_page()
@require_POST
def employee_change(request: HttpRequest, code: str) -> HttpResponse:
    employee = _employee(code)
    form = ChangeForm(request.POST)
    if form.is_valid():
        try:
            changes = service.change_employee(
                request.user.get_username(), code, form.values(), effective=form.cleaned_data["effective"]
            )
        except OrganisationRefused as refusal:
            form.refused(refusal)
        else:
            if changes:
                messages.success(request, _("已保存 %(n)s 项变动。") % {"n": len(changes)})
            else:
                messages.info(request, _("没有变动。"))
            return redirect("org-employee", code=code)
    return _detail(request, employee, change=form, status=400)


@org_page()
@require_POST
def employee_leave(request: HttpRequest, code: str) -> HttpResponse:
    employee = _employee(code)
    form = LeaverForm(request.POST)
    if form.is_valid():
        try:
            service.change_employee(
                request.user.get_username(), code, {"left_on": form.cleaned_data["left_on"]}
            )
        except OrganisationRefused as refusal:
            form.refused(refusal)
        else:
            messages.success(
                request,
                _("已登记 %(code)s 的离职日期 %(day)s。")
                % {"code": code, "day": form.cleaned_data["left_on"]},
            )
            return redirect("org-employee", code=code)
    return _detail(request, employee, leaver=form, status=400)
