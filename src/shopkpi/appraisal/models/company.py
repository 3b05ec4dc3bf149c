"""The company's own settings, kept in the application database (one row)."""

from __future__ import annotations

from django.db import models


class CompanySettings(models.Model):
    name = models.CharField("公司名称", max_length=200, help_text="printed on exported scorecards")

    class Meta:
        verbose_name = "公司设置"
