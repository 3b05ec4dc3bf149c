"""The demo company the command-line tests share: built once per run with the command the browser tests
use (`shopkpi --home DIR demo --no-serve --months 2`, in a subprocess), in the same place and under the
same lock (tests/browser/conftest.py), so whichever comes first builds it, xdist workers included. Each
module that asks gets a copy of its own. SHOPKPI_BROWSER_DEMO may name one built earlier with that
command (it is copied, never changed)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from served_home import environment, shopkpi

BUILD_TIMEOUT = 900


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """A copy of the run's demo company (its periods are demo.json's)."""
    given = os.environ.get("SHOPKPI_BROWSER_DEMO")
    if given:
        built = Path(given)
    else:
        base = tmp_path_factory.getbasetemp()
        root = base.parent if hasattr(request.config, "workerinput") else base
        built = root / "shopkpi-browser-demo"
        with (root / "shopkpi-browser-demo.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not (built / "demo.json").is_file():
                    shutil.rmtree(built, ignore_errors=True)
                    done = subprocess.run(
                        shopkpi("--home", str(built), "demo", "--no-serve", "--months", "2"),
                        env=environment(),
                        capture_output=True,
                        text=True,
                        timeout=BUILD_TIMEOUT,
                        check=False,
                    )
                    assert done.returncode == 0, (
                        f"shopkpi demo: {done.returncode}\n{done.stdout}\n{done.stderr}"
                    )
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    home = tmp_path_factory.mktemp("original") / "home"
    shutil.copytree(built, home)
    return home
