"""Labelled enums: stored by value, shown by label, from one declaration."""

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.enums import LabelledEnum, choices
from civicladder.models import UserRole
from competencies.models import EvidenceSource
from people.models import EmployeeStatus


class Colour(LabelledEnum):
    DARK_BLUE = "dark_blue", "Navy"
    LIGHT_GREEN = "light_green"


def test_a_member_is_its_value_and_carries_its_label():
    assert Role.HR == "hr" and Role("hr") is Role.HR
    assert Role.HR.label == "Human resources"
    assert str(Role.UNION_REP) == "union_rep"
    assert EmployeeStatus.LEAVE.label == "On leave"
    assert EvidenceSource.MANAGER_VALIDATION.label == "Manager validation"


def test_a_member_without_a_label_gets_its_value_in_words():
    assert Colour.DARK_BLUE.label == "Navy"
    assert Colour.LIGHT_GREEN.label == "Light green"
    assert choices(Colour) == [("dark_blue", "Navy"), ("light_green", "Light green")]


def test_the_database_stores_the_value_and_returns_the_member(make_user, _transaction):
    user = make_user({Role.UNION_REP})
    stored = _transaction.execute(
        sa.text("SELECT role FROM user_role WHERE user_id = :id"), {"id": user.id}
    ).scalar_one()
    assert stored == "union_rep"
    db.session.expire_all()
    row = db.session.scalar(sa.select(UserRole).where(UserRole.user_id == user.id))
    assert row.role is Role.UNION_REP and row.role.label == "Union representative"


def test_pages_show_labels_not_values(client_as, people):
    boss, manager = people.employee_user(roles={Role.MANAGER})
    people.employee(manager=boss, status=EmployeeStatus.LEAVE)
    page = client_as(manager).get("/").get_data(as_text=True)
    assert "Your roles: Employee, Manager." in page
    assert "No job profile · On leave</span>" in page and ">leave<" not in page
