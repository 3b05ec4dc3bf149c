"""The dataset of a file, recognised from its headers (the HR page's upload without a dataset)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from export_builders import QIANNIU_NAME, qianniu_rows, sycm_shop_rows, write_csv, write_xlsx

from shopkpi.data.imports.recognition import recognise_dataset
from shopkpi.data.problems import ImportProblem, ImportRefused

ZTC = [
    ["日期", "计划名称", "展现量", "点击量", "花费", "直接成交金额"],
    ["2026-10-01", "计划A", "1000", "30", "50", "200"],
]


def refused(files: list[Path], **options: object) -> list[ImportProblem]:
    with pytest.raises(ImportRefused) as error:
        recognise_dataset(None, files, **options)  # type: ignore[arg-type]
    return list(error.value.problems)


def test_platform_exports_and_canonical_files_name_their_dataset(tmp_path: Path) -> None:
    ztc = write_csv(tmp_path / "直通车.csv", ZTC, encoding="gbk")
    qianniu = write_xlsx(tmp_path / f"{QIANNIU_NAME}.xlsx", qianniu_rows([("小美", 100, 38, "1.00")]))
    sycm = write_csv(
        tmp_path / "生意参谋.csv", sycm_shop_rows("旗舰店", [(dt.date(2026, 10, 1), 1, 2, 0, "0")])
    )
    shops = write_csv(tmp_path / "shops.csv", [["shop", "date", "uv"], ["S1", "2026-10-01", "3"]])
    roster = write_csv(
        tmp_path / "花名册.csv", [["工号", "姓名", "部门", "岗位"], ["E01", "赵一", "运营部", "运营专员"]]
    )
    assert [recognise_dataset(None, [f]) for f in (ztc, qianniu, sycm, shops, roster)] == [
        "campaigns",
        "cs_daily",
        "shop_daily",
        "shop_daily",
        "employees",
    ]
    assert recognise_dataset(None, [ztc, ztc]) == "campaigns"


def test_a_file_two_datasets_read_alike_asks_for_its_dataset(tmp_path: Path) -> None:
    # targets and inputs have the same canonical columns: the headers cannot tell them apart
    both = write_csv(
        tmp_path / "t.csv", [["employee", "period", "name", "value"], ["E01", "2026-10", "gmv", "1"]]
    )
    [problem] = refused([both])
    assert (
        problem.reason
        == "the file fits more than one dataset: 目标 (targets), 手工录入数据 (inputs); choose its dataset"
    )
    # a profile named names its dataset
    ztc = write_csv(tmp_path / "直通车.csv", ZTC, encoding="gbk")
    assert recognise_dataset(None, [both], profile="ztc-campaign") == "campaigns"
    del ztc


def test_files_of_different_datasets_no_fit_and_no_header(tmp_path: Path) -> None:
    ztc = write_csv(tmp_path / "直通车.csv", ZTC, encoding="gbk")
    shops = write_csv(tmp_path / "shops.csv", [["shop", "date", "uv"], ["S1", "2026-10-01", "3"]])
    problems = refused([ztc, shops])
    assert [p.file for p in problems] == ["shops.csv", "直通车.csv"]
    assert problems[0].reason == (
        "the files belong to different datasets (直通车.csv: 推广计划日报 (campaigns); "
        "shops.csv: 店铺/商品日报 (shop_daily)); import them one dataset at a time"
    )
    unknown = write_csv(tmp_path / "x.csv", [["心情", "天气"], ["好", "晴"]])
    assert refused([unknown])[0].reason.startswith("no import profile fits this file; closest: ")
    headless = write_csv(tmp_path / "y.csv", [["2026-10-01", "计划A", "1000"]])
    assert refused([headless]) == [
        ImportProblem("y.csv", 1, None, "row 1 is not a header: the first row must name the columns")
    ]
