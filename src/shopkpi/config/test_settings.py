"""Settings for the test suite: a private home directory and a fast password hasher."""

import os
import tempfile

os.environ.setdefault("SHOPKPI_HOME", tempfile.mkdtemp(prefix="shopkpi-test-home-"))

from shopkpi.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
INSTALLED_APPS = [*INSTALLED_APPS, "shopkpi.config.testing"]  # noqa: F405
