"""Account types: the kinds attribution knows (a dataset's `account_kind`) and the words HR writes for them."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# kind -> what the pages call it
KINDS: dict[str, Promise] = {
    "shop": _("店铺"),
    "agent": _("客服账号（旺旺子账号、京东客服）"),
    "campaign": _("推广计划"),
    "sns": _("SNS账号"),
    "category": _("类目"),
    "assignee": _("任务执行人"),
}
# the words an accounts workbook may use for each kind (besides the kind itself)
WORDS: dict[str, str] = {
    "店铺": "shop",
    "旺旺子账号": "agent",
    "千牛子账号": "agent",
    "旺旺": "agent",
    "京东客服": "agent",
    "客服": "agent",
    "客服账号": "agent",
    "推广计划": "campaign",
    "SNS账号": "sns",
    "新媒体": "sns",
    "新媒体账号": "sns",
    "类目": "category",
    "任务": "assignee",
    "任务执行人": "assignee",
}
# the Chinese word a workbook writes for each kind (the organisation guide's table of account types)
WORD_OF_KIND = {
    "shop": "店铺",
    "agent": "旺旺子账号",
    "campaign": "推广计划",
    "sns": "SNS账号",
    "category": "类目",
    "assignee": "任务",
}


_LOOKUP = {**{word.lower(): kind for word, kind in WORDS.items()}, **{kind: kind for kind in KINDS}}


def kind_of(text: str) -> str | None:
    """The kind `text` names (`店铺`, `shop`, `SNS账号`, ` sns ` …), or None."""
    return _LOOKUP.get("".join(text.split()).lower())
