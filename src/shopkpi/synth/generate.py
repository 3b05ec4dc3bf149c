"""`generate`: the synthetic company's export files under `<home>/synth/`, in the platforms' formats.

    synth/positions.csv, synth/employees.csv, synth/accounts.csv   the organisation (one shop changes hands on the 16th)
    synth/<YYYY-MM>/shop_daily/【生意参谋】<shop>_整体看板_<first>_<last>.xls   (天猫 shops and 直播间)
    synth/<YYYY-MM>/cs_daily/qianniu/<shop>/自制报表-报表查看-客服绩效_<first>_<last>_全部.xlsx
    synth/<YYYY-MM>/cs_daily/京东商智-客服工作量-<YYYYMM>.xlsx
    synth/<YYYY-MM>/campaigns/直通车_计划报表_<first>_<last>.csv      (GBK)
    synth/<YYYY-MM>/orders/订单明细_京东_<YYYY-MM>.csv
    synth/<YYYY-MM>/traffic_events/行为日志_<YYYY-MM>.csv             (streamed by DuckDB)
    synth/<YYYY-MM>/{sns_posts,tasks,targets,inputs,ratings}/…csv
    synth/<the month before>/sns_posts/…csv    (the 掉粉率 of the first month needs it)
    synth/manifest.json

The same arguments give the same bytes. Every file is recognised by an import profile without
`--profile` (the manifest names it).
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from shopkpi.data.metrics.org_snapshot import OrganisationSnapshot
from shopkpi.synth import daily, events, exports
from shopkpi.synth.calendar import Month, SynthCalendar
from shopkpi.synth.company import POSITIONS, SYCM_KINDS, Company, build_company, positions_yaml
from shopkpi.synth.entered import entered_tables
from shopkpi.synth.entered_metrics import month_figures
from shopkpi.synth.manifest import SynthFile, SynthManifest
from shopkpi.synth.tables import CanonicalTable, Value

Progress = Callable[[str], None]
EVENTS_PER_SHOP_DAY = 2000
DEFAULT_START = "2026-05"


class SynthError(ValueError):
    """Arguments or a target folder that `generate` refuses."""


@dataclass(frozen=True)
class _Tables:
    shop_daily: CanonicalTable
    qianniu: CanonicalTable
    jd_cs: CanonicalTable
    campaigns: CanonicalTable
    sns_posts: CanonicalTable
    tasks: CanonicalTable
    targets: CanonicalTable
    inputs: CanonicalTable
    ratings: CanonicalTable


def small_tables(company: Company, calendar: SynthCalendar, seed: int) -> _Tables:
    """Every dataset but the clickstream and the orders, for the whole calendar."""
    shop_daily = daily.shop_daily(company, calendar, seed)
    qianniu = daily.qianniu_cs(company, calendar, seed, shop_daily)
    jd = daily.jd_cs(company, calendar, seed)
    campaigns = daily.campaigns(company, calendar, seed)
    figures = month_figures(company, calendar, seed, shop_daily, qianniu, jd, campaigns)
    targets, inputs, ratings = entered_tables(company, calendar, seed, figures)
    return _Tables(
        shop_daily=shop_daily,
        qianniu=qianniu,
        jd_cs=jd,
        campaigns=campaigns,
        sns_posts=daily.sns_posts(company, calendar, seed),
        tasks=daily.tasks(company, calendar, seed),
        targets=targets,
        inputs=inputs,
        ratings=ratings,
    )


def in_month(table: CanonicalTable, column: str, month: Month) -> list[tuple[Value, ...]]:
    i = table.columns.index(column)
    prefix = month.text
    return [row for row in table.rows if str(row[i])[:7] == prefix]


def employees_table(company: Company) -> CanonicalTable:
    rows = [
        (e.id, e.name, e.department, e.position, e.supervisor, e.base_salary, e.hired_on, None)
        for e in company.employees
    ]
    columns = (
        "employee",
        "name",
        "department",
        "position",
        "supervisor",
        "base_salary",
        "hired_on",
        "left_on",
    )
    return CanonicalTable("employees", columns, rows)


def accounts_table(company: Company) -> CanonicalTable:
    rows = [(a.employee, a.kind, a.account, a.valid_from, a.valid_to) for a in company.accounts]
    return CanonicalTable("accounts", ("employee", "kind", "account", "valid_from", "valid_to"), rows)


def company_organisation(company: Company) -> OrganisationSnapshot:
    """The company's organisation as the metric step reads it (what importing its sheets gives)."""
    staff, owners = employees_table(company), accounts_table(company)
    return OrganisationSnapshot.of(
        (dict(zip(staff.columns, row, strict=True)) for row in staff.rows),
        (dict(zip(owners.columns, row, strict=True)) for row in owners.rows),
    )


def generate(
    home: Path,
    employees: int,
    months: int,
    seed: int,
    *,
    start: str = DEFAULT_START,
    events_per_day: int | None = None,
    progress: Progress | None = None,
) -> SynthManifest:
    """Write the synthetic company's export files under `home/synth/` (replacing an earlier synth)."""
    say = progress or (lambda _message: None)
    try:
        calendar = SynthCalendar.of(start, months)
        company = build_company(employees, seed, calendar)
    except ValueError as error:
        raise SynthError(str(error)) from None
    if events_per_day is not None and events_per_day < 0:
        raise SynthError(f"--events-per-day must be 0 or more, not {events_per_day}")
    per_day = (
        EVENTS_PER_SHOP_DAY * sum(1 for s in company.shops if s.kind in ("clickstream", "jd"))
        if events_per_day is None
        else events_per_day
    )
    root = home / "synth"
    _clear(root)
    files: list[SynthFile] = []

    def add(dataset: str, period: str | None, path: Path, rows: int, profile: str) -> None:
        files.append(SynthFile(dataset, period, path.relative_to(home), rows, profile))

    say(f"company: {employees} people, {len(company.shops)} shops, {len(company.agents)} agents")
    positions = CanonicalTable(
        "positions", ("position", "template"), [(p.name, p.template) for p in POSITIONS.values()]
    )
    path = root / "positions.csv"
    add(
        "positions",
        None,
        path,
        exports.canonical_csv(path, positions, positions.rows, chinese=True, encoding="utf-8"),
        "canonical",
    )
    staff = employees_table(company)
    path = root / "employees.csv"
    add(
        "employees",
        None,
        path,
        exports.canonical_csv(path, staff, staff.rows, chinese=False, encoding="utf-8"),
        "canonical",
    )
    owners = accounts_table(company)
    path = root / "accounts.csv"
    add(
        "accounts",
        None,
        path,
        exports.canonical_csv(path, owners, owners.rows, chinese=False, encoding="utf-8"),
        "canonical",
    )
    tables = small_tables(company, calendar, seed)
    prices = {s.name: s.price for s in company.shops}
    history = daily.sns_history_month(calendar)
    rows = in_month(tables.sns_posts, "date", history)
    if rows:
        path = root / history.text / "sns_posts" / f"新媒体运营日报_{history.text}.csv"
        written = exports.canonical_csv(path, tables.sns_posts, rows, chinese=True, encoding="utf-8-sig")
        add("sns_posts", history.text, path, written, "canonical")
    with tempfile.TemporaryDirectory(prefix="shopkpi-synth-") as temp:
        con = events.connection(Path(temp))
        try:
            for month in calendar.months:
                say(f"{month.text}: shop reports, service, promotion, new media, tasks")
                _month_files(root / month.text, month, company, tables, add)
                _large_files(con, root / month.text, month, company, seed, per_day, prices, add, say)
        finally:
            con.close()
    manifest = SynthManifest(
        home=home,
        employees=employees,
        months=tuple(m.text for m in calendar.months),
        seed=seed,
        files=tuple(files),
        handover_shop=company.handover.shop,
        handover_from=company.handover.from_employee,
        handover_to=company.handover.to_employee,
        handover_day=company.handover.day,
        position_templates={p.name: p.template for p in POSITIONS.values()},
        new_hire=company.new_hire.employee if company.new_hire else None,
        new_hire_day=company.new_hire.day if company.new_hire else None,
    )
    (root / "positions.yaml").write_text(positions_yaml(), encoding="utf-8")
    (root / "manifest.json").write_text(manifest.to_json() + "\n", encoding="utf-8")
    return manifest


def _clear(root: Path) -> None:
    if not root.exists():
        return
    if not root.is_dir() or (any(root.iterdir()) and not (root / "manifest.json").is_file()):
        raise SynthError(f"{root} exists and is not an earlier synth (no manifest.json); not touching it")
    shutil.rmtree(root)


def _month_files(
    folder: Path,
    month: Month,
    company: Company,
    tables: _Tables,
    add: Callable[[str, str | None, Path, int, str], None],
) -> None:
    period = month.text
    # each shop's rows, in the table's order (grouped once: a thousand shops filtering the month's rows
    # each took about two seconds at 1,000 people)
    shop_rows: dict[Value, list[tuple[Value, ...]]] = defaultdict(list)
    for row in in_month(tables.shop_daily, "date", month):
        shop_rows[row[0]].append(row)
    for shop in (s for s in company.shops if s.kind in SYCM_KINDS):
        rows = shop_rows.get(shop.name, [])
        path = folder / "shop_daily" / exports.sycm_file_name(shop.name, month)
        add("shop_daily", period, path, exports.write_sycm_shop(path, shop.name, month, rows), "sycm-shop")
    agent_shop = {a.account: a.shop for a in company.agents}
    qianniu_rows: dict[str, list[tuple[Value, ...]]] = defaultdict(list)
    for row in in_month(tables.qianniu, "date", month):
        qianniu_rows[agent_shop.get(str(row[0]), "")].append(row)
    for shop in company.shops_of("sycm"):
        rows = qianniu_rows.get(shop.name, [])
        if rows:
            path = folder / "cs_daily" / "qianniu" / shop.name / exports.qianniu_file_name(month)
            add("cs_daily", period, path, exports.write_qianniu(path, rows), "qianniu-cs")
    jd_rows = in_month(tables.jd_cs, "date", month)
    if jd_rows:
        path = folder / "cs_daily" / exports.jd_cs_file_name(month)
        add("cs_daily", period, path, exports.write_jd_cs(path, jd_rows), "jd-cs")
    campaign_rows = in_month(tables.campaigns, "date", month)
    if campaign_rows:
        path = folder / "campaigns" / exports.ztc_file_name(month)
        add("campaigns", period, path, exports.write_ztc(path, campaign_rows), "ztc-campaign")
    sheets: tuple[tuple[str, CanonicalTable, str, str, str], ...] = (
        ("sns_posts", tables.sns_posts, "date", f"新媒体运营日报_{period}.csv", "utf-8-sig"),
        ("tasks", tables.tasks, "due_at", f"设计文案任务登记_{period}.csv", "gbk"),
        ("targets", tables.targets, "period", f"考核目标_{period}.csv", "utf-8-sig"),
        ("inputs", tables.inputs, "period", f"手工录入数据_{period}.csv", "utf-8-sig"),
        ("ratings", tables.ratings, "period", f"评分_{period}.csv", "utf-8-sig"),
    )
    words = {"passed": exports.flag_word, "rater": exports.rater_word}
    for dataset, table, column, name, encoding in sheets:
        rows = in_month(table, column, month)
        if rows:
            path = folder / dataset / name
            written = exports.canonical_csv(path, table, rows, chinese=True, encoding=encoding, words=words)
            add(dataset, period, path, written, "canonical")


def _large_files(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    month: Month,
    company: Company,
    seed: int,
    per_day: int,
    prices: dict[str, float],
    add: Callable[[str, str | None, Path, int, str], None],
    say: Progress,
) -> None:
    period = month.text
    days = month.days()
    clicks = events.event_allocation(company, days, per_day * len(days), seed)
    orders = events.order_allocation(company, clicks, seed)
    if not orders.empty:
        say(f"{period}: {orders.rows:,} orders")
        path = folder / "orders" / f"订单明细_京东_{period}.csv"
        add("orders", period, path, events.write_orders_csv(con, path, orders, prices, seed), "canonical")
    if not clicks.empty:
        say(f"{period}: {clicks.rows:,} clickstream events")
        path = folder / "traffic_events" / f"行为日志_{period}.csv"
        add("traffic_events", period, path, events.write_events_csv(con, path, clicks, seed), "canonical")
