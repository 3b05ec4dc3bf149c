"""Decimal literals of the template language: `40`, `2.5%`, `3万`, `3W`, `2k`.

Every number in a template is exact: the literal is read as a decimal string, never as a float.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# digits, an optional fraction, then an optional suffix written right after the digits
NUMBER_PATTERN = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[%万wWkK])?"
_NUMBER_RE = re.compile(rf"[+-]?{NUMBER_PATTERN}")

_SUFFIX_FACTORS: dict[str, Decimal] = {
    "%": Decimal("0.01"),
    "万": Decimal(10000),
    "w": Decimal(10000),
    "W": Decimal(10000),
    "k": Decimal(1000),
    "K": Decimal(1000),
}


class NumberError(ValueError):
    """A text that is not a number of the template language."""


def parse_number(text: str) -> Decimal:
    """Read a template number: `'80%'` → 0.8, `'3万'` → 30000, `'-2.5'` → -2.5."""
    stripped = text.strip()
    if not _NUMBER_RE.fullmatch(stripped):
        raise NumberError(f"{text!r} is not a number (write digits with an optional %, 万, w, W, k or K)")
    return literal_value(stripped)


def literal_value(literal: str) -> Decimal:
    """The value of a literal already known to match NUMBER_PATTERN (optionally signed)."""
    suffix = literal[-1]
    factor = _SUFFIX_FACTORS.get(suffix)
    digits = literal[:-1] if factor is not None else literal
    try:
        value = Decimal(digits)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid digits
        raise NumberError(f"{literal!r} is not a number") from exc
    if factor is None:
        return value
    # scaling by a power of ten is exact; normalise 80% to 0.8, not 0.80
    return plain(value * factor)


def number_from_yaml(raw: object) -> Decimal:
    """A number written in YAML: an int, a float as written, or a string with a suffix."""
    if isinstance(raw, bool) or raw is None:
        raise NumberError(f"{raw!r} is not a number")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        # the shortest text that reads back as this float: 0.25 stays 0.25, not 0.2500000000000000055...
        return Decimal(repr(float(raw)))
    if isinstance(raw, str):
        return parse_number(raw)
    raise NumberError(f"{raw!r} is not a number")


def plain(value: Decimal) -> Decimal:
    """The value without trailing zeros or exponent: 40.0 -> 40, 0.80 -> 0.8."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """四舍五入 to `decimals` places: 2.45 → 2.5, -2.45 → -2.5 (away from zero on a tie)."""
    quantum = _QUANTA.get(decimals)
    if quantum is None:
        quantum = Decimal(1).scaleb(-decimals)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(11)}  # 1, 0.1 … 1E-10, made once


def format_decimal(value: Decimal) -> str:
    """A decimal as plain text without exponent: 1E+1 → '10', 0.80 stays '0.80'."""
    text = format(value, "f")
    return "0" if text in ("-0", "") else text
