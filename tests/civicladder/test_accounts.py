"""Users, roles, passwords and one-time reset links: services and their pages."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from civicladder import clock, services
from civicladder.access import Role
from civicladder.errors import Conflict, Forbidden, Invalid, NotFound
from civicladder.models import AuditEvent, PasswordResetToken
from civicladder.security import verify_password
from tests.civicladder.factories import PASSWORD


def events(session, action):
    return session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_admin_creates_user_with_roles_and_an_audit_event(app_ctx, make_user, _transaction):
    admin = make_user({Role.ADMIN})
    user = services.create_user(
        admin, email=" New.Person@City.test ", full_name="New Person", roles={Role.HR}
    )
    assert user.email == "new.person@city.test"
    assert user.roles == {Role.HR}
    assert user.password_hash is None
    [event] = events(_transaction, "user.created")
    assert event.actor_id == admin.id
    assert event.after["roles"] == ["hr"]


def test_duplicate_email_is_a_conflict(app_ctx, make_user):
    admin = make_user({Role.ADMIN})
    existing = make_user()
    with pytest.raises(Conflict, match="already a user"):
        services.create_user(admin, email=existing.email.upper(), full_name="X", roles=set())


def test_only_admins_manage_users(app_ctx, make_user):
    hr = make_user({Role.HR})
    with pytest.raises(Forbidden):
        services.create_user(hr, email="a@city.test", full_name="A", roles=set())


def test_role_change_records_before_and_after(app_ctx, make_user, _transaction):
    admin = make_user({Role.ADMIN})
    user = make_user({Role.EMPLOYEE})
    services.set_roles(admin, user, {Role.EMPLOYEE, Role.MANAGER}, reason="promoted")
    [event] = events(_transaction, "user.roles_changed")
    assert event.before == {"roles": ["employee"]}
    assert event.after == {"roles": ["employee", "manager"]}
    assert event.reason == "promoted"


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(app_ctx, make_user):
    admin = make_user({Role.ADMIN})
    with pytest.raises(Invalid):
        services.set_roles(admin, admin, {Role.EMPLOYEE})
    with pytest.raises(Invalid):
        services.set_active(admin, admin, False)


def test_deactivation_ends_existing_sessions(client_as, make_user):
    admin_client = client_as("admin")
    victim = make_user({Role.EMPLOYEE})
    victim_client = client_as(victim)
    assert victim_client.get("/").status_code == 200
    response = admin_client.post(
        f"/admin/users/{victim.id}/deactivate", data={"reason": "left", "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert victim_client.get("/").status_code == 302


def test_change_password_needs_the_current_one(client_as, make_user):
    user = make_user()
    client = client_as(user)
    response = client.post(
        "/account/password",
        data={
            "current_password": "wrong wrong wrong",
            "new_password": "a new long password",
            "confirm_password": "a new long password",
        },
    )
    assert response.status_code == 422
    assert "Your current password is not correct." in response.text


def test_change_password_rotates_the_session_token(client_as, make_user, _transaction):
    user = make_user()
    other_session = client_as(user)
    client = client_as(user)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long password",
            "confirm_password": "a new long password",
        },
    )
    assert response.status_code == 302
    assert verify_password(user.password_hash, "a new long password")
    assert client.get("/").status_code == 200  # this session stays signed in
    assert other_session.get("/").status_code == 302  # the other one is signed out
    assert events(_transaction, "user.password_changed")


def test_short_new_password_is_refused(client_as, make_user):
    client = client_as(make_user())
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert response.status_code == 422
    assert "at least 12 characters" in response.text


def test_reset_link_works_once(client_as, client, make_user, _transaction):
    admin_client = client_as("admin")
    user = make_user(password_hash_override="")
    page = admin_client.post(f"/admin/users/{user.id}/reset-link")
    assert page.status_code == 200
    link = page.text.split('id="reset-link" type="text" value="')[1].split('"')[0]
    path = link.split("localhost", 1)[1]
    token = path.rsplit("/", 1)[1]
    stored = _transaction.scalar(sa.select(PasswordResetToken.token_hash))
    assert token not in stored  # only a hash is kept
    assert client.get(path).status_code == 200
    form = {"new_password": "my own password now", "confirm_password": "my own password now"}
    assert client.post(path, data=form).status_code == 302
    assert client.post("/sign-in", data={"email": user.email, "password": form["new_password"]})
    assert client.get(path).status_code == 404  # single use


def test_expired_reset_link_is_refused(app_ctx, make_user, monkeypatch):
    admin = make_user({Role.ADMIN})
    user = make_user()
    token = services.issue_reset_link(admin, user)
    later = clock.now() + timedelta(hours=25)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(NotFound, match="not valid"):
        services.reset_password(token, "a brand new password")


def test_new_reset_link_cancels_the_previous_one(app_ctx, make_user):
    admin = make_user({Role.ADMIN})
    user = make_user()
    first = services.issue_reset_link(admin, user)
    services.issue_reset_link(admin, user)
    with pytest.raises(NotFound):
        services.find_reset(first)


def test_changing_your_own_password_cancels_outstanding_links(app_ctx, make_user):
    admin = make_user({Role.ADMIN})
    user = make_user()
    token = services.issue_reset_link(admin, user)
    services.change_password(user, PASSWORD, "my own new password")
    with pytest.raises(NotFound, match="not valid"):
        services.reset_password(token, "someone else's password")
    assert verify_password(user.password_hash, "my own new password")


def test_a_link_issued_before_a_deactivation_stays_dead_after_reactivation(app_ctx, make_user):
    admin = make_user({Role.ADMIN})
    user = make_user()
    token = services.issue_reset_link(admin, user)
    services.set_active(admin, user, False, "Left the city")
    services.set_active(admin, user, True, "Came back")
    with pytest.raises(NotFound, match="not valid"):
        services.find_reset(token)


def test_reactivation_cancels_any_link_still_outstanding(app_ctx, make_user, _transaction):
    admin = make_user({Role.ADMIN})
    user = make_user(active=False)
    # A link left over from before the deactivation, from data written before links were
    # cancelled on deactivation.
    _transaction.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash="0" * 64,
            expires_at=clock.now() + timedelta(hours=1),
        )
    )
    _transaction.flush()
    services.set_active(admin, user, True)
    outstanding = sa.select(PasswordResetToken.id).where(
        PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
    )
    assert _transaction.scalars(outstanding).all() == []


def test_new_user_form_reports_bad_input(client_as):
    client = client_as("admin")
    response = client.post("/admin/users/new", data={"full_name": "", "email": "not-an-email"})
    assert response.status_code == 422
    assert "Enter the person&#39;s name." in response.text
    assert "Enter an email address like name@example.gov." in response.text


def test_new_user_links_an_employee_by_number(client_as, people):
    person = people.employee()
    client = client_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "full_name": person.full_name,
            "email": "linked@city.example.gov",
            "employee_number": person.employee_number,
            "roles": ["employee"],
        },
    )
    assert response.status_code == 200
    unknown = client.post(
        "/admin/users/new",
        data={"full_name": "X", "email": "x@city.example.gov", "employee_number": "NOPE"},
    )
    assert unknown.status_code == 422
    assert "There is no employee with number NOPE." in unknown.text


def test_users_page_query_count_does_not_grow(client_as, make_user, count_queries):
    client = client_as("admin")
    counts = []
    for size in (2, 20):
        for _ in range(size):
            make_user({Role.EMPLOYEE, Role.MANAGER})
        with count_queries() as statements:
            assert client.get("/admin/users").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_users_page_searches_by_name_or_email(client_as, make_user):
    make_user(full_name="Dana Okafor", email="dana@city.test")
    make_user(full_name="Lee Park", email="lee@city.test")
    page = client_as("admin").get("/admin/users?q=okafor").text
    assert "Dana Okafor" in page and "Lee Park" not in page


def test_create_admin_command_makes_the_account_through_the_one_create_user_path(app):
    """`flask create-admin` checks the password like every other path and audits alike."""
    from civicladder.db import db
    from civicladder.models import User

    runner = app.test_cli_runner()
    args = ["create-admin", "--email", " Chief@City.Example.GOV ", "--name", "Chief Admin"]
    with app.app_context():
        short = runner.invoke(args=[*args, "--password", "short"])
        assert short.exit_code != 0 and "at least 12 characters" in short.output
        made = runner.invoke(args=[*args, "--password", "a long enough passphrase"])
        assert made.exit_code == 0, made.output
        again = runner.invoke(args=[*args, "--password", "a long enough passphrase"])
        assert again.exit_code != 0 and "already a user" in again.output
        user = db.session.scalar(sa.select(User).where(User.email == "chief@city.example.gov"))
        assert user.roles == {Role.ADMIN} and user.password_hash
        event = db.session.scalar(
            sa.select(AuditEvent).where(
                AuditEvent.action == "user.created", AuditEvent.object_id == str(user.id)
            )
        )
        assert event.actor_label == "system"
        assert event.after == {
            "email": "chief@city.example.gov",
            "full_name": "Chief Admin",
            "active": True,
            "roles": ["admin"],
        }
