"""What results lead to (seed 003): the pay-grade table (薪等 × 薪级 with amounts), each employee's
current 薪等/薪级, the adjustment table (《绩效考评与薪酬调整对照表》: a year's grade -> steps up or
down, promotion eligibility, training need) and the year-end proposals HR and then the GM approve."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class PayStep(models.Model):
    """One cell of the pay-grade table: 薪等 `band` (ranked: 1 the lowest), 薪级 `step`, its amount."""

    band = models.CharField("薪等", max_length=30)
    band_rank = models.PositiveSmallIntegerField("薪等顺序", help_text="1 = the lowest band")
    step = models.PositiveSmallIntegerField("薪级")
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["band_rank", "step"]
        constraints = [models.UniqueConstraint(fields=["band", "step"], name="pay_step_once")]


class EmployeePayGrade(models.Model):
    """The employee's current 薪等 and 薪级 (changed by HR, or by an approved year-end adjustment)."""

    employee = models.OneToOneField("appraisal.Employee", on_delete=models.CASCADE, related_name="pay_grade")
    band = models.CharField("薪等", max_length=30)
    step = models.PositiveSmallIntegerField("薪级")
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)


class AdjustmentRule(models.Model):
    """One row of 《绩效考评与薪酬调整对照表》: what a year's grade leads to."""

    grade = models.CharField("年度等级", max_length=50, unique=True)
    steps = models.SmallIntegerField("薪级调整", help_text="steps up (+) or down (−)")
    promotion = models.BooleanField("晋升资格", default=False)
    training = models.BooleanField("培训需求", default=False)

    class Meta:
        ordering = ["-steps", "grade"]


class PayProposal(models.Model):
    """The product's proposal of one employee's change at the year's close, and its decision."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待人事审核")
        HR_APPROVED = "hr_approved", _("待总经理批准")
        APPROVED = "approved", _("已批准")

    period = models.CharField("年度", max_length=10)
    employee = models.ForeignKey("appraisal.Employee", on_delete=models.PROTECT, related_name="pay_proposals")
    review = models.ForeignKey("appraisal.Review", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField("年度等级", max_length=50)
    band = models.CharField("薪等", max_length=30)
    step_from = models.PositiveSmallIntegerField("原薪级")
    step_to = models.PositiveSmallIntegerField("新薪级")
    amount_from = models.DecimalField("原金额", max_digits=12, decimal_places=2)
    amount_to = models.DecimalField("新金额", max_digits=12, decimal_places=2)
    capped = models.BooleanField("已到薪等上下限", default=False)
    promotion = models.BooleanField("晋升资格", default=False)
    training = models.BooleanField("培训需求", default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField(auto_now_add=True)
    hr_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    hr_at = models.DateTimeField(null=True, blank=True)
    gm_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    gm_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period", "employee__code"]
        constraints = [models.UniqueConstraint(fields=["period", "employee"], name="pay_proposal_once")]
