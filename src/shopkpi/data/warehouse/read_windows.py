"""Which dates of each dataset a connection's reads need: the batches a view is made over.

A computation of one period reads each dataset over a few dates (the month; the month before for
`prev()`; a lookback for the credit rules' chat windows), never the company's whole history. The
metric step says which (`metrics.read_windows`); `Warehouse.connect(reads=...)` then makes a
dataset's view over only the current batches whose dates (`batches.scope_from`..`scope_to`: the
first and last day of the batch's rows, `scope`) meet its window, so that opening a month costs the
same whatever the history. Fail safe: a dataset absent from the reads, a window without bounds, and a
batch without dates (the catalogue knows none) are read whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class DateWindow:
    """Days `first`..`last`, both included; None: no bound on that side."""

    first: dt.date | None = None
    last: dt.date | None = None

    def hull(self, other: DateWindow) -> DateWindow:
        """The smallest window holding both."""
        first = None if self.first is None or other.first is None else min(self.first, other.first)
        last = None if self.last is None or other.last is None else max(self.last, other.last)
        return DateWindow(first, last)

    def meets(self, scope_from: dt.date | None, scope_to: dt.date | None) -> bool:
        """Whether a batch dated `scope_from`..`scope_to` may hold a row in the window (unknown: yes)."""
        if scope_from is None or scope_to is None:
            return True
        return (self.last is None or scope_from <= self.last) and (
            self.first is None or scope_to >= self.first
        )


WHOLE = DateWindow()
"""Every date: the dataset's whole history."""

Reads = Mapping[str, DateWindow]
"""Dataset → the dates read of it; a dataset absent is read whole (`Warehouse.connect`)."""


def merged(*reads: Reads) -> dict[str, DateWindow]:
    """The reads of several statements on one connection: each dataset's windows' hull."""
    found: dict[str, DateWindow] = {}
    for one in reads:
        for dataset, window in one.items():
            found[dataset] = window if dataset not in found else found[dataset].hull(window)
    return found


def widened(reads: Reads, datasets: Iterable[str], window: DateWindow) -> dict[str, DateWindow]:
    """`reads` with `window` added to each of `datasets` already in it."""
    return {d: w.hull(window) if d in set(datasets) else w for d, w in reads.items()}
