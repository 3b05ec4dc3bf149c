"""The one import service: the HR import page, `shopkpi import`, the API and the demo call `run_import`.

The shape every import takes, whatever front asks for it:

1. **Route.** The organisation's own files (`employees`, `accounts`, `positions`: the roster, account
   ownership, positions and their templates) are written into the application database by the
   organisation service; every other dataset (platform exports, targets, inputs, ratings) goes to
   the warehouse through `shopkpi.data.imports.importer`.
2. **Check.** Every file is read and checked before anything is written. Problems refuse the call
   whole (`ImportRefused`, each with file, row, column, reason) and change nothing. Warnings
   (`DataWarning`: rows outside the period, empty money cells, unowned accounts …) are not errors:
   with `dry_run`, or when there are warnings and `accept_warnings` is not set, nothing is written
   and the report lists them (`state` "previewed" or "needs_confirmation").
3. **Commit and audit together.** What is written and its `data.import` audit entries (one per new
   batch: who, which file, which warnings were accepted) are one step: the warehouse records the
   batches as pending, the audit entries are written in one database transaction, and only then do
   the batches become current; if the transaction fails they are removed, and a process killed in
   between is decided by whether the audit entry exists (`recorded_batches`, which the warehouse
   asks). A failure leaves both out; success leaves both in.
4. **The open months follow.** After an import that wrote something, every open cycle's month is
   computed again for everyone (`month_close.refresh_open_cycles`).

`ImportReport` is data; each front renders it in its own words and language.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import AuditEntry, Cycle
from shopkpi.appraisal.organisation.changes import OrganisationChange
from shopkpi.data.datasets import DATASETS
from shopkpi.data.imports.importer import FileOutcome, checked_import
from shopkpi.data.imports.recognition import recognise_dataset
from shopkpi.data.problems import DataWarning, ImportProblem, ImportRefused

# datasets whose rows are the organisation itself, kept in the application database
ORGANISATION_DATASETS = ("employees", "accounts", "positions")
AUDIT_ACTION = "data.import"
WITHDRAW_ACTION = "data.withdraw"
BATCH = "batch"  # the object type of both entries; the object id is the batch

Progress = Callable[[str, int, int], None]  # (file name, bytes read, file size)
State = Literal["previewed", "needs_confirmation", "imported"]


@dataclass(frozen=True)
class ImportRequest:
    """What one import asks for. `dataset` None: recognised from the files."""

    files: tuple[Path, ...]
    user: str
    dataset: str | None = None
    profile: str | None = None
    period: str | None = None
    sets: Mapping[str, str] = field(default_factory=dict)
    timezone: str = field(default_factory=lambda: company_time_zone())
    dry_run: bool = False
    accept_warnings: bool = False


@dataclass(frozen=True)
class ImportReport:
    dataset: str
    state: State
    outcomes: tuple[FileOutcome, ...] = ()
    warnings: tuple[DataWarning, ...] = ()
    changes: tuple[OrganisationChange, ...] = ()

    @property
    def written(self) -> bool:
        return self.state == "imported"


def company_time_zone() -> str:
    """The company's time zone (the one setting SHOPKPI_TIME_ZONE, Django's TIME_ZONE)."""
    from django.conf import settings

    return str(settings.TIME_ZONE)


def run_import(home: Path, request: ImportRequest, *, progress: Progress | None = None) -> ImportReport:
    """Import `request.files`, all or nothing; `ImportRefused` (and no change) on any problem."""
    if any(_is_prepared_workbook(path) for path in request.files):
        return _prepared_import(home, request, progress)
    dataset = request.dataset or _recognised(home, request)
    if dataset in ORGANISATION_DATASETS:
        report = _organisation_import(home, dataset, request)
        changed = report.written and any(not change.is_flag for change in report.changes)
    else:
        report = _warehouse_import(home, dataset, request, progress)
        changed = report.written and any(outcome.status == "imported" for outcome in report.outcomes)
    if changed:
        # the open months are computed again, once for everyone, with what was just imported
        _refresh_open_cycles(home, request.user)
    return report


def _is_prepared_workbook(path: Path) -> bool:
    """`prepared_sheets.is_prepared_workbook`, without loading the month's preparation and close (and
    the scoring engine they load: 0.1 s): an import of platform exports does without them."""
    from shopkpi.appraisal.periods.prepared_sheets import is_prepared_workbook

    return is_prepared_workbook(path)


def _refresh_open_cycles(home: Path, user: str) -> None:
    """`month_close.refresh_open_cycles`, loaded only when a month is open."""
    if Cycle.objects.filter(status=Cycle.Status.OPEN).exists():
        from shopkpi.appraisal.periods.month_close import refresh_open_cycles

        refresh_open_cycles(home, user)


def _recognised(home: Path, request: ImportRequest) -> str:
    """The dataset the files belong to, from their headers (every file must agree)."""
    return recognise_dataset(home, request.files, profile=request.profile, sets=request.sets)


def _organisation_import(home: Path, dataset: str, request: ImportRequest) -> ImportReport:
    """The roster, account ownership or positions into the application database (the organisation
    service): every change listed; with `dry_run` only listed."""
    from shopkpi.appraisal.organisation.files import import_organisation

    with transaction.atomic():
        changes = import_organisation(
            home,
            dataset,
            request.files,
            user=request.user,
            profile=request.profile,
            timezone=request.timezone,
            dry_run=request.dry_run,
        )
        if not request.dry_run:
            audit.record(
                request.user,
                AUDIT_ACTION,
                object_type="dataset",
                object_id=dataset,
                after={
                    "files": [p.name for p in request.files],
                    "changes": sum(not c.is_flag for c in changes),
                },
            )
    state: State = "previewed" if request.dry_run else "imported"
    return ImportReport(dataset=dataset, state=state, changes=changes)


def _prepared_import(home: Path, request: ImportRequest, progress: Progress | None) -> ImportReport:
    """A workbook of `shopkpi prepare`, as filled in: its sheets' filled rows into `targets`, `inputs`
    and `ratings` (only the one named by `request.dataset`, when it is). Every sheet is checked before
    any is written; problems and warnings name the workbook's sheet and row. The report's dataset is
    the datasets written, joined by "+"."""
    from shopkpi.appraisal.periods import month_prepare

    (path, *others) = request.files
    names = tuple((request.dataset or "+".join(month_prepare.DATASETS)).split("+"))
    if others or not set(names) <= set(month_prepare.DATASETS):
        reason = (
            "a prepared workbook (sheets 目标, 手工录入, 评分) is imported on its own"
            if others
            else f"a prepared workbook holds targets, inputs and ratings, not {request.dataset}"
        )
        raise ImportRefused([ImportProblem(p.name, None, None, reason) for p in request.files])
    work = month_prepare.work_folder(home)
    try:
        sheets = month_prepare.filled_sheets(path, names, work)
        if not sheets:
            raise ImportRefused([ImportProblem(path.name, None, None, "nothing is filled in")])
        problems: list[ImportProblem] = []
        warnings: list[DataWarning] = []
        checked: list[FileOutcome] = []
        for sheet in sheets:
            one = replace(request, files=(sheet.csv,), dataset=sheet.dataset, profile=None, dry_run=True)
            try:
                report = _warehouse_import(home, sheet.dataset, one, progress)
            except ImportRefused as refused:
                problems += [month_prepare.in_workbook(p, path, sheet) for p in refused.problems]
                continue
            warnings += [month_prepare.in_workbook(w, path, sheet) for w in report.warnings]
            checked += report.outcomes
        if problems:
            raise ImportRefused(problems)
        dataset = "+".join(sheet.dataset for sheet in sheets)
        if request.dry_run or (warnings and not request.accept_warnings):
            state: State = "previewed" if request.dry_run else "needs_confirmation"
            return ImportReport(dataset, state, tuple(checked), tuple(warnings))
        outcomes: list[FileOutcome] = []
        for sheet in sheets:
            one = replace(
                request, files=(sheet.csv,), dataset=sheet.dataset, profile=None, accept_warnings=True
            )
            outcomes += _warehouse_import(home, sheet.dataset, one, progress).outcomes
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if any(outcome.status == "imported" for outcome in outcomes):
        _refresh_open_cycles(home, request.user)
    return ImportReport(dataset, "imported", tuple(outcomes), tuple(warnings))


def _warehouse_import(
    home: Path, dataset: str, request: ImportRequest, progress: Progress | None
) -> ImportReport:
    from shopkpi.appraisal.organisation.snapshot import ownership_rows  # who owns what, for the warnings

    with checked_import(
        home,
        dataset,
        list(request.files),
        profile=request.profile,
        period=request.period,
        user=request.user,
        sets=request.sets,
        timezone=request.timezone,
        progress=progress,
        owners=ownership_rows(),
    ) as checked:
        if DATASETS[dataset].account_column == "employee" and not DATASETS[dataset].organisation:
            _refuse_unknown_employees(home, dataset, request)
        if request.dry_run or (checked.warnings and not request.accept_warnings):
            state: State = "previewed" if request.dry_run else "needs_confirmation"
            return ImportReport(dataset, state, checked.outcomes, checked.warnings)

        def record(outcomes: list[FileOutcome]) -> None:
            of_file: dict[str, list[dict[str, Any]]] = {}
            for warning in checked.warnings:
                of_file.setdefault(warning.file, []).append(warning_fields(warning))
            entries = [  # one entry per new batch, written together (a call of many files)
                audit.Entry(
                    AUDIT_ACTION,
                    object_type=BATCH,
                    object_id=outcome.batch,
                    after={
                        "dataset": dataset,
                        **outcome_fields(outcome),
                        "period": request.period,
                        "accepted_warnings": of_file.get(outcome.file, []),
                    },
                )
                for outcome in outcomes
                if outcome.status == "imported"
            ]
            if entries:
                audit.record_many(request.user, entries)

        outcomes = checked.commit(confirm=record)
    return ImportReport(dataset, "imported", tuple(outcomes), checked.warnings)


def _refuse_unknown_employees(home: Path, dataset: str, request: ImportRequest) -> None:
    """Targets, inputs and ratings name employees: each 工号 must be one of the organisation's, or the
    file is refused with the row and column of every unknown one."""
    from shopkpi.appraisal.models import Employee
    from shopkpi.data.imports.sheet_rows import read_sheets

    sheets = read_sheets(
        home, dataset, request.files, profile=request.profile, sets=request.sets, timezone=request.timezone
    )
    known = set(Employee.objects.values_list("code", flat=True))
    problems = [
        ImportProblem(
            sheet.file,
            row,
            sheet.headers.get("employee", "employee"),
            _("没有工号为 %(code)s 的员工；请先把他/她加进花名册（或更正工号）。")
            % {"code": cells["employee"]},
        )
        for sheet in sheets
        for row, cells in sheet.rows
        if str(cells["employee"]) not in known
    ]
    if problems:
        raise ImportRefused(problems)


def recorded_batches(home: Path, undecided: Mapping[str, str]) -> set[str] | None:
    """For the warehouse (`shopkpi.data.warehouse.catalogue.on_undecided`): of the batches a killed import or
    withdrawal left undecided ({batch: "pending" or "withdrawing"}), those whose audit entry exists.
    None for a home other than this application's."""
    if Path(settings.HOME).resolve() != home.resolve():
        return None
    wanted = {"pending": AUDIT_ACTION, "withdrawing": WITHDRAW_ACTION}
    found = AuditEntry.objects.filter(
        object_type=BATCH, object_id__in=list(undecided), action__in=list(wanted.values())
    ).values_list("object_id", "action")
    return {batch for batch, action in found if wanted.get(undecided.get(batch, "")) == action}


def outcome_fields(outcome: FileOutcome) -> dict[str, Any]:
    """A file's outcome as plain data (the audit entry, the page's job state, the API)."""
    return {
        "file": outcome.file,
        "status": outcome.status,
        "batch": outcome.batch,
        "profile": outcome.profile,
        "format": outcome.format,
        "rows": outcome.rows,
        "skipped_rows": outcome.skipped_rows,
        "replaced": list(outcome.replaced),
        "partly_replaced": list(outcome.partly_replaced),
    }


def warning_fields(warning: DataWarning) -> dict[str, Any]:
    """A warning as plain data (the audit entry of an import that accepted it, the page's job state)."""
    return {
        "code": warning.code,
        "file": warning.file,
        "row": warning.row,
        "column": warning.column,
        "params": dict(warning.params),
    }


__all__ = [
    "AUDIT_ACTION",
    "BATCH",
    "WITHDRAW_ACTION",
    "DataWarning",
    "ImportReport",
    "ImportRequest",
    "OrganisationChange",
    "outcome_fields",
    "recorded_batches",
    "run_import",
    "warning_fields",
]
