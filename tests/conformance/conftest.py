"""Engines for the conformance suite: PostgreSQL (`postgres_url`, tests/conftest.py: the test server, a
database of its own), ClickHouse in this process (chdb) and Spark local. With CI=true an engine that
cannot run fails; elsewhere it is skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conformance_company import Company, build


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    return build(tmp_path_factory.mktemp("conformance") / "home")


@pytest.fixture(scope="session")
def clickhouse_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("chdb")
    yield f"clickhouse://{folder}"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def spark_url(company: Company) -> str:
    java = shutil.which("java")
    if java is None or subprocess.run([java, "-version"], capture_output=True, check=False).returncode:
        unavailable("Spark needs Java (Debian's openjdk-17-jre-headless; .ci/run installs it)")
    return f"spark-local?tables={Path(company.home) / 'published' / 'spark'}"
