"""The dates of each dataset a period's metrics read (`warehouse.read_windows`), known before they run.

The compiled statement (`compiler`) and the rows behind a value (`rows`) read, for a period P:

- each aggregate source's dataset over P, and over the period before for what `prev()` reads;
- with credit rules (`credit_sql`), `orders` from the first day of the period before to P's last day
  and `cs_chats` from that day less the longest rule window on (a chat after P may decide an order
  of P paid later: no end);
- a query metric's datasets: their whole history (what a SELECT reads cannot be bounded here); so
  would any dataset an aggregate's SQL named in a subquery (the SQL guard refuses them: fail safe).

`Warehouse.connect(reads=metric_reads(...))` then makes each view over only the batches those dates
need: the values, their rows and their batches are the same as over every batch (the tests compute
every shipped metric both ways), and a month's cost does not grow with the company's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlglot import exp

from shopkpi.data.datasets import DATASETS
from shopkpi.data.metrics import credit_sql
from shopkpi.data.metrics.catalogue import MetricCatalogue
from shopkpi.data.warehouse.read_windows import WHOLE, DateWindow, merged, widened
from shopkpi.scorecard.periods import Period


def metric_reads(
    catalogue: MetricCatalogue, names: Iterable[str] | None, period: Period | str
) -> dict[str, DateWindow]:
    """Dataset → the dates the metrics `names` (None: every public one) of `period` read of it, with
    the metrics they are computed from; a dataset no one reads is absent."""
    period = Period.parse(period) if isinstance(period, str) else period
    current, previous = catalogue.needed(catalogue.public if names is None else names)
    found: list[dict[str, DateWindow]] = []
    for wanted, window in ((current, period), (previous, period.previous())):
        dates = DateWindow(window.start, window.end)
        for name in wanted:
            metric = catalogue.metrics[name]
            for dataset in metric.query_datasets:
                found.append({dataset: WHOLE})
            # a CTE may carry a dataset's name and read that dataset inside (`WITH orders AS (SELECT …
            # FROM orders …)`): every table named anywhere in the query is read whole
            found.extend({t: WHOLE} for t in _tables(metric.query))
            for source in metric.sources:
                found.append({source.dataset: dates})
                for tree in (source.expression, source.filter):
                    found.extend({t: WHOLE} for t in _tables(tree))
    reads = merged(*found)
    if credit_sql.DATASET in reads and catalogue.credit:
        reads = merged(reads, credit_reads(catalogue, period.previous().start, period.end))
    return reads


def credit_reads(catalogue: MetricCatalogue, first: dt.date, last: dt.date) -> dict[str, DateWindow]:
    """What the credit rules' `_order_credits` (`credit_sql.credit_ctes`) reads for orders created
    `first`..`last`, besides the imported `order_credits` rows its reader filters by date."""
    in_force = catalogue.credit.in_force(first, last)
    if not in_force:
        return {}
    earliest = first - dt.timedelta(days=max(rule.window_days for _, rule in in_force))
    return {credit_sql.ORDERS: DateWindow(first, last), credit_sql.CHATS: DateWindow(earliest, None)}


def month_reads(
    catalogue: MetricCatalogue, names: Iterable[str] | None, period: Period | str
) -> dict[str, DateWindow]:
    """`metric_reads`, and what finding HR's row decisions (`row_overrides.locate`) reads on the same
    connection: the datasets read, from the first day of the period before to the period's last."""
    period = Period.parse(period) if isinstance(period, str) else period
    reads = metric_reads(catalogue, names, period)
    located = DateWindow(period.previous().start, period.end)
    dated = [d for d in reads if d in DATASETS and DATASETS[d].date_column is not None]
    reads = widened(reads, dated, located)
    if catalogue.credit:  # a decision on an `order_credits` row is found among the credited orders
        credited = credit_reads(catalogue, period.previous().start, period.end)
        reads = merged(reads, {d: w for d, w in credited.items() if d in reads})
    return reads


def _tables(tree: exp.Expr | None) -> list[str]:
    """The datasets a fragment's subqueries name (lower case, as the views are named)."""
    if tree is None:
        return []
    return sorted({t.name.lower() for t in tree.find_all(exp.Table) if t.name.lower() in DATASETS})
