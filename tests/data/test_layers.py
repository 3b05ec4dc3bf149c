"""Shop data knows no web: every module of shopkpi.data's imports, warehouse and metrics, imported in a
fresh process, brings in neither Django nor the application's or the web's packages (the ready process
and a fresh `shopkpi import` alike pay for Django only where the application needs it)."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import importlib, pkgutil, sys
for sub in ("imports", "warehouse", "metrics"):
    package = importlib.import_module("shopkpi.data." + sub)
    for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(found.name)
print(len([m for m in sys.modules if m.startswith("shopkpi.data.")]))
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in ("django", "ninja") or m.startswith(("shopkpi.appraisal", "shopkpi.web", "shopkpi.cli")))))
"""


def test_the_shop_data_modules_import_no_django_and_no_application() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    count, above = [*done.stdout.splitlines(), ""][:2]
    assert int(count) > 40  # the walk found the modules
    assert above == "", f"shop data modules import {above}"
