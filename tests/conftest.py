"""Fixtures shared by the test folders."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

MOTO = Path(sys.executable).with_name("moto_server")
S3_BUCKET = "shopkpi-test"


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A local S3-compatible server (moto's, from PyPI) on 127.0.0.1 for the run; its URL. The bucket
    S3_BUCKET is made by `s3_store` below."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    server = subprocess.Popen([str(MOTO), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(endpoint, timeout=2).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture
def s3_store(s3_endpoint: str, request: pytest.FixtureRequest) -> dict[str, str]:
    """The settings of a store of this test's own in the local S3 server (a prefix of S3_BUCKET), with
    the S3 client's credentials (any, for moto)."""
    import s3fs

    settings = {
        "AWS_ACCESS_KEY_ID": "shopkpi",
        "AWS_SECRET_ACCESS_KEY": "shopkpi-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
        "SHOPKPI_STORE_URL": f"s3://{S3_BUCKET}/t{abs(hash(request.node.nodeid)) % 10**8}",
        "SHOPKPI_STORE_ENDPOINT": s3_endpoint,
    }
    fs = s3fs.S3FileSystem(key="shopkpi", secret="shopkpi-secret", endpoint_url=s3_endpoint)
    if not fs.exists(S3_BUCKET):
        fs.mkdir(S3_BUCKET)
    return settings


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of the run's own on the PostgreSQL test server (SHOPKPI_TEST_DATABASE_URL, else
    postgres@127.0.0.1:5432), as a postgresql:// URL for SHOPKPI_METRICS_ENGINE; dropped at the end.
    No server: the test fails with CI=true, elsewhere it is skipped."""
    server = os.environ.get("SHOPKPI_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    base = server.rsplit("/", 1)[0]
    name = f"shopkpi_conformance_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(server.replace("postgres://", "postgresql://", 1), autocommit=True)
    except psycopg.Error as error:
        _unavailable(f"no PostgreSQL server at {base}: {error}")
    admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}".replace("postgres://", "postgresql://", 1)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
