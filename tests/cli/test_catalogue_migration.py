"""A home of an older version keeps its warehouse catalogue in `warehouse/catalogue.duckdb`; the
catalogue now lives in the application database (issue 13). Such a home is refused until
`shopkpi migrate`, which copies every batch — its provenance, state, what replaced it and the
accounts it speaks for — into the database, once, and puts the file aside: afterwards the
application reads exactly the batches and rows the file held."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app_catalogue import warehouse_of
from served_home import environment, shopkpi

from shopkpi.data.imports.importer import import_files
from shopkpi.data.warehouse.batch_states import BatchInfo
from shopkpi.data.warehouse.catalogue import Warehouse
from shopkpi.data.warehouse.local_catalogue import LocalCatalogue

# the application database as the version before the catalogue moved left it
ROLL_BACK = """
import sys
from pathlib import Path
from shopkpi.cli.django_home import prepare_home
prepare_home(Path(sys.argv[1]))
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
migrations = MigrationLoader(None).disk_migrations
[moved] = [m for (app, name), m in migrations.items() if app == "appraisal" and name.endswith(NAME)]
call_command("migrate", "appraisal", moved.dependencies[0][1], verbosity=0)
""".replace("NAME", repr("_catalogue_warehouse_batches"))


def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, env=environment(), capture_output=True, text=True, timeout=300)
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return done


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def state(warehouse: Warehouse) -> tuple[list[tuple[object, ...]], ...]:
    con = warehouse.connect()
    try:
        return (
            con.execute("SELECT * FROM batches ORDER BY seq").fetchall(),
            con.execute("SELECT * FROM batch_accounts ORDER BY batch, account").fetchall(),
            con.execute("SELECT shop, date, uv, gmv, _batch FROM shop_daily ORDER BY shop").fetchall(),
        )
    finally:
        con.close()


def test_shopkpi_migrate_moves_an_older_homes_catalogue_into_the_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(*shopkpi("--home", str(home), "migrate"))
    run(sys.executable, "-c", ROLL_BACK, str(home))
    # the older version's warehouse: a file its catalogue names, one that replaced it, one withdrawn
    old = Warehouse(home, catalogue=LocalCatalogue(home / "warehouse"))
    first = write(tmp_path / "a.csv", "shop,date,uv,gmv\nA,2026-09-01,10,100\nB,2026-09-01,5,50\n")
    again = write(tmp_path / "b.csv", "shop,date,uv,gmv\nA,2026-09-01,11,110\nB,2026-09-01,6,60\n")
    other = write(tmp_path / "c.csv", "shop,date,uv,gmv\nC,2026-09-02,7,70\n")
    for path in (first, again, other):
        import_files(
            home, "shop_daily", [path], period="2026-09", user="hr-wang"
        )  # not this process's home: the file
    withdrawn = old.connect().execute("SELECT id FROM batches WHERE file_name = 'c.csv'").fetchall()[0][0]

    def recorded(info: BatchInfo) -> None:
        assert info.file_name == "c.csv"

    old.withdraw(str(withdrawn), recorded)
    before = state(old)
    batches, accounts, rows = before
    assert [(b[3], b[9] is not None, b[14]) for b in batches] == [
        ("a.csv", True, "current"),  # wholly replaced by b.csv
        ("b.csv", False, "current"),
        ("c.csv", False, "withdrawn"),
    ]
    assert len(accounts) == 5  # A, B; A, B; C
    assert [(shop, uv) for shop, _, uv, _, _ in rows] == [("A", 11), ("B", 6)]

    # refused until migrated, with what to do
    refused = run(*shopkpi("--home", str(home), "metrics", "--period", "2026-09"), ok=False)
    assert "run `shopkpi migrate`" in refused.stderr
    done = run(*shopkpi("--home", str(home), "migrate"))
    assert "_catalogue_warehouse_batches" in done.stdout
    assert "the warehouse catalogue moved into the application database (3 batches)" in done.stdout
    assert not (home / "warehouse" / "catalogue.duckdb").exists()
    assert (home / "warehouse" / "catalogue.duckdb.moved-to-database").exists()

    # the application reads the same batches, accounts and rows from its database
    assert state(warehouse_of(home)) == before
    assert run(*shopkpi("--home", str(home), "migrate")).stdout == "the application database is up to date\n"
    assert state(warehouse_of(home)) == before
