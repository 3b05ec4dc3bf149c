"""Engines for the conformance suite: PostgreSQL (the test server, a database of its own), ClickHouse in
this process (chdb) and Spark local. With CI=true an engine that cannot run fails; elsewhere it is skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
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
def postgres_url() -> Iterator[str]:
    server = os.environ.get("SHOPKPI_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    base = server.rsplit("/", 1)[0]
    name = f"shopkpi_conformance_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(server.replace("postgres://", "postgresql://", 1), autocommit=True)
    except psycopg.Error as error:
        unavailable(f"no PostgreSQL server at {base}: {error}")
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}".replace("postgres://", "postgresql://", 1)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


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
