"""The template editor: the list (built-in and saved versions), problems shown at their line, the what-if
preview computed by hand, saving a new version (audited; open cycles keep their frozen version), and who
may use it.

The template (whatif-test v1): 销售额达成 weight 60%, bands >= 100% -> 100, [90%, 100%) -> 80, < 90% -> 50;
工作态度 weight 40%, rated; pay = base_salary × 10% × score / 100.

Last closed month (2026-02, the latest archived cycle):
    W01 base 10000, 销售额 95000 / 目标 100000 = 95% -> 80 -> 48; 工作态度 90 -> 36; score 84; pay 840.00
    W02 base  8000, 销售额 110000 / 目标 100000 = 110% -> 100 -> 60; 工作态度 70 -> 28; score 88; pay 704.00
The new version pays 90 for [90%, 100%):
    W01 60 × 90 / 100 = 54 + 36 = 90 (优秀); pay 10000 × 10% × 90 / 100 = 900.00 (+60.00)
    W02 unchanged: 88, 704.00
    total pay 1544.00 -> 1604.00: +60.00
The month before (2026-01) and the month still open (2026-03) hold other values, which the preview must
not use: the open month's values are still moving.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from shopkpi.appraisal.models import (
    AuditEntry,
    Cycle,
    CycleTemplate,
    Department,
    Employee,
    Position,
    Rating,
    Review,
    TemplateVersion,
)
from shopkpi.web.pages.hr.template_editor import digest

pytestmark = pytest.mark.django_db

TEMPLATE = """\
id: whatif-test
name: 测试岗
period: month
grades:
  - {name: 优秀, when: ">= 90"}
  - {name: 合格, when: "< 90"}
items:
  - key: sales
    name: 销售额达成
    weight: 60%
    value: 销售额 / 目标
    bands: {">= 100%": 100, "[90%, 100%)": 80, "< 90%": 50}
  - key: attitude
    name: 工作态度
    weight: 40%
    rated_by: supervisor
pay:
  amount: base_salary * 10% * score / 100
"""
NEW = TEMPLATE.replace('"[90%, 100%)": 80', '"[90%, 100%)": 90')
# line 15 of the text is `    weight: 40%`
TYPO = TEMPLATE.replace("    weight: 40%", "    weigth: 40%")


@pytest.fixture
def company() -> dict[str, Any]:
    groups = {name: Group.objects.create(name=name) for name in ("hr", "gm", "admin")}
    users = {}
    for username, group in (("hr", "hr"), ("admin", "admin"), ("boss", None), ("w01", None), ("w02", None)):
        users[username] = User.objects.create_user(username, password="x" * 12)
        if group:
            users[username].groups.add(groups[group])
    version = TemplateVersion.objects.create(
        template_id="whatif-test", version=1, name="测试岗", text=TEMPLATE
    )
    position = Position.objects.create(name="测试岗", template_id="whatif-test")
    department = Department.objects.create(name="运营部")
    boss = Employee.objects.create(
        code="B01", name="老板", department=department, position=position, user=users["boss"]
    )
    workers = {
        code: Employee.objects.create(
            code=code,
            name=name,
            department=department,
            position=position,
            supervisor=boss,
            base_salary=Decimal(salary),
            user=users[code.lower()],
        )
        for code, name, salary in (("W01", "王一", "10000"), ("W02", "王二", "8000"))
    }
    cycles = {}
    for period in ("2026-01", "2026-02", "2026-03"):
        cycles[period] = Cycle.objects.create(
            period=period,
            status=Cycle.Status.OPEN if period == "2026-03" else Cycle.Status.ARCHIVED,
            self_due=date(2026, 3, 3),
            supervisor_due=date(2026, 3, 7),
            hr_due=date(2026, 3, 10),
        )
        CycleTemplate.objects.create(cycle=cycles[period], position=position, template_version=version)
    data = {
        ("2026-01", "W01"): ("50000", 50),
        ("2026-01", "W02"): ("50000", 50),
        ("2026-02", "W01"): ("95000", 90),
        ("2026-02", "W02"): ("110000", 70),
        ("2026-03", "W01"): ("120000", 100),
        ("2026-03", "W02"): ("120000", 100),
    }
    for (period, code), (sales, attitude) in data.items():
        review = Review.objects.create(
            cycle=cycles[period],
            employee=workers[code],
            evaluator=boss,
            template_version=version,
            # as the month's computation stores them: the imported figures and the base salary
            values={"销售额": sales, "目标": "100000", "base_salary": str(workers[code].base_salary)},
        )
        Rating.objects.create(review=review, item_key="attitude", rater="supervisor", value=Decimal(attitude))
    return {"users": users, "version": version, "cycles": cycles}


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _check(client: Client, text: str, **extra: str) -> Any:
    return client.post(
        "/templates/whatif-test/edit/", {"text": text, "base": "1", "latest": "1", "action": "check", **extra}
    )


def test_the_list_shows_built_in_and_saved_templates(company: dict[str, Any]) -> None:
    response = _client("hr").get("/templates/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<code>whatif-test</code>" in content and "第 1 版" in content
    assert "使用于 2026-03（进行中）、2026-02（已归档）、2026-01（已归档）" in content
    assert "<code>s001-operations</code>" in content  # a built-in template, never saved
    assert 'href="/templates/s001-operations/edit/"' in content


def test_the_editor_opens_on_the_latest_version_or_the_built_in_file(company: dict[str, Any]) -> None:
    client = _client("hr")
    response = client.get("/templates/whatif-test/edit/")
    assert response.status_code == 200
    assert response.context["text"] == TEMPLATE
    assert '<label for="template-text">' in response.content.decode()
    builtin = client.get("/templates/s001-operations/edit/")
    assert builtin.status_code == 200
    assert "id: s001-operations" in builtin.context["text"]
    assert client.get("/templates/no-such-template/edit/").status_code == 404
    assert client.get("/templates/whatif-test/edit/?from=7").status_code == 404


def test_a_problem_is_shown_at_its_line(company: dict[str, Any]) -> None:
    response = _check(_client("hr"), TYPO)
    content = response.content.decode()
    assert response.status_code == 200
    problems = response.context["check"].problems
    assert [(p.line, p.path) for p in problems] == [(15, "items[1].weigth")]
    assert '<a href="#line-15" data-line="15">第 15 行</a>' in content
    # the numbered listing beside the text: line 15 highlighted with its message, no other line
    highlighted = re.findall(r'<li id="line-(\d+)" class="problem">(.*?)</li>', content, re.S)
    assert [(number, body.split("<span")[0]) for number, body in highlighted] == [("15", "    weigth: 40%")]
    assert "unknown key &#x27;weigth&#x27;" in highlighted[0][1]
    assert 'name="action" value="save"' not in content  # nothing to save
    assert response.context["check"].whatif is None


def test_a_yaml_syntax_error_and_a_changed_id_are_problems_at_their_line(company: dict[str, Any]) -> None:
    client = _client("hr")
    broken = _check(client, TEMPLATE.replace("name: 测试岗\n", "name: [测试岗\n"))
    assert [p.line for p in broken.context["check"].problems] == [
        3
    ]  # reported where the flow sequence is cut off
    renamed = _check(client, TEMPLATE.replace("id: whatif-test", "id: other"))
    assert [(p.line, p.path) for p in renamed.context["check"].problems] == [(1, "id")]


def test_the_what_if_preview_by_hand(company: dict[str, Any]) -> None:
    response = _check(_client("hr"), NEW)
    whatif = response.context["check"].whatif
    assert whatif.period == "2026-02"  # the last closed month: not 2026-01, nor the open 2026-03
    rows = [
        (r.code, r.old.score, r.old.grade, r.old.pay, r.new.score, r.new.grade, r.new.pay, r.pay_change)
        for r in whatif.rows
    ]
    assert rows == [
        (
            "W01",
            Decimal("84.0"),
            "合格",
            Decimal("840.00"),
            Decimal("90.0"),
            "优秀",
            Decimal("900.00"),
            Decimal("60.00"),
        ),
        (
            "W02",
            Decimal("88.0"),
            "合格",
            Decimal("704.00"),
            Decimal("88.0"),
            "合格",
            Decimal("704.00"),
            Decimal("0.00"),
        ),
    ]
    assert (whatif.old_total, whatif.new_total, whatif.change) == (
        Decimal("1544.00"),
        Decimal("1604.00"),
        Decimal("60.00"),
    )
    content = response.content.decode()
    assert "如果采用新版本：按已结束的 2026-02 月数据试算" in content
    assert "<strong>+¥60.00</strong>" in content
    assert f'name="previewed" value="{digest(NEW)}"' in content
    # nothing was saved by the preview
    assert TemplateVersion.objects.count() == 1
    assert Review.objects.get(cycle__period="2026-02", employee__code="W01").score is None


def test_saving_creates_a_new_version_audited_and_open_cycles_keep_theirs(company: dict[str, Any]) -> None:
    client = _client("hr")
    response = client.post(
        "/templates/whatif-test/edit/",
        {"text": NEW, "base": "1", "latest": "1", "action": "save", "previewed": digest(NEW)},
    )
    assert response.status_code == 302 and response["Location"] == "/templates/"
    saved = TemplateVersion.objects.get(template_id="whatif-test", version=2)
    assert saved.text == NEW and saved.created_by.username == "hr"
    entry = AuditEntry.objects.filter(action="template.version").get()
    assert (entry.actor, entry.object_id, entry.after["version"]) == ("hr", "whatif-test v2", 2)
    # the cycles and their reviews keep version 1
    assert set(CycleTemplate.objects.values_list("template_version__version", flat=True)) == {1}
    assert set(Review.objects.values_list("template_version__version", flat=True)) == {1}
    # the list shows both versions; an HTMX save answers with a redirect header
    assert "第 2 版" in client.get("/templates/").content.decode()
    third = NEW.replace("name: 测试岗\n", "name: 测试岗位\n")
    htmx = client.post(
        "/templates/whatif-test/edit/",
        {"text": third, "base": "2", "latest": "2", "action": "save", "previewed": digest(third)},
        HTTP_HX_REQUEST="true",
    )
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == "/templates/"


def test_saving_needs_a_preview_of_that_very_text(company: dict[str, Any]) -> None:
    response = _client("hr").post(
        "/templates/whatif-test/edit/",
        {"text": NEW, "base": "1", "latest": "1", "action": "save", "previewed": digest(TEMPLATE)},
    )
    assert response.status_code == 409
    assert "请先检查并预览" in response.content.decode()
    assert TemplateVersion.objects.count() == 1
    # and an invalid text is never saved, whatever was previewed
    invalid = _client("hr").post(
        "/templates/whatif-test/edit/",
        {"text": TYPO, "base": "1", "latest": "1", "action": "save", "previewed": digest(TYPO)},
    )
    assert invalid.status_code == 409
    assert TemplateVersion.objects.count() == 1


def test_saving_over_someone_elses_newer_version_is_refused(company: dict[str, Any]) -> None:
    TemplateVersion.objects.create(
        template_id="whatif-test", version=2, name="测试岗", text=NEW, created_by=company["users"]["admin"]
    )
    third = NEW.replace("name: 测试岗\n", "name: 测试岗位\n")
    response = _client("hr").post(
        "/templates/whatif-test/edit/",
        {"text": third, "base": "1", "latest": "1", "action": "save", "previewed": digest(third)},
    )
    assert response.status_code == 409
    assert "已由 admin 保存为第 2 版" in response.content.decode()
    assert TemplateVersion.objects.filter(template_id="whatif-test").count() == 2


def test_a_built_in_template_is_kept_as_version_1_before_the_edit(company: dict[str, Any]) -> None:
    client = _client("admin")
    original = client.get("/templates/s001-operations/edit/").context["text"]
    edited = original.replace("name: 运营（电子商务公司绩效考核方案）", "name: 运营")
    checked = client.post(
        "/templates/s001-operations/edit/", {"text": edited, "base": "", "latest": "0", "action": "check"}
    )
    assert checked.status_code == 200 and not checked.context["check"].problems
    saved = client.post(
        "/templates/s001-operations/edit/",
        {"text": edited, "base": "", "latest": "0", "action": "save", "previewed": digest(edited)},
    )
    assert saved.status_code == 302
    versions = list(TemplateVersion.objects.filter(template_id="s001-operations").order_by("version"))
    assert [(v.version, v.text == original, v.text == edited) for v in versions] == [
        (1, True, False),
        (2, False, True),
    ]


@pytest.mark.parametrize(("username", "status"), [("hr", 200), ("admin", 200), ("boss", 403), ("w01", 403)])
def test_only_admin_or_hr_may_edit_templates(company: dict[str, Any], username: str, status: int) -> None:
    client = _client(username)
    assert client.get("/templates/").status_code == status
    assert client.get("/templates/whatif-test/edit/").status_code == status
    response = client.post(
        "/templates/whatif-test/edit/",
        {"text": NEW, "base": "1", "latest": "1", "action": "save", "previewed": digest(NEW)},
    )
    assert response.status_code == (302 if status == 200 else 403)


def test_an_admin_without_hr_sees_no_employee_in_the_preview(company: dict[str, Any]) -> None:
    response = _check(_client("admin"), NEW)
    assert response.context["check"].whatif.rows == []
    assert "王一" not in response.content.decode()


def test_the_what_if_names_a_total_of_whole_wages_so(company: dict[str, Any]) -> None:
    wage = NEW.replace(
        "  amount: base_salary * 10% * score / 100\n",
        "  amount: base_salary * 10% * score / 100\n  kind: wage\n",
    )
    content = _check(_client("hr"), wage).content.decode()
    assert "整月工资合计（不计入绩效工资）" in content
    assert "绩效工资合计" not in content.replace("整月工资合计（不计入绩效工资）", "")
