"""The data rows behind a review's value (数据明细): linked from the item that reads the metric, a
page per 50 rows with each row's file and row, owner and part, an Excel export written to the audit
log, and as confidential as the review itself."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import api_org
import pytest
from django.test import Client
from openpyxl import load_workbook

from shopkpi.appraisal.models import Account, AuditEntry, Review, TemplateVersion
from shopkpi.data.imports.importer import import_files

pytestmark = pytest.mark.django_db

# E012 (emp) runs shop S1, E013 (emp2) shop S2; S1 has 60 days of rows in March and April's 1st
DAYS = [f"2026-03-{d:02d}" for d in range(1, 32)]


@pytest.fixture
def org(settings: Any, tmp_path: Path) -> api_org.Org:
    settings.HOME = tmp_path / "home"
    org = api_org.build(hash_passwords=False)
    Account.objects.create(employee=org.employees["emp"], kind="shop", account="S1")
    Account.objects.create(employee=org.employees["emp2"], kind="shop", account="S2")
    lines = ["shop,date,gmv"]
    lines += [f"S1,{day},10.50" for day in DAYS]  # file rows 2..32
    lines += ["S1,2026-04-01,999.00", "S2,2026-03-01,77.00"]
    path = tmp_path / "生意参谋日报.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_files(settings.HOME, "shop_daily", [path])
    template = api_org.TEMPLATE.replace("销售额 / 目标", "gmv / 目标").replace("id: api-test", "id: api-gmv")
    version = TemplateVersion.objects.create(template_id="api-gmv", version=1, name="运营", text=template)
    Review.objects.filter(pk=org.reviews["emp"].pk).update(
        template_version=version, values={"gmv": "325.50", "目标": "100000"}
    )
    return org


def client_for(org: api_org.Org, key: str) -> Client:
    client = Client()
    client.force_login(org.users[key])
    return client


def rows_url(org: api_org.Org, page: int = 1) -> str:
    return f"/reviews/{org.reviews['emp'].pk}/rows/gmv/?page={page}"


def test_the_item_links_to_the_rows_that_add_up_to_its_value(org: api_org.Org) -> None:
    review = client_for(org, "emp").get(f"/reviews/{org.reviews['emp'].pk}/").content.decode()
    assert f'href="/reviews/{org.reviews["emp"].pk}/rows/gmv/"' in review and "数据明细：" in review
    html = client_for(org, "emp").get(rows_url(org)).content.decode()
    # 31 March days of S1 at ¥10.50: ¥325.50, as the review holds; April and S2 are not E012's March
    assert "以下 31 行合计：<strong>¥325.50</strong>" in html and "考核表中的数值：¥325.50" in html
    assert "生意参谋日报.csv" in html and "第 2 行" in html and "第 32 行" in html
    assert "第 33 行" not in html and "第 34 行" not in html  # April's row and S2's
    assert "店铺 S1 的负责人 艾运营" in html and "999" not in html and "77.00" not in html


def test_rows_are_paged_by_fifty(org: api_org.Org, settings: Any, tmp_path: Path) -> None:
    lines = ["order_id,shop,buyer,created_at,status,amount"]
    lines += [f"o{n},S1,b{n},2026-03-{n % 28 + 1:02d} 10:00:00,paid,1.00" for n in range(60)]
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_files(settings.HOME, "orders", [path])
    url = f"/reviews/{org.reviews['emp'].pk}/rows/orders/"
    first = client_for(org, "emp").get(url).content.decode()
    second = client_for(org, "emp").get(url + "?page=2").content.decode()
    assert "第 1 / 2 页" in first and 'rel="next"' in first and "第 2 / 2 页" in second
    # orders reads S1's 31 shop_daily rows (no orders column there: not counted) and the 60 orders
    assert first.count('data-label="日期"') == 50 and second.count('data-label="日期"') == 91 - 50
    assert "以下 91 行合计：<strong>60 单</strong>" in first


def test_the_rows_are_as_confidential_as_the_review(org: api_org.Org) -> None:
    for key in ("emp", "mgr", "hr", "gm"):  # the employee, the evaluator, HR, the GM
        assert client_for(org, key).get(rows_url(org)).status_code == 200, key
    for key in ("emp2", "cs", "dir", "admin"):  # a peer, someone else, the evaluator's manager, admin
        assert client_for(org, key).get(rows_url(org)).status_code == 404, key
    assert client_for(org, "emp").get(f"/reviews/{org.reviews['emp'].pk}/rows/nope/").status_code == 404


def test_the_excel_export_has_every_row_and_is_audited(org: api_org.Org) -> None:
    answer = client_for(org, "emp").get(f"/reviews/{org.reviews['emp'].pk}/rows/gmv/xlsx/")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0][:6] == ["指标", "期间", "员工", "数据集", "日期", "计入数值"]
    assert len(table) == 32 and [r[9] for r in table[1:3]] == [2, 3]  # the file's rows 2, 3 …
    assert sum(float(r[5]) for r in table[1:]) == pytest.approx(325.50)
    entry = AuditEntry.objects.get(action="rows.export")
    assert entry.actor == "emp" and entry.after["metric"] == "gmv" and entry.after["rows"] == 31
    assert client_for(org, "emp2").get(f"/reviews/{org.reviews['emp'].pk}/rows/gmv/xlsx/").status_code == 404


def test_hr_opens_the_rows_from_the_values_of_its_review_page(org: api_org.Org) -> None:
    pk = org.reviews["emp"].pk
    html = client_for(org, "hr").get(f"/hr/reviews/{pk}/").content.decode()
    assert f'href="/reviews/{pk}/rows/gmv/"' in html  # gmv is a metric; 目标 (a target) has no link
    assert f'href="/reviews/{pk}/rows/目标/"' not in html


def test_a_row_names_its_shift_and_the_credit_rule_or_silence_in_words() -> None:
    import datetime as dt

    from django.utils import translation

    from shopkpi.data.metrics.rows import Credit
    from shopkpi.web.pages.review.rows import _credit

    day = dt.date(2026, 10, 5)
    shift = Credit("shift", "E1", "agent", "旗舰店:客服1", day, day, shift="早班", shift_hours="09:30-16:30")
    credited = Credit(
        "owner",
        "E2",
        "agent",
        "A",
        None,
        None,
        credit_rule="order",
        window_days=1,
        chat_at=dt.datetime(2026, 10, 5, 9),
    )
    silent = Credit("owner", "E3", "shop", "S1", None, None, credit_rule="order", window_days=1, silent=True)
    kept = Credit("owner", "E4", "agent", "旗舰店:客服1", None, None, unsplit=True)
    names = {"E1": "小冰", "E2": "小焦"}
    with translation.override("zh-hans"):
        assert (
            _credit(shift, names)
            == "客服账号（旺旺子账号、京东客服） 旗舰店:客服1 的早班（09:30-16:30）当班 小冰（2026-10-05）"
        )
        assert "业绩判定：下单判定，询单有效时长 1 天；判定询单：2026-10-05 09:00:00" in _credit(
            credited, names
        )
        assert "静默订单" in _credit(silent, names)
        assert "无法按班次拆分，归账号负责人" in _credit(kept, names)
    with translation.override("en"):
        assert "早班 (09:30-16:30): 小冰 on shift (2026-10-05)" in _credit(shift, names)
        assert "Credit rule: Judged by the order, inquiry window 1 days" in _credit(credited, names)
        assert "Silent order" in _credit(silent, names)


def test_the_rows_page_shows_the_credit_rule_and_silent_orders(
    org: api_org.Org, settings: Any, tmp_path: Path
) -> None:
    Account.objects.create(employee=org.employees["emp"], kind="agent", account="S1:阿美")
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,shop,buyer,created_at,paid_at,status,amount\n"
        "o1,S1,b1,2026-03-05 10:00:00,2026-03-05 10:01:00,paid,30.00\n"  # 阿美 chatted at 09:00
        "o2,S1,b2,2026-03-05 11:00:00,2026-03-05 11:01:00,paid,12.00\n",  # no chat: 静默
        encoding="utf-8",
    )
    chats = tmp_path / "chats.csv"
    chats.write_text("agent,buyer,ts,shop\nS1:阿美,b1,2026-03-05 09:00:00,S1\n", encoding="utf-8")
    import_files(settings.HOME, "orders", [orders])
    import_files(settings.HOME, "cs_chats", [chats])
    (settings.HOME / "credit_rules").mkdir()
    (settings.HOME / "credit_rules" / "s1.yaml").write_text(
        "credit_rules:\n  s1:\n    shops: [S1]\n    from: 2026-01-01\n    judge: order\n    window_days: 1\n",
        encoding="utf-8",
    )
    base = f"/reviews/{org.reviews['emp'].pk}/rows"
    credited = client_for(org, "emp").get(f"{base}/cs_credited_amount/").content.decode()
    assert "以下 1 行合计：<strong>¥30.00</strong>" in credited
    assert "业绩判定：下单判定，询单有效时长 1 天；判定询单：2026-03-05 09:00:00" in credited
    silent = client_for(org, "emp").get(f"{base}/silent_amount/").content.decode()  # E012 runs shop S1
    # the shop's two orders: o1 is 阿美's (not counted here), o2 is 静默
    assert (
        "以下 2 行合计：<strong>¥12.00</strong>" in silent and "静默订单：询单有效时长内无客服接待" in silent
    )
