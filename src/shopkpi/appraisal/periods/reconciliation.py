"""A month's reconciliation gate (数据核对): the warehouse's figures that must agree, checked before the
month's reviews go to the GM.

The checks are the data layer's (`shopkpi.data.warehouse.reconciliation`: shipped, and the company's
own in `<home>/checks`), run on the warehouse as it is now for the cycle's period. Each difference
names the check, the key (the shop) and both figures; `missing_targets` lists the appraised people
whose template reads a target the month lacks (such a review is incomplete and stops at 人事核准 on
its own). HR acknowledges a difference with a note
(written to the audit log as `reconciliation.acknowledge`, with the figures); an acknowledgement
holds for those figures only, so a corrected or another import that changes them asks again. While a
difference is not acknowledged, no review of the month is sent to the GM (`workflow`, 人事核准).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import AuditEntry, Cycle, TemplateVersion
from shopkpi.appraisal.policy import ActionRefused, require_company_role
from shopkpi.appraisal.reviews.review_steps import actor_name

if TYPE_CHECKING:
    from shopkpi.data.warehouse.reconciliation import Check, Difference

ACKNOWLEDGE = "reconciliation.acknowledge"


@dataclass(frozen=True)
class Failure:
    check: str
    label: str
    key: str
    left: Decimal
    right: Decimal
    left_dataset: str
    right_dataset: str
    compare: str
    tolerance: str
    acknowledged: AuditEntry | None

    @property
    def figures(self) -> dict[str, str]:
        """What an acknowledgement records, and must match to hold."""
        return {"check": self.check, "key": self.key, "left": str(self.left), "right": str(self.right)}


def month_failures(cycle: Cycle, home: Path | None = None) -> list[Failure]:
    """Every difference of the cycle's period, each with its acknowledgement if it has one."""
    from shopkpi.data.warehouse.catalogue import Warehouse
    from shopkpi.data.warehouse.reconciliation import differences, load_checks
    from shopkpi.scorecard.periods import Period

    home = home or Path(settings.HOME)
    warehouse = Warehouse(home)
    if not warehouse.catalogue.exists():
        return []
    checks = load_checks(home)
    state = _warehouse_state(home)
    key = (str(home.resolve()), cycle.period, tuple(checks.items()), state)
    found = _FOUND.get(key) if state is not None else None
    if found is None:
        connection = warehouse.connect()
        try:
            found = differences(connection, Period.parse(cycle.period), checks)
        finally:
            connection.close()
        if state is not None:
            _FOUND.clear()  # one month's at a time: each of its reviews' 人事核准 asks again
            _FOUND[key] = found
    acknowledged = {
        tuple(sorted((entry.after or {}).items())): entry
        for entry in AuditEntry.objects.filter(
            action=ACKNOWLEDGE, object_type="cycle", object_id=str(cycle.pk)
        )
    }
    failures = []
    for difference in found:
        check = checks[difference.check]
        failure = Failure(
            difference.check,
            check.label_zh,
            difference.key,
            difference.left,
            difference.right,
            check.left.dataset,
            check.right.dataset,
            check.compare,
            check.tolerance,
            None,
        )
        entry = acknowledged.get(tuple(sorted(failure.figures.items())))
        failures.append(failure if entry is None else _with(failure, entry))
    return failures


# (home, period, checks, warehouse state) -> the differences found: the month's reviews each pass 人事核准
# with the same warehouse, and reading it costs a copy of the catalogue (which grows with the company)
_State = tuple[tuple[str, str, str | None], ...] | None
_FOUND: dict[tuple[str, str, tuple[tuple[str, Check], ...], _State], list[Difference]] = {}


def _warehouse_state(home: Path) -> _State:
    """Every batch of the application's warehouse with its state: what the warehouse's views are made
    of (a batch's files and accounts never change); None for a home that is not the application's."""
    from shopkpi.appraisal.importing.batch_catalogue import DatabaseCatalogue, catalogue_of
    from shopkpi.appraisal.models import WarehouseBatch

    if not isinstance(catalogue_of(home), DatabaseCatalogue):
        return None
    return tuple(WarehouseBatch.objects.order_by("seq").values_list("id", "state", "replaced_by"))


def _with(failure: Failure, entry: AuditEntry) -> Failure:
    from dataclasses import replace

    return replace(failure, acknowledged=entry)


@dataclass(frozen=True)
class MissingTarget:
    """An appraised person whose template reads a target the month does not have."""

    review: int
    code: str
    name: str
    target: str
    items: str


def missing_targets(cycle: Cycle, home: Path | None = None) -> list[MissingTarget]:
    """Every target a review of the cycle needs and lacks (as its values were last computed)."""
    from shopkpi.appraisal.periods.month_prepare import target_variables
    from shopkpi.data.metrics.catalogue import load_catalogue

    metrics = frozenset(load_catalogue(home or Path(settings.HOME)).metrics)
    # the targets of each template version of the cycle, worked out once; only the reviews of the
    # versions that read a target are read, and only their values (two queries whatever the head count)
    versions = TemplateVersion.objects.filter(pk__in=cycle.reviews.values("template_version"))
    needed = {v.pk: target_variables(v.compiled(), metrics) for v in versions}
    reviews = (
        cycle.reviews.filter(template_version__in=[pk for pk, targets in needed.items() if targets])
        .order_by("employee__code")
        .values_list("pk", "employee__code", "employee__name", "template_version_id", "values")
    )
    found = []
    for review, code, name, version, values in reviews:
        for target, items in needed[version].items():
            if (values or {}).get(target) is None:
                found.append(MissingTarget(review, code, name, target, items))
    return found


def unacknowledged(cycle: Cycle, home: Path | None = None) -> list[Failure]:
    return [f for f in month_failures(cycle, home) if f.acknowledged is None]


def acknowledge(
    user: Any, cycle: Cycle, check: str, key: str, note: str, home: Path | None = None
) -> Failure:
    """HR acknowledges the current difference of `check` at `key`, with a note (required)."""
    require_company_role(user, {"hr"})
    if not note.strip():
        raise ActionRefused(_("请写明确认差异的说明。"), code="note_required")
    current = [f for f in month_failures(cycle, home) if (f.check, f.key) == (check, key)]
    if not current:
        raise ActionRefused(_("该差异已不存在（数据可能已更正）。"), code="no_such_difference")
    failure = current[0]
    if failure.acknowledged is not None:
        return failure
    entry = audit.record(
        actor_name(user),
        ACKNOWLEDGE,
        object_type="cycle",
        object_id=cycle.pk,
        after=failure.figures,
        reason=note.strip(),
    )
    return _with(failure, entry)
