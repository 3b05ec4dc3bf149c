"""Uploads larger than their dataset's limit (settings.UPLOAD_LIMITS) are refused with a message.

`UploadCap`, the first upload handler, stops keeping a file as soon as it is larger than the largest
limit of any dataset (Django then skips the rest of it: no memory or disk spent on it) and marks the
request; `too_large` is the page's message for a file over its dataset's limit, whether skipped
that way or received whole. A reverse proxy in front should refuse far larger bodies (docs/en/admin.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shopkpi.data.datasets import DATASETS

_SKIPPED = "shopkpi_skipped_uploads"  # request attribute: {field name: file name}


class UploadCap(FileUploadHandler):
    """Skips an uploaded file once it is larger than any dataset's limit."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.content_length is not None and self.content_length > settings.UPLOAD_LIMITS.largest_bytes:
            self._skip()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.UPLOAD_LIMITS.largest_bytes:
            self._skip()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler keeps the file

    def _skip(self) -> None:
        assert self.request is not None
        skipped = getattr(self.request, _SKIPPED, {})
        skipped[self.field_name] = self.file_name
        setattr(self.request, _SKIPPED, skipped)
        raise SkipFile


def too_large(request: HttpRequest, field: str, dataset: str, *, label: str = "") -> str:
    """The message for the file of `field` when it is larger than `dataset`'s limit, else ''; an upload
    that is no dataset (`label`, e.g. 客服班表) has the default limit."""
    upload = request.FILES.get(field)  # the upload read first: `UploadCap` marks what it skipped
    skipped: dict[str, str] = getattr(request, _SKIPPED, {})
    limits = settings.UPLOAD_LIMITS
    if field in skipped:
        name = skipped[field]
    elif upload is not None and upload.size is not None and upload.size > limits.bytes_for(dataset):
        name = str(upload.name)
    else:
        return ""
    known = DATASETS.get(dataset)
    label = label or (known.label_zh if known is not None else "")
    if label:
        return _(
            "文件过大/格式异常：%(file)s 大于「%(dataset)s」的上传上限 %(limit)s MB，没有导入。"
            "请把它拆分成几个较小的文件分别导入；确实需要更大的文件时，请管理员调高上传上限。"
        ) % {"file": name, "dataset": label, "limit": limits.mb_for(dataset)}
    return _(  # recognised from the file later: the limit of every dataset
        "文件过大/格式异常：%(file)s 大于上传上限 %(limit)s MB，没有导入。"
        "请把它拆分成几个较小的文件分别导入；某类数据另有更高上限时，请在上传时选择数据集。"
    ) % {"file": name, "limit": limits.mb_for(dataset)}
