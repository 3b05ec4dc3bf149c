"""Employee terms are listed with the first terms (valid from the start) first, on PostgreSQL as on SQLite."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0009_month_computation_withdraw"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="employeeterms",
            options={"ordering": ["employee", models.OrderBy(models.F("valid_from"), nulls_first=True)]},
        ),
    ]
