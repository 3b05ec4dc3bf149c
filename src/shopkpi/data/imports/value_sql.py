"""How a cell's text becomes a typed value, as DuckDB SQL expressions.

Parsing runs inside DuckDB so that a ten-million-row file is parsed at column speed and never
held in Python objects. Each column goes through two layers:

1. `clean_sql(raw, steps)`: the cell without surrounding white space (also full-width and no-break
   spaces); empty, `-`, `--` and `—` mean "no value" and become NULL.
2. `parsed_sql(type, c, timezone, steps)` gives the typed value (NULL when there is none or it cannot
   be parsed) and `problem_sql(type, c, v, steps)` the reason a non-empty cell is refused (NULL when
   it is fine).

A value used in several places (a number's text without separators, its parts …) is computed once
as a named column of `Steps`, one SELECT level per stage, not repeated in every expression that
reads it: the statement for a 千牛 workbook is 38 KB, not 100 KB, and DuckDB plans it in a third of
the time.

Rules (the spec's import rules): thousands separators, `¥`/`￥`/`元` are dropped; `38.00%` is
0.38 and a rate without `%` is already a fraction; a value is never rounded: one with more decimals
than its column keeps (read as a spreadsheet shows it: `37.519999999999996`, a double's noise, is 37.52) (money 2, a rate 6 as a fraction, seconds 3, a count none) is refused; money
(`decimal`) is never negative (refunds have their own columns); a `number` (a target or an input) is exact: it
takes the template language's suffixes (`3.25%` is 0.0325, `1.5万`/`1.5w` 15000, `2k` 2000) and a
value with more decimals than it holds is refused, never rounded; dates are `2026-10-01`, `2026/10/1`,
`2026.10.1`, `20261001`, `2026年10月1日` or Excel serial numbers; a timestamp without a zone is
local time, one with a zone (`Z`, `+08:00`) and unix seconds/milliseconds are converted to the
company's time zone; durations may be `1:05`, `0:01:05`, `1分5秒`. A cell that starts like a
spreadsheet formula (`=…`, or `+`/`-`/`@` followed by a call such as `@SUM(`, `+cmd|`) is refused,
never evaluated.
"""

from __future__ import annotations

from shopkpi.data.datasets import DUCKDB_TYPES, NUMBER_DECIMALS, ColumnType

BLANKS = ("", "-", "--", "—", "－", "——")
_SPACES = " \t\r\n\u3000\u00a0\ufeff"
_SPACE_CLASS = "[ \\t\\r\\n\\x{3000}\\x{a0}\\x{feff}]"
_EDGE_RE = f"^{_SPACE_CLASS}|{_SPACE_CLASS}$"  # a cell that starts or ends with one of _SPACES
_BLANK_BYTES = max(len(b.encode()) for b in BLANKS)
# a cell that may need more than its text as it is: empty, a space at an end, or a blank's or a
# formula's first sign; as a regular expression, and as the code points of its first and last
# characters (`ord` of an empty text is -1)
_SPECIAL_RE = "^$|^[ \\t\\r\\n\\x{3000}\\x{a0}\\x{feff}=+\\-@\\x{2014}\\x{ff0d}]|" + _SPACE_CLASS + "$"
_SPECIAL_FIRST = (-1, *sorted(ord(ch) for ch in _SPACES + "=+-@\u2014\uff0d"))
_SPECIAL_LAST = tuple(sorted(ord(ch) for ch in _SPACES))
_NUMBER_RE = r"[+\-]?(\d+\.?\d*|\.\d+)([eE][+\-]?\d{1,3})?"
_TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y%m%d",
    "%Y%m%d%H%M%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)
# Largest magnitudes that fit the DuckDB types of the registry.
_LIMITS: dict[ColumnType, str] = {
    "integer": "9223372036854775807",
    "decimal": "9999999999999999.99",
    "number": "9" * (38 - NUMBER_DECIMALS) + "." + "9" * NUMBER_DECIMALS,
    "rate": "999999.999999",
    "seconds": "99999999999.999",
}
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


class Steps:
    """The intermediate values of one statement, each computed once as a named column.

    `steps(sql)` names `sql` (the same text twice gets the same name) and returns the name to use in
    its place; a value reading a named one goes one SELECT level after it. `from_sql(rows)` is the
    FROM item that adds every level to `rows`. Only what is computed for every row anyway is named:
    a value inside a CASE branch stays there (a branch is evaluated only for its rows).
    """

    def __init__(self) -> None:
        self._levels: dict[str, int] = {}  # quoted name -> level
        self._names: dict[str, str] = {}  # sql -> quoted name
        self.levels: list[list[tuple[str, str]]] = []

    def __call__(self, sql: str, name: str | None = None) -> str:
        if name is None and sql in self._names:
            return self._names[sql]
        quoted = ident(name if name is not None else f"_w{len(self._levels)}")
        level = max((lv for n, lv in self._levels.items() if n in sql), default=-1) + 1
        if level == len(self.levels):
            self.levels.append([])
        self.levels[level].append((quoted, sql))
        self._levels[quoted] = level
        self._names.setdefault(sql, quoted)
        return quoted

    def from_sql(self, rows: str) -> str:
        """`rows` (a FROM item) with every named value added, level by level."""
        sql = rows
        for i, level in enumerate(self.levels):
            named = ", ".join(f"{value} AS {name}" for name, value in level)
            sql = f"(SELECT *, {named} FROM {sql} AS _l{i})"
        return sql


def special_sql(raw: str, *, many_rows: bool = False) -> str:
    """True for a cell that `clean_sql` may change or `problem_sql` may refuse as formula-like (it
    starts or ends with a space, is empty, or starts with `-`, `—`, `－`, `=`, `+` or `@`); False for
    every other cell, which is its own clean text: the many plain cells skip the rest.

    The same test two ways: a regular expression, quick to plan; for `many_rows` (a file of a million
    rows), the code points of the first and last characters, a third of the time per cell but about 20 ms
    longer to plan (DuckDB plans an IN list as a join). The last character is `raw[-1]`, not
    `right(raw, 1)`, which takes twice as long."""
    if not many_rows:
        return f"regexp_matches({raw}, {quote(_SPECIAL_RE)})"
    first = ", ".join(map(str, _SPECIAL_FIRST))
    last = ", ".join(map(str, _SPECIAL_LAST))
    return f"(ord({raw}) IN ({first}) OR ord({raw}[-1]) IN ({last}))"


def clean_sql(raw: str, steps: Steps, special: str | None = None) -> str:
    """`raw` without surrounding space, NULL for a blank; with `special` (the name of
    `special_sql(raw)`), only the special cells go through it."""
    # trim() with a set of characters is slow: only a cell that starts or ends with one is trimmed;
    # the blanks are compared one by one (DuckDB turns an IN list into a join)
    trimmed = f"(CASE WHEN regexp_matches({raw}, {quote(_EDGE_RE)}) THEN trim({raw}, {quote(_SPACES)}) ELSE {raw} END)"
    if special is not None:
        trimmed = steps(f"(CASE WHEN {special} THEN {trimmed} ELSE {raw} END)")
        guard = f"{special} AND "
    else:
        trimmed = steps(trimmed)
        guard = ""
    blanks = " OR ".join(f"{trimmed} = {quote(b)}" for b in BLANKS)
    return (
        f"(CASE WHEN {guard}strlen({trimmed}) <= {_BLANK_BYTES} AND ({blanks}) THEN NULL ELSE {trimmed} END)"
    )


def _number_text(c: str, steps: Steps) -> str:
    """A number's text without separators and currency signs, read as a spreadsheet shows it: a
    decimal of 16 or 17 significant digits whose fraction ends in a run of zeros or nines and a digit
    or two is a binary double's noise (`37.519999999999996`, the stored value of a cell that shows
    37.52) and is read at Excel's 15 significant digits; `100000000000000.25` is kept as written."""
    text = steps(f"regexp_replace({c}, '[,，\\s\\x{{3000}}¥￥元]', '', 'g')")
    digits = f"length(ltrim(regexp_replace({text}, '[^0-9]', '', 'g'), '0'))"
    shown = f"printf('%.15g', TRY_CAST({text} AS DOUBLE))"
    return steps(
        f"(CASE WHEN regexp_full_match({text}, '[+\\-]?\\d+\\.\\d*(0{{6,}}|9{{6,}})\\d{{1,2}}') AND {digits} BETWEEN 16 AND 17"
        f" AND NOT contains({shown}, 'e') THEN {shown} ELSE {text} END)"
    )


def _number(c: str, steps: Steps) -> str:
    """DECIMAL(38,6) of a plain number with separators and currency signs, or NULL."""
    text = _number_text(c, steps)
    return f"(CASE WHEN regexp_full_match({text}, '{_NUMBER_RE}') THEN TRY_CAST({text} AS DECIMAL(38,6)) END)"


# a `number`: sign, digits, fraction, exponent, and a suffix of the template language (shopkpi.scorecard.numbers)
_EXACT_RE = r"^([+\-]?)(\d*)\.?(\d*)(?:[eE]([+\-]?\d{1,3}))?([%万wWkK]?)$"
_SUFFIX_EXPONENTS = {"%": -2, "万": 4, "w": 4, "W": 4, "k": 3, "K": 3}


def _exact_matches(c: str, steps: Steps) -> str:
    text = _number_text(c, steps)
    return steps(f"(regexp_full_match({text}, {quote(_EXACT_RE)}) AND regexp_matches({text}, '\\d'))")


def _exact_parts(c: str, steps: Steps) -> tuple[str, str, str, str]:
    """(sign, digits before the point, digits after it, exponent including the suffix's) of a `number`."""
    parts = steps(
        f"regexp_extract({_number_text(c, steps)}, {quote(_EXACT_RE)}, ['sign', 'whole', 'fraction', 'exp', 'suffix'])"
    )
    sign, whole, fraction, exp, suffix = (
        f"struct_extract({parts}, {quote(k)})" for k in ("sign", "whole", "fraction", "exp", "suffix")
    )
    shift = " ".join(f"WHEN {quote(k)} THEN {v}" for k, v in _SUFFIX_EXPONENTS.items())
    exponent = steps(
        f"(coalesce(TRY_CAST(nullif({exp}, '') AS INTEGER), 0) + CASE {suffix} {shift} ELSE 0 END)"
    )
    return sign, whole, fraction, exponent


def _exact_decimals(c: str, steps: Steps) -> str:
    """The decimals of a `number`'s value: 3.25% has 4, 1.50 has 1, 1.5万 none (or fewer than 0)."""
    _, _, fraction, exponent = _exact_parts(c, steps)
    return f"(length(rtrim({fraction}, '0')) - {exponent})"


def _exact(c: str, steps: Steps) -> str:
    """The exact DECIMAL(38,10) of a `number` (the suffix moves the decimal point), or NULL."""
    sign, whole, fraction, exponent = _exact_parts(c, steps)
    text = (
        f"{sign} || coalesce(nullif({whole}, ''), '0') || CASE WHEN {fraction} = '' THEN '' ELSE '.' || {fraction} END"
        f" || 'e' || CAST({exponent} AS VARCHAR)"
    )
    return f"(CASE WHEN {_exact_matches(c, steps)} THEN TRY_CAST({text} AS {DUCKDB_TYPES['number']}) END)"


# the decimals each type keeps (DUCKDB_TYPES); a value with more is refused, never rounded
KEPT_DECIMALS: dict[ColumnType, int] = {"integer": 0, "decimal": 2, "rate": 6, "seconds": 3}


def _plain_decimals(c: str, type_: ColumnType, steps: Steps) -> str:
    """The decimals of a plain number's value (trailing zeros do not count; `1.5e-3` has 4; a rate's
    `%` adds 2), for `integer`, `decimal`, `rate` and `seconds` cells (`1:05.5`, `1分5.25秒` too)."""
    text = _number_text(c, steps)
    fraction = f"regexp_extract({text}, '\\.(\\d+)', 1)"
    exponent = (
        f"coalesce(TRY_CAST(nullif(regexp_extract({text}, '[eE]([+\\-]?\\d{{1,3}})$', 1), '') AS INTEGER), 0)"
    )
    percent = f" + CASE WHEN suffix({text}, '%') THEN 2 ELSE 0 END" if type_ == "rate" else ""
    return f"(length(rtrim({fraction}, '0')) - {exponent}{percent})"


def _looks_numeric(c: str) -> str:
    text = f"regexp_replace({c}, '[,，\\s\\x{{3000}}¥￥元%]', '', 'g')"
    return f"regexp_full_match({text}, '{_NUMBER_RE}')"


def _rate(c: str, steps: Steps) -> str:
    percent = steps(f"(CASE WHEN suffix({c}, '%') THEN left({c}, -1) END)")  # the number before a `%`
    return f"(CASE WHEN suffix({c}, '%') THEN {_number(percent, steps)} * 0.01 ELSE {_number(c, steps)} END)"


def _seconds(c: str, steps: Steps) -> str:
    def part(expr: str) -> str:
        return f"coalesce(TRY_CAST(nullif({expr}, '') AS DECIMAL(38,6)), 0)"

    hms = (
        f"{part(f'split_part({c}, chr(58), 1)')} * 3600 + {part(f'split_part({c}, chr(58), 2)')} * 60"
        f" + {part(f'split_part({c}, chr(58), 3)')}"
    )
    ms = f"{part(f'split_part({c}, chr(58), 1)')} * 60 + {part(f'split_part({c}, chr(58), 2)')}"
    zh_re = r"((\d+)小时)?((\d+)分钟?)?((\d+(\.\d+)?)秒)?"
    zh = (
        f"{part(f'regexp_extract({c}, {quote(zh_re)}, 2)')} * 3600"
        f" + {part(f'regexp_extract({c}, {quote(zh_re)}, 4)')} * 60"
        f" + {part(f'regexp_extract({c}, {quote(zh_re)}, 6)')}"
    )
    # the number before an `s`
    unit = steps(f"(CASE WHEN regexp_full_match({c}, '{_NUMBER_RE}[sS]') THEN left({c}, -1) END)")
    return (
        "(CASE"
        f" WHEN regexp_full_match({c}, '\\d+:\\d{{1,2}}:\\d{{1,2}}(\\.\\d+)?') THEN {hms}"
        f" WHEN regexp_full_match({c}, '\\d+:\\d{{1,2}}(\\.\\d+)?') THEN {ms}"
        f" WHEN regexp_full_match({c}, {quote(zh_re)}) AND regexp_matches({c}, '\\d') THEN {zh}"
        f" WHEN {unit} IS NOT NULL THEN {_number(unit, steps)}"
        f" ELSE {_number(c, steps)} END)"
    )


def _excel_serial(c: str) -> str:
    """The number of an Excel serial date/time cell (1 .. 9999-12-31), or NULL."""
    return (
        f"(CASE WHEN regexp_full_match({c}, '\\d{{1,7}}(\\.\\d+)?')"
        f" AND TRY_CAST({c} AS DECIMAL(38,10)) BETWEEN 1 AND {EXCEL_SERIAL_MAX}"
        f" THEN TRY_CAST({c} AS DECIMAL(38,10)) END)"
    )


def _date(c: str) -> str:
    dashed = f"regexp_replace({c}, '[/.]', '-', 'g')"
    ymd = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    date_part = f"regexp_replace(regexp_extract({c}, '^({ymd})', 1), '[/.]', '-', 'g')"
    return (
        "(CASE"
        f" WHEN regexp_full_match({c}, '{ymd}') THEN CAST(try_strptime({dashed}, '%Y-%m-%d') AS DATE)"
        f" WHEN regexp_full_match({c}, '\\d{{8}}') THEN CAST(try_strptime({c}, '%Y%m%d') AS DATE)"
        f" WHEN regexp_full_match({c}, '\\d{{4}}年\\d{{1,2}}月\\d{{1,2}}日')"
        f" THEN CAST(try_strptime({c}, '%Y年%m月%d日') AS DATE)"
        f" WHEN regexp_full_match({c}, '{ymd}[ T]\\d{{1,2}}:\\d{{2}}(:\\d{{2}}(\\.\\d+)?)?')"
        f" THEN CAST(try_strptime({date_part}, '%Y-%m-%d') AS DATE)"
        f" WHEN {_excel_serial(c)} IS NOT NULL"
        f" THEN DATE '1899-12-30' + CAST(floor({_excel_serial(c)}) AS INTEGER)"
        " END)"
    )


def common_timestamp_sql(c: str) -> str:
    """The timestamp of text `c` in the common format `2026-10-01 09:30:00` (DuckDB's strptime, which
    also skips ASCII spaces around it), else NULL: what `parsed_sql` tries first."""
    return f"try_strptime({c}, {quote(_TIMESTAMP_FORMATS[0])})"


def _timestamp(c: str, timezone: str) -> str:
    formats = "[" + ", ".join(quote(f) for f in _TIMESTAMP_FORMATS) + "]"
    tz = quote(timezone)
    serial = _excel_serial(c)
    # the common `2026-10-01 09:30:00` first: no other branch takes a text this format reads
    return (
        f"coalesce({common_timestamp_sql(c)}, CASE"
        f" WHEN regexp_full_match({c}, '\\d{{9,10}}(\\.\\d+)?')"
        f" THEN timezone({tz}, to_timestamp(CAST({c} AS DOUBLE)))"
        f" WHEN regexp_full_match({c}, '\\d{{13}}')"
        f" THEN timezone({tz}, to_timestamp(CAST({c} AS BIGINT) / 1000))"
        f" WHEN regexp_matches({c}, '^\\d{{4}}-\\d{{2}}-\\d{{2}}.*\\d(Z|[+\\-]\\d{{2}}:?\\d{{2}})$')"
        f" THEN timezone({tz}, TRY_CAST({c} AS TIMESTAMPTZ))"
        f" WHEN {serial} IS NOT NULL AND NOT regexp_full_match({c}, '\\d{{8}}')"
        f" THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round({serial} * 86400000000) AS BIGINT))"
        f" ELSE try_strptime(replace({c}, '/', '-'), {formats}) END)"
    )


def parsed_sql(type_: ColumnType, c: str, timezone: str, steps: Steps) -> str:
    """The value of cleaned text `c` before the range checks (NULL when unparseable)."""
    if type_ == "text":
        return c
    if type_ in ("integer", "decimal"):
        return _number(c, steps)
    if type_ == "number":
        return _exact(c, steps)
    if type_ == "rate":
        return _rate(c, steps)
    if type_ == "seconds":
        return _seconds(c, steps)
    if type_ == "date":
        return _date(c)
    return _timestamp(c, timezone)


def formula_sql(c: str) -> str:
    """True for a cell that a spreadsheet would run as a formula: it starts with `=`, or with `+`, `-`
    or `@` and calls something (`(`, DDE's `|`, a sheet reference's `!`, or `=`). A Weibo handle
    such as `@旗舰店` or a number such as `-5` is not one."""
    return f"({c}[1] = '=' OR ({c}[1] IN ('+', '-', '@') AND regexp_matches({c}, '[(|!=]')))"


def problem_sql(type_: ColumnType, c: str, v: str, steps: Steps, special: str | None = None) -> str:
    """The reason cleaned text `c` (parsed as `v` by `parsed_sql`) is refused, or NULL; `special` (a
    boolean of the raw cell, `special_sql`) spares the formula check for the plain cells."""
    shown = f"left({c}, 40)"
    formula = formula_sql(c) if special is None else f"{special} AND {formula_sql(c)}"
    checks = [f"WHEN {formula} THEN 'formula-like cell refused: ' || {shown}"]
    if type_ == "number":
        checks.append(f"WHEN NOT {_exact_matches(c, steps)} THEN 'not a number: ' || {shown}")
        checks.append(
            f"WHEN {_exact_decimals(c, steps)} > {NUMBER_DECIMALS} "
            f"THEN 'more than {NUMBER_DECIMALS} decimals (the most this column holds): ' || {shown}"
        )
        checks.append(f"WHEN {v} IS NULL THEN 'number too large: ' || {shown}")
    if type_ in ("integer", "decimal", "rate", "seconds"):
        too_large = f"'number too large: ' || {shown}"
        checks.append(f"WHEN {v} IS NULL AND {_looks_numeric(c)} THEN {too_large}")
        what = {"integer": "a number", "decimal": "a number", "rate": "a rate", "seconds": "a duration"}
        checks.append(f"WHEN {v} IS NULL THEN 'not {what[type_]}: ' || {shown}")
        checks.append(f"WHEN abs({v}) > {_LIMITS[type_]} THEN {too_large}")
        kept = KEPT_DECIMALS[type_]
        decimals = _plain_decimals(c, type_, steps)
        if type_ == "integer":
            checks.append(f"WHEN {decimals} > 0 THEN 'not a whole number: ' || {shown}")
        else:
            checks.append(
                f"WHEN {decimals} > {kept} "
                f"THEN 'more than {kept} decimals (the most this column holds): ' || {shown}"
            )
    if type_ == "integer":
        checks.append(f"WHEN {v} < 0 THEN 'negative count: ' || {shown}")
    if type_ == "decimal":
        checks.append(f"WHEN {v} < 0 THEN 'negative amount: ' || {shown}")
    if type_ == "seconds":
        checks.append(f"WHEN {v} < 0 THEN 'negative duration: ' || {shown}")
    if type_ == "rate":
        checks.append(f"WHEN {v} < 0 OR {v} > 1 THEN 'rate outside 0–100%: ' || {shown}")
    if type_ == "date":
        checks.append(f"WHEN {v} IS NULL THEN 'not a date: ' || {shown}")
    if type_ == "timestamp":
        checks.append(f"WHEN {v} IS NULL THEN 'not a date and time: ' || {shown}")
    return f"(CASE WHEN {c} IS NULL THEN NULL {' '.join(checks)} END)"


def typed_sql(type_: ColumnType, v: str) -> str:
    """The parsed value `v` cast to the registry's DuckDB type."""
    if type_ in ("text", "date", "timestamp"):
        return f"CAST({v} AS {DUCKDB_TYPES[type_]})"
    return f"TRY_CAST({v} AS {DUCKDB_TYPES[type_]})"


def period_sql(c: str) -> str:
    """A period `2026-10` from `2026-10`, `2026/10`, `202610` or `2026年10月`, else NULL."""
    parts = f"regexp_extract({c}, '^(\\d{{4}})[-/.年]?(\\d{{1,2}})月?$', ['y', 'm'])"
    month = f"TRY_CAST({parts}.m AS INTEGER)"
    return f"(CASE WHEN {month} BETWEEN 1 AND 12 THEN {parts}.y || '-' || lpad(CAST({month} AS VARCHAR), 2, '0') END)"
