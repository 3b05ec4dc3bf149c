"""Export files as the platforms produce them, built in tests: GBK/UTF-8 CSV, XLSX (xlsxwriter),
real BIFF .xls (xlwt) and the ".xls" that is an HTML table, with banner and summary rows."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import xlsxwriter
import xlwt

Cell = str | int | float | Decimal | dt.date | None
QIANNIU_HEADER = [
    "旺旺昵称",
    "咨询人数",
    "接待人数",
    "询单人数",
    "询单最终付款人数",
    "询单最终付款转化率",
    "首次响应时长（秒)",
    "平均响应时长（秒)",
    "客户满意率",
    "旺旺回复率",
    "询单最终付款金额",
    "成功退款金额",
]
QIANNIU_SUMMARIES = ["汇总值", "平均值", "全店汇总值", "全店平均值", "同行同层优秀", "同行同层均值"]
QIANNIU_NAME = "自制报表-报表查看-客服绩效_20261001_20261031_全部"


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def write_csv(path: Path, rows: Sequence[Sequence[Cell]], encoding: str = "utf-8") -> Path:
    """CSV as Excel writes it (CRLF, quotes only where needed); encoding 'gbk', 'utf-8-sig', ..."""
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            text = _text(cell)
            if any(ch in text for ch in ',"\n'):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(",".join(cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Cell]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("报表")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(cell, dt.time()), date_format)
            elif isinstance(cell, int | float | Decimal):
                sheet.write_number(r, c, float(cell))
            else:
                sheet.write_string(r, c, cell)
    book.close()
    return path


def write_xls(path: Path, rows: Sequence[Sequence[Cell]]) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("报表")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, dt.date):
                sheet.write(r, c, cell, date_style)
            elif isinstance(cell, Decimal):
                sheet.write(r, c, float(cell))
            else:
                sheet.write(r, c, cell)
    book.save(str(path))
    return path


def write_html_xls(path: Path, rows: Sequence[Sequence[Cell]], encoding: str = "utf-8") -> Path:
    """The ".xls" several platforms export: an HTML page with one table."""
    charset = "gbk" if encoding == "gbk" else "utf-8"
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}"></head>\n'
        f'<body><table border="1">\n{body}\n</table></body></html>\n'
    )
    path.write_bytes(page.encode(encoding))
    return path


def qianniu_rows(agents: Sequence[tuple[str, int, int, str]]) -> list[list[Cell]]:
    """千牛 客服绩效: (旺旺昵称, 询单人数, 询单最终付款人数, 付款金额) per agent, then the six summary rows."""
    rows: list[list[Cell]] = [list(QIANNIU_HEADER)]
    for agent, inquiries, paid, amount in agents:
        rate = f"{100 * paid / inquiries:.2f}%" if inquiries else "0.00%"
        rows.append(
            [
                agent,
                inquiries + 20,
                inquiries + 5,
                inquiries,
                paid,
                rate,
                "12.5",
                "20.3",
                "98.50%",
                "99.00%",
                amount,
                "0",
            ]
        )
    total_inquiries = sum(a[1] for a in agents)
    total_paid = sum(a[2] for a in agents)
    for label in QIANNIU_SUMMARIES:
        rows.append(
            [
                label,
                999,
                999,
                total_inquiries,
                total_paid,
                "12.34%",
                "11",
                "19",
                "97.00%",
                "98.00%",
                "1,000.00",
                "0",
            ]
        )
    return rows


def sycm_shop_rows(shop: str, days: Sequence[tuple[dt.date, int, int, int, str]]) -> list[list[Cell]]:
    """生意参谋 shop report: four banner rows, the header on row 5; (date, uv, pv, buyers, gmv) per day."""
    rows: list[list[Cell]] = [
        ["【生意参谋平台】店铺整体"],
        [f"店铺名称：{shop}"],
        ["统计时间：2026-10-01~2026-10-31"],
        [None],
        [
            "统计日期",
            "访客数",
            "浏览量",
            "支付买家数",
            "支付金额",
            "收藏人数",
            "加购人数",
            "平均停留时长",
            "成功退款金额",
        ],
    ]
    for day, uv, pv, buyers, gmv in days:
        rows.append([day, f"{uv:,}", f"{pv:,}", buyers, gmv, 12, 30, "25.5", "0.00"])
    return rows
