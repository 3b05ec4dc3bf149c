"""Settings for the test suite: a private home directory and a fast password hasher."""

import os
import tempfile

os.environ.setdefault("SHOPKPI_HOME", tempfile.mkdtemp(prefix="shopkpi-test-home-"))
# a shared database (SHOPKPI_DATABASE_URL) needs the key in the settings: the suite's own, for this process
# only (the homes the tests start in subprocesses make or are given their own)
_OWN_KEY = "SHOPKPI_SECRET_KEY" not in os.environ
os.environ.setdefault("SHOPKPI_SECRET_KEY", "shopkpi-test-suite-only-" + "k" * 40)

from shopkpi.config.settings import *  # noqa: E402, F403

if _OWN_KEY:
    del os.environ["SHOPKPI_SECRET_KEY"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
INSTALLED_APPS = [*INSTALLED_APPS, "shopkpi.config.testing"]  # noqa: F405
