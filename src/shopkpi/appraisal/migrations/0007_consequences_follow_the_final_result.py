"""Consequences follow the final result (action items withdrawn with a reason, a review's final_at), and
every stored result says what its pay is (result["pay_kind"]: performance, wage, or None without pay)."""

from typing import Any

from django.conf import settings
from django.db import migrations, models


def pay_kind_of_every_result(apps: Any, schema_editor: Any) -> None:
    from shopkpi.scorecard import TemplateError, load_template_text

    review_model = apps.get_model("appraisal", "Review")
    kinds: dict[int, str | None] = {}
    for review in review_model.objects.select_related("template_version").iterator():
        version = review.template_version
        if version.pk not in kinds:
            try:
                template = load_template_text(version.text, f"{version.template_id} v{version.version}")
            except TemplateError:
                kinds[version.pk] = "performance" if review.pay is not None else None
            else:
                kinds[version.pk] = None if template.pay is None else template.pay_kind
        if "pay_kind" not in review.result:
            review.result = {**review.result, "pay_kind": kinds[version.pk]}
            review.save(update_fields=["result"])


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0006_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="actionitem",
            name="action_once_per_review",
        ),
        migrations.AddField(
            model_name="actionitem",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="actionitem",
            name="withdrawn_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="review",
            name="final_at",
            field=models.DateTimeField(
                blank=True,
                help_text="when the result became final and its consequences were raised",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="actionitem",
            name="status",
            field=models.CharField(
                choices=[("open", "待处理"), ("closed", "已处理"), ("withdrawn", "已撤回")],
                default="open",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="actionitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "withdrawn"), _negated=True),
                fields=("review", "action"),
                name="live_action_once_per_review",
            ),
        ),
        migrations.RunPython(pay_kind_of_every_result, migrations.RunPython.noop),
    ]
