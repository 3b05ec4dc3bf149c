"""The company's name: stored by `shopkpi init` in the application database; SHOPKPI_COMPANY_NAME overrides it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import CompanySettings


def company_name() -> str:
    """The name printed on pages and exports ("" when none was given)."""
    configured = str(getattr(settings, "SHOPKPI_COMPANY_NAME", "") or "")
    if configured:
        return configured
    stored = CompanySettings.objects.order_by("pk").values_list("name", flat=True).first()
    return stored or ""


def set_company_name(name: str, actor: str) -> None:
    """Store the company's name (audited with the name before and after)."""
    name = name.strip()
    with transaction.atomic():
        row = CompanySettings.objects.order_by("pk").first()
        before = None if row is None else row.name
        if before == name:
            return
        if row is None:
            CompanySettings.objects.create(name=name)
        else:
            row.name = name
            row.save(update_fields=["name"])
        audit.record(
            actor, "company.name", object_type="company", before={"name": before}, after={"name": name}
        )
