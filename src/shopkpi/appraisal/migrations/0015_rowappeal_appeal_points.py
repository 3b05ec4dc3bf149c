"""Appeal points (what an appeal names: a row, …) and the row decisions of a cycle."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0014_incidents_records"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AppealPoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        help_text="what the point names (`appeal_points.kinds()`)", max_length=30
                    ),
                ),
                ("ref", models.JSONField(default=dict, help_text="which one, as the kind defines it")),
                (
                    "claim",
                    models.CharField(
                        help_text="what the employee claims (one of the kind's claims)", max_length=30
                    ),
                ),
                ("note", models.TextField(blank=True, help_text="the employee's words on this point")),
                (
                    "decision",
                    models.CharField(
                        blank=True,
                        help_text="HR's decision (one of the kind's), empty while open",
                        max_length=30,
                    ),
                ),
                ("reason", models.TextField(blank=True, help_text="HR's reason for the decision")),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "appeal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="points",
                        to="appraisal.appeal",
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
            ],
            options={
                "ordering": ["appeal", "id"],
            },
        ),
        migrations.CreateModel(
            name="RowOverride",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("dataset", models.CharField(max_length=60)),
                (
                    "kind",
                    models.CharField(
                        help_text="the account kind whose attribution it decides", max_length=30
                    ),
                ),
                ("batch", models.CharField(max_length=100)),
                ("row", models.PositiveIntegerField()),
                ("reason", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "credit_to",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="appraisal.employee",
                    ),
                ),
                (
                    "cycle",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="row_overrides",
                        to="appraisal.cycle",
                    ),
                ),
                (
                    "point",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="overrides",
                        to="appraisal.appealpoint",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("cycle", "dataset", "kind", "batch", "row"), name="row_override_once"
                    )
                ],
            },
        ),
    ]
