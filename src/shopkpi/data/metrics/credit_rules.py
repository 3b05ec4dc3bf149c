"""Order credit rules: which customer-service agent a shop's order counts for (业绩判定), effective-dated.

    credit_rules:
      flagship:                         # a name (lower_snake_case)
        shops: [旗舰店]                  # the shops (the `shop` of orders and chats) it applies to
        from: 2026-01-01                # the first day of orders it decides (to: the last; open when empty)
        judge: order                    # order 下单判定 · payment 付款判定 · order_first 下单优先判定
        window_days: 1                  # 询单有效时长: how long before the order (payment) a chat counts
        silent_follow_up: true          # 全静默跟进 (judge order): an order placed without a chat but
                                        # followed up before payment counts for the agent who followed up
        reception_filter: [广告号]       # 接待过滤: buyer accounts whose chats are not reception (not
                                        # counted by the chat metrics, crediting no order)

Files are `<home>/credit_rules/*.yaml`. An order of a shop with a rule in force on the order's day is
credited from the chats of its buyer in that shop (`cs_chats`, the 千牛/赤兔 询单明细), to the agent of
the last chat in the rule's window:

    order        chats from window_days before the order to the order; with silent_follow_up, when
                 there is none, chats after the order up to the payment (and window_days before it)
    payment      chats from window_days before the payment to the payment
    order_first  chats before the order as `order`; when there is none, those before the payment

An order with no chat in its window is 静默 (silent): it belongs to no agent. The credited orders are
the rows of `order_credits` (`credit_sql`), together with the platform's own 订单归属 rows imported for
orders no rule decides, so that Σ agents' credited sales + 静默 = the shop's sales.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shopkpi.data.metrics.rule_files import parsed_files

Judge = Literal["order", "payment", "order_first"]
JUDGES: tuple[Judge, ...] = ("order", "payment", "order_first")
FOLDER = "credit_rules"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CreditRule(_Strict):
    shops: tuple[str, ...] = Field(min_length=1)
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    judge: Judge
    window_days: int = Field(ge=1, le=31, description="询单有效时长 in days.")
    silent_follow_up: bool = False
    reception_filter: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _valid(self) -> CreditRule:
        if self.end is not None and self.end < self.start:
            raise ValueError("to is before from")
        if self.silent_follow_up and self.judge != "order":
            raise ValueError(
                "silent_follow_up applies to judge: order (payment and order_first read the chats before the payment anyway)"
            )
        return self

    def overlaps(self, other: CreditRule) -> bool:
        last, other_last = self.end or dt.date.max, other.end or dt.date.max
        return self.start <= other_last and other.start <= last

    def in_force(self, first: dt.date, last: dt.date) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)


class CreditRuleFile(_Strict):
    credit_rules: dict[str, CreditRule]


@dataclass(frozen=True)
class CreditRules:
    """Every shop's credit rules, by name (in the files' order)."""

    rules: Mapping[str, CreditRule]

    def in_force(self, first: dt.date, last: dt.date) -> list[tuple[str, CreditRule]]:
        """The rules deciding some order made from `first` to `last`."""
        return [(name, rule) for name, rule in self.rules.items() if rule.in_force(first, last)]

    def __bool__(self) -> bool:
        return bool(self.rules)


NO_RULES = CreditRules(MappingProxyType({}))


class CreditRuleError(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def load_credit_rules(home: Path | None) -> CreditRules:
    """`<home>/credit_rules/*.yaml`; CreditRuleError lists every problem (file: where: what)."""
    found: dict[str, tuple[str, CreditRule]] = {}
    problems: list[str] = []
    for file, parsed in parsed_files(None if home is None else home / FOLDER, CreditRuleFile, problems):
        for name, rule in parsed.credit_rules.items():
            if name in found:
                problems.append(f"{file}: credit rule {name} is defined twice (also in {found[name][0]})")
                continue
            found[name] = (file, rule)
    problems += overlap_problems({n: r for n, (_, r) in found.items()})
    if problems:
        raise CreditRuleError(problems)
    return CreditRules(MappingProxyType({n: r for n, (_, r) in found.items()}))


def overlap_problems(rules: Mapping[str, CreditRule]) -> list[str]:
    """Two rules deciding the same shop's orders on the same day: one must end before the other begins."""
    problems = []
    names = list(rules)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            shared = sorted(set(rules[first].shops) & set(rules[second].shops))
            if shared and rules[first].overlaps(rules[second]):
                problems.append(
                    f"credit rules {first} and {second} both decide {', '.join(shared)} on the same days; "
                    "end one (to:) the day before the other begins (from:)"
                )
    return problems
