"""The draw of a spot check (质检抽查): a reproducible random sample of one week's cases.

Every candidate case has a key (its order number, or the buyer for a customer). The cases are put in
the order of the SHA-256 of `"<seed>:<key>"` (its hex text; the key breaks a tie) and the first N are
drawn. The same seed over the same cases gives the same draw on every machine and every Python, a
larger N keeps the smaller draw as its first cases, and anyone can redo a draw with any SHA-256 tool.
`digest` fingerprints the candidates, so that a later look can tell whether the data changed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

SEED_LIMIT = 1_000_000
"""Seeds are whole numbers below a million: short enough to read out and type."""


def new_seed() -> int:
    """A fresh seed for a draw nobody gave one for."""
    return secrets.randbelow(SEED_LIMIT)


def draw_order(seed: int, keys: Iterable[str]) -> list[str]:
    """The distinct keys in the draw's order for `seed`."""
    return sorted(set(keys), key=lambda key: (_hash(seed, key), key))


def draw(seed: int, keys: Iterable[str], size: int) -> list[str]:
    """The first `size` keys of the draw (all of them when there are fewer)."""
    return draw_order(seed, keys)[: max(0, size)]


def digest(keys: Iterable[str]) -> str:
    """The SHA-256 of the distinct keys, sorted, one a line: the same candidates give the same text."""
    return hashlib.sha256("\n".join(sorted(set(keys))).encode("utf-8")).hexdigest()


def _hash(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()
