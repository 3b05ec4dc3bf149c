"""The shift checks' problems (`shifts.shift_calendar`, `shifts.sheet_rows`) in Chinese, for the Chinese
客服班表 page: the checks write English (the catalogue's errors and `shopkpi shifts import` keep it), as
the importer does (`shopkpi.data.imports.problem_text_zh`). `REASONS` is an ordered table of (pattern of
an English problem → Chinese template with `{group}` holes); the first pattern matching the whole text
wins. A text no pattern matches is shown as it is."""

from __future__ import annotations

import re

from shopkpi.data.imports.problem_text_zh import reason_zh

_V = r"'(?P<value>.*)'"
REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), chinese)
    for pattern, chinese in (
        (r"(?P<columns>.+) is empty; give it", "{columns} 为空：请填写。"),
        (
            r"结束 (?P<end>\S+) is not after 开始 (?P<start>\S+); a shift ends by 24:00",
            "结束 {end} 不晚于开始 {start}：请改正；一个班次在当天 24:00 前结束，不跨午夜。",
        ),
        (
            r"(?P<shift>.+) of (?P<account>.+) is (?P<hours>\S+) in an earlier row; one shift keeps its hours",
            "{account} 的{shift}在前面的行是 {hours}：同一班次各行的开始、结束须相同。",
        ),
        (
            r"give either 星期 \(a weekly shift\) or 日期 \(an exception\), one of them",
            "星期（每周的班）和日期（某一天的调班）须填且只填一个。",
        ),
        (r"工号 is empty; a weekly shift names the person on it", "工号为空：每周的班须写明当班的人。"),
        (r"失效日期 is before 生效日期", "失效日期早于生效日期：请改正其中一个。"),
        (
            r"shifts (?P<a>.+) \((?P<a_hours>[^)]+)\) and (?P<b>.+) \((?P<b_hours>[^)]+)\) of (?P<account>.+) overlap",
            "{account} 的{a}（{a_hours}）与{b}（{b_hours}）时间重叠：请调整开始或结束时间。",
        ),
        (
            r"(?P<slot>.+) has two exceptions on (?P<day>\S+)",
            "{slot} 在 {day} 有两条调班：请只保留一条。",
        ),
        (
            r"(?P<slot>.+) has two people on the same weekday from (?P<day>\S+)",
            "{slot} 自 {day} 起同一星期几有两个人当班：请删去一行，或用生效日期、失效日期分开。",
        ),
        (
            rf"(?P<column>\S+) {_V} is not a time like 09:30 \(00:00 to 24:00\)",
            "{column}“{value}”不是时刻：请写成 09:30 这样（00:00 至 24:00）。",
        ),
        (
            rf"(?P<column>\S+) {_V} is not a date like 2026-10-07",
            "{column}“{value}”不是日期：请写成 2026-10-07 这样。",
        ),
        (
            rf"星期 {_V}: '(?P<part>.*)' is not a weekday \(一 … 日 or 1 … 7\)",
            "星期“{value}”中的“{part}”不是星期几：请写 一 … 日 或 1 … 7，多个用逗号分隔。",
        ),
        (
            r"no column (?P<columns>.+) \(the header row names the columns\)",
            "缺少列 {columns}：第一行须是表头，写明各列的名称。",
        ),
        (r"not an XLSX workbook \(.*\)", "不是 XLSX 工作簿：请在 Excel 中另存为 .xlsx 后再上传。"),
        (
            r"more than (?P<rows>\d+) rows; split the schedule into several files",
            "超过 {rows} 行：请把班表拆成几个文件分别上传。",
        ),
    )
)


def problem_zh(text: str) -> str:
    """`text` (one problem, without its file and row) in Chinese: by `REASONS`, else as the importer
    renders a file it cannot read (`problem_text_zh.reason_zh`: too large or malformed …), else as it is."""
    for pattern, chinese in REASONS:
        found = pattern.fullmatch(text)
        if found is not None:
            return chinese.format(**found.groupdict())
    return reason_zh(text)
