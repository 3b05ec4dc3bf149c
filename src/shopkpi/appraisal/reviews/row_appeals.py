"""Appeals on a row (数据行申诉): the `row` kind of appeal point, and the row decisions of a month.

From the rows page (数据明细) the employee names rows of a metric and claims, per row:

- `exclude` (这天我休假 / 这行不该算): one of the rows credited to them should count for no one;
- `credit` (这单是我接的): a row credited to someone else, or to no one, is theirs; named by its
  order number (the dataset's first key column) when it is not on their page.

The point's `ref` is checked when the appeal is filed and stored with what HR needs to decide:
`metric`, `dataset`, `kind` (the account kind the metric reads the dataset by), `batch`, `row`,
`day`, `key` (the dataset's key values), `owner` (whom the row is credited to now, or null).

HR decides each point: `credit` (re-credit to the employee), `exclude` (leave it out, with a reason)
or `refused`. An accepting decision becomes a `RowOverride` of the cycle, naming its row by what
survives HR withdrawing the batch and importing the file again (`row_overrides.RowReference`);
`located_overrides` finds the month's overrides in the current data and hands them to the data layer
(`shopkpi.data.metrics.row_overrides`), which applies them after every other attribution rule, in
the metric step and in the drill-down alike, so the rows page and the value agree. One whose row is
gone (or named by several rows) is not applied: HR's review page shows it as 未找到这行 with what it
was, and HR can drop it (`drop_override`). The appellant's values are then read again from the
warehouse (frozen or not) and the review scored again (`workflow._decide_appeal`), the version
before kept as a snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopkpi.appraisal.reviews.appeal_points import PointKind
from shopkpi.appraisal.reviews.review_steps import WorkflowError, actor_name

CREDIT = "credit"
EXCLUDE = "exclude"


def row_overrides_of(period: str) -> tuple[Any, ...]:
    """The row decisions of the cycles of `period` and of the period before (a `prev()` reads it),
    as the data layer takes them (`row_overrides.RowOverride`), oldest first."""
    from shopkpi.appraisal.models import RowOverride
    from shopkpi.scorecard.periods import Period

    span = Period.parse(period)
    found = (
        RowOverride.objects.filter(cycle__period__in=[span.text, span.previous().text])
        .select_related("credit_to")
        .order_by("created_at", "id")
    )
    return tuple(_as_data(o) for o in found)


def _as_data(override: Any) -> Any:
    from shopkpi.data.metrics import row_overrides

    return row_overrides.RowOverride(
        override.dataset,
        override.kind,
        override.batch,
        override.row,
        None if override.credit_to is None else override.credit_to.code,
        override.reason,
        None if override.reference is None else row_overrides.RowReference.from_json(override.reference),
    )


def located_overrides(connection: Any, catalogue: Any, period: str) -> Any:
    """The month's row decisions (`row_overrides_of`) found in the current data (`row_overrides.Located`:
    those to apply, each at its row's batch and row now, and those not found); `connection` is
    `Warehouse.connect()`'s."""
    from shopkpi.data.metrics.row_overrides import locate
    from shopkpi.scorecard.periods import Period

    span = Period.parse(period)
    return locate(connection, catalogue, row_overrides_of(period), span.previous().start, span.end)


def with_decisions(connection: Any, catalogue: Any, period: str) -> Any:
    """`catalogue` with the month's row decisions found in the current data applied."""
    from shopkpi.data.metrics.row_overrides import with_row_overrides

    return with_row_overrides(catalogue, located_overrides(connection, catalogue, period).applied)


def reference_of(dataset: str, batch: str, row: int) -> dict[str, Any] | None:
    """The reference naming row `row` of `batch` across re-imports (`row_overrides.reference`), as
    stored; None when the batch or its file is gone (or the warehouse cannot be read)."""
    import duckdb

    from shopkpi.appraisal.importing.import_jobs import home
    from shopkpi.data.metrics.row_overrides import reference
    from shopkpi.data.warehouse.catalogue import Warehouse

    warehouse = Warehouse(home())
    if not warehouse.catalogue.exists():
        return None
    try:
        connection = warehouse.connect()
        try:
            found = reference(warehouse, connection, dataset, batch, row)
        finally:
            connection.close()
    except (duckdb.Error, OSError):
        return None
    return None if found is None else found.as_json()


@dataclass(frozen=True)
class RowDecision:
    """A row decision taken on a review's appeal, and whether it applies to the current data."""

    override: Any
    """The `RowOverride` (model)."""
    found: bool
    matches: int
    """How many current rows its reference names (1 when found; 0: the row is gone)."""


def review_decisions(review: Any) -> list[RowDecision]:
    """The row decisions of the review's appeals, each found in the current data or not (未找到这行)."""
    from shopkpi.appraisal.importing.import_jobs import home
    from shopkpi.appraisal.models import RowOverride
    from shopkpi.data.metrics.catalogue import load_catalogue
    from shopkpi.data.metrics.row_overrides import locate
    from shopkpi.data.warehouse.catalogue import Warehouse
    from shopkpi.scorecard.periods import Period

    mine = list(
        RowOverride.objects.filter(cycle=review.cycle, point__appeal__review=review)
        .select_related("credit_to")
        .order_by("created_at", "id")
    )
    if not mine:
        return []
    warehouse = Warehouse(home())
    span = Period.parse(review.cycle.period)
    unfound: dict[Any, int] = {}
    if warehouse.catalogue.exists():
        connection = warehouse.connect()
        try:
            located = locate(
                connection,
                load_catalogue(home()),
                [_as_data(o) for o in mine],
                span.previous().start,
                span.end,
            )
        finally:
            connection.close()
        unfound = {u.override: u.matches for u in located.unfound}
    else:
        unfound = {_as_data(o): 0 for o in mine}
    return [RowDecision(o, _as_data(o) not in unfound, unfound.get(_as_data(o), 1)) for o in mine]


def drop_override(user: Any, review: Any, override_id: int) -> None:
    """Drop a row decision of the review's appeals that no longer finds its row (HR, audited); one
    that still applies cannot be dropped here (it decides the review's values)."""
    from django.db import transaction

    from shopkpi.appraisal import audit

    found = next((d for d in review_decisions(review) if d.override.pk == override_id), None)
    if found is None:
        raise WorkflowError(_("这条数据行决定不存在。"), code="no_such_decision")
    if found.found:
        raise WorkflowError(_("这条数据行决定仍然生效（找到了这一行），不能删除。"), code="decision_applies")
    override = found.override
    with transaction.atomic():
        audit.record(
            actor_name(user),
            "row_override.drop",
            object_type="row_override",
            object_id=override.pk,
            before={
                "period": review.cycle.period,
                "employee": review.employee.code,
                "dataset": override.dataset,
                "kind": override.kind,
                "batch": override.batch,
                "row": override.row,
                "reference": override.reference,
                "credit_to": None if override.credit_to is None else override.credit_to.code,
                "reason": override.reason,
                "matches": found.matches,
            },
        )
        override.delete()


def _checked_ref(review: Any, ref: Mapping[str, Any], claim: str) -> dict[str, Any]:
    from shopkpi.appraisal.importing.import_jobs import home
    from shopkpi.appraisal.organisation.snapshot import take_snapshot
    from shopkpi.data.metrics.catalogue import load_catalogue
    from shopkpi.data.metrics.rows import RowDrill
    from shopkpi.data.warehouse.catalogue import Warehouse
    from shopkpi.scorecard.periods import Period

    metric = str(ref.get("metric") or "")
    catalogue = load_catalogue(home())
    if metric not in catalogue.metrics:
        raise WorkflowError(_("没有名为“%(metric)s”的指标。") % {"metric": metric}, code="unknown_metric")
    period = Period.parse(review.cycle.period)
    code = review.employee.code
    connection = Warehouse(home()).connect()
    try:
        catalogue = with_decisions(connection, catalogue, review.cycle.period)
        drill = RowDrill(connection, catalogue, metric, period, organisation=take_snapshot())
        named = _named(drill, connection, str(ref["order"]).strip(), period) if ref.get("order") else None
        if named is not None:
            batch, row = named.batch, named.row
        else:
            try:
                batch, row = str(ref["batch"]), int(ref["row"])
            except (KeyError, TypeError, ValueError):
                raise WorkflowError(_("申诉的数据行不完整（缺少批次或行号）。"), code="bad_row") from None
        found = [r for r in drill.find(batch, row) if r.period == period.text]
    finally:
        connection.close()
    mine = [r for r in found if r.credited_by.employee == code]
    if claim == EXCLUDE and not mine:
        raise WorkflowError(_("这一行没有计给您，不能申请不计入。"), code="not_your_row")
    if claim == CREDIT and mine:
        raise WorkflowError(_("这一行已经计给您了。"), code="already_yours")
    if found:
        first = (mine or found)[0]
        dataset, day = first.dataset, first.day
        key = {c: _plain(first.values.get(c)) for c in _key_columns(dataset)}
        owner: str | None = found[0].credited_by.employee
    elif named is not None:  # a row no one is credited with (静默, an account no one owns)
        dataset, day, owner = named.dataset, named.day, None
        key = {c: _plain(v) for c, v in named.key.items()}
    else:
        raise WorkflowError(
            _("本期“%(metric)s”的数据里没有批次 %(batch)s 第 %(row)s 行。")
            % {"metric": metric, "batch": batch, "row": row},
            code="unknown_row",
        )
    return {
        "metric": metric,
        "dataset": dataset,
        "kind": _kind(catalogue, metric, dataset),
        "batch": batch,
        "row": row,
        "day": day.isoformat(),
        "key": key,
        "owner": owner,
    }


def _kind(catalogue: Any, metric: str, dataset: str) -> str:
    """The account kind the metric (or the base metrics it is derived from) reads `dataset` by."""
    current, previous = catalogue.needed([metric])
    for name in catalogue.order:
        if name in current | previous:
            for source in catalogue.metrics[name].sources:
                if source.dataset == dataset:
                    return str(source.kind)
    raise WorkflowError(_("该指标不读这一行的数据。"), code="unknown_row")


def _named(drill: Any, connection: Any, order: str, period: Any) -> Any:
    """The row an order number names among the datasets the metric reads (`row_overrides.NamedRow`)."""
    from shopkpi.data.metrics.row_overrides import rows_by_key

    datasets = list(dict.fromkeys(s.dataset for s in drill.selects if not s.dataset.startswith("query ")))
    rows = [
        r for dataset in datasets for r in rows_by_key(connection, dataset, order, period, drill.crediting)
    ]
    if not rows:
        raise WorkflowError(
            _("本期数据里找不到编号为“%(order)s”的行（请核对订单编号）。") % {"order": order},
            code="unknown_row",
        )
    if len({(r.batch, r.row) for r in rows}) > 1:
        raise WorkflowError(
            _("编号“%(order)s”对应多行数据，请在数据明细中直接选择那一行。") % {"order": order},
            code="ambiguous_row",
        )
    return rows[0]


def _key_columns(dataset: str) -> tuple[str, ...]:
    from shopkpi.data.datasets import DATASETS

    found = DATASETS.get(dataset)
    return () if found is None else found.key


def _plain(value: object) -> object:
    from shopkpi.appraisal.exports.metric_rows_table import plain

    return plain(value)


def _decided(user: Any, review: Any, points: Sequence[Any]) -> None:
    """The accepted points become the cycle's row overrides; the appellant's values are read again,
    and those of the colleagues a re-credited row counted for, where HR has not frozen them yet (a
    frozen review keeps its values: its rows page shows the difference)."""
    from shopkpi.appraisal.models import Review, RowOverride
    from shopkpi.appraisal.reviews.review_scoring import STORED_FIELDS, recompute

    for point in points:
        ref = point.ref
        RowOverride.objects.update_or_create(
            cycle=review.cycle,
            dataset=ref["dataset"],
            kind=ref["kind"],
            batch=ref["batch"],
            row=int(ref["row"]),
            defaults={
                "reference": reference_of(ref["dataset"], ref["batch"], int(ref["row"])),
                "credit_to": review.employee if point.decision == CREDIT else None,
                "reason": point.reason,
                "point": point,
                "created_by": user,
            },
        )
    refresh_values(review)
    owners = {str(p.ref.get("owner")) for p in points if p.decision == CREDIT and p.ref.get("owner")}
    owners.discard(review.employee.code)
    others = (
        Review.objects.select_for_update(of=("self",))
        .filter(cycle=review.cycle, employee__code__in=owners, values_frozen_at__isnull=True)
        .select_related("employee", "template_version", "cycle")
    )
    for other in others:
        refresh_values(other)
        recompute(other, save=False)
        other.version += 1
        other.save(update_fields=[*STORED_FIELDS, "version"])


def refresh_values(review: Any) -> None:
    """The review's values read again from the warehouse with the month's row decisions and the period's
    incident records laid over them (`incidents.feeding`), whether or not HR's check froze them; the
    caller scores the review again."""
    from shopkpi.appraisal.importing.import_jobs import home
    from shopkpi.appraisal.incidents import feeding
    from shopkpi.appraisal.periods import month_values
    from shopkpi.appraisal.reviews.review_scoring import fresh_values, history_of

    template = review.template_version.compiled()
    code = review.employee.code
    found = month_values.metric_values(home(), review.cycle.period, [code], sorted(template.variables))
    values, provenance = fresh_values(
        template,
        review.employee,
        review.values,
        review.provenance,
        found.get(code, {}),
        review.cycle.period,
        history_of(review),
    )
    incidents = feeding.period_incidents(review.cycle.period, [review.employee_id])
    values, provenance = feeding.lay_over(template, values, provenance, incidents.get(review.employee_id, []))
    review.values, review.provenance = values, provenance


ROW = PointKind(
    name="row",
    label=gettext_lazy("数据行"),
    claims={CREDIT: gettext_lazy("这单是我接的"), EXCLUDE: gettext_lazy("这天我休假 / 这行不该算")},
    decisions={CREDIT: gettext_lazy("改计给本人"), EXCLUDE: gettext_lazy("不计入")},
    checked_ref=_checked_ref,
    decided=_decided,
)
