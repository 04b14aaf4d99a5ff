"""Autonomy commands: eligibility for everyone at once."""

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
