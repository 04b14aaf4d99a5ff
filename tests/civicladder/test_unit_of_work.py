"""One unit of work for requests and commands: one commit, one rollback, and hooks that run only
after the commit."""

from __future__ import annotations

import ast
import logging
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from civicladder import services, transaction
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict
from civicladder.models import OutboxMessage, User
from tests.civicladder.smtp_server import SMTPServer


@contextmanager
def commits():
    """The commits of any session while the block runs."""
    seen: list[Session] = []

    def committed(session):
        seen.append(session)

    event.listen(Session, "after_commit", committed)
    try:
        yield seen
    finally:
        event.remove(Session, "after_commit", committed)


def test_a_hook_runs_once_the_work_commits_and_not_before(app_ctx, make_user):
    ran: list[str] = []
    make_user()
    transaction.after_commit(lambda: ran.append("first"))
    transaction.after_commit(lambda: ran.append("second"))
    assert ran == []
    transaction.commit()
    assert ran == ["first", "second"]
    transaction.commit()  # a hook runs once
    assert ran == ["first", "second"]


def test_a_rollback_forgets_the_hooks(app_ctx, make_user):
    ran: list[str] = []
    make_user()
    transaction.after_commit(lambda: ran.append("told"))
    transaction.rollback()
    transaction.commit()
    assert ran == []


def test_a_rollback_by_anyone_forgets_the_hooks(app_ctx, make_user):
    ran: list[str] = []
    make_user()
    transaction.after_commit(lambda: ran.append("told"))
    db.session.rollback()  # not through the module: an error path, a library
    transaction.commit()
    assert ran == []


def test_a_hook_after_a_failed_commit_does_not_run(app_ctx, make_user):
    ran: list[str] = []
    taken = make_user().email
    transaction.commit()
    db.session.add(User(email=taken, full_name="Same address"))  # refused at the commit's flush
    transaction.after_commit(lambda: ran.append("told"))
    with pytest.raises(sa.exc.IntegrityError):
        transaction.commit()
    transaction.rollback()
    transaction.commit()
    assert ran == []


def test_a_rolled_back_savepoint_forgets_only_its_own_hooks(app_ctx, make_user):
    ran: list[str] = []
    make_user()
    transaction.after_commit(lambda: ran.append("outside"))
    with pytest.raises(RuntimeError), db.session.begin_nested():
        transaction.after_commit(lambda: ran.append("inside, undone"))
        raise RuntimeError("the savepoint's work is abandoned")
    with db.session.begin_nested():
        transaction.after_commit(lambda: ran.append("inside, kept"))
    transaction.commit()
    assert ran == ["outside", "inside, kept"]


def test_a_failing_hook_is_logged_and_undoes_nothing(app_ctx, make_user, caplog, _transaction):
    ran: list[str] = []
    user_id = make_user(full_name="Kept Person").id

    def broken():
        raise RuntimeError("the mail server fell over")

    transaction.after_commit(broken)
    transaction.after_commit(lambda: ran.append("the next hook"))
    with caplog.at_level(logging.ERROR):
        transaction.commit()
    assert ran == ["the next hook"]
    assert "the change stays saved" in caplog.text and "the mail server fell over" in caplog.text
    _transaction.expire_all()
    assert _transaction.get(User, user_id).full_name == "Kept Person"


def test_a_unit_of_work_commits_once_and_then_runs_its_hooks(app, make_user):
    ran: list[str] = []
    with app.app_context(), commits() as seen:
        with transaction.unit_of_work():
            make_user()
            transaction.after_commit(lambda: ran.append(f"after {len(seen)} commit(s)"))
            make_user()
        assert len(seen) == 1
    assert ran == ["after 1 commit(s)"]


def test_a_unit_of_work_rolls_back_on_any_exception(app, make_user, _transaction):
    ran: list[str] = []
    with app.app_context(), commits() as seen:
        with pytest.raises(KeyError), transaction.unit_of_work():
            make_user(email="never.saved@city.test")
            transaction.after_commit(lambda: ran.append("told"))
            raise KeyError("stopped")
        assert seen == []
    assert ran == []
    found = sa.select(User).where(User.email == "never.saved@city.test")
    assert _transaction.scalars(found).all() == []


def test_a_unit_of_work_works_as_a_decorator(app, make_user):
    @transaction.unit_of_work()
    def make_two():
        make_user()
        make_user()

    with app.app_context(), commits() as seen:
        make_two()
        make_two()
    assert len(seen) == 2


def test_a_cli_command_commits_its_work_once(app):
    runner = app.test_cli_runner()
    args = ["create-admin", "--email", "once@city.example.gov", "--name", "Once Admin"]
    with commits() as seen:
        result = runner.invoke(args=[*args, "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    assert len(seen) == 1


def test_a_refused_cli_command_commits_nothing(app, make_user):
    taken = make_user().email
    runner = app.test_cli_runner()
    with commits() as seen:
        result = runner.invoke(
            args=["create-admin", "--email", taken, "--name", "Again", "--password", "x" * 20]
        )
    assert result.exit_code != 0 and "already" in result.output
    assert seen == []


def test_a_rolled_back_request_sends_no_email(client_as, make_user, monkeypatch, app, _transaction):
    real_set_roles = services.set_roles

    def then_refused(*args, **kwargs):
        real_set_roles(*args, **kwargs)  # queues the "your roles have changed" email
        raise Conflict("Someone else changed this account meanwhile.")

    monkeypatch.setattr(services, "set_roles", then_refused)
    user = make_user({Role.EMPLOYEE})
    admin = client_as("admin")
    with SMTPServer() as server:
        monkeypatch.setitem(app.config, "MAIL_URL", server.url)
        response = admin.post(f"/admin/users/{user.id}/roles", data={"roles": ["employee", "hr"]})
    assert response.status_code == 409
    assert server.received == []
    assert _transaction.scalars(sa.select(OutboxMessage)).all() == []


def test_a_committed_request_sends_its_email_after_the_commit(
    client_as, make_user, monkeypatch, app
):
    user = make_user({Role.EMPLOYEE})
    admin = client_as("admin")
    with SMTPServer() as server:
        monkeypatch.setitem(app.config, "MAIL_URL", server.url)
        response = admin.post(f"/admin/users/{user.id}/roles", data={"roles": ["employee", "hr"]})
    assert response.status_code == 302
    assert [mail["To"] for mail in server.received] == [user.email]


def _session_commits_and_rollbacks(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "session"
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("civicladder", "people", "competencies", "hiring", "academy", "autonomy")
APP_PACKAGES += ("reports", "api")


def test_only_the_transaction_module_commits_or_rolls_back_the_session():
    own = ROOT / "civicladder" / "transaction.py"
    found = [
        place
        for package in APP_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != own
        for place in _session_commits_and_rollbacks(path)
    ]
    assert found == [], "commit through civicladder.transaction (unit_of_work) instead"
    assert _session_commits_and_rollbacks(own)  # the check does see a commit where there is one
