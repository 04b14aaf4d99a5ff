"""Shell commands: `flask seed demo` and `flask seed city` (steps contributed by packages),
`flask create-admin`, `flask outbox send`, and the `flask files` group packages add to."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from civicladder import clock, notify, services
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import DomainError
from civicladder.models import User
from civicladder.transaction import unit_of_work

DEMO_STEPS_KEY = "civicladder.demo_steps"


def register_demo_step(app: Flask, order: int, name: str, step: Callable[[dict], None]) -> None:
    """A package adds its part of the demo city; steps share one dict of what was built."""
    steps = app.extensions.setdefault(DEMO_STEPS_KEY, [])
    steps.append((order, name, step))
    steps.sort(key=lambda item: item[0])


@click.group("seed", cls=AppGroup)
def seed() -> None:
    """Load data into the database."""


@seed.command("demo")
def seed_demo() -> None:
    """Build the demo city (only into an empty database) and print the demo sign-ins."""
    built: dict = {}
    with unit_of_work():
        if db.session.scalar(sa.select(sa.func.count(User.id))):
            click.echo("The database already has users; the demo city was not loaded again.")
            return
        steps = current_app.extensions.get(DEMO_STEPS_KEY, [])
        label = "Building the demo city"
        with click.progressbar(steps, label=label, item_show_func=_step_name) as bar:
            for _, _name, step in bar:
                step(built)
    click.echo("\nDemo sign-ins (demo data only; never use these passwords for real accounts):")
    for role, email, password in built.get("sign_ins", []):
        click.echo(f"  {role:<10} {email:<34} {password}")


def _step_name(item) -> str | None:
    return item[1] if item else None


CITY_STEPS_KEY = "civicladder.city_steps"
CITY_MIN_EMPLOYEES = 100
CITY_MAX_EMPLOYEES = 1_000_000


@dataclass
class CityContext:
    """What a city step is given: the size asked for, the seed, the day the city stands on,
    what earlier steps built, and a random generator of its own.

    The generator is seeded from the seed and the step's name, so a step added later never
    changes what the others generate.
    """

    employees: int
    seed: int
    as_of: date
    built: dict = field(default_factory=dict)
    step: str = ""
    rng: random.Random = field(default_factory=random.Random)

    def for_step(self, name: str) -> CityContext:
        # A string seed is hashed with SHA-512 by `random`, the same in every process.
        return CityContext(
            self.employees,
            self.seed,
            self.as_of,
            self.built,
            name,
            random.Random(f"{self.seed}:{name}"),
        )

    def progress(self, label: str, length: int):
        """A progress bar on the terminal; `bar.update(n)` as rows are written."""
        return click.progressbar(length=length, label=f"  {label}", show_eta=True)

    def say(self, line: str) -> None:
        click.echo(f"  {line}")


def register_city_step(
    app: Flask, order: int, name: str, step: Callable[[CityContext], None]
) -> None:
    """A package adds its part of the synthetic city; steps run in order, sharing `built`."""
    steps = app.extensions.setdefault(CITY_STEPS_KEY, [])
    steps.append((order, name, step))
    steps.sort(key=lambda item: item[0])


@seed.command("city")
@click.option(
    "--employees",
    type=click.IntRange(CITY_MIN_EMPLOYEES, CITY_MAX_EMPLOYEES),
    default=300_000,
    show_default=True,
    help="How many employees the city has; everything else is in proportion.",
)
@click.option(
    "--seed",
    "seed_value",
    type=int,
    default=1,
    show_default=True,
    help="The same seed gives the same city.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day the city stands on (YYYY-MM-DD); today by default.",
)
def seed_city(employees: int, seed_value: int, as_of) -> None:
    """Generate a synthetic city of any size (only into a database without employees)."""
    steps = current_app.extensions.get(CITY_STEPS_KEY, [])
    context = CityContext(employees, seed_value, as_of.date() if as_of else clock.today())
    click.echo(
        f"Generating a city of {employees:,} employees (seed {seed_value}, "
        f"as of {context.as_of.isoformat()})"
    )
    # A step refuses a database it cannot build into by raising click.ClickException; nothing
    # is committed until every step has run.
    with unit_of_work():
        for number, (_, name, step) in enumerate(steps, start=1):
            click.echo(f"[{number}/{len(steps)}] {name}")
            step(context.for_step(name))
        click.echo("Committing...")
    _print_city_sign_ins(context.built.get("sign_ins", []))


def _print_city_sign_ins(sign_ins: Iterable[tuple[str, str, str]]) -> None:
    click.echo("\nCity sign-ins (demo data only; never use these passwords for real accounts):")
    for role, email, password in sign_ins:
        click.echo(f"  {role:<10} {email:<34} {password}")


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.password_option()
def create_admin(email: str, full_name: str, password: str) -> None:
    """Create the first administrator (for a real installation, not the demo)."""
    try:
        with unit_of_work():
            user = services.create_user(
                None, email=email, full_name=full_name, roles={Role.ADMIN}, password=password
            )
            address = user.email
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Administrator {address} created.")


@click.group("outbox", cls=AppGroup)
def outbox() -> None:
    """The email outbox."""


@outbox.command("send")
@click.option("--retry-failed", is_flag=True, help="Also try again the messages that failed.")
def outbox_send(retry_failed: bool) -> None:
    """Send waiting email through MAIL_URL now (after an outage; the worker sends it anyway)."""
    if not current_app.config.get("MAIL_URL"):
        raise click.ClickException("MAIL_URL is not set: there is no mail server to send through.")
    with unit_of_work():
        ids = notify.pending_ids(include_failed=retry_failed)
        if retry_failed:
            notify.requeue_failed(ids)
    if not ids:
        click.echo("The outbox has nothing to send.")
        return
    with click.progressbar(length=len(ids), label=f"Sending {len(ids)} messages") as bar:
        shown = [0]

        def report(done: int, total: int) -> None:
            bar.update(done - shown[0])
            shown[0] = done

        with unit_of_work():
            counts = notify.send_due(every_waiting=True, report=report)
    click.echo(
        f"Sent {counts['sent']}, failed {counts['failed']}, "
        f"waiting to try again {counts['waiting']}."
    )


@click.group("files", cls=AppGroup)
def files_group() -> None:
    """The file store: one-time moves into it (each package adds its own)."""


def planner_statistics(ctx: CityContext) -> None:
    """After the bulk load, before the steps that count it: the database's statistics for its
    query planner. Without them SQLite walks a unit's membership rows once per row when it
    works out who was a member when (minutes at a few thousand people, not a fraction of a
    second); PostgreSQL would otherwise wait for autovacuum to notice the new rows."""
    db.session.execute(sa.text("ANALYZE"))


def register_files_command(app: Flask, command: click.Command) -> None:
    """A package's `flask files ...` command (moving its files into the store)."""
    files_group.add_command(command)


def register(app: Flask) -> None:
    from civicladder.worker import worker_command

    app.cli.add_command(worker_command)
    register_city_step(app, 90, "the query planner's statistics", planner_statistics)
    app.cli.add_command(seed)
    app.cli.add_command(files_group)
    app.cli.add_command(outbox)
    app.cli.add_command(create_admin)
