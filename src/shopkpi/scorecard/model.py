"""The template document as written in YAML: pydantic models, and the JSON Schema made from them.

These models check the shape (keys, types); the loader then checks the meaning (intervals,
weights, expressions) and compiles the template. Unknown keys are errors, so a misspelt
`weigth` is reported instead of ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

Number = Annotated[
    StrictInt | StrictFloat | StrictStr,
    Field(description="A decimal number, optionally written with a suffix: 40, 2.5%, 3万, 3W, 2k."),
]
Expr = Annotated[StrictStr, Field(description="An expression of the template language.")]
IntervalText = Annotated[StrictStr, Field(description='An interval: ">= a", "[a, b)", "== a" ...')]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GradeDoc(_Strict):
    name: StrictStr = Field(description="The grade's name, e.g. 优秀.")
    when: IntervalText = Field(description="The interval of rounded final scores that earn this grade.")


class ProportionalDoc(_Strict):
    target: Number | Expr = Field(
        description="The value that earns full points; below it points are proportional."
    )


class BonusDoc(_Strict):
    over: Number = Field(description="The value above which the bonus starts.")
    per: Number = Field(description="Each full step of this size above `over` earns `points`.")
    points: Number = Field(description="Points per full step.")
    max: Number | None = Field(
        default=None, description="The most points the bonus can give (no limit when absent)."
    )


class PenaltyDoc(_Strict):
    per: Number = Field(description="Points taken off per unit of value.")
    max: Number | None = Field(
        default=None, description="The most points the penalty can take off (no limit when absent)."
    )


class ItemDoc(_Strict):
    key: StrictStr = Field(description="Identifier of the item, unique in the template.")
    name: StrictStr = Field(description="The KPI's name shown to people (考核指标).")
    description: StrictStr | None = Field(
        default=None, description="What the KPI means and how it is measured."
    )
    weight: Number | None = Field(default=None, description="The item's maximum points on a 100-point card.")
    value: Expr | None = Field(default=None, description="The expression giving the item's actual value.")
    bands: dict[IntervalText, Number] | None = Field(
        default=None, description="Interval of the value -> rating 0..100."
    )
    proportional: ProportionalDoc | None = Field(
        default=None, description="Points in proportion to a target."
    )
    deduct: Number | None = Field(default=None, description="Points lost per unit of value, never below 0.")
    rated_by: Literal["supervisor", "peers"] | None = Field(
        default=None,
        description="A person enters the rating: the supervisor, or peers (互评: colleagues named on each "
        "review, whose ratings are averaged; the self-review does not rate it).",
    )
    levels: dict[StrictStr, Number] | None = Field(
        default=None, description="Named rating levels of a rated item -> rating 0..100."
    )
    bonus: BonusDoc | None = Field(default=None, description="Extra points (加分项), without weight.")
    penalty: PenaltyDoc | None = Field(default=None, description="Points taken off (扣分项), without weight.")


class PayDoc(_Strict):
    amount: Expr = Field(
        description="The performance pay (绩效工资) of the period in 元, from score, grade and the "
        "employee's variables; never the whole wage unless `kind` is `wage`."
    )
    kind: Literal["performance", "wage"] = Field(
        default="performance",
        description="What `amount` is: `performance` (default), the performance pay on top of the "
        "base wage; `wage`, a whole wage by design (the template's own 底薪 included), labelled so.",
    )
    base: Number | Expr | None = Field(
        default=None,
        description="The performance pay base (绩效工资基数) in 元, shown beside the pay on the pay "
        "sheet, e.g. base_salary * 10%.",
    )


class RuleDoc(_Strict):
    when: Expr = Field(description="A condition over score and grade.")
    consecutive: StrictInt = Field(
        default=1, ge=1, description="In how many consecutive periods it must hold."
    )
    action: StrictStr = Field(
        description="The consequence surfaced to HR (警告, 劝退, 辞退, 年终特别奖 ...)."
    )
    at: Literal["year_end"] | None = Field(
        default=None,
        description="year_end: decided once a year, in the year's last period, from the year's results "
        "(fires when a run of `consecutive` periods occurred in that year).",
    )


class AggregateDoc(_Strict):
    of: Literal["score", "pay", "grade"] = Field(
        description="Which result of the shorter periods: the final score, the pay, or the grade (count only)."
    )
    how: Literal["average", "weighted", "last", "sum", "min", "max", "count", "longest_run"] = Field(
        description="average, weighted (average with `weights`), last (the latest period with a result), "
        "sum, min, max, count (the periods with a result, or with one of `grades`), or longest_run (the "
        "most consecutive periods with one of `grades`: 连续三个月优秀)."
    )
    over: Literal["month", "quarter"] = Field(
        default="month", description="The shorter periods aggregated: month (default) or quarter (in a year)."
    )
    weights: list[Number] | None = Field(
        default=None, description="weighted: one weight per shorter period, in order (3 months of a quarter)."
    )
    grades: list[StrictStr] | None = Field(
        default=None,
        description="count and longest_run: only the periods whose grade is one of these (优秀) count.",
    )


class SpotCheckDoc(_Strict):
    feeds: StrictStr = Field(
        description="The key of the supervisor-rated item whose rating is the month's average of the "
        "scored spot-check cases (seed 002: 主管每个星期会随机抽取若干客户进行考察打分)."
    )
    checklist: list[StrictStr] = Field(
        min_length=1,
        description="What each sampled case is scored on, each point 0..100 (服务态度, 专业性, 响应, 规范用语); "
        "a case's score is the average of its points.",
    )
    per_week: StrictInt = Field(
        default=5,
        ge=1,
        le=50,
        description="How many cases are drawn for an agent and a week (the supervisor may "
        "draw another number).",
    )
    cases: Literal["customers", "orders"] = Field(
        default="customers",
        description="What is drawn from the orders the agent received (the order's 客服 is one of the agent's "
        "accounts): customers (the buyers, each with their orders of the week) or orders.",
    )


class TemplateDoc(_Strict):
    """A scorecard template (考核表模板)."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="shopkpi scorecard template")

    id: StrictStr = Field(description="Slug, unique among templates.")
    name: StrictStr = Field(description="Shown to people, e.g. 客服专员.")
    description: StrictStr | None = Field(
        default=None, description="What the template is for and where it comes from."
    )
    period: Literal["month", "quarter", "year"] = Field(default="month", description="The appraisal period.")
    self_weight: Number = Field(
        default=0,
        description="Share of the final score from the self-review (25% or 0.25); 0 = recorded, not counted.",
    )
    rounding: StrictInt = Field(default=1, ge=0, le=6, description="Decimals of the final score, half-up.")
    cap: Number | None = Field(default=None, description="Upper bound of the final score.")
    grades: list[GradeDoc] = Field(
        default_factory=list, description="Grades by rounded score; no overlap, no gap."
    )
    items: list[ItemDoc] = Field(min_length=1, description="The KPI items.")
    aggregate: dict[StrictStr, AggregateDoc] = Field(
        default_factory=dict,
        description="Quarter and year templates: variables made from the employee's results of the "
        "months (or quarters) inside the period, e.g. 月均得分: {of: score, how: average}.",
    )
    spot_check: SpotCheckDoc | None = Field(
        default=None,
        description="Weekly spot checks (质检抽查) of an agent's received customers or orders, whose month "
        "average is the rating of a supervisor-rated item.",
    )
    pay: PayDoc | None = Field(default=None, description="How performance pay follows from the score.")
    rules: list[RuleDoc] = Field(default_factory=list, description="Consequences of a run of periods.")


RULE_KEYS = ("bands", "proportional", "deduct", "rated_by", "bonus", "penalty")
