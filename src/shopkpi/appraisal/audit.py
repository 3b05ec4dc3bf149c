"""Writing and checking the audit log. Every change of confidential data goes through `record`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

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
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry = AuditEntry(
            at=timezone.now().astimezone(UTC),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_plain(before),
            after=_plain(after),
            reason=reason,
            prev_hash=last or GENESIS,
        )
        entry.hash = _digest(entry)
        entry.save()
        return entry


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
