"""The Chinese pages say things in Chinese: no action, state, audit-event or field identifier
(`submit_hr`, `pending_gm`, `cycle.reopen_request`, `self_assessment`) and no run of English words
in the visible text of any page of any role.

The company is the workflow tests' (tests/appraisal/workflow_company.py) with its reviews spread over
every step of a month, an appeal, an override, a pay adjustment, an action item, and an earlier month
archived with a reopen request waiting for the GM. Each page is fetched in zh-Hans as each role that
may open it; its visible text is what a reader sees: tags, scripts, styles and attribute values are
left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.test import Client
from test_hr_company import PERIOD, S, advance, build_company, client_for, open_month

from shopkpi.appraisal.models import ActionItem, Cycle, Review
from shopkpi.appraisal.periods import cycles
from shopkpi.appraisal.reviews import reopen_requests
from shopkpi.appraisal.reviews.workflow import perform
from shopkpi.scorecard import builtin_template_paths

pytestmark = pytest.mark.django_db

EARLIER = "2026-08"
ALL = ("G01", "G02", "H01", "H02", "M01", "E01", "E02", "P01")

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
DOTTED = re.compile(r"\b[a-z][a-z_]*(?:\.[a-z][a-z_]*)+\b")
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ \-][A-Za-z][a-z]+)+\b")

# Texts a Chinese page may show as they are, each with why.
ALLOWED = [
    re.compile(r"\b[\w.-]+\.(?:csv|xlsx|xls|yaml|json)\b"),  # file names
    # a key shown in brackets beside its Chinese name: 流量行为明细 (traffic_events), 千牛 客服绩效
    # (qianniu-cs), 基本工资 (base_salary), 员工档案：基本工资 (employee.base_salary)
    re.compile(r"(?<=[\u4e00-\u9fff）)]) ?\([a-z][a-z0-9_.\-]*\)"),
    re.compile(r"\bshop_daily\b"),  # the dataset in the fixture's provenance 店铺数据 shop_daily 2026-09
    # the built-in templates' ids are their file names (s000-campaign-planner.yaml)
    re.compile("|".join(rf"\b{re.escape(p.stem)}\b" for p in builtin_template_paths())),
]


class VisibleText(HTMLParser):
    """The text a reader sees: character data outside <script>, <style>, <template> and <textarea>."""

    HIDDEN = {"script", "style", "template", "textarea"}  # a textarea's text is a form value

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def leaks(html: str) -> list[str]:
    """The identifiers and English runs of the page's visible text, outside the allowlist."""
    found = []
    for text in visible_text(html):
        for allowed in ALLOWED:
            text = allowed.sub(" ", text)
        for pattern in (SNAKE, DOTTED, ENGLISH_RUN):
            found.extend(f"{m.group(0)!r} in {text[:80]!r}" for m in pattern.finditer(text))
    return found


@dataclass
class Month:
    company: object
    reviews: dict[str, Review] = field(default_factory=dict)


@pytest.fixture
def month(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    company = build_company(monkeypatch)
    # an earlier month: done, archived, and HR asks to reopen it
    open_month(company, EARLIER)
    for code in ALL:
        advance(company, code, S.ACKNOWLEDGED, period=EARLIER)
    archived = cycles.archive_cycle(company.user("hr"), Cycle.objects.get(period=EARLIER))
    reopen_requests.request_reopen(company.user("hr"), archived, "E01 的目标录错")
    # this month: every step
    open_month(company)
    hr = company.user("hr")
    appealed = advance(company, "E01", S.PUBLISHED)
    perform(
        company.user("e01"), appealed, "appeal", items=[{"item_key": "attitude", "reason": "本月客诉已撤回"}]
    )
    advance(company, "E02", S.PENDING_GM)
    p01 = advance(company, "P01", S.PENDING_HR)
    p01 = perform(hr, p01, "override", name="gmv", value="100000", reason="补录退款冲回")
    perform(hr, p01, "adjust_pay", amount="200.00", reason="加班补贴")
    advance(company, "M01", S.PENDING_SUPERVISOR)
    advance(company, "H02", S.PUBLISHED)
    advance(company, "G02", S.ACKNOWLEDGED)
    e02 = company.review("E02")
    ActionItem.objects.create(employee=e02.employee, cycle=e02.cycle, review=e02, action="警告")
    return Month(company, {code: company.review(code) for code in ALL})


def pages_by_role(month: Month) -> dict[str, list[str]]:
    r = month.reviews
    one = f"/hr/cycles/{PERIOD}/"
    return {
        "e01": [
            "/",
            "/notices/",
            "/reviews/mine/",
            f"/reviews/{r['E01'].pk}/",
            f"/reviews/{r['E01'].pk}/print/",
        ],
        "m01": ["/", "/team/", "/dashboards/", f"/reviews/{r['E01'].pk}/", f"/reviews/{r['M01'].pk}/"],
        "hr": [
            "/",
            "/hr/",
            "/hr/cycles/new/",
            one,
            one + "reviews/",
            one + "appeals/",
            one + "overdue/",
            one + "summary/",
            one + "paysheet/",
            f"/hr/cycles/{EARLIER}/",
            *(f"/hr/reviews/{r[code].pk}/" for code in ("E01", "E02", "P01", "M01")),
            "/hr/imports/",
            "/hr/actions/",
            "/hr/actions/?status=all",
            "/hr/audit/",
            "/team/",
            "/dashboards/",
            "/templates/",
            "/templates/t-sales/edit/",
            "/users/",
            "/users/?shown=all&q=e0",
            f"/users/{month.company.user('e01').pk}/",  # type: ignore[attr-defined]
            f"/users/{month.company.user('hr').pk}/",  # type: ignore[attr-defined]
            "/password/",
            "/org/",
            "/org/employees/",
            "/org/employees/?status=&q=E0",
            "/org/employees/E01/",
            "/org/employees/new/",
            "/org/accounts/",
            "/org/upload/",
            f"/reviews/{r['P01'].pk}/",
            f"/reviews/{r['E01'].pk}/print/",
        ],
        "gm": [
            "/",
            "/gm/",
            "/gm/?state=all",
            f"/gm/reviews/{r['E02'].pk}/",
            f"/gm/reviews/{r['P01'].pk}/",
            "/team/",
            "/dashboards/",
            f"/reviews/{r['E02'].pk}/",
        ],
    }


def test_no_identifier_or_english_in_any_chinese_page(month: Month) -> None:
    found: dict[str, list[str]] = {}
    for username, urls in pages_by_role(month).items():
        client = client_for(month.company, username)  # type: ignore[arg-type]
        for url in urls:
            answer = client.get(url, follow=True)
            assert answer.status_code == 200, (username, url, answer.status_code)
            assert answer["Content-Language"] == "zh-hans"
            for leak in leaks(answer.content.decode()):
                found.setdefault(f"{username} {url}", []).append(leak)
    login = Client().get("/login/")
    found.update(
        {"anonymous /login/": leaks(login.content.decode())} if leaks(login.content.decode()) else {}
    )
    assert not found, "\n".join(f"{page}: {'; '.join(items)}" for page, items in found.items())


class InlineScript(HTMLParser):
    """What a Content-Security-Policy without 'unsafe-inline' would block: a <script> with code in the
    page (a JSON data block is not run) and an event-handler attribute (onclick …)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and "src" not in named and named.get("type") != "application/json":
            self.found.append("<script> with code in the page")
        self.found.extend(f"<{tag} {name}=…>" for name, _ in attrs if name.startswith("on"))
        self.found.extend(
            f"<{tag} {name}=javascript:…>" for name, value in attrs if (value or "").startswith("javascript:")
        )


def inline_scripts(html: str) -> list[str]:
    parser = InlineScript()
    parser.feed(html)
    return parser.found


def test_every_page_runs_only_the_applications_script_files(month: Month) -> None:
    found: dict[str, list[str]] = {}
    for username, urls in pages_by_role(month).items():
        client = client_for(month.company, username)  # type: ignore[arg-type]
        for url in [*urls, "/login/"]:
            answer = client.get(url, follow=True)
            policy = dict(part.strip().split(" ", 1) for part in answer["Content-Security-Policy"].split(";"))
            assert policy["script-src"] == "'self'" and policy["object-src"] == "'none'", (username, url)
            assert "no-store" in answer["Cache-Control"], (username, url)
            if inline_scripts(answer.content.decode()):
                found[f"{username} {url}"] = inline_scripts(answer.content.decode())
    assert not found, found
    assert inline_scripts(
        '<script>x()</script><button onclick="y()"></button><script src="a.js"></script>'
    ) == [
        "<script> with code in the page",
        "<button onclick=…>",
    ]


def test_the_guard_sees_a_leak() -> None:
    """The patterns catch what they are for, and leave attributes, scripts and allowed texts alone."""
    page = (
        '<p title="submit_hr">提交</p><script>const x = "pending_gm";</script><style>.a_b {}</style>'
        "<td>cycle.reopen_request</td><td>E0001 赵一</td><td>¥1,200.00 KPI GMV UV</td>"
        "<td>targets.csv</td><td>the cycle is archived</td><td>待总经理批准 pending_gm</td>"
    )
    assert [leak.split(" in ")[0] for leak in leaks(page)] == [
        "'reopen_request'",
        "'cycle.reopen_request'",
        "'the cycle is archived'",
        "'pending_gm'",
    ]


def test_the_labels_in_english(month: Month) -> None:
    hr = client_for(month.company, "hr")  # type: ignore[arg-type]
    hr.post("/i18n/setlang/", {"language": "en", "next": "/hr/"})
    review = hr.get(f"/hr/reviews/{month.reviews['E02'].pk}/").content.decode()
    # the history names each step: submit_hr, then the state it reached
    assert "<td>Submitted for the GM&#x27;s approval</td>" in review
    log = hr.get("/hr/audit/", {"action": "cycle.reopen_request"}).content.decode()
    assert "Asked to reopen the cycle" in log and "Request number" in log
    chinese = client_for(month.company, "hr").get(f"/hr/reviews/{month.reviews['E02'].pk}/")  # type: ignore[arg-type]
    assert "<td>提交总经理审批</td>" in chinese.content.decode()
