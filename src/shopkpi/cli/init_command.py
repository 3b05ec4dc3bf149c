"""`shopkpi init`: a new home for a company, with its first login (admin and HR)."""

from __future__ import annotations

import os
import sys

import click

from shopkpi.cli.django_home import prepare_home
from shopkpi.cli.home import current
from shopkpi.data.imports.importer import os_user

PASSWORD_VARIABLE = "SHOPKPI_ADMIN_PASSWORD"


@click.command("init")
@click.option("--company", required=True, help="The company's name (printed on pages and exports).")
@click.option("--admin", "admin", required=True, metavar="USERNAME", help="Username of the first login.")
@click.pass_context
def init_command(ctx: click.Context, company: str, admin: str) -> None:
    """Create the home (database, warehouse, secret key) and its first login with the admin and HR roles.

    The password comes from SHOPKPI_ADMIN_PASSWORD, else it is asked twice. A home that already has
    users is refused and left as it is."""
    home = prepare_home(current(ctx).home)
    from django.contrib.auth.models import User

    from shopkpi.appraisal.accounts import logins

    if User.objects.exists():
        click.echo(
            f"error: {home} already has users; init changes nothing (manage logins with `shopkpi users`)",
            err=True,
        )
        sys.exit(1)
    given = os.environ.get(PASSWORD_VARIABLE)
    operator = logins.Operator(os_user())
    while True:
        password = given or click.prompt(
            f"password for {admin}", hide_input=True, confirmation_prompt=True, err=True
        )
        try:
            logins.first_admin(operator, username=admin, password=password, company=company)
        except logins.PasswordRefused as refused:
            click.echo(f"error: the password is not accepted: {refused}", err=True)
            if given:
                sys.exit(1)
            continue
        except logins.LoginRefused as refused:
            click.echo(f"error: {refused}", err=True)
            sys.exit(1)
        break
    click.echo(f"home {home} is ready for {company}: sign in as {admin} (admin, HR) after `shopkpi serve`")
