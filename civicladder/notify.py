"""Telling people things: in-app notices, and email sent only after the change commits.

The outbox is the record of every email; sending is a job (`mail.send`) asked for in the same
unit of work, so it runs only once the change is committed and a change that rolls back sends
nothing; with a worker, the page answers without waiting for the mail server.
"""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit, urlunsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from civicladder import clock, jobs, languages, transaction
from civicladder.db import db
from civicladder.models import Notification, OutboxMessage, OutboxStatus, User

SEND_JOB = "mail.send"
_SENDING_ASKED_KEY = "civicladder.mail_sending_asked"
# Waits before the second, third, ... try of a message that failed; then it is marked failed.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))

# Forms refuse these in one-line fields; this is the second line of defence for subjects built
# from stored names (a line break in an email header is refused by the mail library).
_CONTROL_RUNS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """The text with every run of control characters (line breaks, tabs) made one space."""
    return _CONTROL_RUNS.sub(" ", text).strip()


def notify(user: User, subject: str, body: str = "", link: str | None = None) -> Notification:
    """Queue a notice for a person: shown on their home page, and emailed after commit.

    A notice is written in its recipient's language (their account's choice, else English),
    whoever's action sends it: `subject` and `body` may be lazy strings (`lazy_gettext`), made
    into words here in that language; a caller that formats dates or labels writes them
    inside `languages.written_in(user.locale)`. The words are kept as written, so the home
    page shows them with no translation per row, and the email says the same.

    `link` is one of the app's pages, built with `url_for`: a path in a request, a full address
    at PUBLIC_URL in a command or a job. The notice keeps the path, so it opens wherever the
    app is served; the email carries the full address at PUBLIC_URL.
    """
    with languages.written_in(user.locale):
        subject, body = one_line(str(subject))[:200], str(body)
        page = _path(link) if link else None
        notice = Notification(user_id=user.id, subject=subject, body=body, link=page)
        db.session.add(notice)
        email(user.email, subject, body, page)
    return notice


def email(to_address: str, subject: str, body: str = "", link: str | None = None) -> OutboxMessage:
    """Queue an email alone, for someone without an account (a candidate); sent after commit.
    `link` is one of the app's pages, as for `notify`."""
    message = OutboxMessage(
        to_address=to_address, subject=one_line(subject)[:200], body=email_body(body, link)
    )
    db.session.add(message)
    db.session.flush()
    _ask_for_sending()
    return message


def email_many(messages: list[tuple[str, str, str]], link: str | None = None) -> int:
    """Queue many emails at once, (address, subject, body) each, in one statement (a round's
    candidates told it is complete); sent after commit like `email`."""
    if not messages:
        return 0
    now = clock.now()
    db.session.execute(
        sa.insert(OutboxMessage),
        [
            {
                "to_address": to_address,
                "subject": one_line(subject)[:200],
                "body": email_body(body, link),
                "created_at": now,
                "status": OutboxStatus.QUEUED,
                "attempts": 0,
            }
            for to_address, subject, body in messages
        ],
    )
    _ask_for_sending()
    return len(messages)


def _ask_for_sending() -> None:
    """One job per unit of work that queued email (none without a mail server: the messages
    wait in the outbox, and `flask outbox send` sends them once there is one)."""
    if not current_app.config.get("MAIL_URL"):
        return
    session = db.session()
    unit = session.get_transaction()
    if session.info.get(_SENDING_ASKED_KEY) is unit:
        return
    session.info[_SENDING_ASKED_KEY] = unit
    jobs.enqueue(SEND_JOB)


def _path(link: str) -> str:
    """The page's path (with its query and fragment), whichever address it was built as."""
    parts = urlsplit(link)
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))


def public_address(link: str) -> str:
    """The full address of one of the app's pages at PUBLIC_URL, for email."""
    public = urlsplit(current_app.config["PUBLIC_URL"])
    return urlunsplit((public.scheme, public.netloc, *urlsplit(_path(link))[2:]))


def email_body(body: str, link: str | None) -> str:
    """An email's text with the page it leads to, in the language being written."""
    if not link:
        return body
    address = public_address(link)
    opening = gettext("Open in CivicLadder: %(address)s", address=address)
    return f"{body}\n\n{opening}" if body else address


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
    """Failed messages waiting again, to be tried at once."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.QUEUED, next_attempt_at=None, claimed_at=None)
    )


def send_due(run=None, *, every_waiting: bool = False, report=None) -> dict:
    """The job that sends email: every waiting message whose time has come, oldest first.

    Each message is claimed before it is sent (a committed mark, so two senders never take the
    same one) and its outcome saved as soon as it is known, so one bad address fails alone and
    a sender that dies has sent nothing twice: only the message it held is left claimed, and
    once `reclaim_after()` has passed the next run sends it again. A failure waits for the next
    try (BACKOFF); after the last it is marked failed, and `flask outbox send --retry-failed`
    tries again. `every_waiting` sends the messages waiting out a backoff too (an operator's
    run after an outage); `report(done, total)` hears of each message.
    """
    mail_url = current_app.config.get("MAIL_URL")
    if not mail_url:
        return {"sent": 0, "failed": 0, "waiting": 0}
    now = clock.now()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.claimed_at < now - reclaim_after(),
        )
        .values(claimed_at=None)
    )
    transaction.commit()
    due = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.claimed_at.is_(None),
            sa.or_(
                sa.true() if every_waiting else OutboxMessage.next_attempt_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
            ),
        )
        .order_by(OutboxMessage.id)
    ).all()
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    for done, message_id in enumerate(due, start=1):
        outcome = _send_one(mail_url, message_id)
        if outcome:
            counts[outcome] += 1
        if run is not None:
            jobs.progress(run, done, len(due))
        if report is not None:
            report(done, len(due))
    return counts


def reclaim_after() -> timedelta:
    """A message claimed this long ago and still not sent belongs to a sender that died."""
    return timedelta(seconds=current_app.config["MAIL_RECLAIM_SECONDS"])


def _send_one(mail_url: str, message_id: int) -> str | None:
    """Claim, send and record one message; what became of it, or None when another sender
    had it."""
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.claimed_at.is_(None),
        )
        .values(claimed_at=clock.now(), attempts=OutboxMessage.attempts + 1)
    ).rowcount
    transaction.commit()
    if not claimed:
        return None
    message = db.session.get(OutboxMessage, message_id)
    try:
        _send(mail_url, current_app.config["MAIL_FROM"], message)
    except Exception as error:  # any failure belongs to this message only
        message.last_error = f"{type(error).__name__}: {error}"[:1000]
        message.claimed_at = None
        current_app.logger.warning("mail to %s failed: %s", message.to_address, error)
        if message.attempts > len(BACKOFF) or _never_sendable(error):
            message.status = OutboxStatus.FAILED
            outcome = "failed"
        else:
            message.next_attempt_at = clock.now() + BACKOFF[message.attempts - 1]
            outcome = "waiting"
    else:
        message.status, message.sent_at, message.claimed_at = OutboxStatus.SENT, clock.now(), None
        outcome = "sent"
    transaction.commit()
    return outcome


def _never_sendable(error: Exception) -> bool:
    """A failure trying again cannot mend: the message itself is refused (a header the mail
    library will not write), or the server refuses every recipient for good (5xx)."""
    if isinstance(error, ValueError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


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
