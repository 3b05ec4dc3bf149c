"""A position can be bound to a template per period kind: its quarterly and annual cycles' templates."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0012_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="position",
            name="quarter_template_id",
            field=models.CharField(
                blank=True,
                default="",
                help_text="the template of the position's quarterly cycles; empty: no quarterly appraisal",
                max_length=100,
                verbose_name="季度考核表模板",
            ),
        ),
        migrations.AddField(
            model_name="position",
            name="year_template_id",
            field=models.CharField(
                blank=True,
                default="",
                help_text="the template of the position's annual cycles; empty: no annual appraisal",
                max_length=100,
                verbose_name="年度考核表模板",
            ),
        ),
    ]
