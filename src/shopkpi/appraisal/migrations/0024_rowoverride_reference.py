"""A row decision names its row by what survives a re-import (the dataset's key, or the row's content),
read from the batch it names; one whose batch is gone keeps its batch and row alone."""

from typing import Any

from django.db import migrations, models


def references(apps: Any, schema_editor: Any) -> None:
    from shopkpi.appraisal.reviews.row_appeals import reference_of

    RowOverride = apps.get_model("appraisal", "RowOverride")
    for override in RowOverride.objects.filter(reference__isnull=True).order_by("id"):
        found = reference_of(override.dataset, override.batch, override.row)
        if found is not None:
            override.reference = found
            override.save(update_fields=["reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("appraisal", "0023_catalogue_recompute_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="rowoverride",
            name="reference",
            field=models.JSONField(
                blank=True,
                help_text="what names the row across re-imports (`RowReference.as_json`)",
                null=True,
            ),
        ),
        migrations.RunPython(references, migrations.RunPython.noop),
    ]
