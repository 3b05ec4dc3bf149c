"""The company's months through the API: GET/POST /api/cycles, POST /api/imports and the pay sheet, as
an HRIS or payroll system would script them (HR, GM and admin only; tests/web/test_policy_matrix.py
covers every role)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import api_org
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shopkpi.appraisal.models import AuditEntry, Cycle, MonthComputation, Position, Review

pytestmark = pytest.mark.django_db
PEOPLE = len(api_org.PEOPLE)


@pytest.fixture
def org(settings: Any, tmp_path: Any) -> api_org.Org:
    settings.HOME = tmp_path / "home"
    return api_org.build(hash_passwords=False)


def _post(org: api_org.Org, who: str, path: str, body: dict[str, Any]) -> Any:
    return Client().post(path, body, content_type="application/json", **org.auth(who))


def test_hr_opens_a_month_with_the_default_participants(org: api_org.Org) -> None:
    answer = _post(org, "hr", "/api/cycles", {"period": "2026-04"})
    assert answer.status_code == 201, answer.content
    opened = answer.json()
    assert (opened["period"], opened["status"], opened["reviews"], opened["approved"]) == (
        "2026-04",
        "open",
        PEOPLE,  # everyone is active in April
        0,
    )
    assert opened["left_out"] == []  # everyone can be evaluated
    # the default deadlines (tests/appraisal/test_deadlines.py), and the month computed once
    assert opened["self_due"] == str(Cycle.objects.get(period="2026-04").self_due)
    assert MonthComputation.objects.filter(cycle__period="2026-04", reason="open").count() == 1
    listed = Client().get("/api/cycles", **org.auth("gm")).json()
    assert [c["period"] for c in listed["items"]] == ["2026-04", api_org.PERIOD] and listed["count"] == 2
    again = _post(org, "hr", "/api/cycles", {"period": "2026-04"})
    assert (again.status_code, again.json()["code"]) == (409, "cycle_exists")


def test_those_nobody_can_evaluate_are_left_out_and_named_as_the_page_does(org: api_org.Org) -> None:
    # 高总 (E001) has no supervisor; with no other GM or HR linked to an employee, nobody can evaluate him
    for key in ("gm2", "hr", "hr2"):
        org.employees[key].user = None
        org.employees[key].save(update_fields=["user"])
    answer = _post(org, "hr", "/api/cycles", {"period": "2026-04"})
    assert answer.status_code == 201, answer.content
    opened = answer.json()
    assert opened["reviews"] == PEOPLE - 1
    assert opened["left_out"] == [{"employee": "E001", "name": "高总", "reason": "no_evaluator"}]
    assert not Review.objects.filter(cycle__period="2026-04", employee__code="E001").exists()


def test_everyone_without_a_template_is_listed_and_nothing_opens(org: api_org.Org) -> None:
    bare = Position.objects.create(name="客服专员（新）", template_id="")
    for key in ("cs", "emp2"):
        org.employees[key].position = bare
        org.employees[key].save()
    answer = _post(org, "hr", "/api/cycles", {"period": "2026-05"})
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "template_missing"
    assert "E020 陈客服（岗位 客服专员（新））：岗位没有指定月度考核表模板" in body["detail"]
    assert "E013 包运营（岗位 客服专员（新））" in body["detail"]
    assert not Cycle.objects.filter(period="2026-05").exists()


def test_only_hr_opens_a_month_and_a_bad_period_is_invalid(org: api_org.Org) -> None:
    refused = _post(org, "gm", "/api/cycles", {"period": "2026-06"})
    assert refused.status_code == 403
    assert refused.json() == {"code": "wrong_party", "detail": "只有人事可以开启考核期和导入数据。"}
    assert _post(org, "hr", "/api/cycles", {"period": "2026/06"}).status_code == 422
    month = _post(org, "hr", "/api/cycles", {"period": "2026-13"})
    assert (month.status_code, month.json()["code"]) == (409, "bad_period")


def test_hr_opens_a_quarter_with_each_positions_quarterly_card(org: api_org.Org) -> None:
    Position.objects.update(quarter_template_id="quarter-card")
    answer = _post(org, "hr", "/api/cycles", {"period": "2026-Q1"})
    assert answer.status_code == 201, answer.content
    opened = answer.json()
    assert (opened["period"], opened["kind"], opened["reviews"]) == ("2026-Q1", "quarter", PEOPLE)
    # due in the month after the quarter, as after March
    assert opened["hr_due"] == str(Cycle.objects.get(period=api_org.PERIOD).hr_due)
    templates = set(
        Review.objects.filter(cycle__period="2026-Q1").values_list("template_version__template_id", flat=True)
    )
    assert templates == {"quarter-card"}
    listed = Client().get("/api/cycles", **org.auth("hr")).json()["items"]
    # newest first by the last day: March, then the quarter that ends with it
    assert [(c["period"], c["kind"]) for c in listed] == [(api_org.PERIOD, "month"), ("2026-Q1", "quarter")]
    assert _post(org, "hr", "/api/cycles", {"period": "2026-Q5"}).status_code == 422


def _upload(org: api_org.Org, who: str, name: str, text: str, **fields: str) -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile(name, text.encode("utf-8")), **fields}
    return Client().post("/api/imports", data, **org.auth(who))


def test_an_import_recognises_its_dataset_and_the_open_month_follows(org: api_org.Org) -> None:
    text = "工号,考核期间,目标名称,目标值\nE012,2026-03,目标,90000\n"  # the Chinese headers say targets
    answer = _upload(org, "hr", "targets.csv", text)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["dataset"], body["state"]) == ("targets", "imported")
    assert body["outcomes"][0]["rows"] == 1 and body["outcomes"][0]["file"] == "targets.csv"
    assert AuditEntry.objects.get(action="data.import").actor == "hr"
    # the open month is computed again with the new target: 95000 / 90000 ≥ 100% → band 100
    review = Review.objects.get(pk=org.reviews["emp"].pk)
    assert review.values["目标"] == "90000"
    assert review.provenance["目标"].startswith("目标 targets 2026-03, 批次 targets-")
    assert MonthComputation.objects.get(reason="import").reviews == PEOPLE


def test_a_refused_import_lists_every_problem_and_writes_nothing(org: api_org.Org) -> None:
    answer = _upload(
        org, "hr", "targets.csv", "employee,period,name,value\nE012,2026-03,目标,很多\n", dataset="targets"
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "import_refused"
    (problem,) = body["problems"]
    assert (problem["file"], problem["row"], problem["column"]) == ("targets.csv", 2, "value")
    assert not AuditEntry.objects.filter(action="data.import").exists()
    assert _upload(org, "gm", "targets.csv", "x").status_code == 403


def test_the_pay_sheet_lists_the_approved_reviews_and_is_audited(org: api_org.Org) -> None:
    Review.objects.filter(pk=org.reviews["emp"].pk).update(
        status="published",
        score=Decimal("84.0"),
        grade="合格",
        pay=Decimal("840.00"),
        published_at=dt.datetime(2026, 4, 12, tzinfo=dt.UTC),
    )
    answer = Client().get(f"/api/cycles/{api_org.PERIOD}/paysheet", **org.auth("gm"))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["not_approved"] == PEOPLE - 1
    (line,) = body["lines"]
    assert (line["employee"], line["name"], Decimal(line["score"]), line["pay"], line["total"]) == (
        "E012",
        "艾运营",
        Decimal("84"),
        "840.00",
        "840.00",
    )
    entry = AuditEntry.objects.get(action="paysheet.export")
    assert (entry.actor, entry.object_id, entry.after) == (
        "gm",
        api_org.PERIOD,
        {"rows": 1, "format": "json"},
    )
    assert Client().get("/api/cycles/2030-01/paysheet", **org.auth("hr")).status_code == 404
    admin = Client().get(f"/api/cycles/{api_org.PERIOD}/paysheet", **org.auth("admin"))
    assert (admin.status_code, admin.json()["code"]) == (403, "wrong_party")
