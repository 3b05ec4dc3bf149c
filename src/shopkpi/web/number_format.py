"""Numbers the Chinese way: ¥12,345.00, 38.0%, 3.2万. Exact: Decimal in, text out, half-up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from shopkpi.appraisal.pay.pay_totals import PayTotals

WAN = Decimal(10000)
YI = Decimal(100_000_000)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def _fixed(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def yuan(value: object) -> str:
    """¥12,345.00 (a missing amount is an em dash, never ¥0.00)."""
    number = _decimal(value)
    if number is None:
        return "—"
    sign = "-" if number < 0 else ""
    return f"{sign}¥{abs(_fixed(number, 2)):,.2f}"


def pay(value: object, kind: str | None) -> str:
    """An amount of pay as pages show it: a whole wage (pay.kind wage) is labelled 整月工资, and a
    position whose template has no pay says so instead of an em dash."""
    if kind is None:
        return _("本岗位不计绩效工资")
    amount = yuan(value)
    if kind == "wage" and _decimal(value) is not None:
        return _("%(amount)s（整月工资）") % {"amount": amount}
    return amount


def pay_words(totals: PayTotals) -> str:
    """Totals of pay in words, each kind apart (the rule of `pay_totals`): "绩效工资合计 ¥880.00，奖惩合计
    -¥49.50", and where there are whole wages "，整月工资合计 ¥2,400.00（不计入绩效工资）"."""
    words = _("绩效工资合计 %(pay)s，奖惩合计 %(adjusted)s") % {
        "pay": yuan(totals.performance),
        "adjusted": yuan(totals.adjustments),
    }
    if totals.wage:
        words += _("，整月工资合计 %(wage)s（不计入绩效工资）") % {"wage": yuan(totals.wage)}
    return words


def percent(value: object, places: int = 1) -> str:
    """A fraction as a percentage: 0.38 -> 38.0%."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{_fixed(number * 100, places):.{places}f}%"


def wan(value: object) -> str:
    """Large counts in 万 and 亿: 32000 -> 3.2万, 123456789 -> 1.23亿; below 10,000 with separators."""
    number = _decimal(value)
    if number is None:
        return "—"
    size = abs(number)
    if size >= YI:
        return f"{_fixed(number / YI, 2).normalize():f}亿"
    if size >= WAN:
        return f"{_fixed(number / WAN, 1).normalize():f}万"
    return f"{number:,f}" if number != number.to_integral_value() else f"{int(number):,}"


def score(value: object, places: int = 1) -> str:
    number = _decimal(value)
    return "—" if number is None else f"{_fixed(number, places):f}"


def approx(value: object, places: int = 6) -> str:
    """A value as text with at most `places` decimals, marked ≈ where rounded (the exact text stays in the data)."""
    number = _decimal(value)
    if number is None:
        return "—" if value in (None, "") else str(value)
    exact = number.normalize() if number != number.to_integral_value() else number.quantize(Decimal(1))
    exponent = exact.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -places:
        return f"{exact:f}"
    return f"≈{_fixed(exact, places).normalize():f}"


# the units' words, translated where Django is set up (the CLI prints them as written)
UNIT_SUFFIXES = {"seconds": "秒", "people": "人", "times": "次", "orders": "单"}


def number(value: object, places: int = 2) -> str:
    """A plain number with separators: 152,000 and 1,234.5 (at most `places` decimals, half-up)."""
    found = _decimal(value)
    if found is None:
        return "—"
    if found == found.to_integral_value():
        return f"{int(found):,}"
    return f"{_fixed(found, places).normalize():,f}"


def quantity(value: object, unit: str | None) -> str:
    """A value in its unit (the metric catalogue's `unit`): ¥372,562.77, 99.4%, 35 秒, 152,000 人."""
    if _decimal(value) is None:
        return "—"
    if unit == "yuan":
        return yuan(value)
    if unit == "ratio":
        return percent(value, 1)
    suffix = UNIT_SUFFIXES.get(unit or "")
    if suffix is None:
        return number(value)
    return f"{number(value)} {_(suffix) if settings.configured else suffix}"
