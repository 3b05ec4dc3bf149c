"""Jobs: work longer than a request, run by `shopkpi worker`, its state visible to every server."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0011_month_computation_organisation"),
    ]

    operations = [
        migrations.CreateModel(
            name="Job",
            fields=[
                ("id", models.CharField(max_length=16, primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=20)),
                ("user", models.CharField(max_length=150)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "排队中"),
                            ("running", "进行中"),
                            ("needs_confirmation", "待确认"),
                            ("imported", "已导入"),
                            ("refused", "未通过检查"),
                            ("failed", "失败"),
                            ("cancelled", "已取消"),
                        ],
                        default="queued",
                        max_length=20,
                    ),
                ),
                ("params", models.JSONField(default=dict)),
                ("done", models.BigIntegerField(default=0)),
                ("total", models.BigIntegerField(default=0)),
                ("result", models.JSONField(default=dict)),
                ("error", models.TextField(blank=True)),
                (
                    "attempts",
                    models.PositiveIntegerField(default=0, help_text="how often a worker has started it"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["-created_at"],
                "indexes": [
                    models.Index(fields=["state", "updated_at"], name="appraisal_j_state_47aad5_idx")
                ],
            },
        ),
    ]
