"""One review per employee per cycle, with its ratings, interview, overrides, appeals and history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING_SELF = "pending_self", _("待自评")
        PENDING_SUPERVISOR = "pending_supervisor", _("待上级评分")
        PENDING_HR = "pending_hr", _("待人事核准")
        PENDING_GM = "pending_gm", _("待总经理批准")
        PENDING_STEP = "pending_step", _("待审核")
        PUBLISHED = "published", _("已发布")
        ACKNOWLEDGED = "acknowledged", _("已签字确认")
        APPEALED = "appealed", _("申诉中")

    cycle = models.ForeignKey("appraisal.Cycle", on_delete=models.PROTECT, related_name="reviews")
    employee = models.ForeignKey("appraisal.Employee", on_delete=models.PROTECT, related_name="reviews")
    evaluator = models.ForeignKey(
        "appraisal.Employee",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
        help_text="the evaluator (考评负责人) in this cycle",
    )
    template_version = models.ForeignKey("appraisal.TemplateVersion", on_delete=models.PROTECT)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_SELF)
    version = models.PositiveIntegerField(default=1, help_text="optimistic lock: raised by every save")
    self_assessment = models.TextField("自我评价", blank=True)
    supervisor_comment = models.TextField("上级评语", blank=True)
    values = models.JSONField(default=dict, help_text="variable -> decimal text: metrics, targets, inputs")
    provenance = models.JSONField(default=dict, help_text="variable -> where its value came from")
    values_frozen_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, help_text="the engine's last result (items, explanation)")
    score = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    grade = models.CharField(max_length=50, blank=True)
    pay = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    missing = models.JSONField(default=list)
    submitted_self_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    appeal_deadline = models.DateTimeField(null=True, blank=True)
    chain_step = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="the step of its approval chain the review waits at (0: the first)"
    )
    step_due = models.DateField(
        null=True, blank=True, help_text="the deadline of that step when its chain sets one"
    )
    final_at = models.DateTimeField(
        null=True, blank=True, help_text="when the result became final and its consequences were raised"
    )

    class Meta:
        ordering = ["cycle", "employee"]
        constraints = [models.UniqueConstraint(fields=["cycle", "employee"], name="review_per_cycle")]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.employee_id}"

    @property
    def pay_kind(self) -> str | None:
        """What the review's pay is: "performance" (绩效工资), "wage" (a whole wage by the template's
        design), or None when its template has no pay (本岗位不计绩效工资)."""
        return pay_kind("pay_kind" in self.result, self.result.get("pay_kind"), self.pay)


def pay_kind(stated: bool, kind: str | None, pay: Decimal | None) -> str | None:
    """`Review.pay_kind` from a result's "pay_kind" (`stated`: the result has one) and the review's pay
    (the pay sheet reads the two entries alone)."""
    # every result since migration 0005 says; a result written by other means: by whether it has pay
    if stated:
        return kind
    return "performance" if pay is not None else None


class Rating(models.Model):
    class Rater(models.TextChoices):
        SUPERVISOR = "supervisor", _("上级")
        SELF = "self", _("自评")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    item_key = models.CharField(max_length=100)
    rater = models.CharField(max_length=10, choices=Rater.choices)
    value = models.DecimalField(max_digits=6, decimal_places=2)
    level = models.CharField(max_length=50, blank=True)
    comment = models.TextField(blank=True)
    rated_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "item_key", "rater"], name="rating_unique")]


class Interview(models.Model):
    """考评沟通/面谈: the one-to-one between evaluator and employee."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="interview")
    held_on = models.DateField("面谈日期")
    strengths = models.TextField("优点")
    improvements = models.TextField("待改进")
    plan = models.TextField("改进计划")
    employee_response = models.TextField("员工意见", blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)


class Override(models.Model):
    """HR's replacement of a computed value, always with a reason."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="overrides")
    name = models.CharField(max_length=100, help_text="the variable overridden")
    value = models.DecimalField(max_digits=24, decimal_places=6)
    previous = models.CharField(max_length=60, blank=True)
    reason = models.TextField()
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class Transition(models.Model):
    """A step of the review's life: who moved it, from where to where, and why."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    action = models.CharField(max_length=30)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Appeal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("维持原结果")
        AMENDED = "amended", _("已修正")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appeals")
    item_key = models.CharField(
        max_length=100, blank=True, help_text="the item appealed, blank for the whole"
    )
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)


class ReviewSnapshot(models.Model):
    """An earlier version of a review, kept when a cycle is reopened or a review amended."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
