"""The organisation: departments, positions (bound to templates), employees, their effective-dated
terms and the accounts they own. This is the only record of them (the metric step reads a snapshot
of it); every change goes through `shopkpi.appraisal.organisation`, which audits it.

An employee's department, position, supervisor and base salary matter to a month, so they are kept
as `EmployeeTerms`, each valid from a day until the next terms of the same employee begin; the
fields of the same names on `Employee` are the terms in effect today (for lists and filters).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Department(models.Model):
    name = models.CharField("部门", max_length=100, unique=True)
    robot_channel = models.CharField(
        "群机器人", max_length=20, blank=True, help_text="wecom, dingtalk or feishu"
    )
    robot_webhook = models.CharField("机器人地址", max_length=500, blank=True)
    robot_secret = models.CharField("加签密钥", max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    name = models.CharField("岗位", max_length=100, unique=True)
    template_id = models.CharField(
        "考核表模板",
        max_length=100,
        blank=True,
        default="",
        help_text="the id of the template this position is scored with; empty: not bound yet",
    )
    quarter_template_id = models.CharField(
        "季度考核表模板",
        max_length=100,
        blank=True,
        default="",
        help_text="the template of the position's quarterly cycles; empty: no quarterly appraisal",
    )
    year_template_id = models.CharField(
        "年度考核表模板",
        max_length=100,
        blank=True,
        default="",
        help_text="the template of the position's annual cycles; empty: no annual appraisal",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def template_for(self, kind: str) -> str:
        """The id of the template the position is scored with in a cycle of `kind` (month, quarter,
        year); empty when it is not bound for that kind."""
        return {
            "month": self.template_id,
            "quarter": self.quarter_template_id,
            "year": self.year_template_id,
        }[kind]


class Employee(models.Model):
    code = models.CharField(
        "工号", max_length=50, unique=True, help_text="the employee id used in imports, e.g. E001"
    )
    name = models.CharField("姓名", max_length=100)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="employees")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="employees")
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name="直接上级",
    )
    base_salary = models.DecimalField("基本工资", max_digits=12, decimal_places=2, null=True, blank=True)
    hired_on = models.DateField("入职日期", null=True, blank=True)
    left_on = models.DateField("离职日期", null=True, blank=True)
    email = models.CharField("邮箱", max_length=254, blank=True, default="")
    mobile = models.CharField("手机", max_length=30, blank=True, default="")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EmployeeTerms(models.Model):
    """Department, position, supervisor and base salary from `valid_from` (None: from the start) until
    the day before the employee's next terms."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="terms")
    valid_from = models.DateField("生效日期", null=True, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="直接上级"
    )
    base_salary = models.DecimalField("基本工资", max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["employee", models.F("valid_from").asc(nulls_first=True)]  # the first terms first
        constraints = [
            models.UniqueConstraint(fields=["employee", "valid_from"], name="one_terms_per_day"),
            models.UniqueConstraint(
                fields=["employee"], condition=models.Q(valid_from__isnull=True), name="one_first_terms"
            ),
        ]


class Account(models.Model):
    """A shop, 旺旺/京东 agent, campaign, SNS account, category or task assignee owned by an employee from
    `valid_from` to `valid_to` (both days included; empty: open-ended). Attribution reads these."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField("账号类型", max_length=30)
    account = models.CharField("账号", max_length=200)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)

    class Meta:
        ordering = ["kind", "account", "valid_from"]
        indexes = [models.Index(fields=["kind", "account"], name="account_kind_account")]
