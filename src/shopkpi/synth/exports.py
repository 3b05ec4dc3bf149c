"""Export files as the platforms write them, from canonical rows.

- 生意参谋 shop overview: the ".xls" that is really an HTML table, banner rows (店铺名称：…) above
  the header on row 5, thousands separators, `%` rates.
- 千牛 客服绩效: XLSX named 自制报表-报表查看-客服绩效_YYYYMMDD_YYYYMMDD_全部.xlsx, one row per
  旺旺 sub-account for the month, then the six summary rows (汇总值 … 同行同层均值).
- 直通车 plan report: GBK CSV with a 合计 row.
- 京东 客服: XLSX, one row per agent and day.
- The company's own sheets (employees, accounts, new-media log, task log, targets, inputs,
  ratings): CSV with canonical or Chinese headers, UTF-8 with BOM or GBK as Excel saves them.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from shopkpi.data.datasets import DATASETS
from shopkpi.synth.calendar import Month
from shopkpi.synth.tables import CanonicalTable, Value, as_decimal, as_float, as_int

FIXED_TIME = dt.datetime(2026, 1, 1)  # workbook properties: the same bytes every time

Cell = str | int | float | Decimal | None


def text(value: Value) -> str:
    """A canonical value as a plain cell text."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def thousands(value: int | Decimal | None, decimals: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{decimals}f}"


def percent(numerator: float, denominator: float) -> str:
    return "0.00%" if denominator == 0 else f"{100.0 * numerator / denominator:.2f}%"


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]], encoding: str) -> int:
    """CSV as Excel saves it (CRLF, quotes where needed); returns the data rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def canonical_csv(
    path: Path,
    table: CanonicalTable,
    rows: Sequence[tuple[Value, ...]],
    *,
    chinese: bool,
    encoding: str = "utf-8-sig",
    words: Mapping[str, Callable[[Value], str]] | None = None,
) -> int:
    """A company sheet: the canonical columns (or their Chinese labels) of `table`."""
    dataset = DATASETS[table.dataset]
    header = [dataset.column(c).label_zh if chinese else c for c in table.columns]
    shown = words or {}
    formatters = [shown.get(c, text) for c in table.columns]
    return write_csv(
        path, header, ([f(v) for f, v in zip(formatters, row, strict=True)] for row in rows), encoding
    )


def _xlsx(path: Path, sheet_name: str, rows: Sequence[Sequence[Cell]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # assembled in memory: on disk, XlsxWriter makes and removes a temporary file for each part of each
    # workbook (ten for each of the 556 千牛 files of a company of 1,000)
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.set_properties({"created": FIXED_TIME, "author": "shopkpi synth"})
    sheet = book.add_worksheet(sheet_name)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, int | float | Decimal) and not isinstance(cell, bool):
                sheet.write_number(r, c, float(cell))
            else:
                sheet.write_string(r, c, str(cell))
    book.close()


# ---- 生意参谋 shop overview (.xls that is an HTML table) ------------------------------------------

SYCM_HEADER = (
    "统计日期", "访客数", "浏览量", "支付买家数", "支付子订单数", "支付金额", "支付转化率", "客单价",
    "收藏人数", "加购人数", "平均停留时长", "新访客数", "成功退款金额",
)  # fmt: skip


def sycm_file_name(shop: str, month: Month) -> str:
    return f"【生意参谋】{shop}_整体看板_{month.first.isoformat()}_{month.last.isoformat()}.xls"


def write_sycm_shop(path: Path, shop: str, month: Month, rows: Sequence[tuple[Value, ...]]) -> int:
    """`rows`: shop_daily rows of one shop in one month (columns of `daily.shop_daily`)."""
    lines = [
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>',
        '<table border="1">',
        f"<tr><td>店铺名称：{html.escape(shop)}</td></tr>",
        f"<tr><td>统计时间：{month.first.isoformat()} ~ {month.last.isoformat()}</td></tr>",
        "<tr><td>数据来源：生意参谋-取数-店铺整体</td></tr>",
        "<tr><td></td></tr>",
        "<tr>" + "".join(f"<th>{h}</th>" for h in SYCM_HEADER) + "</tr>",
    ]
    for _, day, pv, uv, buyers, orders, gmv, fav, carts, stay, new_uv, refund in rows:
        paid, visitors, amount = as_int(buyers), as_int(uv), as_decimal(gmv)
        cells = (
            text(day),
            thousands(visitors),
            thousands(as_int(pv)),
            thousands(paid),
            thousands(as_int(orders)),
            thousands(amount, 2),
            percent(paid, visitors),
            thousands(amount / paid if paid else Decimal(0), 2),
            thousands(as_int(fav)),
            thousands(as_int(carts)),
            text(stay),
            thousands(as_int(new_uv)),
            thousands(as_decimal(refund), 2),
        )
        lines.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    lines.append("</table></body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return len(rows)


# ---- 千牛 客服绩效 (XLSX with six summary rows) ------------------------------------------------------

QIANNIU_HEADER = (
    "旺旺昵称", "咨询人数", "接待人数", "询单人数", "询单下单人数", "询单最终付款人数", "询单最终付款转化率",
    "首次响应时长（秒)", "平均响应时长（秒)", "客户满意率", "旺旺回复率", "询单最终付款金额", "成功退款金额",
)  # fmt: skip
QIANNIU_SUMMARIES = ("汇总值", "平均值", "全店汇总值", "全店平均值", "同行同层优秀", "同行同层均值")


def qianniu_file_name(month: Month) -> str:
    return f"自制报表-报表查看-客服绩效_{month.first:%Y%m%d}_{month.last:%Y%m%d}_全部.xlsx"


def _qianniu_line(agent: str, values: Sequence[float]) -> list[Cell]:
    consult, received, inquiries, ordered, paid, first, avg, satisfaction, reply, amount, refund = values
    return [
        agent,
        round(consult),
        round(received),
        round(inquiries),
        round(ordered),
        round(paid),
        percent(paid, inquiries),
        round(first, 2),
        round(avg, 2),
        f"{100 * satisfaction:.2f}%",
        f"{100 * reply:.2f}%",
        round(amount, 2),
        round(refund, 2),
    ]


def write_qianniu(path: Path, rows: Sequence[tuple[Value, ...]]) -> int:
    """`rows`: cs_daily rows of `daily.qianniu_cs` for one shop's agents in one month."""
    table: list[list[Cell]] = [list(QIANNIU_HEADER)]
    numbers: list[list[float]] = []
    for row in rows:
        agent, _, _, consult, received, inquiries, ordered, paid, amount, first, avg, reply, sat, refund = row
        values = [
            as_float(v)
            for v in (consult, received, inquiries, ordered, paid, first, avg, sat, reply, amount, refund)
        ]
        numbers.append(values)
        table.append(_qianniu_line(str(agent), values))
    count = max(1, len(numbers))
    sums = [sum(col) for col in zip(*numbers, strict=True)] if numbers else [0.0] * 11
    means = [s / count for s in sums]
    weighted = sums[:5] + means[5:9] + sums[9:]
    table.append(_qianniu_line("汇总值", weighted))
    table.append(_qianniu_line("平均值", means))
    table.append(
        _qianniu_line("全店汇总值", [v * 1.08 if i < 5 or i > 8 else v for i, v in enumerate(weighted)])
    )
    table.append(
        _qianniu_line("全店平均值", [v * 1.02 if i < 5 or i > 8 else v for i, v in enumerate(means)])
    )
    table.append(
        _qianniu_line("同行同层优秀", [v * 1.3 if i < 5 or i > 8 else v * 0.8 for i, v in enumerate(means)])
    )
    table.append(
        _qianniu_line("同行同层均值", [v * 0.95 if i < 5 or i > 8 else v * 1.1 for i, v in enumerate(means)])
    )
    _xlsx(path, "客服绩效", table)
    return len(rows)


# ---- 京东 客服 (XLSX, per agent and day) -------------------------------------------------------------

JD_CS_HEADER = (
    "日期",
    "客服",
    "接待量",
    "首次平均响应时间",
    "平均响应时间",
    "促成下单人数",
    "促成下单商品金额",
    "差评量",
)


def jd_cs_file_name(month: Month) -> str:
    return f"京东商智-客服工作量-{month.year}{month.month:02d}.xlsx"


def write_jd_cs(path: Path, rows: Sequence[tuple[Value, ...]]) -> int:
    table: list[list[Cell]] = [list(JD_CS_HEADER)]
    for agent, day, received, ordered, amount, first, avg, bad in rows:
        numbers = (
            as_int(received),
            as_decimal(first),
            as_decimal(avg),
            as_int(ordered),
            as_decimal(amount),
            as_int(bad),
        )
        table.append([text(day), str(agent), *numbers])
    _xlsx(path, "客服工作量", table)
    return len(rows)


# ---- 直通车 plan report (GBK CSV) ---------------------------------------------------------------------

ZTC_HEADER = (
    "日期", "计划名称", "店铺名称", "展现量", "点击量", "点击率", "花费", "平均点击花费", "直接成交金额", "直接成交笔数",
    "总成交金额", "投入产出比", "访客数",
)  # fmt: skip


def ztc_file_name(month: Month) -> str:
    return f"直通车_计划报表_{month.first.isoformat()}_{month.last.isoformat()}.csv"


def write_ztc(path: Path, rows: Sequence[tuple[Value, ...]]) -> int:
    lines: list[list[str]] = []
    totals = [Decimal(0)] * 7
    for campaign, day, shop, impressions_, clicks_, cost_, orders_, gmv_, visitors_ in rows:
        impressions, clicks, orders, visitors = (
            as_int(v) for v in (impressions_, clicks_, orders_, visitors_)
        )
        cost, gmv = as_decimal(cost_), as_decimal(gmv_)
        # the total turnover includes indirect deals: a fixed multiple of the direct one per plan-day
        total_gmv = (gmv * Decimal(1 + (impressions % 60) / 100)).quantize(Decimal("0.01"))
        lines.append(
            [
                text(day), str(campaign), str(shop), str(impressions), str(clicks), percent(clicks, impressions),
                str(cost), f"{cost / clicks:.2f}", str(gmv), str(orders), str(total_gmv),
                f"{gmv / cost:.2f}" if cost else "0.00", str(visitors),
            ]
        )  # fmt: skip
        added = (
            Decimal(impressions),
            Decimal(clicks),
            cost,
            Decimal(orders),
            gmv,
            total_gmv,
            Decimal(visitors),
        )
        totals = [t + v for t, v in zip(totals, added, strict=True)]
    imp, clk, cost_total, orders_total, gmv_total, total_total, visitors_total = totals
    lines.append(
        [
            "合计", "", "", str(imp), str(clk), percent(float(clk), float(imp)), str(cost_total),
            f"{cost_total / max(Decimal(1), clk):.2f}", str(gmv_total), str(orders_total), str(total_total),
            f"{gmv_total / cost_total:.2f}" if cost_total else "0.00", str(visitors_total),
        ]
    )  # fmt: skip
    write_csv(path, ZTC_HEADER, lines, "gbk")
    return len(rows)


# ---- the company's own sheets ---------------------------------------------------------------------


def flag_word(value: Value) -> str:
    return "" if value is None else ("是" if value == 1 else "否")


def rater_word(value: Value) -> str:
    return {"supervisor": "上级", "self": "自评"}.get(str(value), text(value))
