from django.apps import AppConfig


class TestingConfig(AppConfig):
    """Installed by the test settings only: lets the test runner empty the database between tests."""

    name = "shopkpi.config.testing"
    label = "shopkpi_testing"
