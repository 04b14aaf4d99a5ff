"""An administrator's account pages: confirmation steps, invitations by email, role words."""

import re

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.models import AuditEvent, OutboxMessage, PasswordResetToken, User
from people import queries


def _events(session, action: str) -> int:
    stmt = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action)
    return session.scalar(stmt)


# --- deactivating and reactivating ----------------------------------------------------------


def test_deactivation_page_says_what_will_happen_and_changes_nothing(client_as, make_user):
    target = make_user(email="leaving@city.test")
    page = client_as("admin").get(f"/admin/users/{target.id}/deactivate")
    assert page.status_code == 200
    assert "can no longer sign in" in page.text
    assert 'name="confirmed"' in page.text and ">Cancel</a>" in page.text
    assert target.active


def test_deactivation_without_the_confirmation_changes_nothing(client_as, make_user, _transaction):
    target = make_user()
    client = client_as("admin")
    response = client.post(f"/admin/users/{target.id}/deactivate", data={"reason": "left"})
    assert response.status_code == 422
    assert "Nothing has changed yet" in response.text
    _transaction.refresh(target)
    assert target.active
    assert _events(_transaction, "user.deactivated") == 0


def test_deactivation_needs_its_own_reason(client_as, make_user, _transaction):
    target = make_user()
    client = client_as("admin")
    response = client.post(
        f"/admin/users/{target.id}/deactivate", data={"reason": "  ", "confirmed": "yes"}
    )
    assert response.status_code == 422
    assert "Give a reason" in response.text
    _transaction.refresh(target)
    assert target.active


def test_confirmed_deactivation_keeps_the_reason(client_as, make_user, _transaction):
    target = make_user()
    client = client_as("admin")
    response = client.post(
        f"/admin/users/{target.id}/deactivate", data={"reason": "Left the city", "confirmed": "yes"}
    )
    assert response.status_code == 302
    _transaction.refresh(target)
    assert not target.active
    event = _transaction.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.deactivated")
    )
    assert event.reason == "Left the city"


def test_reactivation_without_the_confirmation_changes_nothing(client_as, make_user, _transaction):
    target = make_user(active=False)
    client = client_as("admin")
    assert (
        client.post(f"/admin/users/{target.id}/reactivate", data={"reason": "back"}).status_code
        == 422
    )
    _transaction.refresh(target)
    assert not target.active


def test_user_page_links_to_the_confirmation_not_a_one_click_button(client_as, make_user):
    target = make_user()
    page = client_as("admin").get(f"/admin/users/{target.id}").text
    assert f'href="/admin/users/{target.id}/deactivate"' in page
    assert f'action="/admin/users/{target.id}/deactivate"' not in page


# --- invitations ----------------------------------------------------------------------------


def test_invitation_emails_a_one_time_link_and_shows_it_once(client_as, people, _transaction):
    employee = people.employee(first_name="Ina", last_name="Vite")
    client = client_as("admin")
    page = client.post(
        "/admin/users/new",
        data={
            "full_name": "Ina Vite",
            "email": "ina.vite@city.example.gov",
            "employee_number": employee.employee_number,
            "roles": ["employee"],
        },
    )
    assert page.status_code == 200
    link = re.search(r'id="reset-link" type="text" value="([^"]+)"', page.text).group(1)
    assert 'data-copy-target="reset-link"' in page.text
    message = _transaction.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == "ina.vite@city.example.gov")
    )
    assert message.subject == "You are invited to CivicLadder"
    assert link in message.body
    token = link.rsplit("/", 1)[1]
    assert token not in _transaction.scalar(sa.select(PasswordResetToken.token_hash))
    user = _transaction.scalar(sa.select(User).where(User.email == "ina.vite@city.example.gov"))
    assert queries.own_employee_id(user) == employee.id


def test_invitation_takes_units_only_for_union_reps(client_as, people, _transaction):
    unit = people.bargaining_unit()
    client = client_as("admin")
    data = {"full_name": "Rep", "email": "rep@city.example.gov", "units": [str(unit.id)]}
    refused = client.post("/admin/users/new", data={**data, "roles": ["employee"]})
    assert refused.status_code == 422
    assert "only for union representatives" in refused.text
    assert _transaction.scalar(sa.select(User).where(User.email == "rep@city.example.gov")) is None
    taken = client.post("/admin/users/new", data={**data, "roles": ["union_rep"]})
    assert taken.status_code == 200
    rep = _transaction.scalar(sa.select(User).where(User.email == "rep@city.example.gov"))
    assert queries.rep_unit_ids(rep.id) == {unit.id}


def test_invitation_form_describes_each_role(client_as):
    page = client_as("admin").get("/admin/users/new").text
    assert "never individual records" in page  # the union representative's description
    assert "Manages user accounts and roles" in page


def test_units_are_chosen_only_for_union_reps_on_the_user_page(client_as, make_user):
    client = client_as("admin")
    plain = make_user({Role.EMPLOYEE})
    rep = make_user({Role.UNION_REP})
    assert (
        "Give this account the Union representative role first"
        in client.get(f"/admin/users/{plain.id}").text
    )
    assert (
        f'action="/admin/users/{rep.id}/bargaining-units"'
        in client.get(f"/admin/users/{rep.id}").text
    )
