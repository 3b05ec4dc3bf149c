"""The schema of a metric definition in YAML (pydantic models).

    metrics:
      uv:
        type: aggregate
        label_zh: 访客数
        label: Unique visitors
        definition: ...
        definition_zh: ...
        sources:                                # one per dataset that can supply it; values are added
          - {dataset: traffic_events, expression: count(distinct user)}
          - {dataset: shop_daily, expression: sum(uv)}
      bad_review_rate: {type: derived, expression: bad_reviews / reviewed_orders, ...}
      shop_gmv_with_campaigns: {type: query, by: shop, sql: "SELECT ... AS account, ... AS date, ... AS value"}

An aggregate with one source may give `dataset`, `expression`, `filter` and `by` directly instead
of a `sources` list. Checking what the names and SQL refer to is the catalogue's job
(`metric_catalogue`); these models only check the shape.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_NAMES = frozenset({"prev", "min", "max", "abs", "coalesce", "employee", "period"})
DEFAULT_DERIVED_DECIMALS = 6

Scope = Literal["employee", "team"]
# how pages print a value: ¥12,345.00 (yuan), 38.0% (ratio, a fraction), 12 秒, 1,234 人, 56 次, 78 单
Unit = Literal["yuan", "ratio", "seconds", "people", "times", "orders", "number"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AggregateSource(_Strict):
    dataset: str
    expression: str = Field(description="An SQL aggregate expression over the dataset's columns.")
    filter: str | None = Field(default=None, description="Rows the metric is about; none passing → null.")
    by: str | None = Field(default=None, description="Account kind the rows are attributed by.")
    account_column: str | None = Field(
        default=None, description="Column holding the account (default: by's)."
    )


class _MetricBase(_Strict):
    label_zh: str = Field(min_length=1)
    label: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    definition_zh: str = Field(min_length=1)
    decimals: int | None = Field(default=None, ge=0, le=12, description="Half-up rounding of the value.")
    internal: bool = Field(default=False, description="A building block of other metrics, not reported.")
    unit: Unit = Field(
        default="number",
        description="How pages print the value: yuan ¥, ratio %, seconds 秒, people 人, times 次, orders 单.",
    )


class AggregateMetric(_MetricBase):
    """One source given directly (`dataset`, `expression`, …) or several in `sources`."""

    type: Literal["aggregate"]
    dataset: str | None = None
    expression: str | None = Field(
        default=None, description="An SQL aggregate expression over the dataset's columns."
    )
    filter: str | None = Field(default=None, description="Rows the metric is about; none passing → null.")
    by: str | None = Field(default=None, description="Account kind the rows are attributed by.")
    account_column: str | None = Field(
        default=None, description="Column holding the account (default: by's)."
    )
    sources: tuple[AggregateSource, ...] = Field(default=(), description="One per dataset; values are added.")
    scope: Scope = "employee"
    exclude: tuple[str, ...] = Field(
        default=(),
        description="Exclusion calendars (<home>/calendars) whose days or hours the metric leaves out.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> AggregateMetric:
        single = [self.dataset, self.expression, self.filter, self.by, self.account_column]
        if self.sources and any(v is not None for v in single):
            raise ValueError("give either sources or dataset and expression, not both")
        if not self.sources and (self.dataset is None or self.expression is None):
            raise ValueError("give dataset and expression (or a sources list)")
        return self

    @property
    def all_sources(self) -> tuple[AggregateSource, ...]:
        if self.sources:
            return self.sources
        assert self.dataset is not None and self.expression is not None
        source = AggregateSource(
            dataset=self.dataset,
            expression=self.expression,
            filter=self.filter,
            by=self.by,
            account_column=self.account_column,
        )
        return (source,)


class QueryMetric(_MetricBase):
    type: Literal["query"]
    sql: str = Field(description="A SELECT returning account, date and value (optionally batch).")
    by: str = Field(description="Account kind the returned accounts are.")
    scope: Scope = "employee"


class DerivedMetric(_MetricBase):
    type: Literal["derived"]
    expression: str


MetricDefinition = Annotated[AggregateMetric | QueryMetric | DerivedMetric, Field(discriminator="type")]


MetricName = Annotated[str, StringConstraints(pattern=NAME_PATTERN.pattern)]


class MetricFile(_Strict):
    """A metric definition file: `metrics:`, each name (lower_snake_case) with its definition."""

    metrics: dict[MetricName, MetricDefinition]

    @field_validator("metrics")
    @classmethod
    def _names(cls, metrics: dict[str, MetricDefinition]) -> dict[str, MetricDefinition]:
        for name in metrics:
            problem = name_problem(name)
            if problem is not None:
                raise ValueError(problem)
        return metrics


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a metric, or None."""
    if not NAME_PATTERN.match(name):
        return f"metric name {name!r} must be lower_snake_case (a-z, 0-9, _)"
    if name in RESERVED_NAMES:
        return f"metric name {name!r} is reserved"
    return None
