"""The audit log: chained by hash, append-only at every level (model, queryset, database)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import AuditEntry
from shopkpi.appraisal.models.audit import AppendOnlyError

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_entry_links_to_the_one_before() -> None:
    first = audit.record(
        "hr", "cycle.open", object_type="cycle", object_id="2026-10", after={"period": "2026-10"}
    )
    second = audit.record("gm", "review.approve", object_type="review", object_id=7, reason="同意")
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash
    # the hash is sha256 over the entry's fields, recomputed here independently
    payload = {
        "at": first.at.isoformat(),
        "actor": "hr",
        "action": "cycle.open",
        "object_type": "cycle",
        "object_id": "2026-10",
        "before": None,
        "after": {"period": "2026-10"},
        "reason": "",
        "prev_hash": "0" * 64,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert first.hash == hashlib.sha256(text.encode()).hexdigest()
    assert audit.verify() is None


def test_model_and_queryset_refuse_changes() -> None:
    entry = audit.record("hr", "x")
    entry.actor = "someone else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_raw_updates_and_deletes() -> None:
    audit.record("hr", "x")
    for statement in ("UPDATE appraisal_auditentry SET actor = 'x'", "DELETE FROM appraisal_auditentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.count() == 1


def test_verify_names_the_first_broken_link() -> None:
    entries = [audit.record("hr", f"step {n}") for n in range(4)]
    # tamper below the application: drop the trigger the way an attacker with DB access could, then edit
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER appraisal_auditentry_no_update")
        else:
            cursor.execute(
                "ALTER TABLE appraisal_auditentry DISABLE TRIGGER appraisal_auditentry_append_only"
            )
        cursor.execute("UPDATE appraisal_auditentry SET reason = 'edited' WHERE id = %s", [entries[2].pk])
    broken = audit.verify()
    assert broken is not None
    assert broken.entry_id == entries[2].pk
    assert "changed" in broken.reason
