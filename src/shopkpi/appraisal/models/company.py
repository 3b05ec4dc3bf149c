"""The company's own settings, kept in the application database (one row)."""

from __future__ import annotations

from django.db import models


class CompanySettings(models.Model):
    name = models.CharField("公司名称", max_length=200, help_text="printed on exported scorecards")
    wecom_webhook = models.CharField("企业微信机器人", max_length=500, blank=True)
    dingtalk_webhook = models.CharField("钉钉机器人", max_length=500, blank=True)
    dingtalk_secret = models.CharField("钉钉加签密钥", max_length=200, blank=True)
    feishu_webhook = models.CharField("飞书机器人", max_length=500, blank=True)
    feishu_secret = models.CharField("飞书签名密钥", max_length=200, blank=True)

    class Meta:
        verbose_name = "公司设置"
