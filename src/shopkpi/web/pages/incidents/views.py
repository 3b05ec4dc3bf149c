"""Incident records (/incidents/): supervisors and HR list a month's incidents of their people, record
one, change or delete it (with a reason); everyone who may see an incident opens it and its evidence.

Thin: who sees and who records is the policy's (`policy.sees_incidents`, `policy.incident_refusal`),
what is recorded the incident service's (`incidents.records`): a refusal is shown at its field.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts.roles import is_gm, is_hr
from shopkpi.appraisal.incidents import appeals, evidence, files, lists, records
from shopkpi.appraisal.incidents.kinds import kinds_for
from shopkpi.appraisal.incidents.records import IncidentRefused
from shopkpi.appraisal.models import Employee, Incident, IncidentEvidence, Review
from shopkpi.appraisal.reviews import workflow
from shopkpi.data.problems import ImportProblem, ImportRefused
from shopkpi.scorecard.periods import Period, PeriodError
from shopkpi.web.pages.common.errors import domain_errors
from shopkpi.web.pages.incidents.forms import IncidentForm, uploads

PER_PAGE = 100
SELECT_AT_MOST = 300  # more people than this: the 工号 is typed instead of chosen


def _month(text: str | None) -> Period:
    try:
        span = Period.parse(str(text or ""))
    except PeriodError:
        span = None
    if span is None or span.kind != "month":
        return Period.parse(timezone.localdate().strftime("%Y-%m"))
    return span


@login_required
@require_GET
@domain_errors
def incident_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    month = _month(request.GET.get("month"))
    q = request.GET.get("q", "").strip()
    people = lists.recordable_employees(user)
    if not (is_hr(user) or is_gm(user) or people.exists()):
        raise policy.ActionRefused(_("奖惩记录由人事和上级记录；您的奖惩记录在您的考核页面上。"))
    page = Paginator(lists.listed(user, month, q), PER_PAGE).get_page(request.GET.get("page"))
    count = people.count()
    return render(
        request,
        "shopkpi/incidents/list.html",
        {
            "month": month.text,
            "q": q,
            "page": page,
            "people": list(people[:SELECT_AT_MOST]) if count <= SELECT_AT_MOST else None,
            "may_record": count > 0,
            "may_import": is_hr(user),
            "columns": [names[0] for names in files.COLUMNS.values()],
            "filters": urlencode({"month": month.text, "q": q}),
        },
    )


IMPORT_MAX_BYTES = 10 * 1024 * 1024


@login_required
@require_POST
@domain_errors
def incident_import(request: HttpRequest) -> HttpResponse:
    """HR imports a workbook of incidents (all or nothing); the problems, each with its row and column,
    are shown on the page, or the incidents recorded."""
    if not is_hr(request.user):
        raise policy.ActionRefused(_("只有人事可以导入奖惩记录。"))
    upload = request.FILES.get("workbook")
    problems: list[ImportProblem] = []
    recorded = 0
    if upload is None:
        problems = [ImportProblem("—", None, None, _("请选择要导入的文件。"))]
    elif (upload.size or 0) > IMPORT_MAX_BYTES:
        problems = [ImportProblem(str(upload.name), None, None, _("文件大于 10 MB；请拆成几个文件。"))]
    else:
        work = Path(settings.HOME) / ".import-staging"
        work.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=work, suffix=".upload") as staged:
            for chunk in upload.chunks():
                staged.write(chunk)
            staged.flush()
            try:
                done = files.import_incidents(
                    request.user, Path(staged.name), home=settings.HOME, name=str(upload.name)
                )
            except ImportRefused as refused:
                problems = list(refused.problems)
            else:
                recorded = len(done.incidents)
    if not problems:
        messages.success(request, _("已导入 %(n)s 条奖惩记录。") % {"n": recorded})
        return redirect("incidents")
    return render(
        request,
        "shopkpi/incidents/import_problems.html",
        {"problems": problems, "columns": [names[0] for names in files.COLUMNS.values()]},
        status=400,
    )


def _recordable(request: HttpRequest, code: str) -> Employee:
    employee = Employee.objects.select_related("position", "department").filter(code=code).first()
    if employee is None:
        raise Http404("no such employee")
    policy.require_incident_recorder(request.user, employee)
    return employee


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def incident_new(request: HttpRequest) -> HttpResponse:
    code = str(request.GET.get("employee") or request.POST.get("employee") or "").strip()
    employee = _recordable(request, code)
    today = timezone.localdate()
    kinds = kinds_for(settings.HOME, employee, today)
    form = IncidentForm(
        request.POST or None, request.FILES or None, kinds=kinds, initial={"occurred_on": today}
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = records.record(
                request.user, form.given(employee.code), home=settings.HOME, files=uploads(request.FILES)
            )
        except IncidentRefused as refusal:
            form.refused(refusal)
        else:
            messages.success(request, _("已记录 %(name)s 的奖惩记录。") % {"name": employee.name})
            return redirect("incident", incident_id=incident.pk)
    status = 400 if request.method == "POST" else 200
    context = {"employee": employee, "form": form, "kinds": kinds}
    return render(request, "shopkpi/incidents/new.html", context, status=status)


def _editable(user: Any, incident: Incident) -> str:
    """'' when the user may change the incident now, else why not (shown instead of the forms)."""
    if incident.status != Incident.Status.ACTIVE:
        return _("这条奖惩记录已删除：%(reason)s") % {"reason": incident.removed_reason}
    found = policy.incident_refusal(user, incident.employee)
    if found is not None:
        return ""  # no forms for those who may only look; nothing to explain
    closed = records.closed_reason(incident.employee, incident.occurred_on)
    return "" if closed is None else closed[1]


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def incident_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    user = request.user
    incident = lists.incident_for(user, incident_id)
    kinds = kinds_for(settings.HOME, incident.employee, incident.occurred_on)
    form = IncidentForm(
        request.POST or None,
        request.FILES or None,
        kinds=kinds,
        reason=True,
        initial={
            "occurred_on": incident.occurred_on,
            "kind": incident.kind,
            "amount": incident.amount,
            "note": incident.note,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            records.change(
                user,
                incident,
                form.given(incident.employee.code),
                reason=form.cleaned_data["reason"],
                home=settings.HOME,
                files=uploads(request.FILES),
            )
        except IncidentRefused as refusal:
            form.refused(refusal)
        else:
            messages.success(request, _("奖惩记录已修改。"))
            return redirect("incident", incident_id=incident.pk)
    return _page(request, incident, form=form, status=400 if request.method == "POST" else 200)


def _page(
    request: HttpRequest,
    incident: Incident,
    *,
    form: IncidentForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    closed = _editable(user, incident)
    may_change = (
        incident.status == Incident.Status.ACTIVE
        and policy.incident_refusal(user, incident.employee) is None
        and not closed
    )
    return render(
        request,
        "shopkpi/incidents/incident.html",
        {
            "incident": incident,
            "evidence": list(incident.evidence.all()),
            "form": form if may_change else None,
            "may_change": may_change,
            "closed": closed,
            "error": error,
            "month": incident.occurred_on.strftime("%Y-%m"),
            "appealable": _appealable(user, incident),
            "claims": [(name, str(label)) for name, label in appeals.INCIDENT.claims.items()],
        },
        status=status,
    )


def _appealable(user: Any, incident: Incident) -> Review | None:
    """The employee's own published review of the incident's month, while it can be appealed."""
    if incident.status != Incident.Status.ACTIVE or not policy.is_own(user, incident.employee):
        return None
    review = (
        policy.visible_reviews(user)
        .select_related("cycle", "employee", "template_version")
        .filter(employee=incident.employee, cycle__period=incident.occurred_on.strftime("%Y-%m"))
        .first()
    )
    if review is None or "appeal" not in policy.allowed_actions(user, review):
        return None
    return review


def _item_key(review: Review, kind: str) -> str:
    """The first item whose value reads the incident's kind (what the appeal is about)."""
    template = review.template_version.compiled()
    return next((i.key for i in template.items if i.value is not None and kind in i.value.variables), "")


def _appeal_again(request: HttpRequest, incident_id: int, *, error: str) -> HttpResponse:
    return _page(request, lists.incident_for(request.user, incident_id), error=error)


@login_required
@require_POST
@domain_errors(reshow=_appeal_again)
def incident_appeal(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The employee appeals this one incident (an appeal of the item it counts, pointing at it)."""
    incident = lists.incident_for(request.user, incident_id)
    review = _appealable(request.user, incident)
    if review is None:
        raise policy.ActionRefused(
            _("这条奖惩记录现在不能申诉：只有本人在考核结果发布后、申诉期内可以申诉。")
        )
    claim = str(request.POST.get("claim") or "")
    point = {
        "kind": "incident",
        "ref": {"incident": incident.pk, "claimed": request.POST.get("claimed", "")},
        "claim": claim,
        "note": request.POST.get("reason", ""),
    }
    item = {
        "item_key": _item_key(review, incident.kind),
        "reason": request.POST.get("reason", ""),
        "points": [point],
    }
    workflow.perform(request.user, review, "appeal", items=[item])
    messages.success(request, _("申诉已提交，人事处理后会通知您。"))
    return redirect("review", review_id=review.pk)


def _remove_again(request: HttpRequest, incident_id: int, *, error: str) -> HttpResponse:
    return _page(request, lists.incident_for(request.user, incident_id), error=error)


@login_required
@require_POST
@domain_errors(reshow=_remove_again)
def incident_remove(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = lists.incident_for(request.user, incident_id)
    records.remove(request.user, incident, reason=request.POST.get("reason", ""), home=settings.HOME)
    messages.success(request, _("奖惩记录已删除。"))
    month = incident.occurred_on.strftime("%Y-%m")
    return redirect(f"/incidents/?{urlencode({'month': month})}")


@login_required
@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> FileResponse:
    """An evidence file, to those who may see its incident (404 to anyone else), as the type its content
    showed; never sniffed, never run (a sandbox), a PDF downloaded."""
    found = IncidentEvidence.objects.filter(pk=evidence_id).first()
    if found is None:
        raise Http404("no such file")
    try:
        lists.incident_for(request.user, found.incident_id)
    except policy.IncidentNotFound:
        raise Http404("no such file") from None
    path = evidence.path_of(settings.HOME, found.path)
    if not path.is_file():
        raise Http404("the file is gone")
    response = FileResponse(
        path.open("rb"),
        content_type=found.content_type,
        as_attachment=found.content_type == "application/pdf",
        filename=found.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response
