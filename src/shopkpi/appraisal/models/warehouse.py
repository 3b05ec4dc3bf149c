"""The warehouse's batch catalogue, in the application database so that every server shares it.

A row per imported batch (its provenance, its state, the batch that wholly replaces it) and the
accounts each batch speaks for. The warehouse (`shopkpi.data.warehouse`) decides what they mean;
`shopkpi.appraisal.importing.batch_catalogue` reads and writes them for it.
"""

from __future__ import annotations

from django.db import models


class WarehouseBatch(models.Model):
    """One batch of the warehouse: a file imported into a dataset, kept as `path` in the batch store."""

    id = models.CharField(primary_key=True, max_length=200)
    seq = models.BigIntegerField(unique=True, help_text="the order batches were recorded in")
    dataset = models.CharField(max_length=100)
    file_name = models.TextField()
    sha256 = models.CharField(max_length=64)
    profile = models.CharField(max_length=200)
    row_count = models.BigIntegerField()
    imported_by = models.CharField(max_length=150)
    imported_at = models.DateTimeField(help_text="the company's wall-clock time, stored as if it were UTC")
    replaced_by = models.CharField(max_length=200, null=True, blank=True)
    period = models.CharField(max_length=20, null=True, blank=True)
    path = models.TextField(help_text="the batch's file, relative to the batch store")
    scope_from = models.DateField(null=True, blank=True)
    scope_to = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=20, default="current")
    sheet = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["dataset", "sha256"])]


class WarehouseBatchAccount(models.Model):
    """An account (shop, customer-service account …) a batch speaks for; NULL for a batch of no account."""

    batch = models.ForeignKey(WarehouseBatch, on_delete=models.CASCADE, related_name="accounts")
    account = models.TextField(null=True, blank=True)
