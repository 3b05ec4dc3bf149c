"""Targets and inputs of a period: the numbers people set or enter, read from the warehouse.

A value is stored as DECIMAL(38,10) (`number` in the dataset registry; batches imported before
that was DECIMAL(18,2) read the same) and handed on as the plain exact Decimal: `3.25%` is
0.0325, not 0.0325000000.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

import duckdb

from shopkpi.data.datasets import DUCKDB_TYPES
from shopkpi.scorecard.numbers import plain

ENTERED_DATASETS = ("targets", "inputs")  # in this order: an input of the same name wins over a target


class EnteredValue(NamedTuple):
    dataset: str
    employee: str
    name: str
    value: Decimal | None
    batch: str


def entered_values(connection: duckdb.DuckDBPyConnection, period: str) -> Iterator[EnteredValue]:
    """Every target, then every input, of `period`, by employee and name."""
    for dataset in ENTERED_DATASETS:
        for employee, name, value, batch in connection.execute(
            f"SELECT employee, name, CAST(value AS {DUCKDB_TYPES['number']}), _batch FROM {dataset}"
            " WHERE period = ? ORDER BY employee, name",
            [period],
        ).fetchall():
            exact = None if value is None else plain(value)
            yield EnteredValue(dataset, str(employee), str(name), exact, str(batch))
