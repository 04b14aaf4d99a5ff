"""HR creates accounts in bulk for imported employees: a preview, then the invitations."""

import pytest
import sqlalchemy as sa

from civicladder import services as shell_services
from civicladder.access import Role
from civicladder.errors import Forbidden
from civicladder.models import OutboxMessage, User


def _users(session, email):
    return session.scalars(sa.select(User).where(User.email == email)).all()


def test_preview_lists_employees_with_an_email_and_no_account(client_as, people, make_user):
    people.employee(first_name="Ivy", last_name="Invite", email="ivy@city.example.gov")
    people.employee_user(first_name="Has", last_name="Account")
    people.employee(first_name="No", last_name="Email", email=None)
    make_user(email="taken@city.example.gov")
    people.employee(first_name="Clash", last_name="Email", email="taken@city.example.gov")
    page = client_as(Role.HR).get("/people/accounts").text
    assert "Invite, Ivy" in page
    assert "Account, Has" not in page and "Email, No" not in page and "Email, Clash" not in page


def test_nothing_is_created_without_the_confirmation(client_as, people, _transaction):
    people.employee(email="wait@city.example.gov")
    response = client_as(Role.HR).post("/people/accounts", data={})
    assert response.status_code == 200
    assert _users(_transaction, "wait@city.example.gov") == []


def test_confirmed_invitations_make_linked_employee_accounts_and_emails(
    client_as, people, _transaction
):
    person = people.employee(email="ivy@city.example.gov")
    response = client_as(Role.HR).post("/people/accounts", data={"confirmed": "yes"})
    assert response.status_code == 302
    [user] = _users(_transaction, "ivy@city.example.gov")
    assert user.roles == {Role.EMPLOYEE}
    _transaction.refresh(person)
    assert person.user_id == user.id
    message = _transaction.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == "ivy@city.example.gov")
    )
    assert "/reset/" in message.body


def test_hr_gives_only_the_employee_role_and_links_only_unused_accounts(app_ctx, make_user):
    hr = make_user({Role.HR})
    with pytest.raises(Forbidden):
        shell_services.create_user(hr, email="boss@city.test", full_name="B", roles={Role.ADMIN})
    used = make_user({Role.EMPLOYEE})  # has a password
    with pytest.raises(Forbidden):
        shell_services.issue_reset_link(hr, used)
    fresh = shell_services.create_user(
        hr, email="new@city.test", full_name="New", roles={Role.EMPLOYEE}
    )
    assert shell_services.issue_reset_link(hr, fresh)
