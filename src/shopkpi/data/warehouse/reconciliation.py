"""Reconciliation checks: figures of one export that must agree with another's, per shop and period.

    checks:
      cs_received_within_shop_visitors:
        label_zh: 客服接待人数不超过店铺访客数
        label: Customers received by the agents are at most the shop's visitors
        left:  {dataset: cs_daily, key: "regexp_extract(agent, '^[^:]+')", value: sum(received)}
        right: {dataset: shop_daily, key: shop, value: sum(uv)}
        compare: "<="            # "=", "<=" or ">="
        tolerance: "0"           # how far the left may be off: "2%" of the right, or an amount

A side is an aggregate (`value`) over one dataset's rows in the period, grouped by `key` (an
expression over the row: the shop, or the shop part of a 子账号 `店铺:客服`). A key with figures on
both sides fails when they do not compare within the tolerance; a key on one side only is not
compared (a company need not import every export). The shipped checks are in
`reconciliation.yaml`; a company adds its own in `<home>/checks/*.yaml` (the same keys), their SQL
checked like a metric's (`sql_guard`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics import attribution as attr
from shopkpi.data.metrics.catalogue import dataset_schema
from shopkpi.data.metrics.sql_guard import DIALECT, SqlRefused, checked_select
from shopkpi.scorecard.periods import Period

SHIPPED = "reconciliation.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Side(_Strict):
    dataset: str
    key: str = Field(description="The expression the rows are grouped by (the shop).")
    value: str = Field(description="An aggregate over the rows (sum(received)).")


class Check(_Strict):
    label_zh: str = Field(min_length=1)
    label: str = Field(min_length=1)
    left: Side
    right: Side
    compare: Literal["=", "<=", ">="]
    tolerance: str = "0"


class CheckFile(_Strict):
    checks: dict[str, Check]


@dataclass(frozen=True)
class Difference:
    """A key whose figures do not agree: the two figures as each export gives them."""

    check: str
    key: str
    left: Decimal
    right: Decimal


class CheckError(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def load_checks(home: Path | None) -> Mapping[str, Check]:
    """The shipped checks and `<home>/checks/*.yaml`; CheckError lists every problem."""
    texts = [(SHIPPED, resources.files("shopkpi.data.warehouse").joinpath(SHIPPED).read_text("utf-8"))]
    folder = None if home is None else home / "checks"
    if folder is not None and folder.is_dir():
        texts += [(p.name, p.read_text("utf-8")) for p in sorted(folder.glob("*.y*ml")) if p.is_file()]
    return _checks(tuple(texts))


@functools.lru_cache(maxsize=8)
def _checks(texts: tuple[tuple[str, str], ...]) -> Mapping[str, Check]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    found: dict[str, Check] = {}
    problems: list[str] = []
    for origin, text in texts:
        try:
            parsed = CheckFile.model_validate(YAML(typ="safe", pure=True).load(text))
        except YAMLError as error:
            problems.append(f"{origin}: not valid YAML: {error}")
            continue
        except ValidationError as error:
            problems += [f"{origin}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
            continue
        for name, check in parsed.checks.items():
            reasons = [r for side in (check.left, check.right) for r in _side_problems(name, side)]
            if _tolerance(check.tolerance) is None:
                reasons.append(f"{name}: tolerance {check.tolerance!r} is not an amount or a percentage")
            if name in found:
                reasons.append(f"{name} is defined twice")
            problems += [f"{origin}: {r}" for r in reasons]
            found[name] = check
    if problems:
        raise CheckError(problems)
    return found


def differences(
    connection: duckdb.DuckDBPyConnection, period: Period, checks: Mapping[str, Check]
) -> list[Difference]:
    """Every key of every check whose figures disagree in `period` (`connection`: `Warehouse.connect()`)."""
    found: list[Difference] = []
    for name, check in checks.items():
        left, right = (
            dict(connection.execute(_side_sql(s, period)).fetchall()) for s in (check.left, check.right)
        )
        for key in sorted(set(left) & set(right), key=str):
            a, b = Decimal(left[key]), Decimal(right[key])
            if not _agrees(a, b, check):
                found.append(Difference(name, str(key), a, b))
    return found


def _agrees(left: Decimal, right: Decimal, check: Check) -> bool:
    tolerance = _tolerance(check.tolerance)
    assert tolerance is not None
    amount, relative = tolerance
    allowed = abs(right) * amount if relative else amount
    if check.compare == "<=":
        return left <= right + allowed
    if check.compare == ">=":
        return left >= right - allowed
    return abs(left - right) <= allowed


def _tolerance(text: str) -> tuple[Decimal, bool] | None:
    """(amount, relative to the right figure) of `2%` or `10`."""
    stripped = text.strip()
    relative = stripped.endswith("%")
    try:
        amount = Decimal(stripped.rstrip("%"))
    except ArithmeticError:
        return None
    if amount < 0 or not amount.is_finite():
        return None
    return (amount / 100 if relative else amount), relative


def _side_sql(side: Side, period: Period) -> str:
    dataset = DATASETS[side.dataset]
    in_window = attr.in_dates(dataset, side.dataset, period.start, period.end)
    query = checked_select(
        f"SELECT {side.key} AS key, {side.value} AS value FROM {side.dataset} GROUP BY 1",
        subject="reconciliation",
        schema=dataset_schema(),
    )
    return f"SELECT key, value FROM ({query.where(in_window, dialect=DIALECT).sql(dialect=DIALECT)}) WHERE value IS NOT NULL"


def _side_problems(name: str, side: Side) -> list[str]:
    dataset = DATASETS.get(side.dataset)
    if dataset is None or dataset.organisation or dataset.date_column is None:
        return [f"{name}: {side.dataset!r} is not a dated dataset of the warehouse"]
    try:
        checked_select(
            f"SELECT {side.key} AS key, {side.value} AS value FROM {side.dataset} GROUP BY 1",
            subject=f"check {name}",
            schema=dataset_schema(),
        )
    except SqlRefused as error:
        return [str(error)]
    return []
