"""A warehouse batch's state, and how a batch left undecided by a killed process is decided.

    current      the batch is data: readers see its rows (less those later batches replace)
    pending      an import waiting for the application's record of it (its audit entry): not seen
    withdrawing  a withdrawal waiting for the application's record of it: no longer seen
    withdrawn    withdrawn for good: kept in the catalogue as history, never seen

`Warehouse.commit(…, confirm=…)` and `Warehouse.withdraw` pass through `pending` / `withdrawing` while
the application writes its record in its own database. A process killed there leaves the batch
undecided; the application names, with `on_undecided`, how to ask whether its record exists, and
`decide` turns the answer into each batch's next state (None: a pending batch is removed).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

CURRENT, PENDING, WITHDRAWING, WITHDRAWN = "current", "pending", "withdrawing", "withdrawn"
UNDECIDED = (PENDING, WITHDRAWING)
# (home, {batch: state}) -> the batches whose import or withdrawal is recorded; None: not this home's
Decided = Callable[[Path, Mapping[str, str]], set[str] | None]
_decided: Decided | None = None

# tests only: `point[:seconds]` makes a commit or withdrawal wait at that point (default 60 s), so a
# test can kill the process there: before_catalogue (files placed), before_confirm (recorded pending
# or withdrawing), after_confirm (the application's record committed)
PAUSE_ENV = "SHOPKPI_TEST_PAUSE_AT"


class BatchNotWithdrawable(Exception):
    """A batch that is unknown, or not current (already withdrawn, or its import is not confirmed)."""

    def __init__(self, batch: str, state: str | None) -> None:
        self.batch, self.state = batch, state
        super().__init__(f"no batch {batch}" if state is None else f"batch {batch} is {state}, not current")


@dataclass(frozen=True)
class BatchInfo:
    """What a withdrawal's confirmation is told about the batch."""

    id: str
    dataset: str
    file_name: str
    row_count: int
    period: str | None
    imported_by: str


def current_sql(alias: str, batches: str = "batches") -> str:
    """True for a current batch: not pending or withdrawn, and not wholly replaced by a current batch."""
    return (
        f"{alias}.state = '{CURRENT}' AND NOT EXISTS (SELECT 1 FROM {batches} _r "
        f"WHERE _r.id = {alias}.replaced_by AND _r.state = '{CURRENT}')"
    )


def on_undecided(decided: Decided | None) -> None:
    """Name how undecided batches are decided: `decided(home, {batch: state})` answers the batches
    whose import or withdrawal the application recorded (their audit entry exists), or None for a
    home it does not know. Until someone decides them a pending batch stays invisible and a
    withdrawing one reads as withdrawn (the application sets this when it starts)."""
    global _decided
    _decided = decided


def deciding() -> bool:
    """Whether anyone can decide undecided batches in this process."""
    return _decided is not None


def decider(home: Path, undecided: Mapping[str, str]) -> set[str] | None:
    """The application's answer for `home` (see `on_undecided`); None when no one can answer."""
    return None if _decided is None else _decided(home, undecided)


def decide(undecided: Mapping[str, str], recorded: set[str]) -> dict[str, str | None]:
    """Each undecided batch's next state: a pending batch whose import was recorded becomes current,
    else it is removed (None); a withdrawing batch whose withdrawal was recorded is withdrawn, else
    current again."""
    return {
        batch: (CURRENT if batch in recorded else None)
        if state == PENDING
        else (WITHDRAWN if batch in recorded else CURRENT)
        for batch, state in undecided.items()
    }


def has_undecided(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the `batches` table of `con` holds a pending or withdrawing batch."""
    states = ", ".join(f"'{s}'" for s in UNDECIDED)
    return con.execute(f"SELECT count(*) FROM batches WHERE state IN ({states})").fetchone() != (0,)


def pause(point: str) -> None:
    """Tests only: wait at `point` when SHOPKPI_TEST_PAUSE_AT names it (see PAUSE_ENV)."""
    asked = os.environ.get(PAUSE_ENV, "")
    name, _, seconds = asked.partition(":")
    if name == point:
        print(f"shopkpi: paused at {point} ({PAUSE_ENV})", file=sys.stderr, flush=True)
        time.sleep(float(seconds or 60))
