"""Competency commands: the framework exported and imported as a CASE package."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from civicladder.errors import DomainError
from civicladder.transaction import unit_of_work

LEFT_OUT_SHOWN = 50  # a preview lists this many left-out parts and counts the rest


@click.group("competencies")
def competencies_group() -> None:
    """The competency framework in CASE."""


@competencies_group.command("export-case")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_case_command(file: Path) -> None:
    """Write the framework to FILE as a CASE 1.0 package (JSON)."""
    from competencies.case import queries

    with unit_of_work(write=False):
        package = queries.package()
    file.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    click.echo(f"Wrote {len(package['CFItems'])} items to {file}.")


@competencies_group.command("import-case")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Save the changes (without it, only a preview).")
@with_appcontext
def import_case_command(file: Path, commit: bool) -> None:
    """Check a CASE package and show what it would change; with --commit, import it (no size
    limit, unlike the upload page)."""
    from competencies.case import queries, services

    data = file.read_bytes()
    try:
        with unit_of_work(write=commit):
            preview = queries.preview(data)
            _echo(preview)
            if not preview["ok"]:
                raise click.ClickException(
                    "The package clashes with the framework; nothing was imported."
                )
            if commit:
                services.import_package(None, data, filename=file.name)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    if commit:
        click.echo("Imported.")
    else:
        click.echo("This was a preview; nothing was saved. Run again with --commit to import.")


def _echo(preview: dict) -> None:
    click.echo(
        f"{preview['title']}: {preview['added']} to add, {preview['changed']} to change, "
        f"{preview['unchanged']} unchanged, {preview['left_alone_count']} here and not in the "
        f"package (left alone), {preview['left_out_count']} in the package and left out."
    )
    for change in preview["changes"]:
        click.echo(f"  {'New' if change['is_new'] else 'Changed'}: {change['label']}")
    for item in preview["left_out"][:LEFT_OUT_SHOWN]:
        click.echo(f"  Left out: {item['label']}: {item['reason']}")
    if preview["left_out_count"] > LEFT_OUT_SHOWN:
        click.echo(f"  … and {preview['left_out_count'] - LEFT_OUT_SHOWN} more left out.")
    for problem in preview["problems"]:
        click.echo(f"  Problem: {problem['label']}: {problem['reason']}")
