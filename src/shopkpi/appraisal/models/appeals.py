"""What an appeal points at (申诉要点) and the row-level decisions an accepted appeal leaves.

An `Appeal` says what the employee disputes in words; its `AppealPoint`s name the things disputed
one by one, each with the employee's claim, and HR decides each point. A point's `kind` says what
it points at and `ref` which one, as JSON the kind defines:

    kind "row"   ref {"metric", "dataset", "kind", "batch", "row", "key", "day", "owner"}: a source
                 row behind a metric value (the rows page, 数据明细); claims `credit` (这单是我接的)
                 and `exclude` (这天我休假/这行不该算); decisions `credit`, `exclude` or `refused`
    kind "incident"  ref {"incident", "kind", "occurred_on", "amount", "claimed"}: an incident record
                 (奖惩记录, `shopkpi.appraisal.incidents.appeals`); claims `remove` (这条不该记) and
                 `amount` (次数/金额不对, with `claimed`); decisions `remove`, `change` or `refused`
    kind "spot_check"  ref {"case", "week", "key", "score"}: a scored spot-check case (抽查样本,
                 `shopkpi.appraisal.spot_checks.appeals`); claims `unfair` (这个样本打分不公) and
                 `not_mine` (这个客户不是我接待的); decisions `drop` (不计这个样本) or `refused`

Adding a kind (an incident, a spot-check case …): register it in
`shopkpi.appraisal.reviews.appeal_points.kinds()` (`PointKind`: its name, label, claims, decisions, how a
ref is checked when the appeal is filed and what an accepted decision does), document its `ref`
keys above, and use the same fields: `claim` and `note` from the employee, `decision`, `reason`,
`decided_by`, `decided_at` from HR (`decision` empty while open, `refused` when HR does not
follow the claim). Kinds, claims and decisions are plain text checked by the registry, so a new
kind needs no migration.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class AppealPoint(models.Model):
    appeal = models.ForeignKey("appraisal.Appeal", on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(max_length=30, help_text="what the point names (`appeal_points.kinds()`)")
    ref = models.JSONField(default=dict, help_text="which one, as the kind defines it")
    claim = models.CharField(max_length=30, help_text="what the employee claims (one of the kind's claims)")
    note = models.TextField(blank=True, help_text="the employee's words on this point")
    decision = models.CharField(
        max_length=30, blank=True, help_text="HR's decision (one of the kind's), empty while open"
    )
    reason = models.TextField(blank=True, help_text="HR's reason for the decision")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["appeal", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id}/{self.kind}/{self.pk}"


class RowOverride(models.Model):
    """A decision on one source row in one cycle: credit it to `credit_to`, or (null) leave it out.

    The month's metric step applies them after every other attribution rule
    (`shopkpi.data.metrics.row_overrides`); one per row and account kind in a cycle (a later decision
    replaces it). `batch` and `row` are where the row was when HR decided (what people are shown);
    `reference` names it across re-imports (`row_overrides.RowReference`: the dataset's key values,
    or the row's content), null when its batch was gone before references were kept: the override
    then applies only while that batch and row are current."""

    cycle = models.ForeignKey("appraisal.Cycle", on_delete=models.PROTECT, related_name="row_overrides")
    dataset = models.CharField(max_length=60)
    kind = models.CharField(max_length=30, help_text="the account kind whose attribution it decides")
    batch = models.CharField(max_length=100)
    row = models.PositiveIntegerField()
    reference = models.JSONField(
        null=True, blank=True, help_text="what names the row across re-imports (`RowReference.as_json`)"
    )
    credit_to = models.ForeignKey(
        "appraisal.Employee", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    point = models.ForeignKey(
        AppealPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="overrides"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "dataset", "kind", "batch", "row"], name="row_override_once"
            )
        ]
