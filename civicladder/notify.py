"""Telling people things: in-app notices, and email sent only after the change commits.

The outbox is the record of every email; sending is an after-commit hook of the unit of work
(`civicladder.transaction`), so a change that rolls back sends nothing.
"""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage
from functools import partial
from urllib.parse import unquote, urlsplit, urlunsplit

import sqlalchemy as sa
from flask import current_app

from civicladder import clock, transaction
from civicladder.db import db
from civicladder.models import Notification, OutboxMessage, OutboxStatus, User

# Forms refuse these in one-line fields; this is the second line of defence for subjects built
# from stored names (a line break in an email header is refused by the mail library).
_CONTROL_RUNS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """The text with every run of control characters (line breaks, tabs) made one space."""
    return _CONTROL_RUNS.sub(" ", text).strip()


def notify(user: User, subject: str, body: str = "", link: str | None = None) -> Notification:
    """Queue a notice for a person: shown on their home page, and emailed after commit.

    `link` is one of the app's pages, built with `url_for`: a path in a request, a full address
    at PUBLIC_URL in a command or a job. The notice keeps the path, so it opens wherever the
    app is served; the email carries the full address at PUBLIC_URL.
    """
    subject = one_line(subject)[:200]
    page = _path(link) if link else None
    notice = Notification(user_id=user.id, subject=subject, body=body, link=page)
    db.session.add(notice)
    email(user.email, subject, body, page)
    return notice


def email(to_address: str, subject: str, body: str = "", link: str | None = None) -> OutboxMessage:
    """Queue an email alone, for someone without an account (a candidate); sent after commit.
    `link` is one of the app's pages, as for `notify`."""
    message = OutboxMessage(
        to_address=to_address, subject=one_line(subject)[:200], body=_email_body(body, link)
    )
    db.session.add(message)
    db.session.flush()
    transaction.after_commit(partial(deliver, [message.id]))
    return message


def _path(link: str) -> str:
    """The page's path (with its query and fragment), whichever address it was built as."""
    parts = urlsplit(link)
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))


def public_address(link: str) -> str:
    """The full address of one of the app's pages at PUBLIC_URL, for email."""
    public = urlsplit(current_app.config["PUBLIC_URL"])
    return urlunsplit((public.scheme, public.netloc, *urlsplit(_path(link))[2:]))


def _email_body(body: str, link: str | None) -> str:
    if not link:
        return body
    address = public_address(link)
    return f"{body}\n\nOpen in CivicLadder: {address}" if body else address


def pending_ids(include_failed: bool = False) -> list[int]:
    """Messages still to send: queued ones, and failed ones when retrying."""
    wanted = [OutboxStatus.QUEUED] + ([OutboxStatus.FAILED] if include_failed else [])
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(OutboxMessage.status.in_(wanted))
            .order_by(OutboxMessage.id)
        )
    )


def requeue_failed(message_ids: list[int]) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.QUEUED)
    )


def deliver(message_ids: list[int]) -> None:
    """Send queued messages through SMTP when MAIL_URL is set; otherwise they wait in the outbox.

    Runs after the change has committed, so a mail failure can only mark the message failed.
    Each message's outcome is committed as soon as it is known, so a run that stops midway never
    sends again what it already sent, and one bad message fails alone.
    """
    mail_url = current_app.config.get("MAIL_URL")
    if not mail_url:
        return
    for message_id in message_ids:
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.status != OutboxStatus.QUEUED:
            continue
        _deliver_one(mail_url, message)
        try:
            transaction.commit()
        except sa.exc.SQLAlchemyError:
            transaction.rollback()
            current_app.logger.exception("could not record mail delivery status")
            return


def _deliver_one(mail_url: str, message: OutboxMessage) -> None:
    message.attempts += 1
    try:
        _send(mail_url, current_app.config["MAIL_FROM"], message)
    except Exception as error:  # any failure belongs to this message only
        message.status = OutboxStatus.FAILED
        message.last_error = f"{type(error).__name__}: {error}"[:1000]
        current_app.logger.warning("mail to %s failed: %s", message.to_address, error)
    else:
        message.status = OutboxStatus.SENT
        message.sent_at = clock.now()


def status_counts(message_ids: list[int]) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count())
        .where(OutboxMessage.id.in_(message_ids))
        .group_by(OutboxMessage.status)
    ).all()
    return {str(status): count for status, count in rows}


def _send(mail_url: str, sender: str, message: OutboxMessage) -> None:
    parts = urlsplit(mail_url)
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body)
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parts.hostname or "localhost", port, timeout=10) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(email)


def unread_for(user: User, limit: int = 10) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )
