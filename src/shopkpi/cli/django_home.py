"""Starting the application on a home directory: Django set up for `--home`, its database created when
it has none; upgrading it is `shopkpi migrate`'s, never a side effect of another command."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

SETTINGS_MODULE = "shopkpi.config.settings"
CATALOGUE_FILE = "catalogue.duckdb"  # the warehouse catalogue of a home of an older version


def prepare_home(home: Path, *, migrate: bool = True) -> Path:
    """Point Django at `home` (SQLite there unless SHOPKPI_DATABASE_URL says otherwise).

    A home without an application database gets one: the directory, its secret key (made when the
    settings are read), the warehouse folder and the database with every migration applied. A database
    of an older version, or a home whose warehouse catalogue is still the file `warehouse/catalogue.duckdb`,
    is refused (`OlderDatabase`): `shopkpi migrate` upgrades it, once, while the servers and workers
    that share it are stopped. `migrate=False`: neither (`shopkpi migrate` itself)."""
    import django
    from django.conf import settings

    home = home.expanduser().resolve()
    if not settings.configured:
        home.mkdir(parents=True, exist_ok=True)
        os.environ["SHOPKPI_HOME"] = str(home)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    django.setup()
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)  # the application's messages in its language (简体中文)
    (home / "warehouse").mkdir(parents=True, exist_ok=True)
    if migrate:
        unapplied, fresh = _unapplied_migrations()
        # (a home other than the one Django is set up for, as in tests, keeps its file)
        local_catalogue = (
            Path(settings.HOME).resolve() == home and (home / "warehouse" / CATALOGUE_FILE).exists()
        )
        if (unapplied or local_catalogue) and not fresh:
            raise OlderDatabase(unapplied)
        if unapplied or local_catalogue:
            upgrade()
    return home


class OlderDatabase(click.ClickException):
    """The application database is of an older version than this shopkpi: `shopkpi migrate` first."""

    def __init__(self, unapplied: list[str]) -> None:
        older = (
            f"the application database is of an older version ({len(unapplied)} migrations to apply: "
            f"{', '.join(unapplied[:3])}{' …' if len(unapplied) > 3 else ''})"
            if unapplied
            else f"the warehouse catalogue is still the file warehouse/{CATALOGUE_FILE} of an older version"
        )
        super().__init__(
            f"{older}; stop the servers and workers that use it, run `shopkpi migrate`, then start them again"
        )


def upgrade() -> tuple[list[str], int]:
    """Apply every migration the database lacks, then move the home's older warehouse catalogue file
    into it (`shopkpi migrate`); the migrations applied and the batches moved."""
    from django.conf import settings
    from django.core.management import call_command

    from shopkpi.appraisal.importing.batch_catalogue import adopt_local_catalogue

    unapplied, _fresh = _unapplied_migrations()
    if unapplied:
        call_command("migrate", interactive=False, verbosity=0)
    return unapplied, adopt_local_catalogue(Path(settings.HOME))


def _unapplied_migrations() -> tuple[list[str], bool]:
    """The migrations not yet applied (app.name), and whether none ever was (a database never set up)."""
    if _every_migration_file_applied():
        return [], False
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unapplied = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    return unapplied, not executor.loader.applied_migrations


def _every_migration_file_applied() -> bool:
    """True when every migration file of every application is recorded as applied: the usual case,
    told by one query and a look at the migration folders, without loading the migrations (a tenth
    of a second of every command). False says nothing: the migration graph is the judge then."""
    from django.db import DatabaseError, connection
    from django.db.migrations.recorder import MigrationRecorder

    try:
        recorder = MigrationRecorder(connection)
        if not recorder.has_table():
            return False
        # (applied_migrations() less its model instances: hundreds of rows, each with a time to convert)
        applied = set(recorder.migration_qs.values_list("app", "name"))
    except DatabaseError:
        return False
    return migration_files() <= applied


@functools.cache
def migration_files() -> frozenset[tuple[str, str]]:
    """(app label, name) of every migration file of every application: code, looked for once a process
    (the ready process looks before it forks, so a call it runs does not)."""
    import importlib.util

    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    found: set[tuple[str, str]] = set()
    for app in apps.get_app_configs():
        module, _explicit = MigrationLoader.migrations_module(app.label)
        if module is None:
            continue
        try:
            spec = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in spec.submodule_search_locations:
            found.update(
                (app.label, path.stem) for path in Path(folder).glob("*.py") if path.stem[0] not in "_~"
            )
    return frozenset(found)


JOB_WORKER = ("worker", "--processes", "1")  # the job worker `serve` and `demo` run beside the application
READY_PROCESS = ("ready",)  # the process `serve` keeps for the calls shopkpi.cli.handoff hands over


@contextlib.contextmanager
def alongside(home: Path, *commands: tuple[str, ...]) -> Iterator[None]:
    """Run these `shopkpi` commands on `home`, each in a process group of its own, while the block runs;
    asked to stop at the end (a job worker lets its running jobs end), killed with their processes
    if they have not after 30 s."""
    started = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from shopkpi.cli.main import main; main()",
                "--home",
                str(home),
                *command,
            ],
            start_new_session=True,
        )
        for command in commands
    ]
    try:
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def default_workers() -> int:
    """One worker process per core this process may use, at most 8 (each holds its own Django and caches)."""
    return max(1, min(8, len(os.sched_getaffinity(0))))


def serve_application(host: str, port: int, *, workers: int | None = None, threads: int = 8) -> None:
    """Serve the prepared home's pages and API with gunicorn: `workers` processes (every core by
    default) of `threads` threads each. The master restarts a worker that dies; each worker loads the
    application itself, after the master has closed its database connections."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    connections.close_all()  # a forked worker must not share the master's connection

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
                "workers": workers or default_workers(),
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 120,
                "graceful_timeout": 5,
                "keepalive": 5,
                # the scheme and client address behind a proxy are Django's to read (SHOPKPI_PROXY_SSL_HEADER,
                # SHOPKPI_TRUSTED_PROXIES), so gunicorn trusts no forwarded header itself
                "forwarded_allow_ips": "",
                "proc_name": "shopkpi",
                "control_socket_disable": True,  # no socket under ~/.gunicorn shared by every server
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from shopkpi.config.wsgi import application

            return application

    Server().run()
