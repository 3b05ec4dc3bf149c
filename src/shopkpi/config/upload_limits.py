"""How large an uploaded file may be, per dataset, from the environment (see docs/en/admin.md).

`SHOPKPI_UPLOAD_MAX_MB` is the limit of every dataset (default 200); `SHOPKPI_UPLOAD_MAX_MB_<DATASET>`
(the dataset's name in capitals, e.g. `SHOPKPI_UPLOAD_MAX_MB_TRAFFIC_EVENTS=1000`) sets one dataset's.
A wrong value stops the server at start with a message naming the setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shopkpi.data.datasets import DATASETS

UPLOAD_ENV = "SHOPKPI_UPLOAD_MAX_MB"
DEFAULT_MB = 200


@dataclass(frozen=True)
class UploadLimits:
    default_mb: int = DEFAULT_MB
    by_dataset: Mapping[str, int] = field(default_factory=dict)

    def bytes_for(self, dataset: str) -> int:
        return self.mb_for(dataset) << 20

    def mb_for(self, dataset: str) -> int:
        return self.by_dataset.get(dataset, self.default_mb)

    @property
    def largest_bytes(self) -> int:
        return max([self.default_mb, *self.by_dataset.values()]) << 20


def upload_limits(environ: Mapping[str, str]) -> UploadLimits:
    default = _megabytes(UPLOAD_ENV, environ.get(UPLOAD_ENV, ""), DEFAULT_MB)
    prefix = f"{UPLOAD_ENV}_"
    by_dataset = {}
    for name, value in environ.items():
        if not name.startswith(prefix):
            continue
        dataset = name.removeprefix(prefix).lower()
        if dataset not in DATASETS:
            raise ValueError(f"{name}: there is no dataset {dataset!r}; known: {', '.join(DATASETS)}")
        by_dataset[dataset] = _megabytes(name, value, default)
    return UploadLimits(default, by_dataset)


def _megabytes(name: str, text: str, default: int) -> int:
    text = text.strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} must be a whole number of megabytes, at least 1, not {text!r}")
    return int(text)
