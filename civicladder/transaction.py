"""The unit of work: one commit or rollback for a request or a command, and what runs after it.

A request commits once when it answers below 400 and rolls back otherwise (`register`). A command
or a job wraps its work in `unit_of_work()`, as a context manager or a decorator: it commits
once when the block ends and rolls back on any exception; a long command that keeps each item's
work on its own enters one unit per item. Nothing else commits or rolls back the session.

What must happen only once the change is saved (sending email, later enqueueing a job) is
registered with `after_commit(hook)` while the work runs. Hooks run after a successful commit, in
the order registered; a rollback forgets them, and so does the rollback of a savepoint they were
registered in. A hook that fails is logged and never undoes the commit it followed; a hook that
writes commits its own work through `commit()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext

from flask import Flask, current_app, make_response
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from civicladder import errors
from civicladder.db import db, write_transaction

_HOOKS_KEY = "civicladder.after_commit"

Hook = Callable[[], object]


def after_commit(hook: Hook) -> None:
    """Run `hook` (no arguments) once the unit of work under way has committed; never when it
    rolls back."""
    session = db.session()
    # The innermost transaction, so that rolling back a savepoint forgets what it registered.
    registered_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_HOOKS_KEY, []).append((registered_in, hook))


def commit() -> None:
    """Commit the unit of work, then run its after-commit hooks.

    The commit itself may raise (a constraint refusing the write): the hooks are then dropped
    and the caller rolls back. Once it has committed nothing here raises.
    """
    hooks = db.session.info.pop(_HOOKS_KEY, [])
    db.session.commit()
    for _, hook in hooks:
        _run(hook)


def rollback() -> None:
    """Roll the unit of work back; its after-commit hooks are forgotten."""
    db.session.info.pop(_HOOKS_KEY, None)
    db.session.rollback()


def _run(hook: Hook) -> None:
    try:
        hook()
    except Exception:
        current_app.logger.exception("after-commit hook %r failed; the change stays saved", hook)
        try:  # whatever the hook left half-done is not kept
            rollback()
        except Exception:
            current_app.logger.exception("rollback after a failed after-commit hook failed")


@contextmanager
def unit_of_work(*, write: bool = True) -> Iterator[None]:
    """Commit the block's work once when it ends, roll it back on any exception.

    For CLI commands and jobs (as `with unit_of_work():` or `@unit_of_work()`). With `write`
    (the default), SQLite begins the transaction as a writer's (see `civicladder.db`); a block
    that only reads may say `write=False`.
    """
    with write_transaction() if write else nullcontext():
        try:
            yield
        except BaseException:
            rollback()
            raise
        commit()


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back_hooks(session: Session, previous_transaction: SessionTransaction) -> None:
    """A rollback (of the whole unit, or of a savepoint) forgets the hooks registered inside it,
    whoever rolled back."""
    hooks = session.info.get(_HOOKS_KEY)
    if not hooks:
        return
    if previous_transaction.parent is None:
        session.info.pop(_HOOKS_KEY, None)
        return
    session.info[_HOOKS_KEY] = [
        (registered_in, hook)
        for registered_in, hook in hooks
        if not _inside(registered_in, previous_transaction)
    ]


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def register(app: Flask) -> None:
    """One unit of work per request: commit once on success, roll back on any error status."""

    @app.after_request
    def _finish(response):
        if response.status_code >= 400:
            rollback()
            return response
        try:
            commit()
        except IntegrityError as error:
            rollback()
            return make_response(errors.integrity_error_page(app, error))
        return response
