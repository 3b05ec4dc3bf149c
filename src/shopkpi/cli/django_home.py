"""Starting the application on a home directory: Django set up for `--home`, its database migrated."""

from __future__ import annotations

import os
from pathlib import Path

SETTINGS_MODULE = "shopkpi.config.settings"


def prepare_home(home: Path, *, migrate: bool = True) -> Path:
    """Point Django at `home` (SQLite there unless SHOPKPI_DATABASE_URL says otherwise) and migrate it."""
    import django
    from django.conf import settings

    home = home.expanduser().resolve()
    if not settings.configured:
        home.mkdir(parents=True, exist_ok=True)
        os.environ["SHOPKPI_HOME"] = str(home)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    return home


def serve_application(host: str, port: int, threads: int = 8) -> None:
    """Serve the prepared home's pages and API with waitress (a production-grade WSGI server)."""
    from waitress import serve

    from shopkpi.config.wsgi import application

    serve(application, host=host, port=port, threads=threads)
