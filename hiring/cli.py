"""Hiring commands: anonymising applications past the retention period."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from civicladder.transaction import unit_of_work


@click.group("hiring")
def hiring_group() -> None:
    """Hiring rounds and applications."""


@hiring_group.command("anonymise")
@click.option("--commit", is_flag=True, help="Anonymise (without it, only count what is due).")
@with_appcontext
def anonymise_command(commit: bool) -> None:
    """Anonymise applications not hired, once HIRING_RETENTION_DAYS have passed since their
    round closed. Without --commit, a dry run: it only says how many are due."""
    from hiring import retention

    days = current_app.config["HIRING_RETENTION_DAYS"]
    if not commit:
        due = retention.count_due(days)
        click.echo(f"{due} application(s) are past the {days}-day retention period.")
        click.echo("This was a dry run; nothing was changed. Run again with --commit.")
        return
    with unit_of_work():
        due = retention.count_due(days)
        with click.progressbar(length=due, label="Anonymising") as bar:
            outcome = retention.anonymise_due(None, days, on_progress=bar.update)
    retention.delete_files(outcome.files)
    click.echo(
        f"Anonymised {outcome.applications} application(s); deleted {len(outcome.files)} file(s)."
    )
