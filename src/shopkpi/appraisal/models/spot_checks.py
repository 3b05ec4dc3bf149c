"""Spot checks (质检抽查): a week's seeded draw of an agent's received customers or orders, and the
supervisor's checklist scores of each drawn case."""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class SpotCheckDraw(models.Model):
    """One week's draw for the agent of a review: the seed, how many were asked for and found."""

    review = models.ForeignKey("appraisal.Review", on_delete=models.CASCADE, related_name="spot_check_draws")
    week = models.PositiveSmallIntegerField(help_text="the week of the month, from 1 (Monday to Sunday)")
    first_day = models.DateField()
    last_day = models.DateField()
    seed = models.PositiveIntegerField(help_text="the draw's seed: the same seed and data give the same draw")
    size = models.PositiveSmallIntegerField(help_text="how many cases were asked for")
    cases_of = models.CharField(max_length=10, help_text="customers or orders")
    population = models.PositiveIntegerField(help_text="how many cases there were to draw from")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the candidate cases' keys")
    drawn_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "week"]
        constraints = [models.UniqueConstraint(fields=["review", "week"], name="spot_check_draw_per_week")]


class SpotCheckCase(models.Model):
    """A drawn customer or order, with the scores of the checklist's points and a note."""

    draw = models.ForeignKey(SpotCheckDraw, on_delete=models.CASCADE, related_name="cases")
    position = models.PositiveSmallIntegerField(help_text="its place in the draw, from 1")
    key = models.CharField(max_length=200, help_text="the buyer, or the order number and shop")
    orders = models.JSONField(
        default=list, help_text="the case's orders as drawn: number, shop, time, amount"
    )
    scores = models.JSONField(default=dict, help_text="checklist point -> score 0..100 (decimal text)")
    note = models.TextField(blank=True)
    scored_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(null=True, blank=True)
    dropped_at = models.DateTimeField(
        null=True, blank=True, help_text="when an appeal HR accepted left the case out of the month's average"
    )
    dropped_reason = models.TextField(blank=True, help_text="HR's reason for leaving the case out")

    class Meta:
        ordering = ["draw", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "position"], name="spot_check_case_place")]
