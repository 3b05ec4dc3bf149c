"""The company the HR console and GM page tests share, imported as `test_hr_company`: the workflow
tests' company (tests/appraisal/workflow_company.py: G01 gm, G02 vgm, H01 hr, H02 hr2, M01 with E01
and E02, P01), shop data faked, and a signed-in client per user.

Scores of that template: 销售完成率 (gmv / 目标销售额) weighs 60 with bands ≥100% → 100, [80%, 100%) → 80;
工作态度 weighs 40, rated 优 100 / 良 80 / 差 40. Pay = base_salary × 10% × score / 100.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appraisal.workflow_company import (
    PERIOD,
    Company,
    advance,
    build_company,
    open_month,
)
from shopkpi.appraisal.models import Review

S = Review.Status

__all__ = ["PERIOD", "Company", "S", "advance", "build_company", "client_for", "open_month"]


def client_for(company: Company, username: str) -> Client:
    client = Client()
    client.force_login(company.user(username))
    return client


def test_the_shared_company_builds(monkeypatch, settings, tmp_path, db) -> None:  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path
    company = build_company(monkeypatch)
    open_month(company)
    assert Review.objects.filter(cycle__period=PERIOD).count() == 8
