"""Reopen requests become records of their own (they were read back from the audit log's
`cycle.reopen_request` / `cycle.reopen_decline` / `cycle.reopen` entries): the entries written so far
are replayed into requests, so a request waiting for the GM still waits after the upgrade."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def requests_from_the_audit_log(apps: Any, schema_editor: Any) -> None:
    entry_model = apps.get_model("appraisal", "AuditEntry")
    cycle_model = apps.get_model("appraisal", "Cycle")
    request_model = apps.get_model("appraisal", "ReopenRequest")
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    users = {u.username: u for u in user_model.objects.all()}
    cycles = {c.period: c for c in cycle_model.objects.all()}
    waiting: dict[str, Any] = {}
    entries = entry_model.objects.filter(
        object_type="cycle", action__in=("cycle.reopen_request", "cycle.reopen_decline", "cycle.reopen")
    ).order_by("id")
    for entry in entries:
        cycle = cycles.get(entry.object_id)
        if cycle is None:
            continue
        if entry.action == "cycle.reopen_request":
            if entry.actor not in users or entry.object_id in waiting:
                continue
            made = request_model.objects.create(
                cycle=cycle, reason=entry.reason, requested_by=users[entry.actor]
            )
            request_model.objects.filter(pk=made.pk).update(requested_at=entry.at)
            waiting[entry.object_id] = made
            continue
        found = waiting.pop(entry.object_id, None)
        if found is None:
            continue
        if entry.action == "cycle.reopen_decline":
            status, decider, why = "declined", entry.actor, entry.reason
        else:
            status, decider, why = "confirmed", (entry.after or {}).get("approved_by", ""), ""
        request_model.objects.filter(pk=found.pk).update(
            status=status, decided_by=users.get(decider), decided_at=entry.at, decision_reason=why
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0002_audit_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReopenRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "待总经理确认"),
                            ("confirmed", "已确认重新开启"),
                            ("declined", "已驳回"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("reason", models.TextField(verbose_name="原因")),
                ("requested_at", models.DateTimeField(auto_now_add=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("decision_reason", models.TextField(blank=True, verbose_name="驳回原因")),
                (
                    "cycle",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reopen_requests",
                        to="appraisal.cycle",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["requested_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("cycle",),
                        name="one_pending_reopen_request_per_cycle",
                    )
                ],
            },
        ),
        migrations.RunPython(requests_from_the_audit_log, migrations.RunPython.noop),
    ]
