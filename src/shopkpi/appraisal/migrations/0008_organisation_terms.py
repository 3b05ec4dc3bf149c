"""Effective-dated terms (department, position, supervisor, base salary) for every employee, their
e-mail and mobile, and positions that may wait for a template: each existing employee's current fields
become their first terms, valid from the start."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def first_terms(apps: Any, schema_editor: Any) -> None:
    employee_model = apps.get_model("appraisal", "Employee")
    terms_model = apps.get_model("appraisal", "EmployeeTerms")
    terms_model.objects.bulk_create(
        terms_model(
            employee_id=e.pk,
            valid_from=None,
            department_id=e.department_id,
            position_id=e.position_id,
            supervisor_id=e.supervisor_id,
            base_salary=e.base_salary,
        )
        for e in employee_model.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0007_consequences_follow_the_final_result"),
    ]

    operations = [
        migrations.CreateModel(
            name="EmployeeTerms",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("valid_from", models.DateField(blank=True, null=True, verbose_name="生效日期")),
                (
                    "base_salary",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=12, null=True, verbose_name="基本工资"
                    ),
                ),
            ],
            options={
                "ordering": ["employee", "valid_from"],
            },
        ),
        migrations.AddField(
            model_name="employee",
            name="email",
            field=models.CharField(blank=True, default="", max_length=254, verbose_name="邮箱"),
        ),
        migrations.AddField(
            model_name="employee",
            name="mobile",
            field=models.CharField(blank=True, default="", max_length=30, verbose_name="手机"),
        ),
        migrations.AlterField(
            model_name="account",
            name="account",
            field=models.CharField(max_length=200, verbose_name="账号"),
        ),
        migrations.AlterField(
            model_name="account",
            name="kind",
            field=models.CharField(max_length=30, verbose_name="账号类型"),
        ),
        migrations.AlterField(
            model_name="account",
            name="valid_from",
            field=models.DateField(blank=True, null=True, verbose_name="生效日期"),
        ),
        migrations.AlterField(
            model_name="account",
            name="valid_to",
            field=models.DateField(blank=True, null=True, verbose_name="失效日期"),
        ),
        migrations.AlterField(
            model_name="position",
            name="template_id",
            field=models.CharField(
                blank=True,
                default="",
                help_text="the id of the template this position is scored with; empty: not bound yet",
                max_length=100,
                verbose_name="考核表模板",
            ),
        ),
        migrations.AddIndex(
            model_name="account",
            index=models.Index(fields=["kind", "account"], name="account_kind_account"),
        ),
        migrations.AddField(
            model_name="employeeterms",
            name="department",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="appraisal.department"
            ),
        ),
        migrations.AddField(
            model_name="employeeterms",
            name="employee",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="terms", to="appraisal.employee"
            ),
        ),
        migrations.AddField(
            model_name="employeeterms",
            name="position",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="appraisal.position"
            ),
        ),
        migrations.AddField(
            model_name="employeeterms",
            name="supervisor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="appraisal.employee",
                verbose_name="直接上级",
            ),
        ),
        migrations.AddConstraint(
            model_name="employeeterms",
            constraint=models.UniqueConstraint(fields=("employee", "valid_from"), name="one_terms_per_day"),
        ),
        migrations.AddConstraint(
            model_name="employeeterms",
            constraint=models.UniqueConstraint(
                condition=models.Q(("valid_from__isnull", True)), fields=("employee",), name="one_first_terms"
            ),
        ),
        migrations.RunPython(first_terms, migrations.RunPython.noop),
    ]
