"""A month can be computed again after a change of the organisation (reason org)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0010_organisation_terms_order"),
    ]

    operations = [
        migrations.AlterField(
            model_name="monthcomputation",
            name="reason",
            field=models.CharField(
                choices=[
                    ("open", "开启考核期"),
                    ("recompute", "按仓库数据重算"),
                    ("import", "导入数据后"),
                    ("org", "组织架构变更后"),
                    ("withdraw", "撤回导入批次后"),
                ],
                max_length=10,
            ),
        ),
    ]
