"""An administrator turns password sign-in off for everyone but the break-glass administrators,
once the city's identity provider is set up; the sign-in page then refuses other passwords."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from civicladder import oidc, services
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Invalid
from civicladder.models import AuditEvent, User
from tests.civicladder.factories import PASSWORD


@pytest.fixture
def admins(make_user):
    return make_user({Role.ADMIN}), make_user({Role.ADMIN})


def sign_in(client, user):
    return client.post("/sign-in", data={"email": user.email, "password": PASSWORD})


def test_passwords_stay_on_for_everyone_by_default(client, make_user):
    assert services.password_sign_in_for_everyone()
    assert sign_in(client, make_user()).status_code == 302


def test_off_for_everyone_but_the_break_glass_administrator(app_ctx, client, admins, make_user):
    keeper, other = admins
    services.set_password_sign_in(
        keeper, False, {keeper.id}, "The city signs in through Entra ID now.", provider=True
    )
    assert not services.password_sign_in_for_everyone()
    assert db.session.get(User, keeper.id).break_glass
    refused = sign_in(client, make_user())
    assert refused.status_code == 422
    assert "Password sign-in is turned off" in refused.text
    assert sign_in(client, other).status_code == 422
    assert sign_in(client, keeper).status_code == 302
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "sign_in.password_policy_changed")
    ).one()
    assert event.before == {"password_sign_in": "everyone", "break_glass": []}
    assert event.after == {"password_sign_in": "break_glass_only", "break_glass": [keeper.id]}
    assert event.reason == "The city signs in through Entra ID now."
    # On again: everyone signs in, and the break-glass mark moves to whoever is chosen now.
    services.set_password_sign_in(keeper, True, {other.id}, "Provider retired.", provider=True)
    assert sign_in(client, make_user()).status_code == 302
    assert not db.session.get(User, keeper.id).break_glass
    assert db.session.get(User, other.id).break_glass


def test_a_wrong_password_is_told_as_wrong_whatever_the_setting(app_ctx, client, admins, make_user):
    keeper, _ = admins
    services.set_password_sign_in(keeper, False, {keeper.id}, "Provider live.", provider=True)
    user = make_user()
    refused = client.post("/sign-in", data={"email": user.email, "password": "not it at all"})
    assert "The email address or password is not correct." in refused.text
    assert "turned off" not in refused.text


def test_passwords_cannot_go_off_without_a_provider_or_a_break_glass_account(app_ctx, admins):
    keeper, other = admins
    with pytest.raises(Conflict, match="identity provider is set up"):
        services.set_password_sign_in(keeper, False, {keeper.id}, "Too soon.", provider=False)
    with pytest.raises(Invalid, match="at least one break-glass administrator"):
        services.set_password_sign_in(keeper, False, set(), "Nobody kept.", provider=True)
    other.password_hash = None
    with pytest.raises(Invalid, match="at least one break-glass administrator"):
        services.set_password_sign_in(keeper, False, {other.id}, "No password.", provider=True)
    assert services.password_sign_in_for_everyone()


def test_only_an_active_administrator_can_be_break_glass(app_ctx, admins, make_user):
    keeper, _ = admins
    with pytest.raises(Invalid, match="active administrators"):
        services.set_password_sign_in(
            keeper, False, {make_user({Role.HR}).id}, "An HR officer.", provider=True
        )


def test_the_administrators_page_saves_the_choice_and_says_what_it_does(
    client_as, admins, monkeypatch
):
    keeper, other = admins
    monkeypatch.setattr(oidc, "enabled", lambda: True)
    page = client_as(keeper)
    shown = page.get("/admin/sign-in")
    assert "What happens when password sign-in is off" in shown.text
    assert other.email in shown.text
    saved = page.post(
        "/admin/sign-in",
        data={"everyone": "no", "break_glass": [str(keeper.id)], "reason": "Provider live."},
    )
    assert saved.status_code == 302
    assert not services.password_sign_in_for_everyone()
    unexplained = page.post("/admin/sign-in", data={"everyone": "yes", "reason": ""})
    assert unexplained.status_code == 422
    assert "Give a reason" in unexplained.text
    assert not services.password_sign_in_for_everyone()
