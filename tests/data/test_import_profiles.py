"""Every shipped profile on a realistic file, recognised without --profile, values checked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from export_builders import (
    QIANNIU_NAME,
    QIANNIU_SUMMARIES,
    qianniu_rows,
    sycm_shop_rows,
    write_csv,
    write_html_xls,
    write_xls,
    write_xlsx,
)

from shopkpi.data.datasets import DATASETS, Column
from shopkpi.data.imports.importer import checked_import, import_files
from shopkpi.data.imports.profiles import shipped_profiles
from shopkpi.data.problems import ImportRefused
from shopkpi.data.warehouse.catalogue import Warehouse

OCT1, OCT2 = dt.date(2026, 10, 1), dt.date(2026, 10, 2)


def query(home: Path, sql: str) -> list[tuple[object, ...]]:
    con = Warehouse(home).connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


AGENTS = [("小美", 100, 38, "12,345.60"), ("小王", 50, 10, "3,456.00"), ("客服-阿强", 0, 0, "0")]


@pytest.mark.parametrize("kind", ["gbk-csv", "xlsx"])
def test_qianniu_export_with_six_summary_rows_imports_without_profile(tmp_path: Path, kind: str) -> None:
    rows = qianniu_rows(AGENTS)
    if kind == "gbk-csv":
        path = write_csv(tmp_path / f"{QIANNIU_NAME}.csv", rows, encoding="gbk")
    else:
        path = write_xlsx(tmp_path / f"{QIANNIU_NAME}.xlsx", rows)
    [outcome] = import_files(tmp_path / "home", "cs_daily", [path], period="2026-10")
    assert outcome.profile == "qianniu-cs"
    assert (outcome.rows, outcome.skipped_rows) == (3, 6)
    got = query(
        tmp_path / "home",
        "SELECT agent, date_from, date, inquiries, paid_buyers, paid_amount, reply_rate, first_response_seconds "
        "FROM cs_daily ORDER BY agent",
    )
    assert got == [
        ("客服-阿强", OCT1, dt.date(2026, 10, 31), 0, 0, Decimal("0.00"), Decimal("0.99"), Decimal("12.5")),
        ("小王", OCT1, dt.date(2026, 10, 31), 50, 10, Decimal("3456.00"), Decimal("0.99"), Decimal("12.5")),
        ("小美", OCT1, dt.date(2026, 10, 31), 100, 38, Decimal("12345.60"), Decimal("0.99"), Decimal("12.5")),
    ]
    agents = {a for (a,) in query(tmp_path / "home", "SELECT agent FROM cs_daily")}
    assert not agents & set(QIANNIU_SUMMARIES)


def test_qianniu_rate_is_checked_against_the_counts(tmp_path: Path) -> None:
    rows = qianniu_rows(AGENTS)
    rows[1][5] = "40.00%"  # 小美: 38 / 100 is 38.00%
    path = write_csv(tmp_path / f"{QIANNIU_NAME}.csv", rows, encoding="gbk")
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "cs_daily", [path])
    [problem] = refused.value.problems
    assert (problem.row, problem.column) == (2, "询单最终付款转化率")
    assert "40.00%" in problem.reason and "38/100" in problem.reason


def test_qianniu_file_name_range_outside_the_period_is_warned(tmp_path: Path) -> None:
    path = write_csv(tmp_path / f"{QIANNIU_NAME}.csv", qianniu_rows(AGENTS[:1]), encoding="gbk")
    with checked_import(tmp_path / "home", "cs_daily", [path], period="2026-09") as checked:
        outside = [(w.column, w.params["first"]) for w in checked.warnings if w.code == "outside_period"]
    assert outside == [("date (from file name)", "2026-10-31"), ("date_from (from file name)", "2026-10-01")]


def test_chitu_report_xlsx(tmp_path: Path) -> None:
    rows = [
        [
            "客服",
            "日期",
            "接待人数",
            "询单人数",
            "询单->最终付款人数",
            "客服回复率",
            "平均响应时间",
            "首次响应时间",
            "销售额",
        ],
        ["阿花", OCT1, 80, 40, 12, "98.50%", "25.3", "1分5秒", "8,800.50"],
        ["阿花", OCT2, 60, 30, 9, "100.00%", "0:00:31", "12", "￥5,000"],
        ["合计", None, 140, 70, 21, None, None, None, "13,800.50"],
    ]
    path = write_xlsx(tmp_path / "赤兔客服绩效.xlsx", rows)
    [outcome] = import_files(tmp_path / "home", "cs_daily", [path])
    assert (outcome.profile, outcome.rows, outcome.skipped_rows) == ("chitu-cs", 2, 1)
    got = query(
        tmp_path / "home",
        "SELECT date, received, paid_buyers, reply_rate, avg_response_seconds, first_response_seconds, paid_amount "
        "FROM cs_daily ORDER BY date",
    )
    assert got == [
        (OCT1, 80, 12, Decimal("0.985"), Decimal("25.3"), Decimal("65"), Decimal("8800.50")),
        (OCT2, 60, 9, Decimal("1"), Decimal("31"), Decimal("12"), Decimal("5000.00")),
    ]


DAYS = [(OCT1, 1234, 5678, 40, "3,210.50"), (OCT2, 2000, 6000, 50, "¥4,000.00")]


@pytest.mark.parametrize("kind", ["html-xls-utf8", "html-xls-gbk", "gbk-csv"])
def test_sycm_shop_report_with_banner_rows(tmp_path: Path, kind: str) -> None:
    rows = sycm_shop_rows("旗舰店A", DAYS)
    if kind == "gbk-csv":
        rows[-1][4] = "4,000.00"  # GBK has no half-width ¥
        path = write_csv(
            tmp_path / "【生意参谋平台】店铺整体_2026-10-01_2026-10-31.csv", rows, encoding="gbk"
        )
    else:
        encoding = "gbk" if kind.endswith("gbk") else "utf-8"
        rows[-1][4] = "4,000.00" if encoding == "gbk" else rows[-1][4]
        path = write_html_xls(tmp_path / "【生意参谋平台】店铺整体_2026-10-01_2026-10-31.xls", rows, encoding)
    [outcome] = import_files(tmp_path / "home", "shop_daily", [path], period="2026-10")
    assert outcome.profile == "sycm-shop"
    assert outcome.format.startswith("html" if kind.startswith("html") else "csv")
    got = query(
        tmp_path / "home",
        "SELECT shop, date, uv, pv, buyers, gmv, avg_stay_seconds FROM shop_daily ORDER BY date",
    )
    assert got == [
        ("旗舰店A", OCT1, 1234, 5678, 40, Decimal("3210.50"), Decimal("25.5")),
        ("旗舰店A", OCT2, 2000, 6000, 50, Decimal("4000.00"), Decimal("25.5")),
    ]


def test_sycm_item_report_real_xls_with_shop_set_on_the_command_line(tmp_path: Path) -> None:
    rows = [
        ["【生意参谋平台】商品效果"],
        ["统计时间：2026-10-01~2026-10-02"],
        [None],
        [None],
        [
            "统计日期",
            "商品ID",
            "商品名称",
            "商品访客数",
            "商品浏览量",
            "支付买家数",
            "支付金额",
            "商品收藏人数",
            "加购人数",
        ],
        [OCT1, "600123456789", "羊毛围巾", 300, 900, 12, 1200.5, 20, 31],
        ["2026/10/2", "600123456789", "羊毛围巾", 310, 930, 11, "1,100.00", 21, 30],
        [OCT1, "600987654321", "真丝睡衣", 100, 220, 3, 897, 5, 9],
    ]
    path = write_xls(tmp_path / "【生意参谋平台】商品效果.xls", rows)
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # a real BIFF workbook
    with pytest.raises(ImportRefused) as refused:  # no shop anywhere
        import_files(tmp_path / "home", "shop_daily", [path])
    assert "shop" in refused.value.problems[0].reason
    [outcome] = import_files(tmp_path / "home", "shop_daily", [path], sets={"shop": "围巾店"})
    assert (outcome.profile, outcome.format, outcome.rows) == ("sycm-item", "xls", 3)
    got = query(
        tmp_path / "home",
        "SELECT shop, item, date, uv, pv, gmv, favorites FROM shop_daily ORDER BY item, date",
    )
    assert got == [
        ("围巾店", "600123456789", OCT1, 300, 900, Decimal("1200.50"), 20),
        ("围巾店", "600123456789", OCT2, 310, 930, Decimal("1100.00"), 21),
        ("围巾店", "600987654321", OCT1, 100, 220, Decimal("897.00"), 5),
    ]


def test_ztc_promotion_gbk_csv_takes_direct_gmv(tmp_path: Path) -> None:
    rows = [
        [
            "日期",
            "计划名称",
            "展现量",
            "点击量",
            "花费",
            "直接成交金额",
            "总成交金额",
            "直接成交笔数",
            "点击率",
        ],
        [
            "2026-10-01",
            "双11预热-围巾",
            "12,000",
            360,
            "¥540.20".replace("¥", ""),
            "1,200.00",
            "2,000.00",
            4,
            "3.00%",
        ],
        ["2026-10-02", "双11预热-围巾", "11,000", 330, "500", "0", "300", 0, "3.00%"],
        ["合计", None, "23,000", 690, "1040.20", "1200", "2300", 4, None],
    ]
    path = write_csv(tmp_path / "直通车_计划报表.csv", rows, encoding="gbk")
    [outcome] = import_files(tmp_path / "home", "campaigns", [path])
    assert (outcome.profile, outcome.rows, outcome.skipped_rows) == ("ztc-campaign", 2, 1)
    got = query(
        tmp_path / "home",
        "SELECT campaign, date, impressions, clicks, cost, gmv, orders FROM campaigns ORDER BY date",
    )
    assert got == [
        ("双11预热-围巾", OCT1, 12000, 360, Decimal("540.20"), Decimal("1200.00"), 4),
        ("双11预热-围巾", OCT2, 11000, 330, Decimal("500.00"), Decimal("0.00"), 0),
    ]


def test_jd_customer_service_utf8_bom_csv(tmp_path: Path) -> None:
    rows = [
        [
            "客服",
            "日期",
            "接待量",
            "首次平均响应时间",
            "平均响应时间",
            "促成下单人数",
            "促成下单商品金额",
            "差评量",
        ],
        ["jd_小李", "20261001", 120, "15", "32.5", 18, "￥2,345.00", 1],
        ["jd_小李", "20261002", 100, "14", "30", 15, "￥1,000.00", 0],
    ]
    path = write_csv(tmp_path / "京东客服工作量.csv", rows, encoding="utf-8-sig")
    [outcome] = import_files(tmp_path / "home", "cs_daily", [path])
    assert outcome.profile == "jd-cs"
    got = query(
        tmp_path / "home",
        "SELECT agent, date, received, first_response_seconds, ordered_buyers, paid_amount, bad_reviews "
        "FROM cs_daily ORDER BY date",
    )
    assert got == [
        ("jd_小李", OCT1, 120, Decimal("15"), 18, Decimal("2345.00"), 1),
        ("jd_小李", OCT2, 100, Decimal("14"), 15, Decimal("1000.00"), 0),
    ]


def test_taobao_orders_map_status_words(tmp_path: Path) -> None:
    rows = [
        [
            "订单编号",
            "买家会员名",
            "订单创建时间",
            "订单付款时间",
            "订单状态",
            "总金额",
            "买家应付邮费",
            "退款金额",
        ],
        ["3001", "tb_a", "2026-10-01 10:00:00", "2026-10-01 10:05:00", "交易成功", "199.00", "0.00", "0"],
        ["3002", "tb_b", "2026/10/2 11:30", None, "交易关闭", "59.90", "6.00", "0"],
        ["3003", "tb_c", "2026-10-03 09:00:00", None, "等待买家付款", "10", "0", "0"],
        ["3004", "tb_d", "2026-10-03 09:10:00", "2026-10-03 09:11:00", "卖家已发货", "88", "0", "0"],
    ]
    path = write_xlsx(tmp_path / "ExportOrderList202610.xlsx", rows)
    [outcome] = import_files(tmp_path / "home", "orders", [path], sets={"shop": "旗舰店A"})
    assert outcome.profile == "taobao-orders"
    got = query(
        tmp_path / "home", "SELECT order_id, status, created_at, amount FROM orders ORDER BY order_id"
    )
    assert got == [
        ("3001", "delivered", dt.datetime(2026, 10, 1, 10, 0), Decimal("199.00")),
        ("3002", "cancelled", dt.datetime(2026, 10, 2, 11, 30), Decimal("59.90")),
        ("3003", "created", dt.datetime(2026, 10, 3, 9, 0), Decimal("10.00")),
        ("3004", "shipped", dt.datetime(2026, 10, 3, 9, 10), Decimal("88.00")),
    ]


def test_qianniu_chats_and_chitu_order_credits(tmp_path: Path) -> None:
    chats = [
        ["客服子账号", "买家昵称", "咨询时间", "消息数"],
        ["旗舰店:小冰", "tb_a", "2026-10-05 10:02:00", "12"],
        ["旗舰店:小焦", "tb_b", "2026/10/5 20:15", "3"],
    ]
    path = write_xlsx(tmp_path / "询单明细_20261005.xlsx", chats)
    [outcome] = import_files(tmp_path / "home", "cs_chats", [path], sets={"shop": "旗舰店"})
    assert outcome.profile == "qianniu-chats"
    assert query(tmp_path / "home", "SELECT agent, buyer, ts, shop, messages FROM cs_chats ORDER BY ts") == [
        ("旗舰店:小冰", "tb_a", dt.datetime(2026, 10, 5, 10, 2), "旗舰店", 12),
        ("旗舰店:小焦", "tb_b", dt.datetime(2026, 10, 5, 20, 15), "旗舰店", 3),
    ]
    credits = [
        ["订单编号", "买家昵称", "下单时间", "付款时间", "付款金额", "订单状态", "归属客服", "判定方式"],
        [
            "5001",
            "tb_a",
            "2026-10-05 10:10:00",
            "2026-10-05 10:12:00",
            "99.00",
            "交易成功",
            "旗舰店:小冰",
            "下单判定",
        ],
        [
            "5002",
            "tb_c",
            "2026-10-05 11:00:00",
            "2026-10-05 11:01:00",
            "35.50",
            "买家已付款",
            "静默",
            "下单判定",
        ],
    ]
    path = write_xlsx(tmp_path / "订单归属.xlsx", credits)
    [outcome] = import_files(tmp_path / "home", "order_credits", [path], sets={"shop": "旗舰店"})
    assert outcome.profile == "chitu-order-credits"
    got = query(
        tmp_path / "home", "SELECT order_id, agent, rule, status, amount FROM order_credits ORDER BY 1"
    )
    assert got == [  # 静默: no agent
        ("5001", "旗舰店:小冰", "order", "delivered", Decimal("99.00")),
        ("5002", None, "order", "paid", Decimal("35.50")),
    ]


_SAMPLE = {"text": "A1", "date": "2026-10-05", "timestamp": "2026-10-05 10:00:00", "integer": "3",
           "decimal": "12.50", "number": "3.25%", "rate": "0.5", "seconds": "12"}  # fmt: skip
_SPECIAL = {
    "period": "2026-10",
    "status": "paid",
    "behavior": "pv",
    "rater": "self",
    "rating": "90",
    "rule": "order",
}


def _sample(column: Column, row: int) -> str:
    if column.name in _SPECIAL:
        return _SPECIAL[column.name]
    if column.type == "text":
        return f"{column.name}-{row}"
    if column.name == "valid_to":
        return "2026-12-31"
    return _SAMPLE[column.type]


# the organisation's datasets go to the application database (tests/appraisal, the organisation service)
@pytest.mark.parametrize("name", sorted(d for d, ds in DATASETS.items() if not ds.organisation))
def test_canonical_csv_of_every_dataset(tmp_path: Path, name: str) -> None:
    ds = DATASETS[name]
    rows = [list(ds.column_names)] + [[_sample(c, r) for c in ds.columns] for r in (1, 2)]
    path = write_csv(tmp_path / f"{name}.csv", rows)
    [outcome] = import_files(tmp_path / "home", name, [path], period="2026-10")
    assert (outcome.profile, outcome.rows) == ("canonical", 2)
    con = Warehouse(tmp_path / "home").connect()
    described = {r[0]: r[1] for r in con.execute(f"DESCRIBE {name}").fetchall()}
    assert described == {
        **{c.name: c.duckdb_type for c in ds.columns},
        "_batch": "VARCHAR",
        "_row": "BIGINT",  # the row of the file
    }
    plain = duckdb.connect().execute(f"SELECT count(*) FROM read_csv('{path}', all_varchar=true)").fetchone()
    assert con.execute(f"SELECT count(*) FROM {name}").fetchone() == plain


def test_canonical_profile_accepts_chinese_labels_and_refuses_unknown_columns(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "fans.csv",
        [["新媒体账号", "日期", "粉丝数", "心情"], ["wb_1", "2026-10-01", "1,000", "好"]],
    )
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "sns_posts", [path])
    assert "unknown columns: 心情" in refused.value.problems[0].reason
    write_csv(path, [["新媒体账号", "日期", "粉丝数"], ["wb_1", "2026-10-01", "1,000"]])
    import_files(tmp_path / "home", "sns_posts", [path])
    assert query(tmp_path / "home", "SELECT account, fans FROM sns_posts") == [("wb_1", 1000)]


def test_a_file_no_profile_fits_names_the_closest_and_what_they_miss(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "客服.csv", [["客服", "接待人数", "询单人数"], ["阿花", 3, 2]], encoding="gbk"
    )
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "cs_daily", [path])
    [problem] = refused.value.problems
    assert problem.reason.startswith(
        "no import profile fits this file; closest: chitu-cs (赤兔 客服绩效) misses date"
    )
    assert "jd-cs" in problem.reason or "qianniu-cs" in problem.reason


def test_every_shipped_profile_is_exercised_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    for profile in shipped_profiles():
        assert f'"{profile.name}"' in source, profile.name
