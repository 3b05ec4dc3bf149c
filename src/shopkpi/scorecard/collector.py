"""Python's cyclic garbage collector paused around work that makes many objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector paused while the block makes many records (scoring many employees, the
    metric step's rows and values). Such records are tuples, Decimals and frozen dataclasses freed by
    reference counting, but each is a tracked object, and the collector walked the growing heap of
    them again and again: about 40% of scoring 10,000 employees, half of working out the metric
    values of 1,000 in a fresh process. Left as it was found (another thread may have paused it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
