"""The HR import page shows an import's problems in the page's language: the reasons in Chinese on the
Chinese page (rendered by shopkpi.data.imports.problem_text_zh), as the importer wrote them on the English one."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from test_hr_company import build_company, client_for

from shopkpi.appraisal.importing import import_jobs

ORDERS = (
    "order_id,shop,buyer,created_at,status,amount\n"
    "1,旗舰店,张三,2026-09-01 10:00,发货中,100\n"
    "2,旗舰店,=cmd|' /C calc'!A0,2026-09-01 11:00,paid,很多\n"
    "2,旗舰店,李四,2026-08-31 12:00,paid,80\n"
)


@pytest.fixture
def company(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    return build_company(monkeypatch)


def _upload(client, text: str):  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile("订单.csv", text.encode("utf-8"))
    return client.post(
        "/hr/imports/", {"dataset": "orders", "profile": "", "period": "2026-09", "file": file}
    )


def _rows(page: str) -> list[tuple[str, str, str, str]]:
    table = page[page.index('<table class="problems">') :]
    return re.findall(
        r'<tr><td>(.*?)</td><td class="num">(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>',
        table.split("</table>")[0],
    )


@pytest.mark.django_db
def test_the_chinese_page_shows_each_problem_in_chinese_with_its_row_and_column(company) -> None:  # type: ignore[no-untyped-def]
    answer = _upload(client_for(company, "hr"), ORDERS)
    assert answer.status_code == 422
    rows = _rows(answer.content.decode())
    assert rows == [
        (
            "订单.csv",
            "2",
            "status",
            "无法识别的取值：发货中（应为 created, paid, shipped, delivered, cancelled, refunded 之一）",
        ),
        ("订单.csv", "3", "amount", "不是数字：很多"),
        ("订单.csv", "3", "buyer", "疑似公式的单元格，不予导入：=cmd|&#x27; /C calc&#x27;!A0"),
        ("订单.csv", "4", "—", "重复的键 order_id=2, shop=旗舰店（首次出现在第 3 行）"),
    ]  # (row 4's date outside 2026-09 is a warning, shown once a file has no problem left)
    assert not list((django_settings.HOME / import_jobs.UPLOADS).iterdir())


@pytest.mark.django_db
def test_the_english_page_shows_the_importers_reasons(company) -> None:  # type: ignore[no-untyped-def]
    client = client_for(company, "hr")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    rows = _rows(_upload(client, ORDERS).content.decode())
    assert ("订单.csv", "3", "amount", "not a number: 很多") in rows
    assert ("订单.csv", "4", "—", "duplicate key order_id=2, shop=旗舰店 (first on row 3)") in rows
