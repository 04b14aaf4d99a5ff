"""Links to the app's pages: built with url_for in requests, commands and jobs alike; outside a
request at PUBLIC_URL, without changing how requests are routed or addressed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for

from civicladder import notify, transaction
from civicladder.config import ConfigError, load
from civicladder.models import Notification, OutboxMessage

PUBLIC = "https://ladder.city.example/civic"


def test_outside_a_request_pages_are_addressed_at_the_public_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    with app.app_context():
        assert url_for("home.index") == f"{PUBLIC}/"
        assert url_for("auth.sign_in", _external=False) == "/civic/sign-in"


def test_requests_are_routed_and_addressed_as_they_came(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    assert app.config["SERVER_NAME"] is None
    with app.test_request_context("/", base_url="http://10.0.0.7:8000"):
        assert url_for("home.index") == "/"
        assert url_for("auth.sign_in", _external=True) == "http://10.0.0.7:8000/sign-in"
    for host in ("localhost", "10.0.0.7:8000", "ladder.city.example"):
        assert client.get("/sign-in", base_url=f"http://{host}").status_code == 200


def test_a_notice_from_a_command_keeps_the_path_and_emails_the_public_address(
    app, make_user, monkeypatch, _transaction
):
    user = make_user()
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    with app.app_context():  # no request: a command or a job
        notice = notify.notify(user, "Your roles changed", "Read them.", url_for("home.index"))
        transaction.commit()
    assert _transaction.get(Notification, notice.id).link == "/civic/"
    message = _transaction.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == user.email)
    )
    assert message.body == f"Read them.\n\nOpen in CivicLadder: {PUBLIC}/"


def test_a_notice_from_a_request_emails_the_page_at_the_public_address(
    app, make_user, monkeypatch, _transaction
):
    user = make_user()
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://ladder.city.example")
    with app.test_request_context(base_url="http://10.0.0.7:8000"):
        notify.notify(user, "Seen", link=url_for("auth.sign_in", next="/people?q=a b"))
        transaction.commit()
    notice = _transaction.scalar(sa.select(Notification).where(Notification.user_id == user.id))
    assert notice.link == "/sign-in?next=/people?q%3Da+b"
    message = _transaction.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == user.email)
    )
    assert message.body == "https://ladder.city.example/sign-in?next=/people?q%3Da+b"


@pytest.mark.parametrize(
    "given, kept",
    [
        ("https://ladder.city.gov/", "https://ladder.city.gov"),
        ("http://127.0.0.1:5001", "http://127.0.0.1:5001"),
        (" https://city.gov/ladder/ ", "https://city.gov/ladder"),
    ],
)
def test_the_public_url_is_kept_without_a_trailing_slash(monkeypatch, tmp_path, given, kept):
    monkeypatch.setenv("PUBLIC_URL", given)
    assert load(str(tmp_path))["PUBLIC_URL"] == kept


@pytest.mark.parametrize(
    "given", ["ladder.city.gov", "ftp://ladder.city.gov", "https://", "https://city.gov/?a=1"]
)
def test_a_public_url_that_is_not_an_address_stops_start_up(monkeypatch, tmp_path, given):
    monkeypatch.setenv("PUBLIC_URL", given)
    with pytest.raises(ConfigError, match="is not the site's address"):
        load(str(tmp_path))


ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("civicladder", "people", "competencies", "hiring", "academy", "autonomy", "reports")


def _typed_links(path: Path) -> list[str]:
    """Calls of notify()/notify.notify()/notify.email() whose link is written out as text."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in ("notify", "email") or (
            name == "email" and not isinstance(func, ast.Attribute)
        ):
            continue
        links = [k.value for k in node.keywords if k.arg == "link"] + node.args[3:4]
        if any(isinstance(link, ast.Constant | ast.JoinedStr) for link in links):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_notification_links_are_built_from_endpoints():
    typed = [
        place
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for place in _typed_links(path)
    ]
    assert typed == [], "build the link with url_for(endpoint, ...)"
    sample = ROOT / "tests" / "civicladder" / "test_notifications.py"
    assert _typed_links(sample)  # the check sees a link written out where there is one


def test_the_admin_panel_lists_the_packages_administration_pages(client_as):
    page = client_as("admin").get("/").text
    panel = page[page.index('id="admin-heading"') :]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', panel.split("</p>", 1)[0])
    assert links == [
        ("/admin/users/new", "Invite a user"),
        ("/admin/users", "Manage users and roles"),
        ("/admin/audit", "Search the audit log"),
        ("/admin/outbox", "Read the outbox"),
        ("/admin/jobs/", "Follow the background jobs"),
        ("/admin/sign-in", "Choose who signs in with a password"),
        ("/admin/api-clients", "Register API clients and issue tokens"),
    ]
    assert 'id="admin-heading"' not in client_as("hr").get("/").text
