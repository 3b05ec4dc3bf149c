"""Writing and checking the audit log. Every change of confidential data goes through `record`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from shopkpi.appraisal.bulk_rows import insert_all
from shopkpi.appraisal.models import AuditEntry

GENESIS = "0" * 64
_LOCK_KEY = 7_402_611  # PostgreSQL advisory lock that serialises appends


def _plain(value: Any) -> Any:
    """JSON-safe copy: Decimals, dates and other values become text."""
    return None if value is None else json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _digest(entry: AuditEntry) -> str:
    payload = {
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "prev_hash": entry.prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record(
    actor: str,
    action: str,
    *,
    object_type: str = "",
    object_id: object = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry, chained to the last. Runs inside the caller's transaction, if any."""
    entry = Entry(action, object_type, object_id, before, after, reason)
    return record_many(actor, [entry])[0]


@dataclass(frozen=True)
class Entry:
    """What one audit entry says (its actor and time are the call's)."""

    action: str
    object_type: str = ""
    object_id: object = ""
    before: Any = None
    after: Any = None
    reason: str = ""


def record_many(actor: str, entries: Sequence[Entry]) -> list[AuditEntry]:
    """Append the entries in order, each chained to the one before, in three queries whatever their
    number (a month opened for thousands). Runs inside the caller's transaction, if any (without a
    savepoint of its own: an entry that cannot be written fails the caller's whole step). Inside
    `collected`, the entries are kept (and returned unsaved) until the block ends."""
    at = timezone.now().astimezone(UTC)
    kept = _collecting.get()
    if kept is not None:
        made = [_entry(actor, given, at) for given in entries]
        kept.extend(made)
        return made
    return _append([_entry(actor, given, at) for given in entries])


_collecting: ContextVar[list[AuditEntry] | None] = ContextVar("audit_collecting", default=None)


@contextmanager
def collected() -> Iterator[None]:
    """The entries recorded inside the block (by anyone: a step, the action items it raises …) are
    written together when it ends without an error, in the order they were recorded, each with the
    time it was recorded at: one append for a step taken on many reviews (the GM's approve-all).
    Use it inside the transaction that makes the changes the entries record."""
    kept: list[AuditEntry] = []
    token = _collecting.set(kept)
    try:
        yield
    finally:
        _collecting.reset(token)
    if kept:
        _append(kept)


def _entry(actor: str, given: Entry, at: datetime) -> AuditEntry:
    return AuditEntry(
        at=at,
        actor=actor,
        action=given.action,
        object_type=given.object_type,
        object_id=str(given.object_id),
        before=_plain(given.before),
        after=_plain(given.after),
        reason=given.reason,
    )


def _append(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Chain the entries to the last one written and insert them."""
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        for entry in entries:
            entry.prev_hash = last
            entry.hash = last = _digest(entry)
        return insert_all(AuditEntry, entries)


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify() -> ChainBreak | None:
    """The first entry whose hash or link is wrong, or None when the whole chain holds."""
    previous = GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != previous:
            return ChainBreak(
                entry.id, f"entry {entry.id} does not link to the entry before it (a gap or a reorder)"
            )
        if _digest(entry) != entry.hash:
            return ChainBreak(
                entry.id, f"entry {entry.id} was changed after it was written (its hash does not match)"
            )
        previous = entry.hash
    return None
