"""Targets and inputs of a period: the numbers people set or enter, read from the warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

import duckdb

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
            f"SELECT employee, name, value, _batch FROM {dataset} WHERE period = ? ORDER BY employee, name",
            [period],
        ).fetchall():
            yield EnteredValue(dataset, str(employee), str(name), value, str(batch))
