"""A 12-person shop company as its HR officer writes its workbooks in Excel: 岗位.xlsx (岗位, 考核表模板),
花名册.xlsx (the roster) and 账号归属.xlsx (who owns which shop and sub-account), with the Chinese headers
of the organisation guide. The README's "Start your own company" is followed with these files.

周敏 (E0002) is the HR officer: `shopkpi init --admin E0002` makes her login, which the roster then
makes hers. 王海 (E0001), the general manager, heads the company. 黄磊 joins on 2026-11-10, after the
month began (his pay is pro-rated) and before the cut-off day (he is appraised in November).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

COMPANY = "杭州小雨电商有限公司"
PERIOD = "2026-11"
HR = "E0002"
GM = "E0001"

POSITIONS = [  # 岗位, 考核表模板 (by id, or by the template's name)
    ("总经理", "s002-operations-manager"),
    ("人事专员", "s002-operations-manager"),
    ("运营经理", "运营经理（电商各岗位KPI绩效考核表及工作职责）"),
    ("运营专员", "s001-operations"),
    ("SNS推广", "s001-sns-promotion"),
    ("客服主管", "s002-customer-service"),
    ("客服专员", "s001-customer-service"),
    ("美工", "s001-designer"),
    ("文案", "s001-copywriter"),
    ("采购专员", "s001-purchasing"),
]

ROSTER_HEADER = (
    "工号",
    "姓名",
    "部门",
    "岗位",
    "上级工号",
    "基本工资",
    "入职日期",
    "离职日期",
    "邮箱",
    "手机",
)
ROSTER = [
    ("E0001", "王海", "总经办", "总经理", "", 20000, dt.date(2023, 3, 1)),
    ("E0002", "周敏", "人事行政部", "人事专员", "E0001", 7000, dt.date(2023, 5, 8)),
    ("E0003", "李娜", "运营部", "运营经理", "E0001", 12000, dt.date(2023, 6, 1)),
    ("E0004", "张伟", "运营部", "运营专员", "E0003", 8000, dt.date(2024, 2, 19)),
    ("E0005", "刘洋", "运营部", "SNS推广", "E0003", 7500, dt.date(2024, 7, 1)),
    ("E0006", "陈静", "客服部", "客服主管", "E0003", 6500, dt.date(2023, 9, 4)),
    ("E0007", "杨帆", "客服部", "客服专员", "E0006", 4500, dt.date(2025, 3, 3)),
    ("E0008", "赵丽", "客服部", "客服专员", "E0006", 4500, dt.date(2025, 8, 11)),
    ("E0009", "黄磊", "客服部", "客服专员", "E0006", 4200, dt.date(2026, 11, 10)),
    ("E0010", "吴芳", "设计部", "美工", "E0003", 6000, dt.date(2024, 4, 15)),
    ("E0011", "孙婷", "设计部", "文案", "E0003", 5500, dt.date(2025, 1, 6)),
    ("E0012", "郑强", "仓储采购部", "采购专员", "E0001", 5000, dt.date(2024, 10, 8)),
]

ACCOUNTS = [  # 工号, 账号类型, 账号, 生效日期, 失效日期
    ("E0003", "店铺", "小雨旗舰店", dt.date(2023, 6, 1), None),
    ("E0004", "推广计划", "双11主推", dt.date(2026, 10, 1), None),
    ("E0005", "SNS账号", "小雨种草号", dt.date(2024, 7, 1), None),
    ("E0007", "旺旺子账号", "小雨旗舰店:杨帆", dt.date(2025, 3, 3), None),
    ("E0008", "旺旺子账号", "小雨旗舰店:赵丽", dt.date(2025, 8, 11), None),
    ("E0009", "旺旺子账号", "小雨旗舰店:黄磊", dt.date(2026, 11, 10), None),
    ("E0010", "任务", "吴芳", dt.date(2024, 4, 15), None),
    ("E0011", "任务", "孙婷", dt.date(2025, 1, 6), None),
]


# what HR writes into the prepared workbook (`shopkpi prepare`): targets and inputs by name, ratings 0–100
PREPARED = {
    "计划销售额": "6万",
    "计划采购量": "500",
    "实际销售额": "63000",
    "实际采购量": "480",
    "销售毛利": "18000",
    "团队绩效分成": "3000",
    "上期平均回复数": "40",
    "本期平均回复数": "44",
    "上期平均转发数": "20",
    "本期平均转发数": "22",
    "投诉次数": "0",
    "私信未回复次数": "1",
    "评论未回复次数": "2",
    "下单人数": "120",
    "售后差评次数": "1",
    "跟进服务金额": "1200",
    "中评修改": "2",
    "差评修改": "1",
    "文案延误天数": "0",
    "设计延误天数": "1",
    "设计日志篇数": "6",
    "页面点击次数": "4200",
    "页面访客数": "30000",
    "发货工作日": "1",
    "工作能力达标率": "95%",
    "库存更新准确率": "98%",
    "采购质量合格率": "99%",
}
RATING = "88"


def fill_prepared(path: Path) -> int:
    """Fill in every empty value of the prepared workbook as HR would (目标值, 数值, 评分); the cells filled."""
    book = openpyxl.load_workbook(path)
    filled = 0
    for title, name_column, value_column in (
        ("目标", "目标名称", "目标值"),
        ("手工录入", "项目名称", "数值"),
        ("评分", "考核项目", "评分"),
    ):
        sheet = book[title]
        header = [cell.value for cell in sheet[1]]
        name_at, value_at = header.index(name_column), header.index(value_column)
        for row in sheet.iter_rows(min_row=2):
            if row[value_at].value in (None, ""):
                row[value_at].value = RATING if title == "评分" else PREPARED[str(row[name_at].value)]
                filled += 1
    book.save(path)
    return filled


def _workbook(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cell in sheet["G"] + sheet["H"] if header == ROSTER_HEADER else ():
        cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def positions_file(folder: Path) -> Path:
    return _workbook(folder / "岗位.xlsx", ("岗位", "考核表模板"), list(POSITIONS))


def roster_file(folder: Path) -> Path:
    rows = [
        (
            code,
            name,
            dept,
            pos,
            sup,
            salary,
            hired,
            None,
            f"{code.lower()}@xiaoyu-shop.example",
            f"1380000{code[1:]}",
        )
        for code, name, dept, pos, sup, salary, hired in ROSTER
    ]
    return _workbook(folder / "花名册.xlsx", ROSTER_HEADER, rows)


def accounts_file(folder: Path) -> Path:
    return _workbook(
        folder / "账号归属.xlsx", ("工号", "账号类型", "账号", "生效日期", "失效日期"), list(ACCOUNTS)
    )


def name_of(code: str) -> str:
    return next(name for c, name, *_rest in ROSTER if c == code)
