"""API commands: issuing a token from the command line, for an operator's automation (a
deployment that provisions a system's token) and for the benchmark."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from civicladder.errors import DomainError
from civicladder.transaction import unit_of_work


@click.group("api")
def api_group() -> None:
    """API clients and their tokens."""


@api_group.command("issue-token")
@click.option("--client", "name", required=True, help="The system's name; registered if new.")
@click.option("--contact", default="", help="Whoever runs it (needed to register it).")
@click.option(
    "--scope", "scopes", multiple=True, required=True, help="A scope (repeat for several)."
)
@click.option("--label", default="issued from the command line", show_default=True)
@click.option("--days", type=int, default=None, help="Days it stays valid (default: a year).")
@click.option(
    "--bargaining-unit",
    "unit_code",
    default="",
    help="A unit's code: the token reads that unit's published reports only (reports:read).",
)
@with_appcontext
def issue_token_command(name, contact, scopes, label, days, unit_code) -> None:
    """Print a new token for a client (only the token, on standard output): shown once."""
    from api import tokens
    from people import queries as people_queries

    try:
        with unit_of_work():
            unit_id = None
            if unit_code:
                unit = people_queries.bargaining_unit_by_code(unit_code)
                if unit is None:
                    raise click.ClickException(f"No bargaining unit has the code {unit_code}.")
                unit_id = unit.id
            client = tokens.client_named(name)
            if client is None:
                client = tokens.register_client(
                    None, name=name, contact=contact, scopes=list(scopes)
                )
                click.echo(f"Registered {client.name}.", err=True)
            issued = tokens.issue_token(
                None,
                client,
                label=label,
                scopes=list(scopes),
                days=days or tokens.DEFAULT_DAYS,
                bargaining_unit_id=unit_id,
            )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    expires = f"{issued.token.expires_at:%Y-%m-%d}"
    click.echo(f"Token {issued.token.prefix}… expires {expires}.", err=True)
    click.echo(issued.secret)
