"""The warehouse's batch catalogue moves into the application database, which every server shares;
`shopkpi migrate` then copies a home's older `warehouse/catalogue.duckdb` into it, once."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0019_spotcheck_case_appeals"),
    ]

    operations = [
        migrations.CreateModel(
            name="WarehouseBatch",
            fields=[
                ("id", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(help_text="the order batches were recorded in", unique=True)),
                ("dataset", models.CharField(max_length=100)),
                ("file_name", models.TextField()),
                ("sha256", models.CharField(max_length=64)),
                ("profile", models.CharField(max_length=200)),
                ("row_count", models.BigIntegerField()),
                ("imported_by", models.CharField(max_length=150)),
                (
                    "imported_at",
                    models.DateTimeField(help_text="the company's wall-clock time, stored as if it were UTC"),
                ),
                ("replaced_by", models.CharField(blank=True, max_length=200, null=True)),
                ("period", models.CharField(blank=True, max_length=20, null=True)),
                ("path", models.TextField(help_text="the batch's file, relative to the batch store")),
                ("scope_from", models.DateField(blank=True, null=True)),
                ("scope_to", models.DateField(blank=True, null=True)),
                ("state", models.CharField(default="current", max_length=20)),
                ("sheet", models.TextField(blank=True, null=True)),
            ],
            options={
                "ordering": ["seq"],
                "indexes": [
                    models.Index(fields=["dataset", "sha256"], name="appraisal_w_dataset_efd207_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="WarehouseBatchAccount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("account", models.TextField(blank=True, null=True)),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="accounts",
                        to="appraisal.warehousebatch",
                    ),
                ),
            ],
        ),
    ]
