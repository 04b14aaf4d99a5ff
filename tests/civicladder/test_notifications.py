"""Notices reach people in the app, and by email only after the change commits."""

import socket
from datetime import timedelta

import sqlalchemy as sa

from civicladder import clock, notify, services, transaction
from civicladder.access import Role
from civicladder.models import Notification, OutboxMessage, OutboxStatus
from tests.civicladder.smtp_server import SMTPServer


def test_role_change_notifies_the_person_in_app_and_outbox(app_ctx, make_user, _transaction):
    admin = make_user({Role.ADMIN})
    user = make_user({Role.EMPLOYEE})
    services.set_roles(admin, user, {Role.EMPLOYEE, Role.MANAGER})
    transaction.commit()
    [notice] = notify.unread_for(user)
    assert notice.subject == "Your CivicLadder roles have changed"
    assert "Employee, Manager" in notice.body
    [message] = _transaction.scalars(sa.select(OutboxMessage)).all()
    assert message.to_address == user.email
    assert message.status == OutboxStatus.QUEUED  # no MAIL_URL: kept for admins to read


def test_notice_shows_on_home_page_and_can_be_marked_read(client_as, make_user, app):
    user = make_user()
    with app.test_request_context():
        notify.notify(user, "A seat freed up", "Course X has a seat for you.", link="/")
        transaction.commit()
    client = client_as(user)
    assert "A seat freed up" in client.get("/").text
    assert client.post("/notifications/read").status_code == 302
    assert "You have no new notifications." in client.get("/").text


def test_mail_is_sent_after_commit_through_smtp(app, make_user, monkeypatch, _transaction):
    user = make_user()
    with SMTPServer() as server, app.test_request_context():
        monkeypatch.setitem(app.config, "MAIL_URL", server.url)
        notify.notify(user, "Decision made", "Your request was approved.", link="/people/1")
        assert server.received == []  # nothing leaves before the commit
        transaction.commit()
    [mail] = server.received
    assert mail["To"] == user.email
    assert mail["Subject"] == "Decision made"
    assert "http://127.0.0.1:5000/people/1" in mail.get_payload()
    message = _transaction.scalar(sa.select(OutboxMessage))
    assert message.status == OutboxStatus.SENT


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_mail_failure_never_undoes_the_change(app, make_user, monkeypatch, _transaction):
    admin = make_user({Role.ADMIN})
    user = make_user({Role.EMPLOYEE})
    monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{_closed_port()}")
    with app.test_request_context():
        services.set_roles(admin, user, {Role.EMPLOYEE, Role.HR})
        transaction.commit()
    _transaction.expire_all()
    assert user.roles == {Role.EMPLOYEE, Role.HR}
    message = _transaction.scalar(sa.select(OutboxMessage))
    # Waiting for its next try (the mail server may be back by then).
    assert message.status == OutboxStatus.QUEUED and message.next_attempt_at is not None
    assert "ConnectionRefusedError" in message.last_error
    assert _transaction.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_rolled_back_change_sends_nothing(app, make_user, monkeypatch):
    user = make_user()
    with SMTPServer() as server, app.test_request_context():
        monkeypatch.setitem(app.config, "MAIL_URL", server.url)
        notify.notify(user, "Never sent")
        transaction.rollback()
        transaction.commit()
    assert server.received == []


def test_outbox_page_lists_queued_mail(client_as, make_user, app):
    user = make_user()
    with app.test_request_context():
        notify.notify(user, "Waiting in the outbox")
        transaction.commit()
    page = client_as("admin").get("/admin/outbox")
    assert "Waiting in the outbox" in page.text
    assert "No mail server is configured" in page.text


def test_outbox_send_delivers_waiting_and_retries_failed_mail(app, make_user, monkeypatch):
    user = make_user()
    with app.test_request_context():
        notify.notify(user, "Queued while no mail server was set")
        transaction.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["outbox", "send"])
    assert refused.exit_code != 0 and "MAIL_URL is not set" in refused.output

    monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{_closed_port()}")
    down = runner.invoke(args=["outbox", "send"])
    assert "Sent 0, failed 0, waiting to try again 1." in down.output
    # After its last try it is marked failed.
    for _ in notify.BACKOFF[1:]:
        runner.invoke(args=["outbox", "send"])
    assert "Sent 0, failed 1," in runner.invoke(args=["outbox", "send"]).output

    with SMTPServer() as server:
        monkeypatch.setitem(app.config, "MAIL_URL", server.url)
        assert "nothing to send" in runner.invoke(args=["outbox", "send"]).output
        retried = runner.invoke(args=["outbox", "send", "--retry-failed"])
        assert "Sent 1, failed 0," in retried.output
    assert [mail["Subject"] for mail in server.received] == ["Queued while no mail server was set"]


def _queue(app, user, *subjects):
    from civicladder.db import db

    with app.test_request_context():
        for subject in subjects:
            db.session.add(OutboxMessage(to_address=user.email, subject=subject, body="Hello"))
        transaction.commit()


def test_control_characters_never_reach_an_email_subject(app, make_user, monkeypatch):
    user = make_user()
    with SMTPServer() as server, app.test_request_context():
        monkeypatch.setitem(app.config, "MAIL_URL", server.url)
        notice = notify.notify(user, "Evidence: Safety\r\nBcc: everyone@city.test\tnow")
        transaction.commit()
    assert notice.subject == "Evidence: Safety Bcc: everyone@city.test now"
    [mail] = server.received
    assert mail["Subject"] == "Evidence: Safety Bcc: everyone@city.test now"
    assert mail["Bcc"] is None


def test_outbox_send_marks_each_message_and_a_bad_one_fails_alone(app, make_user, monkeypatch):
    user = make_user()
    # A message stored before subjects were cleaned: the mail library refuses its header.
    _queue(app, user, "First", "Broken\r\nBcc: x@city.test", "Third")
    runner = app.test_cli_runner()
    with SMTPServer() as server:
        monkeypatch.setitem(app.config, "MAIL_URL", server.url)
        first_run = runner.invoke(args=["outbox", "send"])
        assert "Sent 2, failed 1, waiting to try again 0." in first_run.output
        again = runner.invoke(args=["outbox", "send", "--retry-failed"])
        assert "Sent 0, failed 1," in again.output
    # What was delivered once is never delivered again.
    assert [mail["Subject"] for mail in server.received] == ["First", "Third"]


def test_outbox_send_keeps_what_it_sent_when_stopped_midway(
    app, make_user, monkeypatch, _transaction
):
    user = make_user()
    _queue(app, user, "One", "Two")
    real_send = notify._send

    def stopped_at_the_second(mail_url, sender, message):
        if message.subject == "Two":
            raise KeyboardInterrupt  # the operator presses Ctrl-C, or the host goes down
        real_send(mail_url, sender, message)

    monkeypatch.setattr(notify, "_send", stopped_at_the_second)
    with SMTPServer() as server:
        monkeypatch.setitem(app.config, "MAIL_URL", server.url)
        app.test_cli_runner().invoke(args=["outbox", "send"])
    _transaction.rollback()  # whatever was not committed is gone
    rows = _transaction.execute(sa.select(OutboxMessage.subject, OutboxMessage.status)).all()
    statuses = dict(rows)
    assert statuses == {"One": OutboxStatus.SENT, "Two": OutboxStatus.QUEUED}


def test_a_mail_error_after_commit_never_fails_the_request(
    client_as, make_user, monkeypatch, app, _transaction
):
    def broken(mail_url, sender, message):
        raise RuntimeError("the mail library fell over")

    monkeypatch.setattr(notify, "_send", broken)
    monkeypatch.setitem(app.config, "MAIL_URL", "smtp://127.0.0.1:25")
    user = make_user({Role.EMPLOYEE})
    response = client_as("admin").post(
        f"/admin/users/{user.id}/roles", data={"roles": ["employee", "hr"]}
    )
    assert response.status_code == 302
    _transaction.expire_all()
    assert user.roles == {Role.EMPLOYEE, Role.HR}
    message = _transaction.scalar(sa.select(OutboxMessage))
    assert message.status == OutboxStatus.QUEUED and message.next_attempt_at is not None
    assert "RuntimeError" in message.last_error


def test_mail_that_failed_waits_out_its_backoff_and_others_go_meanwhile(
    app, make_user, monkeypatch, _transaction
):
    user = make_user()
    _queue(app, user, "Unlucky")
    with app.test_request_context():
        monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{_closed_port()}")
        assert notify.send_due() == {"sent": 0, "failed": 0, "waiting": 1}
        transaction.commit()
    _queue(app, user, "Later")
    with SMTPServer() as server, app.test_request_context():
        monkeypatch.setitem(app.config, "MAIL_URL", server.url)
        assert notify.send_due() == {"sent": 1, "failed": 0, "waiting": 0}  # not yet its time
        later = clock.now() + notify.BACKOFF[0] + timedelta(seconds=1)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert notify.send_due() == {"sent": 1, "failed": 0, "waiting": 0}
        transaction.commit()
    assert [mail["Subject"] for mail in server.received] == ["Later", "Unlucky"]


def test_mail_left_claimed_by_a_sender_that_died_is_sent_again_later(
    app, make_user, monkeypatch, _transaction
):
    user = make_user()
    _queue(app, user, "Held by a dead sender")
    _transaction.execute(sa.update(OutboxMessage).values(claimed_at=clock.now()))
    with SMTPServer() as server, app.test_request_context():
        monkeypatch.setitem(app.config, "MAIL_URL", server.url)
        assert notify.send_due()["sent"] == 0  # it may still be on its way
        later = clock.now() + notify.reclaim_after() + timedelta(seconds=1)
        monkeypatch.setattr(clock, "now", lambda: later)
        assert notify.send_due()["sent"] == 1
        transaction.commit()
    assert len(server.received) == 1


# --- in the recipient's language -----------------------------------------------------------------


def test_a_notice_is_written_in_its_recipients_language_whoever_acts(
    app, make_user, people, competencies, _transaction
):
    from competencies import services as competency_services

    hr = make_user({Role.HR})  # reads English
    skill = competencies.competency(name="De-escalation")
    spanish_employee, spanish_user = people.employee_user()
    spanish_user.locale = "es"
    english_employee, english_user = people.employee_user()
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        competency_services.record_evidence(
            hr, spanish_employee, skill, level=3, observed_on=clock.today()
        )
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        # An officer reading Spanish tells an employee whose language is unknown: English.
        competency_services.record_evidence(
            hr, english_employee, skill, level=3, observed_on=clock.today()
        )
        transaction.commit()
    [spanish] = notify.unread_for(spanish_user)
    assert spanish.subject == "Nueva evidencia de competencia: De-escalation"
    assert "Se registró una evidencia de que usted demostró De-escalation" in spanish.body
    assert "en el nivel 3 Práctico" in spanish.body
    [english] = notify.unread_for(english_user)
    assert english.subject == "New competency evidence: De-escalation"
    assert "Evidence that you showed De-escalation at level 3" in english.body
    mails = {m.to_address: m for m in _transaction.scalars(sa.select(OutboxMessage)).all()}
    assert mails[spanish_user.email].subject == spanish.subject
    assert "Abrir en CivicLadder" in mails[spanish_user.email].body
    assert "Open in CivicLadder" in mails[english_user.email].body


def test_a_role_change_tells_the_person_in_their_language(app, make_user, _transaction):
    admin = make_user({Role.ADMIN})
    user = make_user({Role.EMPLOYEE})
    user.locale = "es"
    with app.test_request_context("/"):
        services.set_roles(admin, user, {Role.EMPLOYEE, Role.MANAGER}, reason="Nuevo equipo")
        transaction.commit()
    [notice] = notify.unread_for(user)
    assert notice.subject == "Sus funciones en CivicLadder cambiaron"
    assert notice.body.startswith("Sus funciones ahora son: ")
    assert "Manager" not in notice.body and "Motivo: Nuevo equipo" in notice.body


def test_lazy_words_are_written_when_the_notice_is_in_its_readers_language(app, make_user):
    from flask_babel import lazy_gettext

    reader = make_user()
    reader.locale = "es"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        notice = notify.notify(
            reader,
            lazy_gettext("Certificate: %(course)s", course="First aid"),
            lazy_gettext("Page not found"),
        )
    assert (notice.subject, notice.body) == ("Certificado: First aid", "No se encontró la página")
