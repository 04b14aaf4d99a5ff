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
    retention.delete_disk_files(outcome.disk_files)
    click.echo(
        f"Anonymised {outcome.applications} application(s); "
        f"deleted {outcome.files + len(outcome.disk_files)} file(s)."
    )


@click.command("import-disk")
@click.option(
    "--remove",
    is_flag=True,
    help="Instead: delete from this server's disk the files already in the store.",
)
@click.option("--batch", default=100, show_default=True, help="Files per transaction.")
@with_appcontext
def import_disk_command(remove: bool, batch: int) -> None:
    """Move candidates' files from this server's instance folder into the file store.

    Run it once on every server that took uploads before the store (each holds its own files).
    Safe to run again: a file already moved is skipped, and each batch is saved as it is done.
    The files stay on disk until the command is run again with --remove.
    """
    from hiring import disk_import

    if remove:
        outcome = disk_import.remove_moved(batch, on_progress=_progress("Removed"))
        click.echo(
            f"Done: {outcome.done:,} file(s) removed from {outcome.folder}; "
            f"{outcome.absent:,} were not on this disk."
        )
        return
    outcome = disk_import.move_all(batch, on_progress=_progress("Moved"))
    click.echo(
        f"Done: {outcome.done:,} file(s) moved into the store from {outcome.folder}; "
        f"{outcome.absent:,} not on this disk (run the command on the server that took them). "
        "The files are still on disk: remove them with --remove once every server is done."
    )


def _progress(verb: str):
    def say(done: int, absent: int, total: int) -> None:
        click.echo(f"  {verb} {done:,} of {total:,} ({absent:,} not on this disk)")

    return say
