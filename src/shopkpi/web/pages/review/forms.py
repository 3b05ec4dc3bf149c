"""The review page's forms: what each posts, read into the arguments of `workflow.perform`.

One form per step the user may take (policy.allowed_actions); each posts `action`, `expected_version`
and its own fields to the one action view. Reading a form never decides anything: the workflow
checks the values (a bad date, an empty reason, a rating outside 0..100) and answers WorkflowError.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shopkpi.appraisal.models import Review
from shopkpi.appraisal.reviews import chain
from shopkpi.appraisal.reviews.review_steps import WorkflowError
from shopkpi.scorecard.template import RatedRule, Template

# the steps the review page and the team board offer (HR's and the GM's are in their consoles; a named
# reviewer's step of the approval chain is taken here)
PAGE_ACTIONS = (
    "save_self",
    "submit_self",
    "withdraw_self",
    "rate",
    "record_interview",
    "submit_supervisor",
    "return_to_self",
    "pass_step",
    "return_step",
    "acknowledge",
    "appeal",
)
# which panel of the page holds each action's form (an HTMX save answers that panel)
PANEL = {
    "save_self": "self",
    "submit_self": "self",
    "withdraw_self": "self",
    "rate": "evaluator",
    "record_interview": "evaluator",
    "submit_supervisor": "evaluator",
    "return_to_self": "evaluator",
    "pass_step": "chain",
    "return_step": "chain",
    "acknowledge": "published",
    "appeal": "published",
}
# what the page says after each step went through
DONE = {
    "save_self": _("自评已保存。"),
    "submit_self": _("自评已提交，等待上级评分。"),
    "withdraw_self": _("自评已撤回，可修改后重新提交。"),
    "rate": _("评分已保存。"),
    "record_interview": _("面谈记录已保存。"),
    "submit_supervisor": _("已提交人事核准。"),
    "return_to_self": _("已退回员工重新自评。"),
    "pass_step": _("已审核通过，考核转到下一步。"),
    "return_step": _("已退回。"),
    "acknowledge": _("已签字确认。"),
    "appeal": _("申诉已提交，等待人事处理。"),
}
MAX_TEXT = 10_000
WHOLE = "_whole"  # the appeal of the whole result (item_key "")


def done(action: str, review: Review) -> str:
    """What the page says after the step went through; a review passed on along a chain the company set
    names the step it went to (or says it was published after the last)."""
    if action in ("submit_supervisor", "pass_step"):
        step = chain.current_step(review)
        if step is not None and (action == "pass_step" or step != chain.default_chain(review)[0]):
            return gettext("已提交：%(step)s。") % {"step": step.name}
        if review.status == Review.Status.PUBLISHED:
            return gettext("已审核通过，考核结果已发布。")
    return str(DONE[action])


def text(form: QueryDict, name: str) -> str:
    value = str(form.get(name, ""))
    if "\x00" in value:
        raise WorkflowError(gettext("填写的文字含有 NUL 控制字符，请删除后再提交。"), code="bad_text")
    if len(value) > MAX_TEXT:
        raise WorkflowError(
            gettext("填写的文字最多 %(limit)s 个字符，当前 %(length)s 个。")
            % {"limit": MAX_TEXT, "length": len(value)},
            code="text_too_long",
        )
    return value.replace("\r\n", "\n")


def expected_version(form: QueryDict) -> int:
    try:
        return int(str(form.get("expected_version", "")))
    except ValueError:
        raise WorkflowError(gettext("表单缺少版本号，请刷新页面后重试。"), code="no_version") from None


def _ratings(template: Template, form: QueryDict) -> dict[str, str | None]:
    ratings: dict[str, str | None] = {}
    for item in template.items:
        name = f"rating-{item.key}"
        if isinstance(item.rule, RatedRule) and name in form:
            raw = text(form, name).strip()
            ratings[item.key] = raw or None
    return ratings


def arguments(action: str, template: Template, form: QueryDict) -> dict[str, Any]:
    """The keyword arguments of `workflow.perform` for `action` from the posted form."""
    if action in ("save_self", "submit_self"):
        return {"ratings": _ratings(template, form), "self_assessment": text(form, "self_assessment")}
    if action == "rate":
        data: dict[str, Any] = {"ratings": _ratings(template, form)}
        if "comment" in form:
            data["comment"] = text(form, "comment")
        return data
    if action == "record_interview":
        return {
            name: text(form, name)
            for name in ("held_on", "strengths", "improvements", "plan", "employee_response")
        }
    if action in ("return_to_self", "pass_step", "return_step"):
        return {"reason": text(form, "reason")}
    if action == "appeal":
        items = []
        for key in [WHOLE, *(item.key for item in template.items)]:
            reason = text(form, f"appeal-{key}").strip()
            if reason:
                items.append({"item_key": "" if key == WHOLE else key, "reason": reason})
        return {"items": items}  # none: the workflow says an appeal names at least one item
    return {}
