"""Reports commands: publish a period's reports for every bargaining unit, and count the
units' live reports ahead for their pages."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext


@click.group("reports")
def reports_group() -> None:
    """Shared progress reports."""


@reports_group.command("publish")
@click.option("--period", required=True, help="A quarter like 2026Q3, or a year like 2026.")
@with_appcontext
def publish_command(period: str) -> None:
    """Publish the period's report of every bargaining unit, telling its representatives.
    Safe to run again: a unit whose report is already published is skipped, and each unit is
    saved as it is done, so a run that stops half-way is finished by the next."""
    _publish_every_unit(period)


def _publish_every_unit(period: str) -> None:
    import sqlalchemy as sa

    from civicladder import clock
    from civicladder.db import db
    from civicladder.errors import Conflict, DomainError
    from civicladder.transaction import unit_of_work
    from people.models import BargainingUnit
    from reports import readers, rules, services

    try:
        chosen = rules.parse_period(period)
        rules.check_ended(chosen, clock.today())
    except DomainError as error:
        raise click.ClickException(error.message) from error
    # A reader's unit of its own, so each unit's write below begins as a writer's transaction.
    with unit_of_work(write=False):
        units = db.session.execute(
            sa.select(BargainingUnit.id, BargainingUnit.name).order_by(BargainingUnit.name)
        ).all()
        published = readers.unit_periods_published(chosen.code)
    click.echo(f"Publishing the {chosen.code} reports of {len(units):,} bargaining units.")
    made = 0
    for position, (unit_id, name) in enumerate(units, start=1):
        prefix = f"[{position}/{len(units)}] {name}:"
        if unit_id in published:
            click.echo(f"{prefix} already published, skipped")
            continue
        try:
            with unit_of_work():  # each unit is saved as it is done
                unit = db.session.get(BargainingUnit, unit_id)
                snapshot = services.publish_unit_report(None, unit, chosen)
                content_hash = snapshot.content_hash
        except Conflict:
            click.echo(f"{prefix} published meanwhile by someone else, skipped")
            continue
        made += 1
        click.echo(f"{prefix} published, SHA-256 {content_hash}")
    click.echo(
        f"Done: {made:,} published, {len(units) - made:,} already published for {chosen.code}."
    )


@reports_group.command("refresh-live")
@with_appcontext
def refresh_live_command() -> None:
    """Count every unit's live report for the last quarter ended and the quarter under way, and
    store them for the units' pages (for a scheduler, every 15 minutes or so)."""
    from civicladder.transaction import unit_of_work
    from reports import live

    started = time.perf_counter()

    def say(what: str) -> None:
        click.echo(f"  counting {what} ({time.perf_counter() - started:.0f} s)")

    with unit_of_work():
        stored = live.refresh(on_progress=say)
    click.echo(f"{stored} live reports stored in {time.perf_counter() - started:.1f} s.")


@reports_group.command("audit")
@click.option("--unit", "unit_code", help="A bargaining unit's code: what its union reps read.")
@click.option("--department", "department_id", type=int, help="A department's number.")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Work out every year again, not only the years changed since they were found clean.",
)
@with_appcontext
def audit_command(unit_code: str | None, department_id: int | None, everything: bool) -> None:
    """Check every published and live figure a reader can open (a unit's union reps, or a
    department's manager: the department and those below it; every unit when neither is
    given) for a small group that adding and subtracting could work out. Exits 1 on a fault.

    Figures shown two ways are looked for in every year; what adding and subtracting could
    work out, only in the years whose figures differ from those a check found clean (all of
    them with --all). The blocks it protects are kept for the report pages."""
    from civicladder.transaction import unit_of_work
    from reports import audit as audit_runs

    try:
        with unit_of_work(write=False):
            readers = audit_runs.readers_to_check(unit_code, department_id)
    except LookupError as error:
        raise click.ClickException(str(error)) from error
    started = time.perf_counter()
    faults = 0
    for position, reader in enumerate(readers, start=1):
        click.echo(f"[{position}/{len(readers)}] {reader.name}: reading what they open")
        with unit_of_work():  # the blocks protected and the years found clean, kept
            checked = audit_runs.check_reader(
                reader,
                lambda what: click.echo(f"    {what} ({time.perf_counter() - started:.0f} s)"),
                since_clean=not everything,
            )
        faults += len(checked.findings)
        state = "no fault" if not checked.findings else f"{len(checked.findings)} fault(s)"
        click.echo(f"[{position}/{len(readers)}] {reader.name}: {state}; {_years(checked)}")
        for finding in checked.findings:
            click.echo(f"    {finding.describe()}")
    click.echo(
        f"Checked {len(readers):,} reader(s) in {time.perf_counter() - started:.1f} s: "
        f"{faults:,} fault(s)."
    )
    if faults:
        raise SystemExit(1)


def _years(checked) -> str:
    worked = f"{checked.solved} year(s) worked out"
    if not checked.unchanged:
        return worked
    return (
        f"{worked}, {checked.unchanged} unchanged since found clean "
        f"(on {checked.since:%Y-%m-%d %H:%M} UTC or later) and not worked out again"
    )
