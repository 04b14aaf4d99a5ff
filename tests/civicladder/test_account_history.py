"""What a person does to their own account shows in that account's history."""

import sqlalchemy as sa

from civicladder import audit, notify, transaction
from civicladder.models import AuditEvent
from tests.civicladder.factories import PASSWORD


def test_own_account_actions_are_stored_against_the_user(app, client_as, make_user, _transaction):
    user = make_user()
    with app.test_request_context():
        notify.notify(user, "Something to read")
        transaction.commit()
    client = client_as(user)
    client.post("/notifications/read")
    new = "another long password"
    form = {"current_password": PASSWORD, "new_password": new, "confirm_password": new}
    assert client.post("/account/password", data=form).status_code == 302
    assert client.post("/sign-out").status_code == 302

    history = _transaction.scalars(
        audit.search_statement().where(
            AuditEvent.object_type == "User", AuditEvent.object_id == str(user.id)
        )
    ).all()
    actions = {event.action for event in history}
    assert {"notification.read", "user.password_changed", "user.signed_out"} <= actions
    types = _transaction.scalars(sa.select(AuditEvent.object_type).distinct()).all()
    assert "LocalProxy" not in types
    page = client_as("admin").get(f"/admin/users/{user.id}").text
    assert "Changed their password" in page and "Signed out" in page


def test_record_unwraps_a_proxy_for_actor_and_object(app, make_user, _transaction):
    from flask_login import current_user, login_user

    user = make_user()
    with app.test_request_context():
        login_user(user)
        event = audit.record(current_user, "test.proxied", current_user)
    assert (event.actor_id, event.object_type, event.object_id) == (user.id, "User", str(user.id))
