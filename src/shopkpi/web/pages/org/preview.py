"""An organisation change as the pages show it: its kind, subject and field named in the page's language,
dates and amounts as people read them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from shopkpi.appraisal.organisation.changes import OrganisationChange
from shopkpi.appraisal.organisation.kinds import KINDS
from shopkpi.appraisal.wording import labels


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _subject(change: OrganisationChange) -> str:
    kind, sep, account = change.subject.partition(":")
    if sep and kind in KINDS:
        return f"{KINDS[kind]} {account}"
    return change.subject


def shown_changes(changes: Iterable[OrganisationChange]) -> list[dict[str, Any]]:
    return [
        {
            "kind": change.kind,
            "label": labels.org_change(change.kind),
            "subject": _subject(change),
            "field": labels.audit_field(change.field) if change.field else "",
            "before": _value(change.before),
            "after": _value(change.after),
            "valid_from": change.valid_from,
            "ends": change.valid_from - dt.timedelta(days=1)
            if change.kind == "hand_over" and change.valid_from
            else None,
            "flag": change.is_flag,
        }
        for change in changes
    ]
