"""Fixtures for the route-wide tests (access matrix, bad input)."""

import pytest

from civicladder.access import Role


@pytest.fixture
def world(people, competencies, make_user):
    """A target employee outside everyone's line, a target user, a competency, a job profile."""
    unit = people.bargaining_unit()
    target = people.employee(bargaining_unit=unit)
    target_user = make_user({Role.EMPLOYEE, Role.UNION_REP})
    competency = competencies.competency()
    profile = competencies.job_profile([(competency, 2, 1)])
    return {
        "target_employee": target.id,
        "target_user": target_user.id,
        "competency": competency.id,
        "category": competency.category_id,
        "job_profile": profile.id,
    }


@pytest.fixture
def client_for(client, client_as, people):
    def make(role: str):
        if role == "anonymous":
            return client
        if role in ("employee", "manager"):
            boss, boss_user = people.employee_user(roles={Role(role)})
            if role == "manager":
                people.employee(manager=boss)
            return client_as(boss_user)
        return client_as(role)

    return make
