"""Peer evaluation (互评): the colleagues named to rate an item of a review, and the rating each gave."""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class PeerRater(models.Model):
    """A colleague named to rate a `rated_by: peers` item of a review; `rating` stays empty until given."""

    review = models.ForeignKey("appraisal.Review", on_delete=models.CASCADE, related_name="peer_raters")
    item_key = models.CharField(max_length=100)
    rater = models.ForeignKey("appraisal.Employee", on_delete=models.PROTECT, related_name="peer_ratings")
    named_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    named_at = models.DateTimeField(auto_now_add=True)
    rating = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    level = models.CharField(max_length=50, blank=True)
    comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "item_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item_key", "rater"], name="peer_rater_once_per_item")
        ]
