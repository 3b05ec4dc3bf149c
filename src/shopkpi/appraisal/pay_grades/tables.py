"""The pay-grade table (薪等 × 薪级), the employees' current 薪等/薪级 and the adjustment table, as HR
writes them: one line per band, per employee, per grade. Each is replaced whole (a refused input, with
every problem named by its line, changes nothing) and written to the audit log.

    pay-grade table   薪等 金额1 金额2 …        三等 4000 4200 4400 4600 4800   (first line: the lowest band)
    employees         工号 薪等 薪级            E01 三等 2
    adjustment table  年度等级 薪级调整 [晋升] [培训]   优秀 +2 晋升
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit, policy
from shopkpi.appraisal.accounts.roles import is_hr
from shopkpi.appraisal.models import AdjustmentRule, Employee, EmployeePayGrade, PayStep
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name

PROMOTION_WORDS = ("晋升", "promotion")
TRAINING_WORDS = ("培训", "training")
MAX_AMOUNT = Decimal("9999999999.99")


class TableProblems(WorkflowError):
    """Every problem of a table as written, each with its line; nothing was saved."""

    code = "table_problems"

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Band:
    name: str
    amounts: tuple[Decimal, ...]  # 薪级 1, 2, …


def bands() -> list[Band]:
    """The pay-grade table, lowest band first."""
    found: dict[str, list[Decimal]] = {}
    for cell in PayStep.objects.order_by("band_rank", "step"):
        found.setdefault(cell.band, []).append(cell.amount)
    return [Band(name, tuple(amounts)) for name, amounts in found.items()]


def amount_of(band: str, step: int) -> Decimal | None:
    cell = PayStep.objects.filter(band=band, step=step).first()
    return None if cell is None else cell.amount


def _lines(text: str) -> list[tuple[int, list[str]]]:
    return [(n, line.split()) for n, line in enumerate(str(text).splitlines(), start=1) if line.split()]


def _hr(user: Any) -> None:
    if not is_hr(user):
        raise policy.ActionRefused(_("只有人事可以维护薪等薪级和调薪对照表。"), code="wrong_party")


def set_bands(user: Any, text: str) -> list[Band]:
    """Replace the pay-grade table by `text` (one band per line: its name, then the amount of each 薪级)."""
    _hr(user)
    problems: list[str] = []
    parsed: list[Band] = []
    for number, words in _lines(text):
        name, amounts = words[0], words[1:]
        if any(b.name == name for b in parsed):
            problems.append(_("第 %(n)s 行：薪等“%(band)s”写了两次。") % {"n": number, "band": name})
        if not amounts:
            problems.append(
                _("第 %(n)s 行：薪等“%(band)s”没有金额；请在名称后写出各薪级的金额。")
                % {"n": number, "band": name}
            )
        values = []
        for index, word in enumerate(amounts, start=1):
            value = _amount(word)
            if value is None:
                problems.append(
                    _(
                        "第 %(n)s 行：薪等“%(band)s”第 %(step)s 级的金额“%(text)s”不是金额（如 4200 或 4200.50）。"
                    )
                    % {"n": number, "band": name, "step": index, "text": word}
                )
            else:
                values.append(value)
        parsed.append(Band(name, tuple(values)))
    if problems:
        raise TableProblems(problems)
    held = set(EmployeePayGrade.objects.values_list("band", "step"))
    cells = {(b.name, step) for b in parsed for step in range(1, len(b.amounts) + 1)}
    lost = sorted(held - cells)
    if lost:
        raise TableProblems(
            [
                _("薪等“%(band)s”第 %(step)s 级仍有员工，不能从表中去掉。") % {"band": b, "step": s}
                for b, s in lost
            ]
        )
    with transaction.atomic():
        before = [band_words(b) for b in bands()]
        PayStep.objects.all().delete()
        PayStep.objects.bulk_create(
            PayStep(band=b.name, band_rank=rank, step=step, amount=amount)
            for rank, b in enumerate(parsed, start=1)
            for step, amount in enumerate(b.amounts, start=1)
        )
        audit.record(
            actor_name(user),
            "pay_grades.table",
            object_type="company",
            before=before,
            after=[band_words(b) for b in parsed],
        )
    return parsed


def set_employee_grades(user: Any, text: str) -> int:
    """Set the current 薪等/薪级 of the employees `text` names (one per line: 工号 薪等 薪级); others stay."""
    _hr(user)
    problems: list[str] = []
    wanted: dict[str, tuple[str, int]] = {}
    cells = set(PayStep.objects.values_list("band", "step"))
    codes = set(Employee.objects.values_list("code", flat=True))
    for number, words in _lines(text):
        if len(words) != 3:
            problems.append(
                _("第 %(n)s 行：应为“工号 薪等 薪级”三项，收到 %(k)s 项。") % {"n": number, "k": len(words)}
            )
            continue
        code, band, step_text = words
        step = int(step_text) if step_text.isdigit() else 0
        if code not in codes:
            problems.append(_("第 %(n)s 行：没有工号为 %(code)s 的员工。") % {"n": number, "code": code})
        elif code in wanted:
            problems.append(_("第 %(n)s 行：工号 %(code)s 写了两次。") % {"n": number, "code": code})
        if (band, step) not in cells:
            problems.append(
                _("第 %(n)s 行：薪等薪级表中没有“%(band)s 第 %(step)s 级”。")
                % {"n": number, "band": band, "step": step_text}
            )
        wanted[code] = (band, step)
    if problems:
        raise TableProblems(problems)
    with transaction.atomic():
        employees = {e.code: e for e in Employee.objects.filter(code__in=wanted)}
        for code, (band, step) in wanted.items():
            EmployeePayGrade.objects.update_or_create(
                employee=employees[code], defaults={"band": band, "step": step, "set_by": user}
            )
        audit.record(
            actor_name(user),
            "pay_grades.employees",
            object_type="company",
            after=[f"{code} {band} {step}" for code, (band, step) in sorted(wanted.items())],
        )
    return len(wanted)


def set_rules(user: Any, text: str) -> list[AdjustmentRule]:
    """Replace the adjustment table (one grade per line: 年度等级 薪级调整 [晋升] [培训])."""
    _hr(user)
    problems: list[str] = []
    parsed: list[AdjustmentRule] = []
    for number, words in _lines(text):
        grade, rest = words[0], words[1:]
        steps = _steps(rest[0]) if rest else None
        if steps is None:
            problems.append(
                _("第 %(n)s 行：等级“%(grade)s”的薪级调整应为整数（如 +2、0、-1）。")
                % {"n": number, "grade": grade}
            )
            continue
        extra = [w for w in rest[1:] if w.lower() not in PROMOTION_WORDS + TRAINING_WORDS]
        if extra:
            problems.append(
                _("第 %(n)s 行：看不懂“%(words)s”；薪级调整后只能写“晋升”和“培训”。")
                % {"n": number, "words": " ".join(extra)}
            )
        if any(r.grade == grade for r in parsed):
            problems.append(_("第 %(n)s 行：等级“%(grade)s”写了两次。") % {"n": number, "grade": grade})
        lowered = [w.lower() for w in rest[1:]]
        parsed.append(
            AdjustmentRule(
                grade=grade,
                steps=steps,
                promotion=any(w in PROMOTION_WORDS for w in lowered),
                training=any(w in TRAINING_WORDS for w in lowered),
            )
        )
    if problems:
        raise TableProblems(problems)
    with transaction.atomic():
        before = [rule_words(r) for r in AdjustmentRule.objects.all()]
        AdjustmentRule.objects.all().delete()
        AdjustmentRule.objects.bulk_create(parsed)
        audit.record(
            actor_name(user),
            "pay_grades.rules",
            object_type="company",
            before=before,
            after=[rule_words(r) for r in parsed],
        )
    return parsed


def rule_words(rule: AdjustmentRule) -> str:
    words = [rule.grade, f"{rule.steps:+d}"]
    if rule.promotion:
        words.append("晋升")
    if rule.training:
        words.append("培训")
    return " ".join(words)


def band_words(band: Band) -> str:
    return " ".join([band.name, *(format(a, "f") for a in band.amounts)])


def _amount(word: str) -> Decimal | None:
    try:
        value = Decimal(word.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        return None
    return value.quantize(Decimal("0.01"))


def _steps(word: str) -> int | None:
    text = word.replace("＋", "+").replace("−", "-").replace("－", "-")
    body = text.lstrip("+-")
    if not body.isdigit() or len(text) - len(body) > 1:
        return None
    return int(text)
