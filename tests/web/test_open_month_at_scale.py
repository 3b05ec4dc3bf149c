"""HR opens a month for 1,200 people through the web form: the participants are a rule (the departments
ticked) and its exceptions (工号 typed), so the form posts a few fields whatever the head count (one
field per person made 1,006 fields at 999 people, over Django's limit of 1,000, and the form answered
400)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from shopkpi.appraisal import audit
from shopkpi.appraisal.models import AuditEntry, Cycle, Department, Employee, Position, TemplateVersion

pytestmark = pytest.mark.django_db
TEMPLATE = """\
id: q-open
name: 开启测试
period: month
items:
  - {key: attitude, name: 工作态度, weight: 100%, rated_by: supervisor}
"""


def test_a_month_opens_for_1200_people_from_the_web_form(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path
    hr = User.objects.create_user("hr")
    hr.groups.add(Group.objects.get_or_create(name="hr")[0])
    office = Department.objects.create(name="总经办")
    ops = Department.objects.create(name="运营部")
    TemplateVersion.objects.create(template_id="q-open", version=1, name="开启测试", text=TEMPLATE)
    position = Position.objects.create(name="运营专员", template_id="q-open")
    # the GM (nobody can evaluate them: no other GM or HR has an employee record) in 总经办, unticked
    gm = Employee.objects.create(code="G000", name="高总", department=office, position=position)
    boss = Employee.objects.create(
        code="B000", name="马经理", department=ops, position=position, supervisor=gm
    )
    Employee.objects.bulk_create(
        Employee(code=f"E{n:04d}", name=f"员工{n}", department=ops, position=position, supervisor=boss)
        for n in range(1200)
    )
    client = Client()
    client.force_login(hr)
    form = client.get("/hr/cycles/new/?period=2026-03").content.decode()
    assert "本期共 1202 人符合条件" in form and "G000 高总" in form  # listed as an exception by default
    assert "E0599" not in form  # the form names departments and exceptions, not each person
    fields = {
        "period": "2026-03",
        "cutoff_day": "15",
        "appeal_days": "7",
        "self_due": "2026-04-03",
        "supervisor_due": "2026-04-07",
        "hr_due": "2026-04-10",
        "rule_given": "1",
        "departments": [str(ops.pk)],
        "excluded": "B000",  # the manager is appraised elsewhere this month
    }
    answer = client.post("/hr/cycles/new/", fields)
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    cycle = Cycle.objects.get(period="2026-03")
    assert cycle.reviews.count() == 1200
    assert set(cycle.reviews.values_list("evaluator__code", flat=True)) == {"B000"}
    opened = AuditEntry.objects.get(action="cycle.open")
    assert opened.after["participants"][0] == "E0000" and len(opened.after["participants"]) == 1200
    assert AuditEntry.objects.filter(action="review.open").count() == 1200
    assert audit.verify() is None  # the entries written together are chained one to the next
