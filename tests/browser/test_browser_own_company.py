"""A company of 12 starts from an empty home, following the README's "Start your own company" as
written: `shopkpi init`, the positions workbook, the roster (花名册) uploaded on 上传花名册 with its preview
confirmed, the accounts workbook, the logins handed out from 用户与角色 (the workbook downloaded), the
roles given, a first sign-in that must change its one-time password, what to prepare (`shopkpi
prepare`) filled in and imported on 数据导入, HR opening the first month, and one review through every
step (self-review, the supervisor's rating and interview, HR with an override, the GM, published,
signed). Then `shopkpi run` gives every employee the score and pay the web cycle holds, to the cent.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import small_company as company
from browser_support import DemoApi, Visitor
from playwright.sync_api import expect
from test_browser_month import employee_signs, gm_approves, hr_submits, self_review, supervisor_rates

from conftest import _command, _environment, served

ADMIN = "zhoumin"  # the HR officer's first login, made by `shopkpi init`
ADMIN_PASSWORD = "Xiaoyu-hr-2026!"
REVIEWED = "E0006"  # 陈静, 客服主管: rated by her supervisor 李娜 (E0003)
SUPERVISOR = "E0003"
# complete without shop data: every item rated or prepared (the s002 templates, 美工, 采购), and 陈静 once
# HR supplies her pay's 询单最终付款金额; the others wait for the platform exports
SCORED = ["E0001", "E0002", "E0003", "E0006", "E0010", "E0012"]


def shopkpi(home: Path, *args: str, cwd: Path, **env: str) -> str:
    """A documented command, in its own process as a user types it; its standard output."""
    done = subprocess.run(
        _command("--home", str(home), *args),
        env={**_environment(), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"shopkpi {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def upload_roster(hr: Visitor, roster: Path) -> None:
    """人事 → 组织架构 → 上传花名册: checked and previewed, written when confirmed."""
    hr.goto("/org/", "org-before-roster")
    hr.page.get_by_role("link", name="上传花名册").first.click()
    hr.page.wait_for_url("**/org/upload/**")
    hr.shot("upload")
    hr.page.get_by_label("工作簿").select_option(label="花名册")
    hr.page.get_by_label("文件").set_input_files(str(roster))
    hr.submit(hr.page.get_by_role("button", name="检查并预览"), "roster-preview")
    for code, name, *_rest in company.ROSTER:
        expect(hr.page.locator("main")).to_contain_text(code)
        expect(hr.page.locator("main")).to_contain_text(name)
    for department in {row[2] for row in company.ROSTER}:
        expect(hr.page.locator("main")).to_contain_text(department)
    hr.submit(hr.page.get_by_role("button", name="确认导入"), "roster-written")
    hr.goto("/org/employees/", "employees")
    for code, *_rest in company.ROSTER:
        expect(hr.page.get_by_role("link", name=code, exact=True)).to_have_count(1)
    hr.goto("/org/", "org-chart")
    expect(hr.page.locator("main")).to_contain_text("王海")


def issue_logins(hr: Visitor, folder: Path) -> dict[str, str]:
    """用户与角色: 发放账号并下载工作簿; the one-time passwords by username, read from the workbook."""
    hr.goto("/users/", "users")
    with hr.page.expect_download() as download:
        hr.page.get_by_role("button", name="发放账号并下载工作簿").click()
    saved = folder / "初始密码.xlsx"
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    assert sheet is not None
    header, *rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert header == ("工号", "姓名", "用户名", "初始密码")
    assert [(code, name) for code, name, _u, _p in rows] == [(c, n) for c, n, *_r in company.ROSTER]
    assert all(code == username and len(str(password)) >= 12 for code, _n, username, password in rows)
    hr.goto("/users/", "users-issued")
    return {str(username): str(password) for _c, _n, username, password in rows}


def first_sign_in(browse: Callable[..., Visitor], base_url: str, username: str, one_time: str) -> Visitor:
    """The person signs in with their one-time password: every page leads to 修改密码 until it is changed."""
    person = browse(base_url, username, one_time)
    expect(person.page.get_by_role("heading", name="修改密码")).to_be_visible()
    expect(person.page.get_by_text("您正在使用人事发给您的初始密码")).to_be_visible()
    person.shot("forced-password-change")
    person.goto("/notices/", "still-forced")
    expect(person.page.get_by_role("heading", name="修改密码")).to_be_visible()
    own = f"Xiaoyu-{username}-mine"
    person.page.get_by_label("原密码").fill(one_time)
    person.page.get_by_label("新密码", exact=True).fill(own)
    person.page.get_by_label("再次输入新密码").fill(own)
    person.submit(person.page.get_by_role("button", name="修改密码"), "password-changed")
    assert "密码已修改" in person.message(), person.message()
    expect(person.page.get_by_role("heading", name="修改密码")).to_have_count(0)
    return person


def import_prepared(hr: Visitor, prepared: Path) -> None:
    """人事 → 数据导入: the filled-in workbook whole (its dataset recognised): targets, inputs, ratings."""
    hr.goto("/hr/imports/", "imports")
    upload = hr.page.locator("form", has=hr.page.get_by_role("button", name="上传并导入"))
    upload.get_by_label("导出文件").set_input_files(str(prepared))
    hr.submit(upload.get_by_role("button", name="上传并导入"), "prepared-imported")
    expect(hr.page.locator("#import-job").get_by_role("status")).to_contain_text("导入完成")


def open_the_month(hr: Visitor) -> None:
    """人事 → 开启考核期 with the page's defaults: every department, nobody left out."""
    hr.goto("/hr/", "console")
    hr.page.get_by_role("navigation", name="人事控制台").get_by_role("link", name="开启考核期").click()
    hr.page.wait_for_url("**/hr/cycles/new/")
    hr.page.get_by_label("考核期间").fill(company.PERIOD)
    hr.page.get_by_label("考核期间").dispatch_event("change")
    expect(hr.page.get_by_text(f"将开启 {len(company.ROSTER)} 份考核。")).to_be_visible()
    hr.shot("open-form")
    hr.submit(hr.page.get_by_role("button", name="开启考核期"), "month-opened")
    assert f"考核期 {company.PERIOD} 已开启" in hr.message(), hr.message()


def run_agrees_with_the_cycle(home: Path, folder: Path, api: DemoApi) -> None:
    """`shopkpi run` reads the cycle's reviews as they stand: the same score and pay, to the cent."""
    closed = json.loads(shopkpi(home, "run", "--period", company.PERIOD, cwd=folder))
    by_run = {row["employee"]: (row["score"], row["pay"]) for row in closed}
    reviews = api.reviews(period=company.PERIOD)
    assert sorted(by_run) == sorted(r["employee"] for r in reviews) == [c for c, *_r in company.ROSTER]
    for summary in reviews:
        review = api.review(summary["id"])
        score, pay = by_run[review["employee"]]
        assert _decimal(score) == _decimal(review["score"]), review["employee"]
        assert _decimal(pay) == _decimal(review["pay"]), review["employee"]
    scored = sorted(code for code, (score, _pay) in by_run.items() if score is not None)
    assert scored == SCORED, by_run


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@pytest.mark.slow
def test_a_company_of_twelve_starts_from_an_empty_home(
    browse: Callable[..., Visitor], tmp_path: Path, chromium_available: None
) -> None:
    folder = tmp_path
    home = tmp_path / "my-shop"
    assert not home.exists()
    said = shopkpi(
        home,
        "init",
        "--company",
        company.COMPANY,
        "--admin",
        ADMIN,
        cwd=folder,
        SHOPKPI_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )
    assert company.COMPANY in said
    positions = company.positions_file(folder)
    previewed = shopkpi(home, "import", "positions", positions.name, "--dry-run", "--user", ADMIN, cwd=folder)
    assert "nothing was written" in previewed
    shopkpi(home, "import", "positions", positions.name, "--user", ADMIN, cwd=folder)

    with served(home) as base_url:
        hr = browse(base_url, ADMIN, ADMIN_PASSWORD)
        upload_roster(hr, company.roster_file(folder))
        accounts = company.accounts_file(folder)
        owners = shopkpi(home, "import", "accounts", accounts.name, "--user", ADMIN, cwd=folder)
        assert owners.count("new owner") == len(company.ACCOUNTS), owners
        hr.goto("/org/accounts/", "accounts")
        expect(hr.page.locator("main")).to_contain_text("小雨旗舰店")

        one_time = issue_logins(hr, folder)
        shopkpi(home, "users", "role", company.GM, "--add", "gm", cwd=folder)
        shopkpi(home, "users", "role", company.HR, "--add", "hr", cwd=folder)

        employee = first_sign_in(browse, base_url, REVIEWED, one_time[REVIEWED])
        supervisor = first_sign_in(browse, base_url, SUPERVISOR, one_time[SUPERVISOR])
        gm = first_sign_in(browse, base_url, company.GM, one_time[company.GM])

        prepared = folder / "准备.xlsx"
        listed = shopkpi(home, "prepare", "--period", company.PERIOD, "--output", prepared.name, cwd=folder)
        assert f"{len(company.ROSTER)} employees" in listed, listed
        assert company.fill_prepared(prepared) > 0
        import_prepared(hr, prepared)
        open_the_month(hr)

        api = DemoApi(base_url, ADMIN, ADMIN_PASSWORD)
        (review,) = api.reviews(period=company.PERIOD, employee=REVIEWED)
        pk = review["id"]
        assert review["evaluator"] == SUPERVISOR
        self_review(employee, pk, company.PERIOD)
        supervisor_rates(supervisor, pk, company.PERIOD, REVIEWED)
        hr_submits(hr, pk, api.review(pk))
        gm_approves(gm, pk, REVIEWED)
        employee_signs(
            employee, pk, pay="整月工资"
        )  # 客服专员（s002）: the template gives the month's whole pay
        overrides = employee.page.locator(
            "section", has=employee.page.get_by_role("heading", name="人事修正记录")
        )
        expect(overrides).to_contain_text("询单最终付款金额")  # HR's override, by the value's name
        signed = api.review(pk)
        assert signed["status"] == "acknowledged"
        assert signed["pay"] is not None

        run_agrees_with_the_cycle(home, folder, api)
