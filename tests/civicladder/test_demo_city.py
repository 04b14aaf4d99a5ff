"""The demo city `flask seed demo` builds: seeded once for this module, whose tests only read it."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
import sqlalchemy as sa

from civicladder import clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import User
from competencies.models import (
    Competency,
    CompetencyCategory,
    CompetencyEvidence,
    EvidenceSource,
    JobProfileRequirement,
)
from competencies.queries import requirements_by_profile
from competencies.rules import current_level
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
from people.queries import own_employee, own_employee_id, reporting_line_ids
from tests.civicladder.test_demo_seed import count, seed


@pytest.fixture(scope="module")
def seeded(app, module_data) -> str:
    """The demo city, seeded once for the module (the tests hash at argon2's cheapest cost)."""
    return module_data.build(lambda: seed(app))


def count_agencies() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Department.id)).where(Department.kind == DepartmentKind.AGENCY)
    )


def test_demo_departments_form_a_tree_of_agencies_divisions_and_units(seeded):
    departments = db.session.scalars(sa.select(Department)).all()
    by_id = {d.id: d for d in departments}
    agencies = [d for d in departments if d.parent_id is None]
    assert len(agencies) >= 3
    assert {d.kind for d in agencies} == {DepartmentKind.AGENCY}
    for department in departments:
        parent = by_id.get(department.parent_id)
        if parent is not None:
            expected = DepartmentKind.DIVISION if parent.parent_id is None else DepartmentKind.UNIT
            assert department.kind == expected
            assert department.path == f"{parent.path} > {department.name}"
    for agency in agencies:
        divisions = [d for d in departments if d.parent_id == agency.id]
        assert divisions, agency.path
        assert all(any(u.parent_id == d.id for u in departments) for d in divisions)


def test_demo_employees_report_up_a_manager_hierarchy_without_cycles(seeded):
    employees = db.session.scalars(sa.select(Employee)).all()
    assert 55 <= len(employees) <= 65
    assert count(BargainingUnit) == 2
    kinds = dict(db.session.execute(sa.select(Department.id, Department.kind)).all())
    manager_of = {e.id: e.manager_id for e in employees}
    for employee in employees:
        if employee.manager_id is None:
            assert kinds[employee.department_id] == DepartmentKind.AGENCY
        seen, boss = {employee.id}, employee.manager_id
        while boss is not None:
            assert boss not in seen, "a reporting line loops back on itself"
            seen.add(boss)
            boss = manager_of[boss]
    heads = [e for e in employees if e.manager_id is None]
    assert len(heads) == len({e.department_id for e in heads}) == count_agencies()
    managers = {e.manager_id for e in employees if e.manager_id}
    frontline = [e for e in employees if e.id not in managers]
    assert all(e.bargaining_unit_id is None for e in employees if e.id in managers)
    assert sum(e.bargaining_unit_id is not None for e in frontline) > len(frontline) / 2
    assert sum(e.status == EmployeeStatus.LEAVE for e in employees) >= 2
    assert len({e.hire_date.year for e in employees}) >= 8
    assert all(e.job_profile_id for e in frontline)


def test_demo_framework_describes_every_level_and_asks_for_no_degrees(seeded):
    competencies = db.session.scalars(sa.select(Competency)).all()
    assert len(competencies) >= 25
    assert 5 <= count(CompetencyCategory) <= 6
    for competency in competencies:
        assert [d.level for d in competency.descriptors] == [1, 2, 3, 4, 5], competency.code
        assert all(d.descriptor.strip() for d in competency.descriptors)
    profiles = db.session.scalars(sa.select(JobProfile)).all()
    assert len(profiles) == 5
    requirements = requirements_by_profile([p.id for p in profiles])
    for profile in profiles:
        assert 4 <= len(requirements[profile.id]) <= 7, profile.code
        assert "degree" not in f"{profile.title} {profile.description}".lower()
    texts = [c.description for c in competencies]
    texts += [d.descriptor for c in competencies for d in c.descriptors]
    assert not [text for text in texts if "degree" in text.lower()]


def test_demo_framework_exports_as_a_case_package_that_validates(app, seeded):
    import json

    import jsonschema_rs

    from competencies.case import queries as case_queries
    from tests.competencies.test_case import SCHEMA

    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()), validate_formats=True)
    with app.test_request_context():
        package = case_queries.package()
    assert [error.message for error in validator.iter_errors(package)] == []
    competencies = [i for i in package["CFItems"] if i["CFItemType"] == "Competency"]
    assert len(competencies) == count(Competency)


def test_demo_evidence_spreads_around_each_job_minimum(seeded):
    today = clock.today()
    evidence = db.session.scalars(sa.select(CompetencyEvidence)).all()
    assert len({e.level for e in evidence}) >= 4
    assert {e.source for e in evidence} == {
        EvidenceSource.MANAGER_VALIDATION,
        EvidenceSource.IMPORTED,
        EvidenceSource.COURSE_COMPLETION,  # the academy's demo completions
        EvidenceSource.HIRING_ASSESSMENT,  # the demo's completed hiring round
    }
    assert 1 <= sum(e.expires_on is not None and e.expires_on <= today for e in evidence) <= 20
    assert all(0 <= (today - e.observed_on).days <= 3 * 366 for e in evidence)
    assert len({e.employee_id for e in evidence}) > count(Employee) / 2

    history = defaultdict(list)
    for e in evidence:
        history[e.employee_id, e.competency_id].append((e.level, e.expires_on))
    required = db.session.execute(
        sa.select(
            Employee.id, JobProfileRequirement.competency_id, JobProfileRequirement.min_level
        ).join(
            JobProfileRequirement, JobProfileRequirement.job_profile_id == Employee.job_profile_id
        )
    ).all()
    gaps = [
        (current_level(history[employee_id, competency_id], today) or 0) - minimum
        for employee_id, competency_id, minimum in required
    ]
    assert any(gap > 0 for gap in gaps) and any(gap < 0 for gap in gaps)
    assert sum(gap >= 0 for gap in gaps) > len(gaps) / 2


def test_demo_accounts_have_a_real_team_and_a_rep_for_both_units(seeded):
    by_role = {}
    for user in db.session.scalars(sa.select(User)):
        for role in user.roles:
            by_role.setdefault(role, user)
    manager = by_role[Role.MANAGER]
    assert manager.roles == {Role.MANAGER, Role.EMPLOYEE}
    team = set(db.session.scalars(reporting_line_ids(own_employee_id(manager))))
    assert 6 <= len(team) <= 10
    assert db.session.scalar(
        sa.select(sa.func.count(Employee.id)).where(Employee.manager_id.in_(team))
    ), "no second-level supervisor in the manager's line"
    employee_user = db.session.scalar(
        sa.select(User).where(User.email == "employee@demo.civicladder.example")
    )
    assert employee_user.roles == {Role.EMPLOYEE}
    assert own_employee_id(employee_user) in team
    assert own_employee(employee_user).bargaining_unit_id is not None
    assert db.session.scalar(
        sa.select(sa.func.count(CompetencyEvidence.id)).where(
            CompetencyEvidence.employee_id == own_employee_id(employee_user)
        )
    )
    rep_units = db.session.scalars(
        sa.select(UnionRepUnit.bargaining_unit_id).where(
            UnionRepUnit.user_id == by_role[Role.UNION_REP].id
        )
    )
    assert set(rep_units) == set(db.session.scalars(sa.select(BargainingUnit.id)))
    assert own_employee_id(by_role[Role.HR]) is not None
    assert by_role[Role.ADMIN].roles == {Role.ADMIN}


def test_demo_people_have_a_past_of_moves_leave_and_separations(seeded):
    """So a report of an earlier quarter counts other people than today's."""
    employees = {e.id: e for e in db.session.scalars(sa.select(Employee))}
    history = defaultdict(list)
    for row in db.session.scalars(sa.select(Membership).order_by(Membership.started_on)):
        history[row.employee_id].append(row)
    assert set(history) == set(employees)
    for ident, rows in history.items():
        now = employees[ident]
        assert [r.ended_on for r in rows][-1] is None
        assert (rows[-1].bargaining_unit_id, rows[-1].department_id, rows[-1].status) == (
            now.bargaining_unit_id,
            now.department_id,
            now.status,
        )
        assert all(a.ended_on == b.started_on - timedelta(days=1) for a, b in pairs(rows))
    two_years_ago = clock.today() - timedelta(days=2 * 366)
    changes = [(a, b) for rows in history.values() for a, b in pairs(rows)]
    assert all(b.started_on >= two_years_ago for _, b in changes)
    assert any(a.bargaining_unit_id != b.bargaining_unit_id for a, b in changes)
    assert any(a.department_id != b.department_id for a, b in changes)
    back = [(a.status, b.status) for a, b in changes]
    assert (EmployeeStatus.SEPARATED, EmployeeStatus.ACTIVE) in back  # a re-hire
    assert (EmployeeStatus.ACTIVE, EmployeeStatus.SEPARATED) in back  # former staff
    assert any(e.status == EmployeeStatus.SEPARATED for e in employees.values())


def pairs(rows: list) -> list[tuple]:
    return list(zip(rows, rows[1:], strict=False))
