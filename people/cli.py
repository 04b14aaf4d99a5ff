"""People commands: roster import."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from civicladder.db import take_turns
from civicladder.errors import DomainError
from civicladder.transaction import unit_of_work

# A preview names this many new departments and counts the rest; problems are all listed.
DEPARTMENTS_SHOWN = 50


@click.group("people")
def people_group() -> None:
    """Departments, employees and roster import."""


@people_group.command("import-roster")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Save the changes (without it, only a preview).")
@with_appcontext
def import_roster_command(file: Path, commit: bool) -> None:
    """Check a roster CSV and show what it would change; with --commit, import it."""
    from people import services

    data = file.read_bytes()
    if not commit:
        plan = _checked(file.name, data)
        click.echo("This was a preview; nothing was saved. Run again with --commit to import.")
        return
    # Checked once, inside the transaction that writes: what is imported is what was checked
    # (a 300,000-row file took as long to check as to write).
    try:
        with unit_of_work():
            take_turns(services.ROSTER_WRITES)  # checked after any import running now
            plan = _checked(file.name, data)
            with click.progressbar(length=plan.change_count, label="Importing") as bar:
                done = services.import_roster(
                    None, data, plan=plan, filename=file.name, on_progress=bar.update
                )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(
        f"Imported: {len(done.creates)} created, {len(done.updates)} updated, "
        f"{done.unchanged} unchanged, {len(done.new_departments)} new departments."
    )


def _checked(name: str, data: bytes):
    """The file's plan, printed; a ClickException when it cannot be imported."""
    from people import roster

    click.echo(f"Checking {name} ({len(data):,} bytes)…")
    try:
        plan = roster.plan_import(data)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    _echo_plan(plan)
    if not plan.ok:
        raise click.ClickException(
            f"{plan.error_lines} {'row has' if plan.error_lines == 1 else 'rows have'} "
            "problems; nothing was imported."
        )
    return plan


def _echo_plan(plan) -> None:
    click.echo(
        f"{plan.row_count} rows: {len(plan.creates)} new, {len(plan.updates)} changed, "
        f"{plan.unchanged} unchanged; {len(plan.new_departments)} new departments."
    )
    for path in plan.new_departments[:DEPARTMENTS_SHOWN]:
        click.echo(f"  new department: {path}")
    if len(plan.new_departments) > DEPARTMENTS_SHOWN:
        click.echo(f"  … and {len(plan.new_departments) - DEPARTMENTS_SHOWN} more new departments.")
    if plan.errors:
        click.echo(f"{len(plan.errors)} problems:", err=True)
        for error in plan.errors:
            number = f" ({error.employee_number})" if error.employee_number else ""
            click.echo(f"  line {error.line}{number}: {error.message}", err=True)


@people_group.command("refresh-unit-figures")
@with_appcontext
def refresh_unit_figures_command() -> None:
    """Recompute the bargaining units' figures that union reps' homes show (for a scheduler)."""
    from people import figures

    click.echo("Counting every bargaining unit's members, by job and by level band...")
    with unit_of_work():
        as_of, lines = figures.refresh()
    click.echo(f"Stored {lines:,} lines, as of {as_of:%Y-%m-%d %H:%M:%S %Z}.")
