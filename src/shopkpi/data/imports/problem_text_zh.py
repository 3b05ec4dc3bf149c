"""Import problems and warnings in Chinese, for the Chinese pages: 文件 店铺日报.csv，第 12 行，列「成交金额」：不是数字：abc.

The importer writes its reasons in English (the CLI and its tests keep them); this module renders a
problem's place and reason in Chinese without Django. `REASONS` is an ordered table of (pattern of an
English reason → Chinese template); the first pattern that matches the whole reason wins, so a more
specific pattern comes before a general one. A named group whose name ends in `_list` is itself
rendered (the closest profiles, the missing headers); the other groups are values (a cell's text, a
column, a file name) and are shown as they are. A reason no pattern matches is shown in English: the
test suite extracts every reason the data layer can write and checks that each has a pattern here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopkpi.data.problems import DataWarning, ImportProblem


@dataclass(frozen=True)
class Reason:
    """One kind of reason: the English as a regular expression, the Chinese with `{group}` holes."""

    pattern: re.Pattern[str]
    chinese: str


def _r(pattern: str, chinese: str) -> Reason:
    return Reason(re.compile(pattern, re.S), chinese)


_VALUE = r"(?P<value>.*)"


def _too_large(pattern: str, chinese: str) -> Reason:
    """A file refused before or while it is read (workbook_checks.py, file_sandbox.py): what to do."""
    return _r(
        r"file too large or malformed: "
        + pattern
        + r"; save it as a new XLSX in Excel, or split it into smaller files",
        "文件过大/格式异常："
        + chinese
        + "。请用 Excel 打开后另存为新的 xlsx 文件，或拆分成几个较小的文件分别导入",
    )


REASONS: tuple[Reason, ...] = (
    # ---- a cell (validation.py and value_sql.py, written by DuckDB) ----
    _r(r"required value missing", "必填的值缺失"),
    _r(r"formula-like cell refused: " + _VALUE, "疑似公式的单元格，不予导入：{value}"),
    _r(r"number too large: " + _VALUE, "数字太大：{value}"),
    _r(
        r"more than (?P<n>.+?) decimals \(the most this column holds\): " + _VALUE,
        "小数超过 {n} 位（这一列最多保存 {n} 位）：{value}",
    ),
    _r(r"not a number: " + _VALUE, "不是数字：{value}"),
    _r(r"not a rate: " + _VALUE, "不是比率：{value}"),
    _r(r"not a duration: " + _VALUE, "不是时长：{value}"),
    _r(r"not a whole number: " + _VALUE, "不是整数：{value}"),
    _r(r"negative count: " + _VALUE, "数量不能为负：{value}"),
    _r(r"negative amount: " + _VALUE, "金额不能为负：{value}"),
    _r(r"negative duration: " + _VALUE, "时长不能为负：{value}"),
    _r(r"rate outside 0–100%: " + _VALUE, "比率超出 0–100%：{value}"),
    _r(r"not a date and time: " + _VALUE, "不是日期时间：{value}"),
    _r(r"not a date: " + _VALUE, "不是日期：{value}"),
    _r(r"not a period \(write 2026-10\): " + _VALUE, "不是期间（应写作 2026-10）：{value}"),
    _r(
        r"unknown value (?P<value>.*) \(expected (?P<allowed>.*)\)",
        "无法识别的取值：{value}（应为 {allowed} 之一）",
    ),
    _r(r"rating outside 0–100: " + _VALUE, "评分超出 0–100：{value}"),
    _r(
        r"valid_from (?P<start>.*) is after valid_to (?P<end>.*)",
        "生效日 valid_from {start} 晚于失效日 valid_to {end}",
    ),
    _r(r"date_from (?P<start>.*) is after date (?P<end>.*)", "起始日 date_from {start} 晚于日期 date {end}"),
    _r(
        r"(?P<value>.*) does not match (?P<num>.*?)/(?P<den>.*) = (?P<counts>.*) = (?P<percent>.*)",
        "{value} 与 {num}/{den} = {counts} = {percent} 不符",
    ),
    _r(r"(?P<value>.*) but (?P<den>.*) is 0", "{value}，但{den}为 0"),
    # ---- rows against each other (validation.py) ----
    _r(r"duplicate key (?P<key>.*) \(first on row (?P<row>.+?)\)", "重复的键 {key}（首次出现在第 {row} 行）"),
    _r(
        r"(?P<dataset>.*) is the organisation, kept in the application database: import it with "
        r"`shopkpi import (?P<again>.*)` \(the organisation service\), not into the warehouse",
        "{dataset} 是组织架构，保存在应用数据库里：请用 `shopkpi import {again}`（组织架构服务）导入，而不是导入数据仓库",
    ),
    # ---- the file (file_rows.py, staging.py, importer.py) ----
    _r(r"the file is empty", "文件是空的"),
    _r(r"the file has no data rows", "文件没有数据行"),
    _r(
        r"row (?P<row>.+?) is not a header: the first row must name the columns \(e\.g\. (?P<names>.*)\)",
        "第 {row} 行不是表头：文件的第一行应是各列的名称（如 {names}）",
    ),
    _r(
        r"row (?P<row>.+?) is not a header: the first row must name the columns",
        "第 {row} 行不是表头：文件的第一行应是各列的名称",
    ),
    _r(
        r"not a text file \(it contains NUL bytes\) and not an Excel file",
        "既不是文本文件（含有 NUL 字节），也不是 Excel 文件",
    ),
    _r(r"the file contains NUL characters \(not a text table\)", "文件含有 NUL 字符（不是文本表格）"),
    _r(
        r"the file is neither UTF-8 nor GBK/GB18030 text \(read as (?P<encoding>.*), "
        r"invalid bytes after row (?P<row>.+?)\)",
        "文件既不是 UTF-8 也不是 GBK/GB18030 编码的文本（按 {encoding} 读取，第 {row} 行之后有无效字节）",
    ),
    _r(
        r"the file is neither UTF-8 nor GBK/GB18030 text \(read as (?P<encoding>.*)\)",
        "文件既不是 UTF-8 也不是 GBK/GB18030 编码的文本（按 {encoding} 读取）",
    ),
    _r(r"not a readable CSV table: (?P<error>.*)", "不是可以读取的 CSV 表格：{error}"),
    _r(r"not a readable (?P<kind>\S+) workbook: (?P<error>.*)", "不是可以读取的 {kind} 工作簿：{error}"),
    _r(r"cannot read the file: (?P<error>.*)", "无法读取文件：{error}"),
    # ---- a file too large or malformed to read (workbook_checks.py, file_sandbox.py) ----
    _too_large(
        r"the workbook has (?P<n>.+?) parts \(at most (?P<max>.+?)\)", "工作簿有 {n} 个部件（最多 {max} 个）"
    ),
    _too_large(
        r"part (?P<part>.*) unpacks to (?P<ratio>.+?) times its packed size \(at most (?P<max>.+?)\)",
        "部件 {part} 解压后是压缩大小的 {ratio} 倍（最多 {max} 倍）",
    ),
    _too_large(
        r"the workbook unpacks to (?P<mb>.+?) MB \(at most (?P<max>.+?) MB\)",
        "工作簿解压后有 {mb} MB（最多 {max} MB）",
    ),
    _too_large(
        r"sheet (?P<sheet>.*) reaches cell (?P<cell>\S+), beyond XFD1048576 \(the last cell of an Excel sheet\)",
        "工作表 {sheet} 延伸到单元格 {cell}，超出了 Excel 工作表的最后一个单元格 XFD1048576",
    ),
    _too_large(
        r"sheet (?P<sheet>.*) reaches cell (?P<cell>\S+) \((?P<rows>.+?) rows × (?P<columns>.+?) columns\), "
        r"more than the (?P<max>.+?) cells an import reads",
        "工作表 {sheet} 延伸到单元格 {cell}（{rows} 行 × {columns} 列），超过了导入能读取的 {max} 个单元格",
    ),
    _too_large(r"the workbook is damaged \((?P<error>.*)\)", "工作簿已损坏（{error}）"),
    _too_large(r"the XLS file is cut short", "XLS 文件不完整"),
    _too_large(
        r"the XLS file's header is damaged \(sector size (?P<size>.+?)\)",
        "XLS 文件头已损坏（扇区大小 {size}）",
    ),
    _too_large(
        r"the XLS file's header claims (?P<claimed>.+?) sectors in a file of (?P<sectors>.+?)",
        "XLS 文件头声称有 {claimed} 个扇区，而文件只有 {sectors} 个",
    ),
    _too_large(r"reading it took longer than (?P<s>.+?) s", "读取超过了 {s} 秒"),
    _too_large(r"its first rows come to more than (?P<mb>.+?) MB", "开头几行就超过了 {mb} MB"),
    _too_large(
        r"reading it needed more than (?P<s>.+?) s of processor time", "读取需要超过 {s} 秒的处理器时间"
    ),
    _too_large(r"its rows come to more than (?P<mb>.+?) MB", "数据行超过了 {mb} MB"),
    _too_large(r"reading it needed more than (?P<mb>.+?) MB of memory", "读取需要超过 {mb} MB 的内存"),
    _too_large(r"the reading process ended with status (?P<status>.+?)", "读取进程意外结束（状态 {status}）"),
    _r(r"cannot be read as a table: (?P<error>.*)", "无法作为表格读取：{error}"),
    _r(r"this header appears twice", "这个表头出现了两次"),
    _r(
        r"the file has this column; do not also --set (?P<column>.*)",
        "文件里已有这一列；不要再用 --set 指定 {column}",
    ),
    _r(
        r"the row has (?P<cells>.+?) cells, the header (?P<width>.+)",
        "这一行有 {cells} 个单元格，表头只有 {width} 个",
    ),
    _r(
        r"covers the same accounts and days as (?P<other>.*) \(e\.g\. (?P<example>.*)\); "
        r"import them as one file, or one after the other if this one corrects the other",
        "与 {other} 覆盖相同的账号和日期（如 {example}）；请合并成一个文件导入，"
        "如果这个文件是对它的更正，请分先后两次导入",
    ),
    # ---- which dataset a file belongs to (recognition.py) ----
    _r(
        r"the files belong to different datasets \((?P<listed>.*)\); import them one dataset at a time",
        "这些文件属于不同的数据集（{listed}）；请按数据集分开导入",
    ),
    _r(
        r"the file fits more than one dataset: (?P<listed>.*); choose its dataset",
        "这个文件同时符合多个数据集：{listed}；请选择它的数据集",
    ),
    # ---- the import's settings (importer.py) ----
    _r(r"unknown dataset (?P<name>.*); known: (?P<known>.*)", "未知的数据集 {name}；可用的有：{known}"),
    _r(r"not a period: (?P<value>.*) \(write 2026-10\)", "不是期间：{value}（应写作 2026-10）"),
    _r(r"unknown time zone (?P<zone>.*) \(e\.g\. Asia/Shanghai\)", "未知的时区 {zone}（如 Asia/Shanghai）"),
    _r(r"(?P<dataset>\S+) has no column (?P<column>.*)", "数据集 {dataset} 没有列 {column}"),
    # ---- which profile fits (profile_match.py) ----
    _r(
        r"no profile (?P<name>.*) for (?P<dataset>.*); known: (?P<known>.*)",
        "数据集 {dataset} 没有导入模板 {name}；可用的有：{known}",
    ),
    _r(
        r"profile (?P<name>\S+): unknown columns: (?P<columns>.*)",
        "导入模板 {name}：文件里有不认识的列：{columns}",
    ),
    _r(r"profile (?P<name>\S+): missing (?P<missing_list>.*)", "导入模板 {name}：缺少 {missing_list}"),
    _r(r"profile (?P<name>\S+): (?P<detail_list>.*)", "导入模板 {name}：{detail_list}"),
    _r(
        r"no import profile fits this file; closest: (?P<closest_list>.*)",
        "没有适合这个文件的导入模板；最接近的是：{closest_list}",
    ),
    # ---- the user's profile files (profiles.py) ----
    _r(r"not valid YAML: (?P<error>.*)", "不是有效的 YAML：{error}"),
    _r(r"a profile is a YAML mapping", "导入模板必须是 YAML 映射（键: 值）"),
    _r(r"cannot read: (?P<error>.*)", "无法读取：{error}"),
    _r(r"'canonical' is reserved", "名称 canonical 是保留名称"),
    _r(r"Value error, (?P<checks_list>.*)", "{checks_list}"),
    _r(
        r"(?P<where>\S+): (?P<column>.*) is not a column of (?P<dataset>\S+) \((?P<columns>.*)\)",
        "{where}：{column} 不是数据集 {dataset} 的列（它的列：{columns}）",
    ),
    _r(r"columns\.(?P<column>\S+): give at least one header", "columns.{column}：至少要给一个表头"),
    _r(r"columns\.(?P<column>\S+): empty header", "columns.{column}：表头是空的"),
    _r(
        r"columns\.(?P<column>\S+): header (?P<header>.*) is also a header of (?P<other>.*)",
        "columns.{column}：表头 {header} 同时也是 {other} 的表头",
    ),
    _r(r"file_name: not a regular expression: (?P<error>.*)", "file_name：不是有效的正则表达式：{error}"),
    _r(
        r"banner\.(?P<column>\S+): not a regular expression: (?P<error>.*)",
        "banner.{column}：不是有效的正则表达式：{error}",
    ),
    _r(
        r"banner\.(?P<column>\S+): the pattern needs a group \(\?P<value>\.\.\.\)",
        "banner.{column}：正则表达式需要一个分组 (?P<value>...)",
    ),
    _r(
        r"skip_rows: (?P<column>.*) is not one of the profile's columns",
        "skip_rows：{column} 不是这个导入模板的列",
    ),
    _r(
        r"checks: (?P<column>.*) is not one of the profile's columns", "checks：{column} 不是这个导入模板的列"
    ),
)

# Parts of a reason built from other reasons' words: the closest profiles
# and what each misses (see profile_match.fit_profile), the several checks of a profile file.
_LIST_WORDS: tuple[tuple[str, str], ...] = (
    (" misses ", " 缺少 "),
    ("unknown columns: ", "不认识的列："),
    ("no header known", "没有已知的表头"),
)
_FILLED_FROM = {"file name": "取自文件名", "banner": "取自表头上方的说明行", "--set": "由 --set 指定"}
_ARGUMENTS = {
    "DATASET": "数据集",
    "--period": "参数 --period",
    "--timezone": "参数 --timezone",
    "--set": "参数 --set",
}
_FILLED = re.compile(r"(?P<column>.*) \(from (?P<source>file name|banner|--set)\)")


def matching_reason(reason: str) -> Reason | None:
    """The first entry of `REASONS` whose pattern matches the whole reason, or None."""
    for entry in REASONS:
        if entry.pattern.fullmatch(reason):
            return entry
    return None


def reason_zh(reason: str) -> str:
    """The reason in Chinese (the English reason itself when no pattern knows it)."""
    entry = matching_reason(reason)
    if entry is None:
        return reason
    match = entry.pattern.fullmatch(reason)
    assert match is not None
    values = {
        name: _list_zh(text) if name.endswith("_list") else text for name, text in match.groupdict().items()
    }
    return entry.chinese.format(**values)


def _list_zh(text: str) -> str:
    """A list inside a reason: each `; `-separated part rendered as a reason, or its known words replaced."""
    parts = text.split("; ")
    if len(parts) > 1 and all(matching_reason(p) is not None for p in parts):
        return "；".join(reason_zh(p) for p in parts)
    if matching_reason(text) is not None:
        return reason_zh(text)
    return _replace_words(text.replace("; ", "；"))


def _replace_words(text: str) -> str:
    for english, chinese in _LIST_WORDS:
        text = text.replace(english, chinese)
    return text


def column_zh(column: str) -> str:
    """A problem's column: the header as the file spells it, or where a filled-in column came from."""
    filled = _FILLED.fullmatch(column)
    if filled is None:
        return column
    return f"{filled.group('column')}（{_FILLED_FROM[filled.group('source')]}）"


def file_zh(file: str) -> str:
    """The file of a problem, or the setting of the import a problem is about."""
    return _ARGUMENTS.get(file, file)


def place_zh(file: str, row: int | None, column: str | None) -> str:
    """文件 店铺日报.csv，第 12 行，列「成交金额」"""
    shown = file_zh(file)
    where = shown if shown != file else f"文件 {file}"
    if row is not None:
        where += f"，第 {row} 行"
    if column:
        where += f"，列「{column_zh(column)}」"
    return where


def problem_zh(problem: ImportProblem) -> str:
    """文件 店铺日报.csv，第 12 行，列「成交金额」：不是数字：abc"""
    return f"{place_zh(problem.file, problem.row, problem.column)}：{reason_zh(problem.reason)}"


# a warning's Chinese, by its code; the holes are its params (lists joined with 、)
WARNINGS: dict[str, str] = {
    "outside_period": "{rows} 行不在期间 {period} 之内（第一行的日期：{first}）",
    "empty_money": "{rows} 个金额单元格是空的",
    "empty_count": "{rows} 个数量单元格是空的",
    "unowned_account": "{rows} 行的账号在当天没有负责人：{accounts}",
    "duplicate_rows": "{rows} 行与其他行完全相同（本行与第 {first} 行相同）",
    "replaces_other_period": (
        "将替换另一期间的批次 {batch}（{batch_file}）中 {rows} 行日期在 {periods} 的数据，不在本文件的期间 {period} 之内"
    ),
}


def warning_text_zh(warning: DataWarning) -> str:
    """1 行不在期间 2026-10 之内（第一行的日期：2026-09-15）"""
    values = {
        name: "、".join(str(v) for v in value) if isinstance(value, list | tuple) else value
        for name, value in warning.params.items()
    }
    return WARNINGS[warning.code].format(**values)


def warning_zh(warning: DataWarning) -> str:
    """文件 直通车.csv，第 5 行，列「日期」：1 行不在期间 2026-10 之内（第一行的日期：2026-09-15）"""
    return f"{place_zh(warning.file, warning.row, warning.column)}：{warning_text_zh(warning)}"
