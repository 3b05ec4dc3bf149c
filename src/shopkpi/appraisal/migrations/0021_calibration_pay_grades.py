"""What results lead to: the pay-grade table (薪等 × 薪级), employees' current 薪等/薪级, the adjustment table and the year-end proposals."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0020_catalogue_warehouse_batches"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AdjustmentRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("grade", models.CharField(max_length=50, unique=True, verbose_name="年度等级")),
                (
                    "steps",
                    models.SmallIntegerField(help_text="steps up (+) or down (−)", verbose_name="薪级调整"),
                ),
                ("promotion", models.BooleanField(default=False, verbose_name="晋升资格")),
                ("training", models.BooleanField(default=False, verbose_name="培训需求")),
            ],
            options={
                "ordering": ["-steps", "grade"],
            },
        ),
        migrations.CreateModel(
            name="EmployeePayGrade",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("band", models.CharField(max_length=30, verbose_name="薪等")),
                ("step", models.PositiveSmallIntegerField(verbose_name="薪级")),
                ("set_at", models.DateTimeField(auto_now=True)),
                (
                    "employee",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pay_grade",
                        to="appraisal.employee",
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="PayStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("band", models.CharField(max_length=30, verbose_name="薪等")),
                (
                    "band_rank",
                    models.PositiveSmallIntegerField(
                        help_text="1 = the lowest band", verbose_name="薪等顺序"
                    ),
                ),
                ("step", models.PositiveSmallIntegerField(verbose_name="薪级")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="金额")),
            ],
            options={
                "ordering": ["band_rank", "step"],
                "constraints": [models.UniqueConstraint(fields=("band", "step"), name="pay_step_once")],
            },
        ),
        migrations.CreateModel(
            name="PayProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.CharField(max_length=10, verbose_name="年度")),
                ("grade", models.CharField(max_length=50, verbose_name="年度等级")),
                ("band", models.CharField(max_length=30, verbose_name="薪等")),
                ("step_from", models.PositiveSmallIntegerField(verbose_name="原薪级")),
                ("step_to", models.PositiveSmallIntegerField(verbose_name="新薪级")),
                ("amount_from", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="原金额")),
                ("amount_to", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="新金额")),
                ("capped", models.BooleanField(default=False, verbose_name="已到薪等上下限")),
                ("promotion", models.BooleanField(default=False, verbose_name="晋升资格")),
                ("training", models.BooleanField(default=False, verbose_name="培训需求")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "待人事审核"),
                            ("hr_approved", "待总经理批准"),
                            ("approved", "已批准"),
                        ],
                        default="proposed",
                        max_length=12,
                    ),
                ),
                ("proposed_at", models.DateTimeField(auto_now_add=True)),
                ("hr_at", models.DateTimeField(blank=True, null=True)),
                ("gm_at", models.DateTimeField(blank=True, null=True)),
                (
                    "employee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pay_proposals",
                        to="appraisal.employee",
                    ),
                ),
                (
                    "gm_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "hr_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "review",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="appraisal.review"
                    ),
                ),
            ],
            options={
                "ordering": ["period", "employee__code"],
                "constraints": [
                    models.UniqueConstraint(fields=("period", "employee"), name="pay_proposal_once")
                ],
            },
        ),
    ]
