"""What the pages call the domain's identifiers: one table per kind, Chinese (the msgid) with English
from the locale files. Pages, templates (through the `shopkpi_labels` filters) and the exports (which
`shopkpi worker` may write) take every label from here; an identifier without a label shows as itself, which tests/web/test_no_raw_identifiers.py
catches.

    REVIEW_STATES   a review's status         pending_gm      -> 待总经理批准
    CYCLE_STATES    a cycle's status          archived        -> 已归档
    ACTIONS         a step of a review        submit_hr       -> 提交总经理审批
    AUDIT_EVENTS    an audit entry's action   cycle.reopen    -> 重新开启考核期
    OBJECT_TYPES    what an entry is about    action_item     -> 行动项
    AUDIT_FIELDS    a key of before / after   appeal_deadline -> 申诉截止时间
    VARIABLES       built-in template values  base_salary     -> 基本工资
    ROLES           a role given to a login   gm              -> 总经理
    TODO_STEPS      a step on a to-do list    check           -> 人事核准
    DATASETS        an imported dataset       cs_daily        -> 客服绩效日报
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shopkpi.appraisal.models import ActionItem, Appeal, Cycle, ReopenRequest, Review
from shopkpi.appraisal.wording.variable_names import VARIABLES, metric_label, metric_unit, variable

__all__ = ["VARIABLES", "metric_label", "metric_unit", "variable"]  # named here for the pages

S = Review.Status

REVIEW_STATES: dict[str, Promise] = {
    S.PENDING_SELF: _("待自评"),
    S.PENDING_SUPERVISOR: _("待上级评分"),
    S.PENDING_HR: _("待人事核准"),
    S.PENDING_GM: _("待总经理批准"),
    S.PENDING_STEP: _("待审核"),
    S.PUBLISHED: _("已发布"),
    S.ACKNOWLEDGED: _("已签字确认"),
    S.APPEALED: _("申诉中"),
}
CYCLE_STATES: dict[str, Promise] = {Cycle.Status.OPEN: _("进行中"), Cycle.Status.ARCHIVED: _("已归档")}
ACTION_ITEM_STATES: dict[str, Promise] = {
    ActionItem.Status.OPEN: _("待处理"),
    ActionItem.Status.CLOSED: _("已处理"),
}
APPEAL_OUTCOMES: dict[str, Promise] = {
    Appeal.Status.OPEN: _("待处理"),
    Appeal.Status.UPHELD: _("维持原结果"),
    Appeal.Status.AMENDED: _("已修正"),
}
REOPEN_STATES: dict[str, Promise] = {
    ReopenRequest.Status.PENDING: _("待总经理确认"),
    ReopenRequest.Status.CONFIRMED: _("已确认重新开启"),
    ReopenRequest.Status.DECLINED: _("已驳回"),
}
# a dataset of shopkpi.data.datasets, as the pages name it (the data layer knows its Chinese name only)
DATASETS: dict[str, Promise] = {
    "employees": _("员工"),
    "accounts": _("账号归属"),
    "positions": _("岗位"),
    "targets": _("目标"),
    "inputs": _("手工录入数据"),
    "ratings": _("评分"),
    "shop_daily": _("店铺/商品日报"),
    "traffic_events": _("流量行为明细"),
    "orders": _("订单"),
    "cs_daily": _("客服绩效日报"),
    "campaigns": _("推广计划日报"),
    "sns_posts": _("新媒体发布日报"),
    "tasks": _("设计/文案任务"),
    "cs_chats": _("客服询单明细"),
    "order_credits": _("客服订单归属"),
}
# a step waiting on someone's to-do list (appraisal.todo): what it is, and the button that opens it
TODO_STEPS: dict[str, Promise] = {
    "self": _("自评"),
    "rate": _("评分与面谈"),
    "review": _("审核"),
    "check": _("人事核准"),
    "appeal": _("处理申诉"),
    "approve": _("总经理批准"),
    "sign": _("签字或申诉"),
}
TODO_BUTTONS: dict[str, Promise] = {
    "self": _("去自评"),
    "rate": _("去评分"),
    "review": _("去审核"),
    "check": _("去核准"),
    "appeal": _("处理申诉"),
    "approve": _("去审批"),
    "sign": _("去签字"),
}
RATERS: dict[str, Promise] = {"self": _("本人自评"), "supervisor": _("上级")}
LOCK_SCOPES: dict[str, Promise] = {"username": _("用户名"), "address": _("地址")}

ACTIONS: dict[str, Promise] = {
    "open": _("开启考核"),
    "save_self": _("保存自评"),
    "submit_self": _("提交自评"),
    "withdraw_self": _("撤回自评"),
    "rate": _("上级评分"),
    "record_interview": _("记录面谈"),
    "submit_supervisor": _("提交人事核准"),
    "return_to_self": _("退回员工重新自评"),
    "override": _("人事修正数值"),
    "submit_hr": _("提交总经理审批"),
    "return_to_supervisor": _("退回上级"),
    "approve": _("总经理批准"),
    "return_to_hr": _("退回人事"),
    "pass_step": _("审核通过"),
    "return_step": _("审核退回"),
    "skip_step": _("回避跳过"),
    "acknowledge": _("本人签字确认"),
    "appeal": _("申诉"),
    "decide_appeal": _("处理申诉"),
    "adjust_pay": _("奖惩调整"),
    "calibrate": _("校准调整"),
    "archive": _("归档"),
    "reopen": _("重新开启"),
    "data_withdrawn": _("数据批次撤回后重算"),
}

AUDIT_EVENTS: dict[str, Promise] = {
    "cycle.open": _("开启考核期"),
    "cycle.recompute": _("按仓库数据重算考核期"),
    "cycle.archive": _("归档考核期"),
    "cycle.approve_all": _("批准考核期全部待批考核"),
    "cycle.reopen_request": _("申请重新开启考核期"),
    "cycle.reopen_decline": _("驳回重新开启申请"),
    "cycle.reopen": _("重新开启考核期"),
    "template.version": _("保存模板新版本"),
    "action_item.create": _("生成行动项"),
    "action_item.close": _("关闭行动项"),
    "action_item.withdraw": _("撤回行动项"),
    "incident.record": _("记录奖惩"),
    "incident.change": _("修改奖惩记录"),
    "incident.remove": _("删除奖惩记录"),
    "data.import": _("导入数据"),
    "data.withdraw": _("撤回导入批次"),
    "scorecard.export": _("导出考核表"),
    "rows.export": _("导出数据明细"),
    "reconciliation.acknowledge": _("确认数据核对差异"),
    "summary.export": _("导出部门汇总表"),
    "paysheet.export": _("导出工资表"),
    "list.export": _("导出列表"),
    "calibration.targets": _("设置校准目标"),
    "calibration.confirm": _("确认按超出目标的等级分布发布"),
    "pay_grades.table": _("保存薪等薪级表"),
    "pay_grades.employees": _("登记员工薪等薪级"),
    "pay_grades.rules": _("保存调薪对照表"),
    "pay_grades.propose": _("生成调薪建议"),
    "pay_grades.hr_approve": _("人事审核调薪建议"),
    "pay_grades.gm_approve": _("总经理批准调薪建议"),
    "login.lock": _("登录锁定"),
    "company.name": _("设置公司名称"),
    "user.create": _("创建用户"),
    "user.issue": _("发放登录账号"),
    "user.password_reset": _("重置密码"),
    "user.password_change": _("修改密码"),
    "user.roles": _("变更角色"),
    "user.deactivate": _("停用用户"),
    "user.unlock": _("解除登录锁定"),
    "token.revoke": _("吊销 API 令牌"),
    "org.department.add": _("新建部门"),
    "org.position.add": _("新建岗位"),
    "org.position.template": _("设置岗位模板"),
    "org.employee.add": _("新增员工"),
    "org.employee.change": _("变更员工信息"),
    "org.employee.leave": _("登记离职"),
    "org.account.assign": _("登记账号归属"),
    "org.account.hand_over": _("账号交接"),
    "org.account.end": _("结束账号归属"),
    "org.account.remove": _("删除账号归属"),
    "approval_chain.replace": _("设置审批流程"),
}

OBJECT_TYPES: dict[str, Promise] = {
    "review": _("考核"),
    "cycle": _("考核期"),
    "template": _("模板"),
    "action_item": _("行动项"),
    "incident": _("奖惩记录"),
    "dataset": _("数据集"),
    "login": _("登录尝试"),
    "user": _("用户"),
    "company": _("公司"),
    "batch": _("导入批次"),
    "list": _("列表"),
    "department": _("部门"),
    "position": _("岗位"),
    "employee": _("员工"),
    "account": _("账号"),
    "calibration": _("校准"),
    "pay_grades": _("薪等薪级"),
}
ROLES: dict[str, Promise] = {"hr": _("人事"), "gm": _("总经理"), "admin": _("管理员")}

AUDIT_FIELDS: dict[str, Promise] = {
    "status": _("状态"),
    "version": _("版本"),
    "score": _("得分"),
    "grade": _("等级"),
    "evaluator": _("考评人"),
    "participants": _("参加人员"),
    "templates": _("模板"),
    "self_due": _("自评截止"),
    "supervisor_due": _("上级评分截止"),
    "hr_due": _("人事核准截止"),
    "cutoff_day": _("入职截止日"),
    "appeal_days": _("申诉期（天）"),
    "sha256": _("校验值"),
    "reviews": _("考核"),
    "approved": _("已批准"),
    "approved_by": _("批准人"),
    "changed": _("结果有变化"),
    "rows": _("行数"),
    "format": _("格式"),
    "action": _("行动"),
    "employee": _("员工"),
    "period": _("考核期间"),
    "departments": _("部门数"),
    "interview": _("面谈"),
    "held_on": _("面谈日期"),
    "strengths": _("优点"),
    "improvements": _("待改进"),
    "plan": _("改进计划"),
    "employee_response": _("员工意见"),
    "name": _("名称"),
    "value": _("数值"),
    "values_frozen_at": _("数值冻结时间"),
    "published_at": _("发布时间"),
    "appeal_deadline": _("申诉截止时间"),
    "acknowledged_at": _("签字确认时间"),
    "appeals": _("申诉"),
    "item_key": _("项目"),
    "reason": _("原因"),
    "outcome": _("处理结果"),
    "adjustment": _("调整金额"),
    "adjustment_id": _("调整编号"),
    "ratings": _("评分"),
    "rater": _("评分人"),
    "self_assessment": _("自我评价"),
    "supervisor_comment": _("上级评语"),
    "comment": _("评语"),
    "request": _("申请编号"),
    "requested_by": _("申请人"),
    "request_reason": _("申请原因"),
    "note": _("备注"),
    "occurred_on": _("日期"),
    "kind": _("类型"),
    "amount": _("次数/金额"),
    "evidence": _("证据文件"),
    "file": _("文件"),
    "batch": _("批次"),
    "profile": _("识别的格式"),
    "skipped_rows": _("跳过的行数"),
    "replaced": _("替换的批次"),
    "partly_replaced": _("部分替换的批次"),
    "dataset": _("数据集"),
    "scope": _("锁定范围"),
    "username": _("用户名"),
    "address": _("地址"),
    "until": _("锁定至"),
    "level": _("连续锁定次数"),
    "roles": _("角色"),
    "active": _("启用"),
    "accepted_warnings": _("已确认的提醒"),
    "must_change_password": _("须修改密码"),
    "failures": _("失败次数"),
    "token": _("令牌编号"),
    "created_at": _("创建时间"),
    "expires_at": _("到期时间"),
    "department": _("部门"),
    "position": _("岗位"),
    "supervisor": _("直接上级"),
    "base_salary": _("基本工资"),
    "hired_on": _("入职日期"),
    "left_on": _("离职日期"),
    "email": _("邮箱"),
    "mobile": _("手机"),
    "valid_from": _("生效日期"),
    "valid_to": _("失效日期"),
    "template": _("考核表模板"),
    "quarter_template": _("季度考核表模板"),
    "year_template": _("年度考核表模板"),
    "files": _("文件"),
    "changes": _("改动数"),
    "chain_step": _("审批步骤"),
    "returned_to": _("退回至"),
    "steps": _("步骤"),
    "pay": _("绩效工资"),
    "distribution_confirmed": _("总经理确认的等级分布"),
    "figures": _("超出目标的等级分布"),
    "confirmation": _("确认编号"),
    "targets": _("校准目标"),
    "proposals": _("调薪建议数"),
    "left_out": _("未生成建议的员工"),
}

# what an organisation change is (the preview of an upload or a form, shopkpi.appraisal.organisation)
ORG_CHANGES: dict[str, Promise] = {
    "new_department": _("新部门"),
    "new_position": _("新岗位"),
    "position_template": _("岗位模板"),
    "position_without_template": _("岗位还没有考核表模板"),
    "new_employee": _("新员工"),
    "changed_field": _("信息变更"),
    "leaver": _("离职"),
    "new_owner": _("新归属人"),
    "hand_over": _("账号交接"),
    "ownership_end": _("归属结束"),
    "ownership_removed": _("删除归属"),
}


CHANNELS: dict[str, Promise] = {
    "email": _("电子邮件"),
    "wecom": _("企业微信"),
    "dingtalk": _("钉钉"),
    "feishu": _("飞书"),
}


def robot_owner(target: str) -> str:
    """Whose robot a send went to ("company", "department:7"), or the e-mail address as it is."""
    if target == "company":
        return str(_("公司群"))
    if target.startswith("department:"):
        from shopkpi.appraisal.models import Department

        found = Department.objects.filter(pk=target.split(":", 1)[1]).first()
        return str(_("部门群：%(name)s") % {"name": found.name if found else "?"})
    return target


def _label(table: dict[str, Promise], key: object) -> str:
    text = str(key)
    found = table.get(text)
    return text if found is None else str(found)


def review_state(status: object) -> str:
    return _label(REVIEW_STATES, status)


def cycle_state(status: object) -> str:
    return _label(CYCLE_STATES, status)


def dataset(name: object) -> str:
    return _label(DATASETS, name)


def todo_step(kind: object) -> str:
    return _label(TODO_STEPS, kind)


def todo_button(kind: object) -> str:
    return _label(TODO_BUTTONS, kind)


def action(name: object) -> str:
    return _label(ACTIONS, name)


def audit_event(name: object) -> str:
    """An audit entry's action: `review.<step>` is named after the step."""
    text = str(name)
    if text.startswith("review.") and text[len("review.") :] in ACTIONS:
        return str(ACTIONS[text[len("review.") :]])
    return _label(AUDIT_EVENTS, text)


def audit_events() -> list[tuple[str, str]]:
    """Every audit action with its label, for the audit log's filter."""
    return [
        *((f"review.{key}", str(label)) for key, label in ACTIONS.items()),
        *((key, str(label)) for key, label in AUDIT_EVENTS.items()),
    ]


def object_type(kind: object) -> str:
    return _label(OBJECT_TYPES, kind)


def audit_field(key: object) -> str:
    return _label(AUDIT_FIELDS, key)


def org_change(kind: object) -> str:
    return _label(ORG_CHANGES, kind)


# ---- why an item has no points (results stored before the engine gave reason codes) -------------------------------

_MISSING: list[tuple[re.Pattern[str], Promise]] = [
    (re.compile(r"^the supervisor's rating is missing$"), _("上级尚未评分")),
    (re.compile(r"^the self-review rating is missing$"), _("本人尚未自评")),
    (re.compile(r"^variable '(?P<name>.+)' has no value$"), _("缺少数据：%(name)s")),
    (re.compile(r"^the target '(?P<source>.+)' is 0$"), _("目标 %(source)s 为 0")),
    (re.compile(r"^division by zero in '(?P<source>.+)'$"), _("%(source)s 除数为 0")),
    (
        re.compile(r"^'(?P<source>.+)' has no defined value \(0 / 0 or similar\)$"),
        _("%(source)s 没有确定的值（0 / 0 之类）"),
    ),
    (re.compile(r"^'(?P<source>.+)' is too large to compute$"), _("%(source)s 数值过大，无法计算")),
    (
        re.compile(r"^'(?P<source>.+)' mixes text and numbers \(.*\)$"),
        _("%(source)s 把文字和数字混在一起计算"),
    ),
    (re.compile(r"^'(?P<source>.+)' gives .+, not a number$"), _("%(source)s 的结果不是数字")),
    (
        re.compile(r"^(?P<value>.+) lies in no interval of the lookup table$"),
        _("%(value)s 不在查表的任何区间内"),
    ),
    (re.compile(r"^(?:lookup|round) needs a number, got (?P<value>.+)$"), _("需要数字，得到的是 %(value)s")),
]


def missing_reason(reason: object) -> str:
    """The engine's reason an item has no points, in the active language (as is when not known)."""
    text = str(reason or "")
    for pattern, label in _MISSING:
        found = pattern.match(text)
        if found:
            names = {k: variable(v) if k == "name" else v for k, v in found.groupdict().items()}
            return str(label) % names if names else str(label)
    return text


def labelled(value: Any, key: str = "") -> Any:
    """An audit before / after value with its state, outcome or rater named (other values as they are)."""
    tables: dict[str, dict[str, Promise]] = {
        "status": {**REVIEW_STATES, **CYCLE_STATES, **ACTION_ITEM_STATES},
        "outcome": APPEAL_OUTCOMES,
        "rater": RATERS,
        "scope": LOCK_SCOPES,
        "roles": ROLES,
    }
    if key in tables and isinstance(value, str):
        return _label(tables[key], value)
    return value
