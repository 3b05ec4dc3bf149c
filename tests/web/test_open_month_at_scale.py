"""HR opens a month for 1,200 people through the web form: the participants are a rule (the departments
ticked) and its exceptions (工号 typed), so the form posts a few fields whatever the head count (one
field per person made 1,006 fields at 999 people, over Django's limit of 1,000, and the form answered
400)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings
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


class FormFields(HTMLParser):
    """What a browser sends for the form posting to `action`, as it stands: its inputs with a name (a
    checkbox or radio only if checked; no file chosen, no submit button named), its textareas and its
    selects (the option selected, else the first)."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.textarea: str | None = None
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = given.get("action") == self.action
        elif not self.inside or "disabled" in given:
            return
        elif tag == "input" and given.get("name"):
            kind = given.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in given:
                return
            if kind not in ("file", "submit", "button", "reset", "image"):
                self.fields.append((given["name"], given.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and given.get("name"):
            self.textarea = given["name"]
            self.fields.append((self.textarea, ""))
        elif tag == "select" and given.get("name"):
            self.select, self.options = given["name"], []
        elif tag == "option" and self.select is not None:
            self.options.append((given.get("value", ""), "selected" in given))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            name, text = self.fields.pop()
            self.fields.append((name, text + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected] or [self.options[0][0]]
            self.fields.append((self.select, chosen[0]))
            self.select = None


def browser_fields(page: str, action: str) -> list[tuple[str, str]]:
    parser = FormFields(action)
    parser.feed(page)
    return parser.fields


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
    client = Client(enforce_csrf_checks=True)
    client.force_login(hr)
    form = client.get("/hr/cycles/new/?period=2026-03").content.decode()
    assert "本期共 1202 人符合条件" in form and "G000 高总" in form  # listed as an exception by default
    assert "E0599" not in form  # the form names departments and exceptions, not each person
    # what the browser sends, as HR leaves the form: every department ticked, the GM an exception
    sent = browser_fields(form, "/hr/cycles/new/")
    names = [name for name, _ in sent]
    assert sorted(set(names)) == [
        "appeal_days",
        "csrfmiddlewaretoken",
        "cutoff_day",
        "departments",
        "excluded",
        "hr_due",
        "period",
        "rule_given",
        "self_due",
        "supervisor_due",
    ]
    assert dict(sent)["excluded"].split() == ["G000"] and names.count("departments") == 2
    assert len(sent) == 11 < django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    # HR unticks 总经办 and writes the manager under the exceptions (appraised elsewhere this month)
    fields: dict[str, list[str]] = {}
    for name, value in sent:
        if not (name == "departments" and value == str(office.pk)):
            fields.setdefault(name, []).append(value)
    fields["excluded"] = ["B000"]
    answer = client.post("/hr/cycles/new/", fields)
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    cycle = Cycle.objects.get(period="2026-03")
    assert cycle.reviews.count() == 1200
    assert set(cycle.reviews.values_list("evaluator__code", flat=True)) == {"B000"}
    opened = AuditEntry.objects.get(action="cycle.open")
    assert opened.after["participants"][0] == "E0000" and len(opened.after["participants"]) == 1200
    assert AuditEntry.objects.filter(action="review.open").count() == 1200
    assert audit.verify() is None  # the entries written together are chained one to the next
