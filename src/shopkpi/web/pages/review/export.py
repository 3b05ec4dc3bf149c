"""The employee's scorecard in the familiar 考核表 layout, as the user may see it: one model for the
XLSX download and the print page.

Columns: 考核指标, 详细描述, 标准, 分值, 权重, 实际值, 目标, 完成率, 得分, 自评分, 考评分, 评语. An item
spans one row per standard (a band, a rating level, or its rule in words), 分值 beside each standard;
the standard the value fell in is marked. 实际值, 目标 and 完成率 are what a computed item measured
(explanations.measured: 支付金额 ¥372,562.77, 目标 ¥332,000.00, 112.2%); 得分 is the item's points,
自评分 the employee's own rating (0–100), 考评分 the rating the item earned (the supervisor's for a rated
item, the band's for a computed one), 评语 the comments on a rated item (the supervisor's, the
employee's own), never the computation.

What the user may see comes from the API presenter (which obeys the policy): before publication the
employee sees no supervisor rating, score, grade or pay; the evaluator sees the self-review once it
is submitted. Nothing here decides visibility again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.company import company_name
from shopkpi.appraisal.models import Review
from shopkpi.appraisal.periods.period_names import period_label
from shopkpi.appraisal.reviews.review_steps import actor_name
from shopkpi.appraisal.wording.variable_names import without_codes
from shopkpi.scorecard.numbers import format_decimal, plain
from shopkpi.scorecard.template import (
    BandsRule,
    BonusRule,
    DeductRule,
    Item,
    PenaltyRule,
    ProportionalRule,
    RatedRule,
)
from shopkpi.web.api import presenters
from shopkpi.web.api.schemas import ItemOut, ReviewDetailOut
from shopkpi.web.pages.common import explanations
from shopkpi.web.pages.common.explanations import Measured

HUNDRED = Decimal(100)


def columns() -> list[str]:
    return [
        _("考核指标"),
        _("详细描述"),
        _("标准"),
        _("分值"),
        _("权重"),
        _("实际值"),
        _("目标"),
        _("完成率"),
        _("得分"),
        _("自评分"),
        _("考评分"),
        _("评语"),
    ]


def signatures() -> list[str]:
    return [_("本人签字"), _("直接上司签字"), _("总经理签字")]


@dataclass(frozen=True)
class Standard:
    text: str
    points: Decimal | None  # 分值: the rating (0–100) this standard earns
    matched: bool = False


@dataclass(frozen=True)
class ItemBlock:
    name: str
    description: str
    standards: list[Standard]
    weight: Decimal | None  # a share: 0.2 for 20 points of 100; None for bonus and penalty items
    measured: Measured  # 实际值, 目标, 完成率 of a computed item
    points: Decimal | None  # 得分
    self_rating: Decimal | None  # 自评分
    rating: Decimal | None  # 考评分
    comment: str  # 评语: comments only


@dataclass(frozen=True)
class Scorecard:
    review_id: int
    title: str
    company: str
    period: str
    period_label: str  # 2026年3月
    info: list[tuple[str, str]]  # 姓名, 工号, 部门, 岗位, 考核期间, 考评负责人 ...
    items: list[ItemBlock]
    score: Decimal | None
    self_total: Decimal | None
    grade: str
    pay: Decimal | None
    pay_kind: str | None  # performance | wage | None: the template has no pay (本岗位不计绩效工资)
    texts: list[tuple[str, str]] = field(default_factory=list)  # 自我评价, 上级评语, 面谈 ...
    acknowledged_at: str = ""
    file_name: str = ""


def pay_label(kind: str | None) -> str:
    """The pay line's label: a whole wage by the template's design is not 绩效工资."""
    return _("整月工资（元）") if kind == "wage" else _("绩效工资（元）")


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None or text == "" else Decimal(text)


def _number_text(value: Decimal) -> str:
    return format_decimal(plain(value))


def _standards(item: Item, shown: ItemOut, level: str) -> list[Standard]:
    rule = item.rule
    if isinstance(rule, BandsRule):
        return [
            Standard(band.interval.text, band.rating, band.interval.text == shown.band) for band in rule.bands
        ]
    if isinstance(rule, RatedRule):
        if rule.levels:
            rating = _decimal(shown.rating)
            return [
                Standard(name, value, (name == level) if level else rating == value)
                for name, value in rule.levels.items()
            ]
        return [Standard(_("上级评分（0–100）"), None)]
    if isinstance(rule, ProportionalRule):
        return [
            Standard(
                _("按目标完成比例计分：实际 / %(target)s，封顶 100%%") % {"target": rule.target.source},
                HUNDRED,
            )
        ]
    if isinstance(rule, DeductRule):
        return [Standard(_("每单位扣 %(per)s 分，扣完为止") % {"per": _number_text(rule.per_unit)}, None)]
    if isinstance(rule, BonusRule):
        text = _("超过 %(over)s 后每 %(per)s 加 %(points)s 分") % {
            "over": _number_text(rule.over),
            "per": _number_text(rule.per),
            "points": _number_text(rule.points),
        }
        if rule.max is not None:
            text += _("，最多 %(max)s 分") % {"max": _number_text(rule.max)}
        return [Standard(text, None)]
    assert isinstance(rule, PenaltyRule)
    text = _("每单位扣 %(per)s 分") % {"per": _number_text(rule.per)}
    if rule.max is not None:
        text += _("，最多 %(max)s 分") % {"max": _number_text(rule.max)}
    return [Standard(text, None)]


def build(user: Any, review: Review) -> Scorecard:
    """The 考核表 of a review the user may see (the caller got it from policy.review_for)."""
    detail: ReviewDetailOut = presenters.detail(user, review)
    template = review.template_version.compiled()
    shown_items = {i.key: i for i in detail.items}
    supervisor = {r.item_key: r for r in detail.ratings if r.rater == "supervisor"}
    own = {r.item_key: r for r in detail.ratings if r.rater == "self"}
    # a person's words only: an imported rating (no one rated it on a page) carries its batch, not a comment
    comments = {key: r.comment for key, r in supervisor.items() if r.comment and r.rated_by}
    for key, r in own.items():
        if r.comment and r.rated_by:
            comments[key] = (
                (comments.get(key, "") + "；" if key in comments else "") + _("自评：") + r.comment
            )
    stored = {str(e.get("key")): e for e in review.result.get("items", []) if isinstance(e, dict)}
    blocks = []
    for item in template.items:
        shown = shown_items[item.key]
        computed = not item.is_rated  # always shown: hidden parts are the supervisor's ratings
        level = supervisor[item.key].level if item.key in supervisor else ""
        blocks.append(
            ItemBlock(
                name=item.name,
                description=without_codes(item.description or ""),
                standards=_standards(item, shown, level),
                weight=None if item.weight is None else item.weight / HUNDRED,
                measured=(
                    explanations.measured(stored.get(item.key, {}).get("explanation"))
                    if computed
                    else Measured()
                ),
                points=_decimal(shown.points),
                self_rating=_decimal(shown.self_rating),
                rating=_decimal(shown.rating),
                comment=comments.get(item.key, ""),
            )
        )
    employee = review.employee
    period = period_label(review.cycle.period)
    company = company_name()
    title = _("%(company)s%(period)s绩效考核表：%(name)s（%(code)s）") % {
        "company": f"{company} " if company else "",
        "period": period,
        "name": employee.name,
        "code": employee.code,
    }
    info = [
        (_("姓名"), employee.name),
        (_("工号"), employee.code),
        (_("部门"), employee.department.name),
        (_("岗位"), employee.position.name),
        (_("考核期间"), review.cycle.period),
        (_("考评负责人"), review.evaluator.name if review.evaluator else "—"),
        (_("考核表模板"), f"{detail.template.name} v{detail.template.version}"),
        (_("状态"), review.get_status_display()),
    ]
    texts: list[tuple[str, str]] = []
    if detail.self_assessment is not None:
        texts.append((_("自我评价"), detail.self_assessment or "—"))
    if detail.supervisor_comment is not None:
        texts.append((_("上级评语"), detail.supervisor_comment or "—"))
    if detail.interview is not None:
        interview = detail.interview
        texts += [
            (_("面谈日期"), interview.held_on.isoformat()),
            (_("优点"), interview.strengths),
            (_("待改进"), interview.improvements),
            (_("改进计划"), interview.plan),
            (_("员工意见"), interview.employee_response or "—"),
        ]
    result = review.result if isinstance(review.result, dict) else {}
    acknowledged = (
        timezone.localtime(detail.acknowledged_at).strftime("%Y-%m-%d %H:%M")
        if detail.acknowledged_at
        else ""
    )
    return Scorecard(
        review_id=review.pk,
        title=title,
        company=company,
        period=review.cycle.period,
        period_label=period,
        info=info,
        items=blocks,
        score=_decimal(detail.score),
        self_total=_decimal(result.get("self_total")) if detail.self_assessment is not None else None,
        grade=detail.grade or "",
        pay=_decimal(detail.pay),
        pay_kind=review.pay_kind,
        texts=texts,
        acknowledged_at=acknowledged,
        file_name=f"考核表_{review.cycle.period}_{employee.code}_{employee.name}",
    )


def record_export(user: Any, review: Review, form: str) -> None:
    """Every export of a scorecard is written to the audit log: who exported whose, in which form."""
    audit.record(
        actor_name(user),
        "scorecard.export",
        object_type="review",
        object_id=review.pk,
        after={"format": form, "employee": review.employee.code, "period": review.cycle.period},
    )
