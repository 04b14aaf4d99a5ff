"""Autonomy commands: eligibility for everyone at once, and managers told of reviews."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from civicladder.transaction import unit_of_work


@click.group("autonomy")
def autonomy() -> None:
    """Autonomy tracks, eligibility and grants."""


@autonomy.command("eligibility")
@with_appcontext
def eligibility_command() -> None:
    """Work out who is ready for their next level and which held levels need review, for
    everyone on a track; store it for the managers' queues, and summarise it."""
    from flask import current_app

    from autonomy import eligibility, queries

    started = time.perf_counter()
    click.echo("Reading every track's levels and everyone's evidence, months and outcomes...")
    with unit_of_work():
        people, flagged = eligibility.refresh(
            None,
            on_progress=lambda what: click.echo(f"  computing and storing {what}"),
            side_by_side=current_app.config["ELIGIBILITY_SIDE_BY_SIDE"],
        )
    seconds = time.perf_counter() - started
    click.echo(f"{people:,} people on a track below its top level, in {seconds:.1f} s.")
    click.echo(f"{flagged:,} levels held, their conditions stored for the reviews.")
    counts = queries.stored_summary()
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
    from autonomy import services

    click.echo("Finding held levels flagged for review that no manager has been told of...")
    started = time.perf_counter()
    with unit_of_work():
        managers, levels = services.notify_reviews(None)
    seconds = time.perf_counter() - started
    click.echo(
        f"Told {managers:,} manager{'' if managers == 1 else 's'} of {levels:,} "
        f"level{'' if levels == 1 else 's'} to review, in {seconds:.1f} s."
    )
