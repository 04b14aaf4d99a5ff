"""The generated city's shape, read from one city built once for the module (`flask seed
city` at the size and seed of tests/city/test_city.py): its departments, people, competencies,
rows and sign-ins. Building a city takes seconds; the tests here only read it."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from civicladder.db import db
from civicladder.models import AuditEvent, User, UserRole
from competencies.models import (
    Competency,
    CompetencyCategory,
    CompetencyEvidence,
    JobProfileRequirement,
    ProficiencyDescriptor,
)
from hiring.models import Application, HiringRound
from people.models import (
    BargainingUnit,
    Department,
    DepartmentKind,
    Employee,
    EmployeeStatus,
    JobProfile,
    UnionRepUnit,
)
from people.queries import reporting_line_ids
from people.seed.city import CITY_SIGN_INS
from tests.city.test_city import AS_OF, HASHED, SIZE, city, count


@pytest.fixture(scope="module")
def _city_output(module_data):
    return module_data.build(lambda: city(module_data.app))


@pytest.fixture
def built_city(_city_output) -> str:
    """What `flask seed city` printed; the city itself is in the database for the test."""
    return _city_output


def test_city_departments_form_agencies_divisions_and_units(built_city):
    departments = db.session.scalars(sa.select(Department)).all()
    by_id = {d.id: d for d in departments}
    kinds = Counter(d.kind for d in departments)
    assert kinds[DepartmentKind.AGENCY] >= 3
    assert kinds[DepartmentKind.DIVISION] >= kinds[DepartmentKind.AGENCY]
    assert kinds[DepartmentKind.UNIT] >= kinds[DepartmentKind.DIVISION]
    for department in departments:
        parent = by_id.get(department.parent_id)
        expected_parent = {
            DepartmentKind.AGENCY: None,
            DepartmentKind.DIVISION: DepartmentKind.AGENCY,
            DepartmentKind.UNIT: DepartmentKind.DIVISION,
        }[department.kind]
        assert (parent.kind if parent else None) == expected_parent
        assert department.path.endswith(department.name)


def test_every_unit_has_a_supervisor_reporting_to_its_division_director(built_city):
    manager = sa.orm.aliased(Employee)
    units = db.session.scalars(
        sa.select(Department.id).where(Department.kind == DepartmentKind.UNIT)
    ).all()
    supervised = set(
        db.session.scalars(
            sa.select(Employee.department_id)
            .join(manager, Employee.manager_id == manager.id)
            .join(Department, Department.id == Employee.department_id)
            .where(manager.department_id == Department.parent_id)
        )
    )
    assert set(units) <= supervised


def test_city_people_have_unique_numbers_and_emails_and_realistic_duplicate_names(built_city):
    people = db.session.execute(
        sa.select(Employee.employee_number, Employee.email, Employee.last_name)
    ).all()
    assert len({p.employee_number for p in people}) == SIZE
    assert len({p.email for p in people}) == SIZE
    assert Counter(p.last_name for p in people).most_common(1)[0][1] >= 5
    with_profile = count(Employee, Employee.job_profile_id.is_not(None))
    assert with_profile > 0.9 * SIZE
    hired = db.session.execute(sa.select(sa.func.min(Employee.hire_date))).scalar()
    assert (AS_OF - hired).days > 25 * 365


def test_city_competencies_requirements_and_evidence_are_plausible(built_city):
    assert count(CompetencyCategory) == 10
    assert count(Competency) == 150
    assert count(ProficiencyDescriptor) == 5 * 150
    per_profile = Counter(db.session.scalars(sa.select(JobProfileRequirement.job_profile_id)).all())
    assert set(per_profile) == set(db.session.scalars(sa.select(JobProfile.id)))
    assert all(4 <= n <= 7 for n in per_profile.values())
    evidence = db.session.execute(
        sa.select(
            CompetencyEvidence.level,
            CompetencyEvidence.observed_on,
            CompetencyEvidence.expires_on,
            CompetencyEvidence.source,
        )
    ).all()
    assert 7 * SIZE <= len(evidence) <= 13 * SIZE
    assert all(1 <= e.level <= 5 for e in evidence)
    assert all(e.observed_on <= AS_OF for e in evidence)
    expiring = [e for e in evidence if e.expires_on is not None]
    assert all(e.expires_on > e.observed_on for e in expiring)
    assert any(e.expires_on < AS_OF for e in expiring)
    assert any(e.expires_on >= AS_OF for e in expiring)
    assert len(Counter(e.source for e in evidence)) == 4


def test_city_rows_load_through_the_models_and_satisfy_their_constraints(built_city):
    if db.session.connection().dialect.name == "sqlite":
        assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []
    for model, _ in HASHED:
        # Reading every row through the model checks enums and types on the way back.
        assert db.session.scalars(sa.select(model)).all()
    # Ids went past the loaded rows: the next ordinary insert gets a free id.
    db.session.add(BargainingUnit(code="NEW", name="A new local"))
    db.session.add(CompetencyCategory(name="A new category"))
    db.session.flush()
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    # The moves of the applications to the three rounds a benchmark opens are kept, as the
    # app keeps them, for their pages' time in each stage: at most three moves each.
    moves = [action for action in actions if action.startswith("application.")]
    assert 0 < len(moves) <= 3 * 3 * count(Application) // count(HiringRound) + 9
    # Besides, one summary event per step, in the steps' order; no event per generated row.
    # The reports step publishes each unit's last quarter, each publication audited as such.
    audit = [action for action in actions if not action.startswith("application.")]
    assert audit[:5] == [
        "city.people_generated",
        "city.competencies_generated",
        "city.academy_generated",
        "city.hiring_generated",
        "city.autonomy_generated",
    ]
    units = db.session.scalar(sa.select(sa.func.count()).select_from(BargainingUnit)) - 1
    assert audit[5:] == ["report_snapshot.published"] * units


def test_city_sign_ins_are_who_a_benchmark_expects(built_city):
    output = built_city
    for email, password in CITY_SIGN_INS.values():
        assert f"{email}" in output and password in output
    user_ids = {
        label: db.session.scalar(sa.select(User.id).where(User.email == email))
        for label, (email, _) in CITY_SIGN_INS.items()
    }
    employee_of = {
        label: db.session.scalar(sa.select(Employee).where(Employee.user_id == user))
        for label, user in user_ids.items()
    }
    assert employee_of["admin"] is None
    manager = employee_of["manager"]
    below = db.session.scalar(
        sa.select(sa.func.count()).select_from(reporting_line_ids(manager.id).subquery())
    )
    assert below >= SIZE // 5
    worker = employee_of["employee"]
    assert worker.status == EmployeeStatus.ACTIVE and worker.job_profile_id is not None
    assert count(Employee, Employee.manager_id == worker.id) == 0
    assert count(CompetencyEvidence, CompetencyEvidence.employee_id == worker.id) >= 3
    represented = set(
        db.session.scalars(
            sa.select(UnionRepUnit.bargaining_unit_id).where(
                UnionRepUnit.user_id == user_ids["union_rep"]
            )
        )
    )
    assert represented == set(db.session.scalars(sa.select(BargainingUnit.id)))
    roles = Counter(db.session.scalars(sa.select(UserRole.role)))
    assert all(roles[role] >= 1 for role in ("admin", "hr", "manager", "employee", "union_rep"))


@pytest.mark.parametrize("label", sorted(CITY_SIGN_INS))
def test_city_sign_ins_open_the_home_page(app, built_city, label):
    email, password = CITY_SIGN_INS[label]
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302, response.text
    home = client.get("/")
    assert home.status_code == 200
    assert "Sign out" in home.text


def test_city_changes_feed_holds_the_last_days_in_the_order_they_happened(built_city):
    from api.models import Change
    from api.seed.city import FEED_DAYS

    rows = db.session.execute(
        sa.select(Change.position, Change.kind, Change.occurred_at, Employee.hire_date)
        .join(Employee, Employee.id == Change.employee_id)
        .order_by(Change.position)
    ).all()
    assert [row.position for row in rows] == list(range(1, len(rows) + 1))
    times = [row.occurred_at for row in rows]
    assert times == sorted(times)
    kinds = Counter(row.kind for row in rows)
    assert kinds["employee.hired"] and kinds["evidence.recorded"], kinds
    earliest = AS_OF.toordinal() - FEED_DAYS
    assert all(
        row.hire_date.toordinal() >= earliest for row in rows if row.kind == "employee.hired"
    )
    assert "changes in the feed" in built_city
