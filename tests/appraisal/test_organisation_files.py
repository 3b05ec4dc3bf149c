"""The roster (花名册), account and position workbooks through the one import service into the
organisation: the preview, the refusals (file, row, column; nothing changed), effective dates and
hand-overs, with hand-made files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from shopkpi.appraisal.importing.imports import ImportRequest, OrganisationChange, run_import
from shopkpi.appraisal.models import Account, AuditEntry, Employee, EmployeeTerms, Position
from shopkpi.data.problems import ImportRefused

pytestmark = pytest.mark.django_db
D = dt.date

ROSTER = (
    "工号,姓名,部门,岗位,上级工号,基本工资,入职日期,离职日期,邮箱,手机\n"
    "E01,高总,总经办,总经理,,20000,2025-01-01,,gao@example.com,13800000001\n"
    "E02,马经理,运营部,运营经理,E01,12000,2025-02-01,,,\n"
    "E03,艾运营,运营部,运营专员,E02,6000,2025-03-01,,,\n"
    "E04,包运营,运营部,运营专员,E02,6000,2025-03-01,,,\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def imported(
    home: Path, dataset: str, path: Path, *, dry_run: bool = False
) -> tuple[OrganisationChange, ...]:
    report = run_import(home, ImportRequest(files=(path,), user="hr-li", dataset=dataset, dry_run=dry_run))
    assert report.state == ("previewed" if dry_run else "imported")
    return report.changes


def kinds(changes: tuple[OrganisationChange, ...]) -> list[tuple[str, str]]:
    return [(c.kind, c.subject) for c in changes]


def refusal(home: Path, dataset: str, path: Path) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ImportRefused) as refused:
        run_import(home, ImportRequest(files=(path,), user="hr-li", dataset=dataset))
    assert {p.file for p in refused.value.problems} == {path.name}
    return [(p.row, p.column, p.reason) for p in refused.value.problems]


def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    """Everything a refused import must leave as it was."""
    people = list(Employee.objects.values_list("code", "name", "supervisor__code", "base_salary", "left_on"))
    owners = list(Account.objects.values_list("employee__code", "kind", "account", "valid_from", "valid_to"))
    return people, owners, AuditEntry.objects.count()


@pytest.fixture
def company(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    imported(home, "employees", write(tmp_path / "花名册.csv", ROSTER))
    return home


def test_the_preview_lists_new_people_departments_and_positions_and_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "花名册.csv", ROSTER)
    changes = imported(tmp_path / "home", "employees", path, dry_run=True)
    assert kinds(changes) == [
        ("new_department", "总经办"),
        ("new_department", "运营部"),
        ("new_position", "总经理"),
        ("new_position", "运营专员"),
        ("new_position", "运营经理"),
        ("position_without_template", "总经理"),
        ("position_without_template", "运营专员"),
        ("position_without_template", "运营经理"),
        ("new_employee", "E01"),
        ("new_employee", "E02"),
        ("new_employee", "E03"),
        ("new_employee", "E04"),
    ]
    assert not Employee.objects.exists() and not AuditEntry.objects.exists()


def test_the_roster_is_written_with_terms_contacts_and_an_audit_entry_per_change(company: Path) -> None:
    e02 = Employee.objects.get(code="E02")
    assert (e02.name, e02.department.name, e02.position.name, e02.supervisor.code) == (  # type: ignore[union-attr]
        "马经理",
        "运营部",
        "运营经理",
        "E01",
    )
    assert e02.base_salary == Decimal("12000.00") and e02.hired_on == D(2025, 2, 1)
    assert Employee.objects.get(code="E01").email == "gao@example.com"
    assert list(EmployeeTerms.objects.filter(employee=e02).values_list("valid_from", "supervisor__code")) == [
        (None, "E01")
    ]
    actions = list(AuditEntry.objects.values_list("actor", "action", "object_id"))
    # 2 departments + 3 positions + 4 people, then the import itself
    assert [a for _, a, _ in actions].count("org.employee.add") == 4
    assert actions[-1] == ("hr-li", "data.import", "employees")
    assert {a for a, _, _ in actions} == {"hr-li"}
    added = AuditEntry.objects.get(action="org.employee.add", object_id="E03").after
    assert added["supervisor"] == "E02" and added["base_salary"] == "6000.00"


def test_changes_leavers_and_new_people_are_previewed_with_their_dates(company: Path, tmp_path: Path) -> None:
    Employee.objects.filter(code="E04").update()  # unchanged, so not listed
    path = write(
        tmp_path / "花名册-11月.csv",
        "工号,姓名,部门,岗位,上级工号,基本工资,离职日期,生效日期\n"
        "E03,艾运营,客服部,运营专员,E02,6500,,2026-11-16\n"
        "E04,包运营,运营部,运营专员,E02,6000,2026-11-30,\n"
        "E05,陈客服,客服部,客服专员,E02,5000,,\n",
    )
    changes = imported(company, "employees", path, dry_run=True)
    listed = [(c.kind, c.subject, c.field, c.before, c.after, c.valid_from) for c in changes]
    assert listed == [
        ("new_department", "客服部", "", None, None, None),
        ("new_position", "客服专员", "", None, None, None),
        ("position_without_template", "客服专员", "", None, None, None),
        ("position_without_template", "运营专员", "", None, None, None),
        ("new_employee", "E05", "", None, "陈客服", None),
        ("changed_field", "E03", "department", "运营部", "客服部", D(2026, 11, 16)),
        ("changed_field", "E03", "base_salary", Decimal("6000.00"), Decimal("6500"), D(2026, 11, 16)),
        ("leaver", "E04", "left_on", None, D(2026, 11, 30), None),
    ]
    imported(company, "employees", path)
    terms = list(
        EmployeeTerms.objects.filter(employee__code="E03").values_list(
            "valid_from", "department__name", "base_salary"
        )
    )
    # the change on the 16th applies from the 16th: the 15th is still the old terms
    assert terms == [(None, "运营部", Decimal("6000.00")), (D(2026, 11, 16), "客服部", Decimal("6500.00"))]
    entry = AuditEntry.objects.get(
        action="org.employee.change", object_id="E03", before__has_key="department"
    )
    assert entry.before == {"department": "运营部"}
    assert entry.after == {"department": "客服部", "valid_from": "2026-11-16"}


def test_an_unknown_supervisor_is_refused_at_its_row_and_column(company: Path, tmp_path: Path) -> None:
    before = snapshot()
    path = write(tmp_path / "roster.csv", "工号,姓名,部门,岗位,上级工号\nE05,陈客服,客服部,客服专员,E99\n")
    assert refusal(company, "employees", path) == [(2, "上级工号", "没有工号为 E99 的员工可以做上级。")]
    assert snapshot() == before


def test_a_supervisor_loop_is_refused_and_nothing_changes(company: Path, tmp_path: Path) -> None:
    before = snapshot()
    # E01 reports to E02 who reports to E01 (E02's line is already recorded)
    path = write(
        tmp_path / "roster.csv",
        "工号,姓名,部门,岗位,上级工号,生效日期\nE05,陈客服,客服部,客服专员,E01,\nE01,高总,总经办,总经理,E02,2026-12-01\n",
    )
    problems = refusal(company, "employees", path)
    assert problems == [(3, "上级工号", "上级关系成环：E01 → E02 → E01（自 2026-12-01 起）。")]
    assert snapshot() == before


def test_someone_cannot_report_to_themself(company: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "roster.csv", "工号,姓名,部门,岗位,上级工号\nE05,陈客服,客服部,客服专员,E05\n")
    assert refusal(company, "employees", path) == [(2, "上级工号", "不能做自己的上级。")]


def test_an_xlsx_roster_with_excel_dates_is_read_like_the_csv(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["工号", "姓名", "部门", "岗位", "上级工号", "基本工资", "入职日期"])
    sheet.append(["E01", "高总", "总经办", "总经理", None, 20000, dt.datetime(2025, 1, 1)])
    sheet.append(["E02", "马经理", "运营部", "运营经理", "E01", "12,000.50", "2025/2/1"])
    book.save(tmp_path / "花名册.xlsx")
    imported(tmp_path / "home", "employees", tmp_path / "花名册.xlsx")
    assert list(Employee.objects.values_list("code", "hired_on", "base_salary", "supervisor__code")) == [
        ("E01", D(2025, 1, 1), Decimal("20000.00"), None),
        ("E02", D(2025, 2, 1), Decimal("12000.50"), "E01"),
    ]


# ---- accounts -------------------------------------------------------------------------------------


def windows() -> list[tuple[str, str, str, dt.date | None, dt.date | None]]:
    return list(
        Account.objects.order_by("kind", "account", "valid_from").values_list(
            "employee__code", "kind", "account", "valid_from", "valid_to"
        )
    )


ACCOUNTS = (
    "工号,账号类型,账号,生效日期,失效日期\n"
    "E03,店铺,旗舰店,2026-10-01,\n"
    "E03,旺旺子账号,旗舰店:小美,2026-10-01,\n"
    "E04,京东客服,jd_kefu01,,\n"
    "E04,推广计划,双11爆款,2026-10-01,2026-11-30\n"
    "E02,SNS账号,官方微博,,\n"
    "E02,类目,女装,,\n"
    "E04,任务,包运营,,\n"
)


def test_account_types_in_chinese_become_owners(company: Path, tmp_path: Path) -> None:
    changes = imported(company, "accounts", write(tmp_path / "账号.csv", ACCOUNTS))
    assert {c.kind for c in changes} == {"new_owner"}
    assert windows() == [
        ("E04", "agent", "jd_kefu01", None, None),
        ("E03", "agent", "旗舰店:小美", D(2026, 10, 1), None),
        ("E04", "assignee", "包运营", None, None),
        ("E04", "campaign", "双11爆款", D(2026, 10, 1), D(2026, 11, 30)),
        ("E02", "category", "女装", None, None),
        ("E03", "shop", "旗舰店", D(2026, 10, 1), None),
        ("E02", "sns", "官方微博", None, None),
    ]


def test_a_hand_over_on_the_16th_ends_the_earlier_window_the_day_before(
    company: Path, tmp_path: Path
) -> None:
    imported(company, "accounts", write(tmp_path / "账号.csv", ACCOUNTS))
    path = write(tmp_path / "交接.csv", "工号,账号类型,账号,生效日期\nE04,店铺,旗舰店,2026-10-16\n")
    preview = imported(company, "accounts", path, dry_run=True)
    assert [(c.kind, c.subject, c.before, c.after, c.valid_from) for c in preview] == [
        ("hand_over", "shop:旗舰店", "E03", "E04", D(2026, 10, 16))
    ]
    assert windows()[-2][4] is None  # the preview wrote nothing
    imported(company, "accounts", path)
    shop = [w for w in windows() if w[1] == "shop"]
    assert shop == [
        ("E03", "shop", "旗舰店", D(2026, 10, 1), D(2026, 10, 15)),
        ("E04", "shop", "旗舰店", D(2026, 10, 16), None),
    ]
    entry = AuditEntry.objects.get(action="org.account.hand_over")
    assert (entry.object_id, entry.before, entry.after) == (
        "shop:旗舰店",
        {"employee": "E03"},
        {"employee": "E04", "valid_from": "2026-10-16"},
    )


def test_next_months_hand_over_leaves_every_earlier_day_as_it_was(company: Path, tmp_path: Path) -> None:
    imported(company, "accounts", write(tmp_path / "账号.csv", ACCOUNTS))
    november = [w for w in windows() if w[0] == "E03"]
    imported(
        company,
        "accounts",
        write(tmp_path / "12月.csv", "工号,账号类型,账号,生效日期\nE04,店铺,旗舰店,2026-12-01\n"),
    )
    shop = [w for w in windows() if w[1] == "shop"]
    # E03 still owns the shop every day of October and November; E04 from December
    assert shop == [
        ("E03", "shop", "旗舰店", D(2026, 10, 1), D(2026, 11, 30)),
        ("E04", "shop", "旗舰店", D(2026, 12, 1), None),
    ]
    assert [w for w in windows() if w[0] == "E03" and w[1] != "shop"] == [
        w for w in november if w[1] != "shop"
    ]
    # the same old file again changes nothing: its open-ended row still ends where the next owner begins
    again = imported(company, "accounts", write(tmp_path / "账号-again.csv", ACCOUNTS))
    assert again == ()
    assert [w for w in windows() if w[1] == "shop"] == shop


def test_two_owners_of_one_account_on_one_day_are_refused(company: Path, tmp_path: Path) -> None:
    imported(company, "accounts", write(tmp_path / "账号.csv", ACCOUNTS))
    before = snapshot()
    # 双11爆款 is E04's until 2026-11-30, a closed window: no hand-over into it
    path = write(tmp_path / "overlap.csv", "工号,账号类型,账号,生效日期\nE03,推广计划,双11爆款,2026-11-20\n")
    assert refusal(company, "accounts", path) == [
        (2, "生效日期", "双11爆款 在 2026-11-20 … 2026-11-30 有两个归属人（E04 和 E03）。")
    ]
    assert snapshot() == before


def test_an_unknown_account_type_and_an_unknown_employee_are_refused_with_their_columns(
    company: Path, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "bad.csv",
        "工号,账号类型,账号,生效日期\nE03,抖音号,官方抖音,2026-10-01\nE99,店铺,旗舰店,2026-10-01\n",
    )
    assert refusal(company, "accounts", path) == [
        (
            2,
            "账号类型",
            "不认识的账号类型“抖音号”（可写：店铺、旺旺子账号、京东客服、推广计划、SNS账号、类目、任务）。",
        ),
        (3, "工号", "没有工号为 E99 的员工。"),
    ]
    assert not Account.objects.exists()


def test_a_leaver_who_still_owns_an_account_is_refused(company: Path, tmp_path: Path) -> None:
    imported(company, "accounts", write(tmp_path / "账号.csv", ACCOUNTS))
    before = snapshot()
    leaver = write(
        tmp_path / "leaver.csv", "工号,姓名,部门,岗位,离职日期\nE03,艾运营,运营部,运营专员,2026-11-30\n"
    )
    assert refusal(company, "employees", leaver) == [
        (
            2,
            "离职日期",
            "E03 在离职日期 2026-11-30 之后仍是 旗舰店、旗舰店:小美 的归属人；请先交接这些账号（新归属人自 2026-12-01 起）或结束归属。",
        )
    ]
    assert snapshot() == before
    # handed over from the day after, the same leaver file goes through
    imported(
        company,
        "accounts",
        write(
            tmp_path / "handover.csv",
            "工号,账号类型,账号,生效日期\nE04,店铺,旗舰店,2026-12-01\nE04,旺旺子账号,旗舰店:小美,2026-12-01\n",
        ),
    )
    # (运营专员 still waits for its template: every import that uses it says so)
    assert kinds(imported(company, "employees", leaver)) == [
        ("position_without_template", "运营专员"),
        ("leaver", "E03"),
    ]


# ---- positions ------------------------------------------------------------------------------------


def test_positions_bind_templates_by_id_or_name_and_unknown_ones_are_refused(
    company: Path, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "岗位.csv",
        "岗位,考核表模板\n运营专员,s001-operations\n客服专员,售前客服\n运营经理,\n",
    )
    changes = imported(company, "positions", path)
    assert [(c.kind, c.subject, c.after) for c in changes] == [
        ("new_position", "客服专员", "s004-presales-customer-service"),
        ("position_template", "运营专员", "s001-operations"),
        ("position_without_template", "运营经理", None),
    ]
    assert dict(Position.objects.values_list("name", "template_id"))["运营专员"] == "s001-operations"
    bad = write(tmp_path / "bad.csv", "岗位,考核表模板\n运营专员,no-such-card\n")
    assert refusal(company, "positions", bad) == [
        (2, "考核表模板", "没有模板“no-such-card”（写模板的编号或名称，如 s001-customer-service）。")
    ]


def test_positions_bind_quarter_and_year_cards_of_their_own_period(company: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "岗位.csv",
        "岗位,考核表模板,季度考核表模板,年度考核表模板\n运营专员,s001-operations,quarter-card,year-card\n",
    )
    changes = imported(company, "positions", path)
    assert [(c.kind, c.field, c.after) for c in changes] == [
        ("position_template", "template", "s001-operations"),
        ("position_template", "quarter_template", "quarter-card"),
        ("position_template", "year_template", "year-card"),
    ]
    bound = Position.objects.get(name="运营专员")
    assert (bound.quarter_template_id, bound.year_template_id) == ("quarter-card", "year-card")
    assert AuditEntry.objects.filter(action="org.position.template", object_id="运营专员").count() == 3
    # a month's card in the quarter's column is refused with its row and column; nothing changes
    before = snapshot()
    bad = write(tmp_path / "bad.csv", "岗位,季度考核表模板\n运营专员,s001-operations\n")
    assert refusal(company, "positions", bad) == [
        (2, "季度考核表模板", "模板“s001-operations”不是季度模板。")
    ]
    assert snapshot() == before
    # an empty cell unbinds; a file without the column leaves the year's card as it is
    imported(company, "positions", write(tmp_path / "clear.csv", "岗位,季度考核表模板\n运营专员,\n"))
    bound.refresh_from_db()
    assert (bound.quarter_template_id, bound.year_template_id) == ("", "year-card")


def test_targets_inputs_and_ratings_of_unknown_employees_are_refused(company: Path, tmp_path: Path) -> None:
    targets = write(
        tmp_path / "目标.csv",
        "工号,考核期间,目标名称,目标值\nE03,2026-10,计划销售额,60000\nE77,2026-10,计划销售额,1\n",
    )
    with pytest.raises(ImportRefused) as refused:
        run_import(
            company, ImportRequest(files=(targets,), user="hr-li", dataset="targets", period="2026-10")
        )
    assert [(p.row, p.column, p.reason) for p in refused.value.problems] == [
        (3, "工号", "没有工号为 E77 的员工；请先把他/她加进花名册（或更正工号）。")
    ]
    assert not (company / "warehouse" / "catalogue.duckdb").exists()
    ratings = write(
        tmp_path / "评分.csv", "工号,考核期间,考核项目,评分,评分人\nE99,2026-10,attitude,80,上级\n"
    )
    with pytest.raises(ImportRefused):
        run_import(
            company, ImportRequest(files=(ratings,), user="hr-li", dataset="ratings", period="2026-10")
        )
