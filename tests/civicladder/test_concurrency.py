"""Two identical requests at the same moment: one change, one audit event, and for the other a
clean refusal or nothing to do, never a 500 or "database is locked". Real commits, real races."""

from __future__ import annotations

import io
import itertools

import pytest
import sqlalchemy as sa

from civicladder import services
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent, Notification, PasswordResetToken, User
from competencies.models import Competency, CompetencyCategory, JobProfile
from people import services as people_services
from people.models import Employee, UnionRepUnit
from tests.people.test_roster import roster_csv, roster_row

_unique = itertools.count(1)


@pytest.fixture
def real(real_commits):
    return real_commits


@pytest.fixture
def admin_id(real, make_user):
    return real.run(lambda: make_user({Role.ADMIN}).id)


@pytest.fixture
def hr_id(real, make_user):
    return real.run(lambda: make_user({Role.HR}).id)


def post_together(real, user_id: int, url: str, data, n: int = 2, **kwargs):
    """n signed-in clients post the same form at the same moment; their responses."""
    clients = [real.client(user_id) for _ in range(n)]
    outcomes = real.concurrent(n, lambda i: clients[i].post(url, data=data, **kwargs))
    for outcome in outcomes:
        assert outcome.error is None, outcome.error
    return [outcome.value for outcome in outcomes]


def events(real, action: str, object_id: int | None = None, label: str | None = None) -> int:
    stmt = sa.select(AuditEvent.id).where(AuditEvent.action == action)
    if object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == str(object_id))
    if label is not None:
        stmt = stmt.where(AuditEvent.object_label == label)
    return real.count(stmt)


def ids_of(real, stmt) -> list[int]:
    return real.run(lambda: db.session.scalars(stmt).all())


def one_won_one_refused(responses, won: int = 302) -> None:
    """The winner redirects (or, `won`, shows its result); the loser sees why nothing was saved
    (form message or 409 page)."""
    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(won) == 1, statuses
    assert all(status in (won, 409, 422) for status in statuses), statuses
    for response in responses:
        if response.status_code == 409:  # the lost race, or a rule that now fails
            assert "That conflicts with the current state" in response.text
            assert "Signed in as" in response.text


# --- creating the same thing twice ---------------------------------------------------------


def test_same_new_user_twice_creates_one_user(real, admin_id):
    email = f"twin{next(_unique)}@city.example.gov"
    data = {"full_name": "Twin", "email": email, "roles": ["employee"]}

    responses = post_together(real, admin_id, "/admin/users/new", data)

    one_won_one_refused(responses, won=200)  # the invitation's one-time link, shown once
    assert real.count(sa.select(User.id).where(User.email == email)) == 1
    assert events(real, "user.created", label=email) == 1


def test_same_new_category_twice_creates_one_category(real, hr_id):
    name = f"Field work {next(_unique)}"

    responses = post_together(real, hr_id, "/competencies/categories/new", {"name": name})

    one_won_one_refused(responses)
    found = real.count(sa.select(CompetencyCategory.id).where(CompetencyCategory.name == name))
    assert found == 1
    assert events(real, "competency_category.created", label=name) == 1


def test_same_new_competency_twice_creates_one_competency(real, hr_id, competencies):
    category_id = real.run(lambda: competencies.category(name=f"Cat {next(_unique)}").id)
    code = f"RACE-{next(_unique)}"
    data = competency_form(code, category_id, "Racing")

    responses = post_together(real, hr_id, "/competencies/new", data)

    one_won_one_refused(responses)
    ids = real.run(
        lambda: db.session.scalars(sa.select(Competency.id).where(Competency.code == code)).all()
    )
    assert len(ids) == 1
    assert events(real, "competency.created", object_id=ids[0]) == 1


def profile_form(code: str, title: str, skill: int) -> dict:
    data = {"code": code, "title": title}
    data |= {"requirements-0-competency_id": skill, "requirements-0-min_level": 3}
    data |= {"requirements-0-weight": 40}
    return data | {f"requirements-{n}-competency_id": 0 for n in range(1, 6)}


def test_same_new_job_profile_twice_creates_one_profile(real, hr_id, competencies):
    skill = real.run(lambda: competencies.competency(code=f"SK-{next(_unique)}").id)
    code = f"JP-RACE-{next(_unique)}"
    data = profile_form(code, "Racer", skill)

    responses = post_together(real, hr_id, "/job-profiles/new", data)

    one_won_one_refused(responses)
    found = ids_of(real, sa.select(JobProfile.id).where(JobProfile.code == code))
    assert len(found) == 1
    assert events(real, "job_profile.created", object_id=found[0]) == 1


def test_same_roster_committed_twice_imports_it_once(real, hr_id):
    prefix = f"R{next(_unique)}-"
    data = roster_csv(
        roster_row(prefix + "1", email=f"{prefix}1@parks.example.gov".lower()),
        roster_row(prefix + "2", email=f"{prefix}2@parks.example.gov".lower()),
        roster_row(prefix + "3", email=f"{prefix}3@parks.example.gov".lower()),
    )
    clients = [real.client(hr_id) for _ in range(2)]
    asked = clients[0].post(
        "/people/import",
        data={"roster": (io.BytesIO(data), "roster.csv")},
        content_type="multipart/form-data",
    )
    assert asked.status_code == 303
    check = asked.headers["Location"]

    def commit(i: int):
        return clients[i].post(check + "/commit")

    outcomes = real.concurrent(2, commit)

    assert [outcome.error for outcome in outcomes] == [None, None]
    one_won_one_refused([outcome.value for outcome in outcomes], won=303)
    numbers = Employee.employee_number.startswith(prefix)
    assert real.count(sa.select(Employee.id).where(numbers)) == 3
    assert events(real, "roster.imported") == 1


def test_two_rosters_at_once_take_turns_and_the_second_plans_from_the_first(real, hr_id):
    """Two different files naming the same new employee, written at the same moment (the web's
    import and another system's batch, say): the second waits for the first to commit, then
    finds the employee there and changes them, instead of adding them again and failing."""
    number = f"T{next(_unique)}"
    first = roster_csv(roster_row(number, last_name="First", email=f"{number}@x.example.gov"))
    second = roster_csv(roster_row(number, last_name="Second", email=f"{number}@x.example.gov"))

    def write(i: int):
        def imported():
            hr = db.session.get(User, hr_id)
            plan = people_services.import_roster(hr, (first, second)[i], filename=f"{i}.csv")
            return len(plan.creates), len(plan.updates)

        return real.run(imported)

    outcomes = real.concurrent(2, write)

    assert [outcome.error for outcome in outcomes] == [None, None]
    assert sorted(outcome.value for outcome in outcomes) == [(0, 1), (1, 0)]
    named = sa.select(Employee.id).where(Employee.employee_number == number)
    assert real.count(named) == 1
    created_first = next(i for i, outcome in enumerate(outcomes) if outcome.value == (1, 0))
    kept = real.run(lambda: db.session.scalar(named.with_only_columns(Employee.last_name)))
    assert kept == ("Second", "First")[created_first]


# --- editing the same thing twice ----------------------------------------------------------


def competency_form(code: str, category_id: int, name: str) -> dict:
    data = {"code": code, "name": name, "category_id": category_id}
    return data | {f"level_{n}": f"Level {n} behaviour" for n in range(1, 6)}


def test_same_category_edit_twice_is_one_change(real, hr_id, competencies):
    category = real.run(lambda: competencies.category(name=f"Old name {next(_unique)}").id)
    name = f"New name {next(_unique)}"

    url = f"/competencies/categories/{category}/edit"
    responses = post_together(real, hr_id, url, {"name": name})

    assert [response.status_code for response in responses] == [302, 302]
    assert events(real, "competency_category.updated", object_id=category) == 1


def test_same_competency_edit_twice_is_one_change(real, hr_id, competencies):
    code = f"EDIT-{next(_unique)}"
    made = real.run(lambda: (lambda c: (c.id, c.category_id))(competencies.competency(code=code)))
    competency, category = made

    url = f"/competencies/{competency}/edit"
    responses = post_together(real, hr_id, url, competency_form(code, category, "Renamed"))

    assert [response.status_code for response in responses] == [302, 302]
    assert events(real, "competency.updated", object_id=competency) == 1


def test_same_job_profile_edit_twice_is_one_change(real, hr_id, competencies):
    skill = real.run(lambda: competencies.competency(code=f"SK-{next(_unique)}").id)
    code = f"JP-EDIT-{next(_unique)}"
    profile = real.run(lambda: competencies.job_profile(code=code, title="Old title").id)
    data = profile_form(code, "New title", skill)

    url = f"/job-profiles/{profile}/edit"
    responses = post_together(real, hr_id, url, data)

    assert [response.status_code for response in responses] == [302, 302]
    assert events(real, "job_profile.updated", object_id=profile) == 1


# --- changing the same user twice ----------------------------------------------------------


def roles_of(real, user_id: int) -> set[Role]:
    return real.run(lambda: db.session.get(User, user_id).roles)


def role_notices(real, user_id: int) -> int:
    return real.count(
        sa.select(Notification.id).where(
            Notification.user_id == user_id,
            Notification.subject == "Your CivicLadder roles have changed",
        )
    )


@pytest.mark.parametrize(
    "start, wanted",
    [({Role.EMPLOYEE}, {Role.EMPLOYEE, Role.HR}), ({Role.EMPLOYEE, Role.HR}, {Role.EMPLOYEE})],
    ids=["added", "removed"],
)
def test_same_role_change_twice_is_one_change(real, admin_id, make_user, start, wanted):
    target = real.run(lambda: make_user(start).id)
    data = {"roles": sorted(wanted), "reason": "Reorganisation"}

    responses = post_together(real, admin_id, f"/admin/users/{target}/roles", data)

    assert [response.status_code for response in responses] == [302, 302]
    assert roles_of(real, target) == wanted
    assert events(real, "user.roles_changed", object_id=target) == 1
    assert role_notices(real, target) == 1


@pytest.mark.parametrize("action", ["deactivate", "reactivate"])
def test_same_deactivation_or_reactivation_twice_is_one_change(real, admin_id, make_user, action):
    target = real.run(lambda: make_user(active=action == "deactivate").id)

    url = f"/admin/users/{target}/{action}"
    responses = post_together(real, admin_id, url, {"reason": "Left the city", "confirmed": "yes"})

    assert [response.status_code for response in responses] == [302, 302]
    assert real.run(lambda: db.session.get(User, target).active) is (action == "reactivate")
    done = "user.activated" if action == "reactivate" else "user.deactivated"
    assert events(real, done, object_id=target) == 1


def test_same_union_units_twice_is_one_change(real, admin_id, make_user, people):
    rep = real.run(lambda: make_user({Role.EMPLOYEE, Role.UNION_REP}).id)
    units = real.run(lambda: [people.bargaining_unit().id for _ in range(2)])

    url = f"/admin/users/{rep}/bargaining-units"
    responses = post_together(real, admin_id, url, {"units": units})

    assert [response.status_code for response in responses] == [302, 302]
    held = sa.select(UnionRepUnit.bargaining_unit_id).where(UnionRepUnit.user_id == rep)
    assert real.count(held) == 2
    assert events(real, "user.bargaining_units_changed", object_id=rep) == 1


# --- a one-time password link used twice at once -------------------------------------------


def test_a_password_link_used_twice_at_once_works_once(real, admin_id, make_user):
    user_id = real.run(lambda: make_user().id)
    token = real.run(
        lambda: services.issue_reset_link(
            db.session.get(User, admin_id), db.session.get(User, user_id)
        )
    )
    passwords = ["first new password here", "second new password here"]
    clients = [real.client() for _ in passwords]

    def use_link(i: int):
        data = {"new_password": passwords[i], "confirm_password": passwords[i]}
        return clients[i].post(f"/reset/{token}", data=data)

    outcomes = real.concurrent(2, use_link)

    assert [outcome.error for outcome in outcomes] == [None, None]
    responses = sorted((outcome.value for outcome in outcomes), key=lambda r: r.status_code)
    assert responses[0].status_code == 302
    # Refused on the form, or as a missing page when the link was already gone on arrival.
    assert responses[1].status_code in (404, 422)
    assert "This password link is not valid" in responses[1].text
    assert events(real, "user.password_reset", object_id=user_id) == 1
    unused = sa.select(PasswordResetToken.id).where(
        PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None)
    )
    assert real.count(unused) == 0
