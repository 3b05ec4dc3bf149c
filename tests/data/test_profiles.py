"""Profiles as data: the shipped YAML files, users' own profiles in <home>/profiles, --profile."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_builders import QIANNIU_NAME, qianniu_rows, write_csv

from shopkpi.data.imports.importer import import_files
from shopkpi.data.imports.profiles import InvalidProfiles, normalize_header, parse_profile, shipped_profiles
from shopkpi.data.problems import ImportRefused
from shopkpi.data.warehouse.catalogue import Warehouse


def test_shipped_profiles_spell_the_spec_headers_exactly() -> None:
    profiles = {p.name: p for p in shipped_profiles()}
    assert set(profiles) == {
        "qianniu-cs",
        "chitu-cs",
        "sycm-shop",
        "sycm-item",
        "ztc-campaign",
        "jd-cs",
        "taobao-orders",
        "qianniu-chats",
        "chitu-order-credits",
    }
    qianniu = profiles["qianniu-cs"]
    assert qianniu.columns["first_response_seconds"] == ("首次响应时长（秒)",)  # full-width （, ASCII )
    assert qianniu.columns["avg_response_seconds"] == ("平均响应时长（秒)",)
    assert qianniu.checks[0].headers == ("询单最终付款转化率",)
    assert qianniu.skip_rows[0].values == (
        "汇总值",
        "平均值",
        "全店汇总值",
        "全店平均值",
        "同行同层优秀",
        "同行同层均值",
    )
    assert profiles["chitu-cs"].columns["paid_buyers"] == ("询单->最终付款人数",)
    assert profiles["ztc-campaign"].columns["campaign"] == ("主体名称", "计划名称")
    assert profiles["taobao-orders"].values["status"]["交易成功"] == "delivered"
    assert profiles["taobao-orders"].values["status"]["交易关闭"] == "cancelled"


def test_headers_match_whatever_the_brackets() -> None:
    assert (
        normalize_header("首次响应时长（秒)")
        == normalize_header("首次响应时长(秒)")
        == normalize_header(" 首次响应时长（秒） ")
    )


def test_the_same_qianniu_export_with_ascii_brackets_still_fits(tmp_path: Path) -> None:
    rows = qianniu_rows([("小美", 10, 2, "100")])
    rows[0] = [h.replace("（", "(") for h in rows[0]]
    path = write_csv(tmp_path / f"{QIANNIU_NAME}.csv", rows, encoding="gbk")
    [outcome] = import_files(tmp_path / "home", "cs_daily", [path])
    assert outcome.profile == "qianniu-cs"


USER_PROFILE = """
name: weibo-log
label_zh: 微博运营日志
dataset: sns_posts
columns:
  account: [微博账号]
  date: [日期]
  posts: [发博数]
  original_posts: [原创数]
  fans: [粉丝数]
"""


def test_a_users_profile_in_home_is_recognised(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "profiles").mkdir(parents=True)
    (home / "profiles" / "weibo.yaml").write_text(USER_PROFILE, encoding="utf-8")
    path = write_csv(tmp_path / "微博.csv", [["微博账号", "日期", "发博数", "原创数", "粉丝数", "备注"],
                                             ["@旗舰店", "2026-10-01", 3, 2, "12,000", "双11预热"]])  # fmt: skip
    [outcome] = import_files(home, "sns_posts", [path])
    assert outcome.profile == "weibo-log"
    assert Warehouse(home).connect().execute("SELECT account, posts, fans FROM sns_posts").fetchall() == [
        ("@旗舰店", 3, 12000)
    ]


def test_a_broken_users_profile_is_reported_with_its_place(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "profiles").mkdir(parents=True)
    broken = home / "profiles" / "weibo.yaml"
    broken.write_text(
        USER_PROFILE.replace("fans:", "fanz:").replace("label_zh: 微博运营日志\n", ""), encoding="utf-8"
    )
    path = write_csv(tmp_path / "a.csv", [["account", "date"], ["x", "2026-10-01"]])
    with pytest.raises(ImportRefused) as refused:
        import_files(home, "sns_posts", [path])
    assert [(p.file, p.column, p.reason) for p in refused.value.problems] == [
        (str(broken), "label_zh", "Field required")
    ]
    broken.write_text(USER_PROFILE.replace("fans:", "fanz:"), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_files(home, "sns_posts", [path])
    [problem] = refused.value.problems
    assert problem.file == str(broken) and "columns: 'fanz' is not a column of sns_posts" in problem.reason


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name: x\nlabel_zh: x\ndataset: nope\ncolumns: {}\n", "unknown dataset 'nope'"),
        (
            "name: x\nlabel_zh: x\ndataset: cs_daily\ncolumns: {agent: [客服]}\nfile_name: '('\n",
            "not a regular expression",
        ),
        (
            "name: x\nlabel_zh: x\ndataset: cs_daily\ncolumns: {agent: [客服], date: [客服]}\n",
            "also a header of agent",
        ),
        (
            "name: x\nlabel_zh: x\ndataset: cs_daily\ncolumns: {agent: [a]}\nbanner: {date: 'x'}\n",
            "(?P<value>",
        ),
        ("name: x\nlabel_zh: x\ndataset: cs_daily\ncolumns: {agent: [a]}\nsurprise: 1\n", "Extra inputs"),
        ("- a list\n", "a YAML mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_profile_validation(text: str, fragment: str) -> None:
    with pytest.raises(InvalidProfiles) as invalid:
        parse_profile(text, "p.yaml")
    assert any(fragment in e.reason for e in invalid.value.errors), invalid.value.errors


def test_a_forced_profile_says_what_the_file_misses(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["客服", "日期"], ["a", "2026-10-01"]])
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "cs_daily", [path], profile="qianniu-cs")
    assert [p.reason for p in refused.value.problems] == ["profile qianniu-cs: missing agent (旺旺昵称)"]
    with pytest.raises(ImportRefused) as refused:
        import_files(tmp_path / "home", "cs_daily", [path], profile="nope")
    assert refused.value.problems[0].reason.startswith("no profile 'nope' for cs_daily; known: chitu-cs")
    [outcome] = import_files(tmp_path / "home", "cs_daily", [path], profile="jd-cs")
    assert outcome.profile == "jd-cs"
