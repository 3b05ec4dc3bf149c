"""The organisation: departments, positions (bound to templates), employees and their accounts."""

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
        "考核表模板", max_length=100, help_text="the id of the template this position is scored with"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="employee"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Account(models.Model):
    """A shop, 旺旺 sub-account, campaign, SNS account … owned by an employee for a span of days."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=30)
    account = models.CharField(max_length=200)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "account", "valid_from"]
