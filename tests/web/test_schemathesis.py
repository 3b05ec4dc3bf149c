"""schemathesis against /api/openapi.json, in-process through Django's WSGI application.

Signed in as an HR user (who sees every review) on the small company of api_org with a review per
employee at different steps: no answer is a server error, and every answer (status, content type,
headers, body) is the one the OpenAPI document promises.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import api_org
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from shopkpi.appraisal.models import Review
from shopkpi.appraisal.policy import ACTIONS
from shopkpi.config.wsgi import application

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
REVIEW_IDS: list[int] = []  # the reviews of the running test's company


@schema.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Aim most generated cases at reviews that exist, in a step where the action can be taken, with
    their current version, so that actions are really taken (and their answers checked), not only
    refused as 404 or 409. A quarter of the cases keep what was generated."""
    review_id = (case.path_parameters or {}).get("review_id")
    if not REVIEW_IDS or not isinstance(review_id, int) or review_id % 4 == 0:
        return case
    action = case.path.rsplit("/", 1)[1]
    reviews = Review.objects.filter(pk__in=REVIEW_IDS).order_by("pk")
    if action in ACTIONS:
        reviews = (
            reviews.filter(status__in=ACTIONS[action][0]).exclude(employee__user__username="hr") or reviews
        )
    chosen = list(reviews)[review_id % len(reviews)]
    case.path_parameters["review_id"] = chosen.pk
    version = case.body.get("expected_version") if isinstance(case.body, dict) else None
    if isinstance(version, int) and version % 4 != 0:
        case.body["expected_version"] = chosen.version
    return case


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
STEPS = {
    "emp": "pending_self",
    "emp2": "pending_supervisor",
    "mgr": "pending_hr",
    "cs": "pending_gm",
    "dir": "published",
    "hra": "appealed",
    "mgr2": "acknowledged",
}


@pytest.fixture
def org(settings: Any, tmp_path: Path) -> Iterator[api_org.Org]:
    settings.HOME = tmp_path / "home"  # imports and opened months write here, not in the shared test home
    # like Django's test client: keep the test's transaction open across the requests
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        org = api_org.build(hash_passwords=False)
        for key, status in STEPS.items():
            org.reviews[key].status = status
            org.reviews[key].save()
        REVIEW_IDS[:] = sorted(r.pk for r in org.reviews.values())
        yield org
    finally:
        REVIEW_IDS.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_openapi_promises(org: api_org.Org, case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {org.tokens['hr']}"}, checks=CHECKS)
