"""Autonomy commands: eligibility for everyone at once, and managers told of reviews."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext


@click.group("autonomy")
def autonomy() -> None:
    """Autonomy tracks, eligibility and grants."""


@autonomy.command("eligibility")
@with_appcontext
def eligibility_command() -> None:
    """Work out who is ready for their next level, for everyone on a track, and summarise it."""
    from autonomy import queries

    started = time.perf_counter()
    click.echo("Reading every track's levels and everyone's evidence, months and outcomes...")
    counts = queries.eligibility_summary()
    seconds = time.perf_counter() - started
    people = sum(counts.values())
    click.echo(f"{people:,} people on a track below its top level, in {seconds:.1f} s.")
    for track in queries.tracks():
        click.echo(f"\n{track.name}")
        for level in track.levels:
            click.echo(
                f"  level {level.rank} {level.name:<24} ready {counts.get((level.id, True), 0):>7,}"
                f"   not yet {counts.get((level.id, False), 0):>7,}"
            )


@autonomy.command("notify-reviews")
@with_appcontext
def notify_reviews_command() -> None:
    """Tell managers of the levels in their teams newly flagged for review (for a daily
    scheduler; a level is told once until it is reviewed)."""
    from flask import current_app

    from autonomy import services
    from civicladder import notify
    from civicladder.db import write_transaction

    click.echo("Finding held levels flagged for review that no manager has been told of...")
    started = time.perf_counter()
    # A request context of the public address, so that the notices' links are built as pages.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        try:
            with write_transaction():
                managers, levels = services.notify_reviews(None)
                notify.commit()
        except Exception:
            notify.rollback()
            raise
    seconds = time.perf_counter() - started
    click.echo(
        f"Told {managers:,} manager{'' if managers == 1 else 's'} of {levels:,} "
        f"level{'' if levels == 1 else 's'} to review, in {seconds:.1f} s."
    )
