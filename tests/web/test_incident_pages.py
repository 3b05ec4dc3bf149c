"""The incident pages (/incidents/) through Django's test client: a supervisor records an incident with
a screenshot, the review page lists it under the item it counts, the evidence is served to those who
may see the review and to nobody else, a file that only pretends to be an image is refused at its field,
a change needs a reason, a deletion is audited.

The company is tests/appraisal/workflow_company.py (M01 supervises E01 and E02; P01 is in another
department), with seed 004's "未完成扣2分/次" item (weight 10) on the 运营专员 template."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from appraisal.test_incidents_feeding import KIND, TEMPLATE
from appraisal.workflow_company import Company, advance, build_company, open_month
from shopkpi.appraisal.models import AppealPoint, AuditEntry, Incident, Position
from shopkpi.appraisal.periods import cycles

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the signature is all the check reads; nothing decodes it


@pytest.fixture
def company(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> Company:
    settings.HOME = tmp_path
    co = build_company(monkeypatch)
    cycles.new_template_version(co.user("hr"), "t-records", TEMPLATE)
    Position.objects.filter(name="运营专员").update(template_id="t-records")
    open_month(co)
    return co


def client_for(company: Company, username: str) -> Client:
    client = Client()
    client.force_login(company.user(username))
    return client


def _post_new(client: Client, **fields: object) -> object:
    data = {"employee": "E01", "occurred_on": "2026-09-03", "kind": KIND, "amount": "1", "note": "周报未交"}
    data.update({k: v for k, v in fields.items()})
    return client.post("/incidents/new/?employee=E01", data)


def text(answer: object) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", answer.content.decode()))  # type: ignore[attr-defined]


def test_a_supervisor_records_an_incident_that_the_review_lists_with_its_evidence(company: Company) -> None:
    boss = client_for(company, "m01")
    listing = boss.get("/incidents/?month=2026-09")
    assert listing.status_code == 200 and 'value="E01"' in listing.content.decode()
    form = boss.get("/incidents/new/?employee=E01")
    assert form.status_code == 200 and KIND in form.content.decode()
    answer = _post_new(boss, evidence=SimpleUploadedFile("周报.png", PNG, content_type="image/png"))
    assert answer.status_code == 302, text(answer)
    incident = Incident.objects.get()
    (file,) = incident.evidence.all()
    assert (file.content_type, file.size) == ("image/png", len(PNG))

    review = company.review("E01")
    item = next(i for i in review.result["items"] if i["key"] == "work_records")
    assert item["points"] == "8"  # 10 − 2 × 1
    page = client_for(company, "e01").get(f"/reviews/{review.pk}/")
    assert "2026-09-03" in text(page) and "周报未交" in text(page)
    assert f"/incidents/evidence/{file.pk}/" in page.content.decode()

    served = client_for(company, "e01").get(f"/incidents/evidence/{file.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff" and "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == PNG  # type: ignore[attr-defined]
    for outsider in ("p01", "e02"):  # another department's agent, a colleague: it does not exist for them
        assert client_for(company, outsider).get(f"/incidents/evidence/{file.pk}/").status_code == 404
        assert client_for(company, outsider).get(f"/incidents/{incident.pk}/").status_code == 404
    assert client_for(company, "hr").get(f"/incidents/evidence/{file.pk}/").status_code == 200


def test_a_file_that_pretends_to_be_an_image_is_refused_and_nothing_is_recorded(company: Company) -> None:
    boss = client_for(company, "m01")
    fake = SimpleUploadedFile("截图.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    answer = _post_new(boss, evidence=fake)
    assert answer.status_code == 400
    assert "不是图片（PNG、JPEG、WebP）或 PDF" in text(answer)
    too_big = SimpleUploadedFile(
        "大.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
    )
    answer = _post_new(boss, evidence=too_big)
    assert answer.status_code == 400 and "大于 10 MB" in text(answer)
    assert not Incident.objects.exists()


def test_only_hr_and_the_supervisor_record_and_a_change_needs_a_reason(company: Company) -> None:
    assert client_for(company, "p01").get("/incidents/new/?employee=E01").status_code == 403
    assert client_for(company, "e01").get("/incidents/new/?employee=E01").status_code == 403
    boss = client_for(company, "m01")
    assert _post_new(boss).status_code == 302
    incident = Incident.objects.get()
    data = {
        "occurred_on": "2026-09-03",
        "kind": KIND,
        "amount": "2",
        "note": "周报、月报都未交",
        "reason": "",
    }
    answer = boss.post(f"/incidents/{incident.pk}/", data)
    assert answer.status_code == 400
    data["reason"] = "月报也没交"
    assert boss.post(f"/incidents/{incident.pk}/", data).status_code == 302
    incident.refresh_from_db()
    assert incident.amount == 2
    entry = AuditEntry.objects.get(action="incident.change")
    assert (entry.before["amount"], entry.after["amount"], entry.reason) == ("1", "2", "月报也没交")
    review = company.review("E01")
    assert next(i for i in review.result["items"] if i["key"] == "work_records")["points"] == "6"

    answer = client_for(company, "hr").post(f"/incidents/{incident.pk}/remove/", {"reason": "已补交"})
    assert answer.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "removed" and incident.removed_reason == "已补交"


def test_the_employee_appeals_one_incident_from_its_page_once_the_result_is_published(
    company: Company,
) -> None:
    assert _post_new(client_for(company, "m01")).status_code == 302
    incident = Incident.objects.get()
    me = client_for(company, "e01")
    assert "提交申诉" not in me.get(f"/incidents/{incident.pk}/").content.decode()  # not published yet
    assert (
        me.post(f"/incidents/{incident.pk}/appeal/", {"claim": "remove", "reason": "交了"}).status_code == 403
    )
    review = advance(company, "E01", "published")
    assert "提交申诉" in me.get(f"/incidents/{incident.pk}/").content.decode()
    answer = me.post(
        f"/incidents/{incident.pk}/appeal/", {"claim": "amount", "claimed": "1", "reason": "少交"}
    )
    assert answer.status_code == 409 and "与记录的 1 不同" in text(answer)  # the same count: nothing claimed
    answer = me.post(
        f"/incidents/{incident.pk}/appeal/", {"claim": "remove", "claimed": "", "reason": "周报当天交了"}
    )
    assert answer.status_code == 302 and answer["Location"] == f"/reviews/{review.pk}/"
    point = AppealPoint.objects.select_related("appeal").get()
    assert (point.kind, point.claim, point.ref["incident"]) == ("incident", "remove", incident.pk)
    assert (point.appeal.item_key, point.appeal.reason) == ("work_records", "周报当天交了")
    assert company.review("E01").status == "appealed"


def test_hr_sees_the_incident_point_and_removes_the_incident_on_the_review_page(company: Company) -> None:
    assert _post_new(client_for(company, "m01")).status_code == 302
    incident = Incident.objects.get()
    review = advance(company, "E01", "published")
    me = client_for(company, "e01")
    me.post(f"/incidents/{incident.pk}/appeal/", {"claim": "amount", "claimed": "0.5", "reason": "只差半份"})
    point = AppealPoint.objects.get()
    hr = client_for(company, "hr")
    page = text(hr.get(f"/hr/reviews/{review.pk}/"))
    assert "2026-09-03 · 工作记录未完成次数 1 · 申诉应记 0.5" in page and "按申诉改次数/金额" in page
    review = company.review("E01")
    answer = hr.post(
        f"/hr/reviews/{review.pk}/decide_appeal/",
        {
            "version": review.version,
            "outcome": "amended",
            "note": "核实后删除",
            f"point-{point.pk}": "remove",
        },
    )
    assert answer.status_code == 302, text(answer)
    review = company.review("E01")
    # the only incident deleted: its kind counts 0 (10 − 0 = 10), the review back to the GM
    assert review.status == "pending_gm" and review.values[KIND] == "0"
    assert next(i for i in review.result["items"] if i["key"] == "work_records")["points"] == "10"
    incident.refresh_from_db()
    assert incident.status == "removed"
