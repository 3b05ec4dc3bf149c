"""A job can end done: HR's recompute of a large month, run by `shopkpi worker`."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0022_spotcheck_peer_raters"),
    ]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "排队中"),
                    ("running", "进行中"),
                    ("needs_confirmation", "待确认"),
                    ("imported", "已导入"),
                    ("refused", "未通过检查"),
                    ("failed", "失败"),
                    ("cancelled", "已取消"),
                    ("done", "已完成"),
                ],
                default="queued",
                max_length=20,
            ),
        ),
    ]
