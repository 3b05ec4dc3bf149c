"""The template editor's form for HR: an edit through the form changes the saved template (through the
check, the what-if of the last closed month and the YAML editor's save), and a wrong boundary is
refused at its field, in Chinese, with nothing saved. The company is test_template_editor's."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import Any

import pytest
from django.test import Client
from test_template_editor import _client, company  # noqa: F401  (the fixture)

from shopkpi.appraisal.models import TemplateVersion
from shopkpi.scorecard import builtin_template_paths, load_template_text
from shopkpi.web.pages.hr import template_form

pytestmark = pytest.mark.django_db


def _fields(page: str) -> dict[str, str]:
    """The form's fields as the page fills them in (text inputs, hidden inputs, checked radios)."""
    form = page[page.index('action="/templates/whatif-test/form/"') :].split("</form>")[0]
    fields = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if (
            not name
            or ('type="radio"' in tag and "checked" not in tag)
            or ('type="checkbox"' in tag and "checked" not in tag)
        ):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields[name.group(1)] = (
            "" if value is None else value.group(1).replace("&gt;", ">").replace("&lt;", "<")
        )
    for name, text in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = text
    return fields


def test_the_form_shows_the_template_in_shop_words(company: dict[str, Any]) -> None:  # noqa: F811
    page = _client("hr").get("/templates/whatif-test/form/").content.decode()
    fields = _fields(page)
    assert (fields["name"], fields["item-0-name"], fields["item-0-weight"]) == ("测试岗", "销售额达成", "60%")
    assert (fields["item-0-row-0-label"], fields["item-0-row-0-value"]) == (">= 100%", "100")
    # base_salary * 10% * score / 100 is the named pattern 基数 × 得分 ÷ 100, its 基数 base_salary * 10%
    assert (fields["pay-pattern"], fields["pay-base"]) == ("score", "base_salary * 10%")
    assert "按区间计分 · 数值越高，分值越高" in page and "权重合计" in page
    assert "YAML 视图（专家）" in page


def test_an_edit_through_the_form_changes_the_saved_template(company: dict[str, Any]) -> None:  # noqa: F811
    client = _client("hr")
    fields = _fields(client.get("/templates/whatif-test/form/").content.decode())
    fields["item-0-row-1-value"] = "90"  # [90%, 100%) pays 90 instead of 80
    checked = client.post("/templates/whatif-test/form/", fields)
    assert checked.status_code == 200
    page = checked.content.decode()
    # the what-if of the last closed month, said so: W01 84 -> 90, pay +60.00 (test_template_editor)
    assert "如果采用新版本：按已结束的 2026-02 月数据试算" in page and "<strong>+¥60.00</strong>" in page
    check = checked.context["check"]
    saved = client.post(
        "/templates/whatif-test/edit/",
        {"text": check.text, "base": "1", "latest": "1", "action": "save", "previewed": check.sha256},
    )
    assert saved.status_code == 302
    template = load_template_text(TemplateVersion.objects.get(version=2).text)
    sales = template.item("sales")
    assert [(band.interval.text, band.rating) for band in sales.rule.bands][1] == ("[90%, 100%)", 90)
    assert template.pay_base is not None  # the pattern wrote its 基数 (pay.base) too


def test_a_wrong_boundary_is_refused_at_its_field_in_chinese(company: dict[str, Any]) -> None:  # noqa: F811
    client = _client("hr")
    fields = _fields(client.get("/templates/whatif-test/form/").content.decode())
    fields["item-0-row-1-label"] = "[100%, 90%)"  # the lower end above the upper
    fields["item-0-weight"] = "50"
    answer = client.post("/templates/whatif-test/form/", fields)
    assert answer.status_code == 422
    page = answer.content.decode()
    row = html.unescape(page[page.index('name="item-0-row-1-label"') :].split("</td>")[0])
    assert "区间“[100%, 90%)”无法使用：请写成 >= 80%、< 60% 或 [60%, 80%) 这样的区间，下限小于上限。" in row
    assert "各考核项的权重合计为 90，应为 100。" in page  # 50 + 40
    assert TemplateVersion.objects.count() == 1 and answer.context["check"] is None


def test_only_admin_or_hr_open_the_form(company: dict[str, Any]) -> None:  # noqa: F811
    assert _client("w01").get("/templates/whatif-test/form/").status_code == 403
    assert Client().get("/templates/whatif-test/form/").status_code == 302


@pytest.mark.parametrize("path", builtin_template_paths(), ids=lambda p: p.stem)
def test_every_built_in_template_opens_in_the_form_and_comes_back_as_it_was(path: Any) -> None:
    text = path.read_text("utf-8")
    form = template_form.from_text(text)
    assert template_form.validate(form), (form.errors, [(i.name, i.errors) for i in form.items])
    written = template_form.to_text(form, text)
    # the same template; the file's comments (its reading of the seed) kept
    assert replace(load_template_text(written), text="") == replace(load_template_text(text), text="")
    comments = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
    assert comments == [line.strip() for line in written.splitlines() if line.strip().startswith("#")]


def test_a_value_no_band_covers_is_named_at_the_table(company: dict[str, Any]) -> None:  # noqa: F811
    client = _client("hr")
    fields = _fields(client.get("/templates/whatif-test/form/").content.decode())
    fields["item-0-row-1-label"] = ""  # [90%, 100%) deleted: values from 90% to 100% fall in no band
    fields["item-0-row-1-value"] = ""
    answer = client.post("/templates/whatif-test/form/", fields)
    assert answer.status_code == 422
    assert "没有一档包含 [90%, 100%)：每个可能的数值都要落在某一档。" in html.unescape(
        answer.content.decode()
    )
    assert TemplateVersion.objects.count() == 1


def test_the_english_form_speaks_english_around_the_templates_own_words(company: dict[str, Any]) -> None:  # noqa: F811
    client = _client("hr")
    client.cookies["django_language"] = "en"
    fields = _fields(client.get("/templates/whatif-test/form/").content.decode())
    fields["item-0-row-1-label"] = "[100%, 90%)"
    page = html.unescape(client.post("/templates/whatif-test/form/", fields).content.decode())
    assert "The interval “[100%, 90%)” cannot be used" in page and "Scored by bands" in page
    # outside the template's own words (names, levels, grades) and the inputs, no Chinese
    text = re.sub(r"<(input|textarea)[^>]*>.*?(</textarea>)?", "", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    for own in ("测试岗", "销售额达成", "工作态度", "优秀", "合格", "简体中文"):
        text = text.replace(own, "")
    assert not re.findall(r"[\u4e00-\u9fff]+", text)
