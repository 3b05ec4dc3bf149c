"""Numbers the Chinese way (the expected texts are written out by hand)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopkpi.web.number_format import approx, percent, score, wan, yuan


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("12345"), "¥12,345.00"),
        (Decimal("1712.5"), "¥1,712.50"),
        (Decimal("0.005"), "¥0.01"),  # half-up to the 分
        (Decimal("-250"), "-¥250.00"),
        (None, "—"),  # no amount is not ¥0.00
    ],
)
def test_yuan(value: Decimal | None, text: str) -> None:
    assert yuan(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.38"), "38.0%"),
        (Decimal("0.03125"), "3.1%"),
        (Decimal("0.03150"), "3.2%"),
        (Decimal("1"), "100.0%"),
    ],
)
def test_percent(value: Decimal, text: str) -> None:
    assert percent(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal(32000), "3.2万"),
        (Decimal(30512), "3.1万"),
        (Decimal(9999), "9,999"),
        (Decimal(123456789), "1.23亿"),
        (Decimal(100000), "10万"),
    ],
)
def test_wan(value: Decimal, text: str) -> None:
    assert wan(value) == text


def test_score_is_half_up() -> None:
    assert score(Decimal("84.45")) == "84.5"
    assert score(None) == "—"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0.0000013099292638", "≈0.000001"),
        ("1.0801407216494845", "≈1.080141"),
        ("95000", "95000"),
        ("0.035", "0.035"),
        (None, "—"),
    ],
)
def test_approx_keeps_short_numbers_and_marks_rounded_ones(value: str | None, text: str) -> None:
    assert approx(value) == text
