"""`shopkpi demo`: build the demo company (through the real import path and workflow), then serve it."""

from __future__ import annotations

import click

from shopkpi.cli.django_home import JOB_WORKER, alongside, prepare_home, serve_application
from shopkpi.cli.home import current


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Only build the demo company; do not serve it.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--employees",
    default=28,
    show_default=True,
    type=click.IntRange(25, 10000),
    help="People in the company.",
)
# hidden: fewer months make a quicker demo for the browser tests (the last month stays in progress)
@click.option("--months", default=6, hidden=True, type=click.IntRange(2, 24))
# hidden: the first month (YYYY-MM); the quarter's browser test starts in July for a whole archived Q3
@click.option("--start", default="2026-05", hidden=True)
@click.pass_context
def demo_command(
    ctx: click.Context, no_serve: bool, port: int, employees: int, months: int, start: str
) -> None:
    """Build a demo company under --home (synthetic platform exports of two shops and more, imported;
    six months; five archived cycles and one in progress), then serve it at http://127.0.0.1:PORT.

    A home that already holds the demo is served as it is. Demo users: hr, gm, and one per employee
    (the username is the employee id); every demo password is shopkpi-demo.
    """
    home = prepare_home(current(ctx).home)
    from shopkpi.appraisal.demo.build import already_built, build_demo
    from shopkpi.appraisal.demo.organisation import DEMO_PASSWORD

    summary = already_built(home)
    if summary is None:
        summary = build_demo(
            home,
            employees=employees,
            months=months,
            start=start,
            say=lambda message: click.echo(message, err=True),
        )
    click.echo(f"demo company in {home}: {summary.employees} employees, cycles {', '.join(summary.periods)}")
    click.echo(
        f"demo users: hr, gm, and one per employee ({', '.join(summary.usernames[2:6])} …); password: {DEMO_PASSWORD}"
    )
    if no_serve:
        return
    click.echo(f"serving at http://127.0.0.1:{port}/ (Ctrl+C stops)")
    with alongside(home, JOB_WORKER):
        serve_application("127.0.0.1", port)
