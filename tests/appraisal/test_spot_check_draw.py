"""The spot-check draw (质检抽查): seeded and repeatable, another seed another draw, and the weeks of a
month it is drawn for."""

from __future__ import annotations

import datetime as dt
import hashlib

from shopkpi.appraisal.spot_checks.draw import digest, draw, draw_order
from shopkpi.appraisal.spot_checks.weeks import week_of, weeks_of

BUYERS = [f"buyer{n:02d}" for n in range(1, 21)]


def by_hand(seed: int, keys: list[str], size: int) -> list[str]:
    """The rule as the docs write it: sort by the hex SHA-256 of "<seed>:<key>", take the first N."""
    return sorted(keys, key=lambda k: hashlib.sha256(f"{seed}:{k}".encode()).hexdigest())[:size]


def test_the_same_seed_over_the_same_cases_draws_the_same_sample() -> None:
    first = draw(4242, BUYERS, 5)
    assert draw(4242, list(reversed(BUYERS)), 5) == first  # the order the rows come in does not matter
    assert draw(4242, BUYERS + BUYERS[:3], 5) == first  # nor a case listed twice
    assert first == by_hand(4242, BUYERS, 5)
    assert len(set(first)) == 5 and set(first) <= set(BUYERS)


def test_another_seed_draws_another_sample() -> None:
    assert draw(4243, BUYERS, 5) != draw(4242, BUYERS, 5)
    assert draw(4243, BUYERS, 5) == by_hand(4243, BUYERS, 5)


def test_a_larger_sample_keeps_the_smaller_one_first_and_a_small_week_gives_all() -> None:
    assert draw(7, BUYERS, 8)[:5] == draw(7, BUYERS, 5)
    assert sorted(draw(7, BUYERS[:3], 5)) == BUYERS[:3]
    assert draw_order(7, BUYERS) == by_hand(7, BUYERS, 20)


def test_the_digest_names_the_candidates_not_their_order() -> None:
    assert digest(BUYERS) == digest(reversed(BUYERS))
    assert digest(BUYERS) == hashlib.sha256("\n".join(sorted(BUYERS)).encode()).hexdigest()
    assert digest(BUYERS) != digest(BUYERS[1:])


def test_the_weeks_of_a_month_run_monday_to_sunday_cut_at_the_months_ends() -> None:
    # October 2026: the 1st is a Thursday, the 31st a Saturday
    weeks = weeks_of("2026-10")
    assert [(w.number, w.start.day, w.end.day) for w in weeks] == [
        (1, 1, 4),
        (2, 5, 11),
        (3, 12, 18),
        (4, 19, 25),
        (5, 26, 31),
    ]
    assert week_of("2026-10", 2) is not None and week_of("2026-10", 2).start == dt.date(2026, 10, 5)  # type: ignore[union-attr]
    assert week_of("2026-10", 6) is None and week_of("2026-10", 0) is None
