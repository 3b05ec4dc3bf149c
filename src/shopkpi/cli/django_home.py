"""Starting the application on a home directory: Django set up for `--home`, its database migrated."""

from __future__ import annotations

import os
from pathlib import Path

SETTINGS_MODULE = "shopkpi.config.settings"


def prepare_home(home: Path, *, migrate: bool = True) -> Path:
    """Point Django at `home` (SQLite there unless SHOPKPI_DATABASE_URL says otherwise) and migrate it.

    A home without an application database gets one: the directory, its secret key (made when the
    settings are read), the warehouse folder and the database with every migration applied."""
    import django
    from django.conf import settings

    home = home.expanduser().resolve()
    if not settings.configured:
        home.mkdir(parents=True, exist_ok=True)
        os.environ["SHOPKPI_HOME"] = str(home)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    django.setup()
    (home / "warehouse").mkdir(parents=True, exist_ok=True)
    if migrate and _unapplied_migrations():
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    return home


def _unapplied_migrations() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def serve_application(host: str, port: int, threads: int = 8) -> None:
    """Serve the prepared home's pages and API with waitress (a production-grade WSGI server)."""
    from waitress import serve

    from shopkpi.config.wsgi import application

    serve(application, host=host, port=port, threads=threads)
