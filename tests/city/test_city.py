"""`flask seed city`: a deterministic synthetic city in proportion to the size asked for."""

from __future__ import annotations

import hashlib
import random
import statistics
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta
from enum import Enum

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from autonomy.models import (
    AutonomyGrant,
    AutonomyLevel,
    AutonomyTrack,
    LevelRequirement,
    OutcomeMetric,
    OutcomeRecord,
)
from civicladder import cli
from civicladder.app import create_app
from civicladder.db import db
from civicladder.models import AuditEvent, User, UserRole
from competencies.models import (
    Competency,
    CompetencyCategory,
    CompetencyEvidence,
    JobProfileRequirement,
    ProficiencyDescriptor,
)
from hiring.models import (
    Answer,
    Application,
    Assessment,
    DemographicResponse,
    HiringRound,
    PanelMember,
    RoundQuestion,
    RubricItem,
    Score,
)
from people.models import (
    BargainingUnit,
    Department,
    DepartmentKind,
    Employee,
    EmployeeStatus,
    JobProfile,
    Membership,
    UnionRepUnit,
)
from people.seed.city import CITY_SIGN_INS

SIZE = 300
AS_OF = date(2026, 1, 15)
# The generated tables, and the columns left out of the content hash: hashes salted at random
# and session tokens are random by design.
HASHED = [
    (Department, ()),
    (BargainingUnit, ()),
    (JobProfile, ()),
    (Employee, ()),
    (Membership, ("id",)),  # numbered by the database's sequence, which earlier tests move on
    (User, ("password_hash", "session_token", "last_login_at")),
    (UserRole, ()),
    (UnionRepUnit, ()),
    (CompetencyCategory, ()),
    (Competency, ()),
    (ProficiencyDescriptor, ()),
    (JobProfileRequirement, ()),
    (CompetencyEvidence, ()),
    (HiringRound, ()),
    (RoundQuestion, ()),
    (RubricItem, ()),
    (PanelMember, ()),
    (Application, ()),
    (Answer, ()),
    (DemographicResponse, ()),
    (Assessment, ()),
    (Score, ()),
    (AutonomyTrack, ()),
    (AutonomyLevel, ()),
    (LevelRequirement, ()),
    (OutcomeMetric, ()),
    (AutonomyGrant, ()),
    (OutcomeRecord, ()),
]


def seed_city(app, seed: int = 7, size: int = SIZE):
    with app.app_context():
        return app.test_cli_runner().invoke(
            args=[
                "seed",
                "city",
                "--employees",
                str(size),
                "--seed",
                str(seed),
                "--as-of",
                AS_OF.isoformat(),
            ]  # fmt: skip
        )


def city(app, seed: int = 7, size: int = SIZE) -> str:
    result = seed_city(app, seed, size)
    assert result.exit_code == 0, result.output
    return result.output


def _plain(value) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def content_hash() -> str:
    """One digest over every generated row, tables and rows in a fixed order."""
    digest = hashlib.sha256()
    for model, skipped in HASHED:
        table = model.__table__
        columns = [c for c in table.columns if c.name not in skipped]
        order = [table.c[c.name] for c in table.primary_key.columns]
        for row in db.session.execute(sa.select(*columns).order_by(*order)):
            digest.update("|".join(_plain(v) for v in row).encode())
            digest.update(b"\n")
        digest.update(f"#{table.name}\n".encode())
    return digest.hexdigest()


@pytest.fixture
def other_database(tmp_path):
    """A fresh SQLite database with its own app, for a second run to compare with."""

    def build(name: str):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}.sqlite3",
                "MAIL_URL": None,
                "ARGON2_TIME_COST": 1,
                "ARGON2_MEMORY_COST": 8,
                "ARGON2_PARALLELISM": 1,
            }
        )
        app.instance_path = str(tmp_path)
        return app

    return build


@contextmanager
def own_session(app):
    """Work in another app's database, migrated; the suite's session is put back after."""
    # The suite binds `db.session` to the test's connection; the other app needs its own.
    suite_session = db.session
    db.session = db._make_scoped_session({})
    try:
        with app.app_context():
            upgrade()
        yield
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        db.session = suite_session


def hash_in(app, seed: int, extra_steps=()) -> str:
    """Generate a city in another app's database and return its content hash."""
    for order, name, step in extra_steps:
        cli.register_city_step(app, order, name, step)
    with own_session(app):
        city(app, seed)
        with app.app_context():
            return content_hash()


def test_the_same_seed_gives_the_same_city_and_another_seed_another(app, other_database):
    city(app, seed=7)
    first = content_hash()
    again = hash_in(other_database("again"), seed=7)
    other = hash_in(other_database("other"), seed=8)
    assert again == first
    assert other != first


def test_a_step_added_later_leaves_what_the_others_generate_unchanged(other_database):
    def greedy(ctx: cli.CityContext) -> None:
        ctx.rng.random()  # draws from its own generator only
        ctx.built["greedy"] = [ctx.rng.random() for _ in range(1000)]

    plain = hash_in(other_database("plain"), seed=7)
    extended = hash_in(other_database("extended"), seed=7, extra_steps=[(15, "greedy", greedy)])
    assert extended == plain


def test_each_step_gets_a_generator_from_the_seed_and_its_own_name():
    context = cli.CityContext(employees=300, seed=5, as_of=AS_OF)
    draw = context.for_step("people").rng.random()
    assert context.for_step("people").rng.random() == draw
    assert context.for_step("competencies").rng.random() != draw
    assert cli.CityContext(300, 6, AS_OF).for_step("people").rng.random() != draw
    assert random.Random("5:people").random() == draw


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("size", [SIZE, 2000])
def test_city_has_exactly_the_employees_asked_for_in_a_manager_tree_without_cycles(app, size):
    city(app, size=size)
    rows = db.session.execute(
        sa.select(Employee.id, Employee.manager_id, Employee.department_id, Employee.status)
    ).all()
    assert len(rows) == size
    manager_of = {r.id: r.manager_id for r in rows}
    depths = []
    for ident in manager_of:
        seen, current = set(), ident
        while manager_of[current] is not None:
            assert current not in seen, "a manager cycle"
            seen.add(current)
            current = manager_of[current]
        depths.append(len(seen))
    assert max(depths) == 4  # head > director > supervisor > crew lead > worker
    heads = [i for i, m in manager_of.items() if m is None]
    agencies = count(Department, Department.kind == DepartmentKind.AGENCY)
    assert len(heads) == agencies
    spans = Counter(m for m in manager_of.values() if m is not None)
    assert 5 <= statistics.median(spans.values()) <= 10
    statuses = Counter(r.status for r in rows)
    assert statuses[EmployeeStatus.ACTIVE] > 0.8 * size
    assert statuses[EmployeeStatus.LEAVE] > 0
    assert statuses[EmployeeStatus.SEPARATED] > 0


def test_city_membership_history_has_moves_separations_and_rehires_in_the_last_two_years(app):
    city(app, size=2000)
    employees = {e.id: e for e in db.session.scalars(sa.select(Employee))}
    history = {}
    for row in db.session.scalars(sa.select(Membership).order_by(Membership.started_on)):
        history.setdefault(row.employee_id, []).append(row)
    assert set(history) == set(employees)
    changes = []
    for ident, rows in history.items():
        last, person = rows[-1], employees[ident]
        assert last.ended_on is None and rows[0].started_on == person.hire_date
        assert (last.bargaining_unit_id, last.department_id, last.status) == (
            person.bargaining_unit_id,
            person.department_id,
            person.status,
        )
        for before, after in zip(rows, rows[1:], strict=False):
            assert before.ended_on == after.started_on - timedelta(days=1)
            changes.append((before, after))
    assert all(AS_OF - timedelta(days=731) <= a.started_on < AS_OF for _, a in changes)
    kinds = Counter(
        "moved" if b.department_id != a.department_id else (b.status.value, a.status.value)
        for b, a in changes
    )
    assert kinds["moved"] >= 20
    assert kinds[("active", "separated")] >= 20
    assert kinds[("separated", "active")] >= 5
    assert kinds[("active", "leave")] >= 10
    assert any(b.bargaining_unit_id != a.bargaining_unit_id for b, a in changes)


def test_seed_city_refuses_a_database_with_employees(app, people):
    people.employee()
    result = seed_city(app)
    assert result.exit_code != 0
    assert "already has employees" in result.output
    assert count(JobProfile) == 0
    assert count(AuditEvent, AuditEvent.action.like("city.%")) == 0


def test_seed_city_refuses_a_size_too_small_to_make_a_city(app):
    result = seed_city(app, size=10)
    assert result.exit_code == 2
    assert "--employees" in result.output
    assert count(Employee) == 0


def test_seed_city_builds_beside_an_existing_administrator(app, make_user):
    from civicladder.access import Role

    admin = make_user(roles={Role.ADMIN})
    city(app)
    assert db.session.get(User, admin.id).email == admin.email
    city_admin = db.session.scalar(
        sa.select(User.id).where(User.email == CITY_SIGN_INS["admin"][0])
    )
    assert city_admin > admin.id
    assert count(UserRole, UserRole.role == "admin") == 2


@pytest.mark.parametrize(
    ("total", "weights", "minimum", "expected"),
    [
        (10, [1, 1, 1], 0, [4, 3, 3]),
        (10, [1, 0, 0], 2, [6, 2, 2]),
        (7, [0.5, 1.5], 1, [2, 5]),
    ],
)
def test_split_shares_a_whole_number_in_proportion_with_a_floor(total, weights, minimum, expected):
    from people.seed.city import split

    assert split(total, weights, minimum) == expected


def test_a_failing_step_leaves_nothing_of_the_city_behind(other_database):
    def broken(ctx: cli.CityContext) -> None:
        raise RuntimeError("a step went wrong")

    app = other_database("broken")
    cli.register_city_step(app, 15, "broken", broken)
    with own_session(app):
        result = seed_city(app)
        assert isinstance(result.exception, RuntimeError)
        with app.app_context():
            assert count(Employee) == 0
            assert count(Department) == 0
            assert count(AuditEvent) == 0
