"""Hostile and oversized uploads on the HR pages (issue 11): the dimension-bomb XLSX (python-calamine
would ask for 512 GiB and abort the server) is refused as 文件过大/格式异常 with what to do, on the
import page and as the targets of a new cycle, and the server answers the next request; a file over
its dataset's upload limit (SHOPKPI_UPLOAD_MAX_MB, SHOPKPI_UPLOAD_MAX_MB_<DATASET>) is refused too."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from test_hr_company import PERIOD, build_company, client_for

from shopkpi.appraisal.models import AuditEntry, Cycle
from shopkpi.config.upload_limits import UploadLimits, upload_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "data"))
from hostile_files import dimension_bomb

pytestmark = pytest.mark.django_db

REFUSED = (
    "文件过大/格式异常：工作表 xl/worksheets/sheet1.xml 延伸到单元格 XFD1048576（1,048,576 行 × 16,384 列），"
    "超过了导入能读取的 30,720,000 个单元格。请用 Excel 打开后另存为新的 xlsx 文件，或拆分成几个较小的文件分别导入"
)
TOO_LARGE = (
    "文件过大/格式异常：shop.csv 大于「{label}」的上传上限 1 MB，没有导入。"
    "请把它拆分成几个较小的文件分别导入；确实需要更大的文件时，请管理员调高上传上限。"
)


@pytest.fixture
def company(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HOME = tmp_path / "home"
    return build_company(monkeypatch)


def _bomb(tmp_path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile("bomb.xlsx", dimension_bomb(tmp_path / "bomb.xlsx").read_bytes())


@pytest.mark.parametrize("dataset", ["shop_daily", ""])  # named, or recognised from the file's headers
def test_the_dimension_bomb_is_refused_on_the_import_page_and_the_server_answers(
    company, tmp_path, dataset
) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    answer = hr.post(
        "/hr/imports/", {"dataset": dataset, "profile": "", "period": "", "file": _bomb(tmp_path)}
    )
    assert answer.status_code == 422
    assert REFUSED in answer.content.decode()
    assert not AuditEntry.objects.filter(action="data.import").exists()
    assert hr.get("/hr/imports/").status_code == 200  # this process read nothing: it is still here


def test_the_dimension_bomb_as_targets_opens_no_cycle(company, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hr = client_for(company, "hr")
    answer = hr.post(
        "/hr/cycles/new/",
        {
            "period": PERIOD,
            "cutoff_day": "15",
            "appeal_days": "7",
            "self_due": "2026-10-09",
            "supervisor_due": "2026-10-09",
            "hr_due": "2026-10-10",
            "targets": _bomb(tmp_path),
        },
    )
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "目标导入未通过，考核期没有开启。" in page and REFUSED in page
    assert not Cycle.objects.exists()
    assert hr.get("/hr/cycles/new/").status_code == 200


def _shop_csv(megabytes: float) -> SimpleUploadedFile:
    """A shop-day file of `megabytes` MB and a few bytes: one row of each shop (30 bytes a row)."""
    rows = "".join(f"S{n:07d},2026-09-01,100,50000\n" for n in range(int(megabytes * (1 << 20)) // 30 + 1))
    return SimpleUploadedFile("shop.csv", f"shop,date,uv,gmv\n{rows}".encode())


@pytest.mark.parametrize(
    ("limits", "megabytes"),
    [
        (UploadLimits(1), 1),  # 1 MB and a few bytes: over every limit, not received past 1 MB
        (UploadLimits(5, {"shop_daily": 1}), 2),  # over the dataset's own limit: received, then refused
        (UploadLimits(1, {"targets": 2}), 3),  # over every limit: not received past 2 MB
    ],
)
def test_a_file_over_its_datasets_upload_limit_is_refused(company, settings, limits, megabytes: int) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_LIMITS = limits
    hr = client_for(company, "hr")
    answer = hr.post(
        "/hr/imports/", {"dataset": "shop_daily", "profile": "", "period": "", "file": _shop_csv(megabytes)}
    )
    assert answer.status_code == 413
    assert TOO_LARGE.format(label="店铺/商品日报") in answer.content.decode()
    # past the largest limit of all, the rest of the file is not even received
    assert ("file" in answer.wsgi_request.FILES) == (megabytes < limits.largest_bytes >> 20)
    assert not AuditEntry.objects.filter(action="data.import").exists()
    # under the limit, the same page imports (here: checks, and asks to confirm a warning)
    assert (
        hr.post(
            "/hr/imports/", {"dataset": "shop_daily", "profile": "", "period": "", "file": _shop_csv(0.5)}
        ).status_code
        == 200
    )


def test_a_file_whose_dataset_is_recognised_later_has_the_default_limit(company, settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_LIMITS = UploadLimits(1, {"shop_daily": 5})
    answer = client_for(company, "hr").post(
        "/hr/imports/", {"dataset": "", "profile": "", "period": "", "file": _shop_csv(2)}
    )
    assert answer.status_code == 413
    assert (
        "文件过大/格式异常：shop.csv 大于上传上限 1 MB，没有导入。请把它拆分成几个较小的文件分别导入；"
        "某类数据另有更高上限时，请在上传时选择数据集。"
    ) in answer.content.decode()


def test_the_targets_upload_has_the_targets_limit(company, settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_LIMITS = UploadLimits(10, {"targets": 1})
    line = b"E01,2026-09,\xe7\x9b\xae\xe6\xa0\x87,1\n"
    targets = SimpleUploadedFile(
        "targets.csv", b"employee,period,name,value\n" + line * ((2 << 20) // len(line))
    )
    answer = client_for(company, "hr").post(
        "/hr/cycles/new/",
        {
            "period": PERIOD,
            "cutoff_day": "15",
            "appeal_days": "7",
            "self_due": "2026-10-09",
            "supervisor_due": "2026-10-09",
            "hr_due": "2026-10-10",
            "targets": targets,
        },
    )
    assert answer.status_code == 413
    assert "文件过大/格式异常：targets.csv 大于「目标」的上传上限 1 MB，没有导入。" in answer.content.decode()
    assert not Cycle.objects.exists()


def test_the_upload_limits_come_from_the_environment() -> None:
    assert upload_limits({}) == UploadLimits(200, {})
    limits = upload_limits(
        {
            "SHOPKPI_UPLOAD_MAX_MB": "50",
            "SHOPKPI_UPLOAD_MAX_MB_TRAFFIC_EVENTS": "1000",
            "SHOPKPI_UPLOAD_MAX_MB_TARGETS": "5",
        }
    )
    assert (limits.mb_for("shop_daily"), limits.mb_for("traffic_events"), limits.mb_for("targets")) == (
        50,
        1000,
        5,
    )
    assert limits.largest_bytes == 1000 << 20
    with pytest.raises(
        ValueError, match="SHOPKPI_UPLOAD_MAX_MB_SHOPS: there is no dataset 'shops'; known: employees, "
    ):
        upload_limits({"SHOPKPI_UPLOAD_MAX_MB_SHOPS": "5"})
    with pytest.raises(
        ValueError, match="SHOPKPI_UPLOAD_MAX_MB must be a whole number of megabytes, at least 1, not '0'"
    ):
        upload_limits({"SHOPKPI_UPLOAD_MAX_MB": "0"})
