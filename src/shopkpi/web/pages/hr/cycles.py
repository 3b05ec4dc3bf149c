"""HR console: the cycles list, opening a cycle (participants preview, deadlines, targets import),
a cycle's page, recomputing its reviews from the warehouse, archiving, and asking to reopen."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.importing import import_jobs as jobs
from shopkpi.appraisal.models import Cycle, Delivery, Department, Employee, Job, Review
from shopkpi.appraisal.notifications import messages as notice_messages
from shopkpi.appraisal.periods import cycles, month_close, recompute_jobs
from shopkpi.appraisal.periods.participants import ParticipantRule, codes_in, without_template
from shopkpi.appraisal.reviews import deadlines, reopen_requests
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.appraisal.wording import labels
from shopkpi.scorecard import Period, PeriodError
from shopkpi.web import upload_limits
from shopkpi.web.pages.hr.access import hr_page
from shopkpi.web.pages.hr.imports import job_context

S = Review.Status
FAILED_SHOWN = 20  # the latest failed sends on the console; the count says how many in all
STEP_DUE: dict[str, str] = {
    S.PENDING_SELF: "self_due",
    S.PENDING_SUPERVISOR: "supervisor_due",
    S.PENDING_HR: "hr_due",
}


def overdue_count(cycle: Cycle, by_status: dict[str, int], today: dt.date) -> int:
    """Reviews waiting at a step past its deadline (as deadlines.overdue decides for each one)."""
    if cycle.status != Cycle.Status.OPEN:
        return 0
    return sum(
        n
        for status, n in by_status.items()
        if status in STEP_DUE and today > getattr(cycle, STEP_DUE[status])
    )


@hr_page()
def console(request: HttpRequest) -> HttpResponse:
    """The cycles, newest first (a quarter after its last month), with their reviews per step and how
    many are overdue."""
    all_cycles = sorted(Cycle.objects.all(), key=lambda c: Period.parse(c.period), reverse=True)
    counts: dict[int, dict[str, int]] = {}
    for row in Review.objects.values("cycle_id", "status").annotate(n=Count("id")):
        counts.setdefault(row["cycle_id"], {})[row["status"]] = row["n"]
    today = timezone.localdate()
    pending = reopen_requests.pending_requests()
    rows = []
    for cycle in all_cycles:
        by_status = counts.get(cycle.pk, {})
        rows.append(
            {
                "cycle": cycle,
                "status_label": labels.cycle_state(cycle.status),
                "total": sum(by_status.values()),
                "steps": [(labels.REVIEW_STATES[s], by_status.get(s, 0)) for s in S],
                "overdue": overdue_count(cycle, by_status, today),
                "reopen_requested": cycle.period in pending,
            }
        )
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED).select_related("notice")
    return render(
        request,
        "shopkpi/hr/console.html",
        {
            "rows": rows,
            "statuses": [labels.REVIEW_STATES[s] for s in S],
            "failed_sends": [
                {
                    "channel": labels.CHANNELS.get(d.channel, d.channel),
                    "target": labels.robot_owner(d.target),
                    "subject": notice_messages.robot_text(d.notice),  # who and what, nothing confidential
                    "attempts": d.attempts,
                    "tried_at": d.tried_at,
                    "error": d.error,
                }
                for d in failed[:FAILED_SHOWN]
            ],
            "failed_count": failed.count(),
        },
    )


# ---- opening a cycle ------------------------------------------------------------------------------


DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class OpenCycleForm(forms.Form):
    period = forms.CharField(
        label=_("考核期间"),
        max_length=7,
        help_text=_(
            "月度写作 YYYY-MM（如 2026-03），季度写作 YYYY-Qn（如 2026-Q3），年度写作 YYYY（如 2026）。"
        ),
    )
    cutoff_day = forms.IntegerField(
        label=_("入职截止日"),
        min_value=1,
        max_value=31,
        initial=cycles.DEFAULT_CUTOFF_DAY,
        help_text=_("此日之后入职的员工从下一期开始参加考核。"),
    )
    appeal_days = forms.IntegerField(
        label=_("申诉期（天）"), min_value=1, max_value=60, initial=cycles.DEFAULT_APPEAL_DAYS
    )
    self_due = forms.DateField(label=_("自评截止"), input_formats=["%Y-%m-%d"], widget=DATE)
    supervisor_due = forms.DateField(label=_("上级评分截止"), input_formats=["%Y-%m-%d"], widget=DATE)
    hr_due = forms.DateField(label=_("人事核准截止"), input_formats=["%Y-%m-%d"], widget=DATE)
    departments = forms.TypedMultipleChoiceField(label=_("参加的部门"), coerce=int, required=False)
    excluded = forms.CharField(
        label=_("不参加的人员（工号）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个工号，或用逗号、空格分开。没有人能评价的人员已预先列出。"),
    )
    targets = forms.FileField(
        label=_("目标导入（可选）"),
        required=False,
        help_text=_("目标表：工号、考核期间、目标名称、目标值；开启前导入，有错则不开启。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        departments = self.fields["departments"]
        assert isinstance(departments, forms.TypedMultipleChoiceField)
        departments.choices = list(Department.objects.order_by("name").values_list("pk", "name"))

    def clean_period(self) -> str:
        try:
            period = Period.parse(str(self.cleaned_data["period"])).text
        except PeriodError:
            raise forms.ValidationError(
                _(
                    "期间写作 YYYY-MM（月度，如 2026-03）、YYYY-Qn（季度，如 2026-Q3）或 YYYY（年度，如 2026）。"
                )
            ) from None
        if Cycle.objects.filter(period=period).exists():
            raise forms.ValidationError(_("该期间的考核已经开启（或已归档）。"))
        return period


def default_period(today: dt.date) -> str:
    """The month after the newest cycle; without any, last month (appraised at the start of this one)."""
    months = [Period.parse(p) for p in Cycle.objects.values_list("period", flat=True)]
    newest = max((p for p in months if p.kind == "month"), default=None)
    if newest is not None:
        return newest.next().text
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


SHOWN = 50  # people named on the form (exceptions, those nobody can evaluate); the count says how many


def preview(period: str, cutoff_day: int, given: QueryDict | None = None) -> dict[str, Any]:
    """Who would take part: the eligible people (cycles.eligible_employees) counted by department, the
    rule and its exceptions as `given` (the form's fields; without them every department, less those
    nobody can evaluate), how many the rule leaves, those whose position has no usable template
    (flagged: opening refuses them, listed), and the default deadlines. Its size follows the
    departments and the exceptions, never the head count."""
    try:
        span = Period.parse(period)
    except PeriodError:
        return {"valid_period": False}
    period = span.text
    eligible = cycles.eligible_employees(period, cutoff_day)
    unassessable = cycles.without_evaluator(eligible)
    if given is not None and given.get("rule_given"):
        text = str(given.get("excluded", ""))
        ticked = {int(d) for d in given.getlist("departments") if d.isdigit()}
    else:
        text = "\n".join(sorted(unassessable))
        ticked = {e.department_id for e in eligible}
    rule = ParticipantRule(frozenset(ticked), codes_in(text))
    counts = Counter(e.department_id for e in eligible)
    departments = sorted({e.department_id: e.department for e in eligible}.values(), key=lambda d: d.name)
    named = {e.code: e for e in eligible}
    context: dict[str, Any] = {
        "valid_period": True,
        "deadlines": deadlines.default_deadlines(period),
        "eligible": len(eligible),
        "departments": [(d, counts[d.pk], d.pk in ticked) for d in departments],
        "excluded_text": text,
        "excluded": [(code, named.get(code)) for code in sorted(rule.excluded)[:SHOWN]],
        "excluded_count": len(rule.excluded),
        "unassessable": [named[code] for code in sorted(unassessable)[:SHOWN]],
        "unassessable_count": len(unassessable),
        "without_template": [
            (named[code], why) for code, why in sorted(without_template(eligible, span.kind).items())
        ],
        "shown": SHOWN,
    }
    try:
        context["participants"] = _participants(rule, eligible)
    except WorkflowError as refused:
        context["rule_error"] = str(refused)
    return context


def _participants(rule: ParticipantRule, eligible: list[Employee]) -> list[Employee]:
    if eligible and not rule.departments:
        raise WorkflowError(str(_("请至少选择一个参加的部门。")), code="no_participants")
    return rule.choose(eligible)


def _open_page(
    request: HttpRequest, *, error: str = "", status: int = 200, job: jobs.ImportJob | None = None
) -> HttpResponse:
    if request.method == "POST":
        form = OpenCycleForm(request.POST, request.FILES)
        form.is_valid()
        period = str(request.POST.get("period", "")).strip()
        cutoff = _int(request.POST.get("cutoff_day"), cycles.DEFAULT_CUTOFF_DAY)
        seen = preview(period, cutoff, request.POST)
    else:
        period = str(request.GET.get("period") or default_period(timezone.localdate()))
        cutoff = _int(request.GET.get("cutoff_day"), cycles.DEFAULT_CUTOFF_DAY)
        seen = preview(period, cutoff)
        form = _prefilled_form(period, cutoff, seen)
    context = {"form": form, "error": error, **seen, **job_context(job)}
    return render(request, "shopkpi/hr/cycle_open.html", context, status=status)


def _prefilled_form(period: str, cutoff: int, seen: dict[str, Any]) -> OpenCycleForm:
    """The open-cycle form for `period`, its deadlines prefilled with the defaults `preview` found."""
    due = seen.get("deadlines")
    dates = (
        {"self_due": due.self_due, "supervisor_due": due.supervisor_due, "hr_due": due.hr_due} if due else {}
    )
    return OpenCycleForm(initial={"period": period, "cutoff_day": cutoff, **dates})


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


@hr_page(reshow=lambda request, error: _open_page(request, error=error))
def open_cycle(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _open_page(request)
    too_large = upload_limits.too_large(request, "targets", "targets")
    if too_large:
        return _open_page(request, error=too_large, status=413)
    form = OpenCycleForm(request.POST, request.FILES)
    if not form.is_valid():
        return _open_page(request, status=400)
    data = form.cleaned_data
    period = data["period"]
    eligible = cycles.eligible_employees(period, data["cutoff_day"])
    rule = ParticipantRule(frozenset(data["departments"]), codes_in(data["excluded"]))
    if not request.POST.get("rule_given"):  # the form without its preview: everyone eligible
        rule = ParticipantRule(frozenset(e.department_id for e in eligible), rule.excluded)
    participants = _participants(rule, eligible)
    cannot = cycles.without_evaluator(participants)
    if cannot:
        raise WorkflowError(
            str(
                _(
                    "以下人员没有上级，也没有其他总经理或人事可以评价：%(codes)s。"
                    "请为其设置上级，或把其工号写进不参加的人员。"
                )
            )
            % {"codes": "、".join(sorted(cannot))}
        )
    if data["targets"] is not None:
        path = jobs.save_upload(data["targets"])
        job = jobs.run(jobs.new_job(request.user.get_username(), path, "targets", period=period))
        if job.state != "imported":
            return _open_page(request, status=422, job=job, error=str(_("目标导入未通过，考核期没有开启。")))
        messages.info(request, _("目标已导入：%(file)s。") % {"file": job.file})
    cycle = cycles.open_cycle(
        request.user,
        period,
        participants=participants,
        deadlines={
            "self_due": data["self_due"],
            "supervisor_due": data["supervisor_due"],
            "hr_due": data["hr_due"],
        },
        cutoff_day=data["cutoff_day"],
        appeal_days=data["appeal_days"],
    )
    messages.success(
        request,
        _("考核期 %(period)s 已开启，共 %(n)s 份考核。")
        % {"period": cycle.period, "n": cycle.reviews.count()},
    )
    return redirect("hr-cycle", period=cycle.period)


@hr_page()
def open_cycle_preview(request: HttpRequest) -> HttpResponse:
    """HTMX: the participants (by department, with the exceptions) and the default deadlines of the
    period typed."""
    period = str(request.GET.get("period", "")).strip()
    cutoff = _int(request.GET.get("cutoff_day"), cycles.DEFAULT_CUTOFF_DAY)
    seen = preview(period, cutoff, request.GET)
    form = _prefilled_form(period, cutoff, seen)
    return render(request, "shopkpi/hr/_cycle_preview.html", {"form": form, **seen})


# ---- one cycle ----------------------------------------------------------------------------------


def _cycle_page(request: HttpRequest, period: str, *, error: str = "") -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    by_status = {
        row["status"]: row["n"]
        for row in Review.objects.filter(cycle=cycle).values("status").annotate(n=Count("id"))
    }
    today = timezone.localdate()
    computation = cycle.computations.order_by("-computed_at", "-id").first()
    return render(
        request,
        "shopkpi/hr/cycle.html",
        {
            "cycle": cycle,
            "computation": computation,
            "computation_problems": [
                month_close.RatingProblem(**problem).text()
                for problem in (computation.problems if computation else [])
            ],
            "status_label": labels.cycle_state(cycle.status),
            "steps": [(s.value, labels.REVIEW_STATES[s], by_status.get(s, 0)) for s in S],
            "total": sum(by_status.values()),
            "overdue": overdue_count(cycle, by_status, today),
            "reopen_request": reopen_requests.pending_request(cycle),
            "recompute_job": recompute_jobs.shown(cycle),
            "error": error,
        },
        status=409 if error else 200,
    )


@hr_page()
def cycle_page(request: HttpRequest, period: str) -> HttpResponse:
    return _cycle_page(request, period)


def _reshow_cycle(request: HttpRequest, period: str, error: str) -> HttpResponse:
    return _cycle_page(request, period, error=error)


@hr_page(reshow=_reshow_cycle)
@require_POST
def recompute(request: HttpRequest, period: str) -> HttpResponse:
    """Recompute every review of the cycle from the warehouse (values frozen after HR stay frozen):
    within the request for a small month, as a job for a large one (`recompute_jobs`)."""
    cycle = get_object_or_404(Cycle, period=period)
    changed = recompute_jobs.recompute(request.user, cycle)
    if isinstance(changed, Job):  # a large month: `shopkpi worker` does it, the page follows the job
        messages.success(
            request,
            _("本期有 %(n)s 份考核，已交给后台重算；完成后本页显示结果。") % {"n": changed.total},
        )
        return redirect("hr-cycle", period=period)
    reviews = Review.objects.filter(cycle=cycle).count()
    messages.success(
        request,
        _("已按仓库数据重算 %(n)s 份考核，其中 %(changed)s 份结果有变化。")
        % {"n": reviews, "changed": len(changed)},
    )
    return redirect("hr-cycle", period=period)


@hr_page()
def recompute_status(request: HttpRequest, period: str) -> HttpResponse:
    """The month's latest recompute job as a fragment; while it runs, the fragment polls itself again."""
    cycle = get_object_or_404(Cycle, period=period)
    job = recompute_jobs.latest(cycle)
    if job is None:
        raise Http404("no recompute of this month")
    return render(request, "shopkpi/hr/_recompute_job.html", {"cycle": cycle, "recompute_job": job})


@hr_page(reshow=_reshow_cycle)
@require_POST
def archive(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    cycles.archive_cycle(request.user, cycle)
    messages.success(request, _("考核期 %(period)s 已归档。") % {"period": period})
    return redirect("hr-cycle", period=period)


@hr_page(reshow=_reshow_cycle)
@require_POST
def request_reopen(request: HttpRequest, period: str) -> HttpResponse:
    cycle = get_object_or_404(Cycle, period=period)
    reopen_requests.request_reopen(request.user, cycle, request.POST.get("reason", ""))
    messages.success(request, _("重新开启申请已提交，等待总经理确认。"))
    return redirect("hr-cycle", period=period)
