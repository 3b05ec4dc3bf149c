"""A month is computed again after HR changes a 客服班表 (shift schedule)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0024_rowoverride_reference"),
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
                    ("shifts", "客服班表变更后"),
                ],
                max_length=10,
            ),
        ),
    ]
