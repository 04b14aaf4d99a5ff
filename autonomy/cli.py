"""Autonomy commands: eligibility for everyone at once."""

from __future__ import annotations

import time
from collections import Counter

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
    rows = queries.eligibility()
    seconds = time.perf_counter() - started
    tracks = {track.id: track for track in queries.tracks()}
    ready = Counter((row.track_id, row.current_rank + 1) for row in rows if row.ready)
    waiting = Counter((row.track_id, row.current_rank + 1) for row in rows if not row.ready)
    click.echo(f"{len(rows):,} people on a track below its top level, in {seconds:.1f} s.")
    for track_id, track in tracks.items():
        click.echo(f"\n{track.name}")
        for level in track.levels:
            key = (track_id, level.rank)
            click.echo(
                f"  level {level.rank} {level.name:<24} ready {ready[key]:>7,}"
                f"   not yet {waiting[key]:>7,}"
            )
