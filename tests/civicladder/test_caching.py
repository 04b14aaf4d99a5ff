"""What app servers keep between requests (`civicladder.caching`): made once per version,
made again once a change that moves the version commits, never for a change rolled back; and
the framework page, which is served from it. Two real app servers are in the production-shape
test (a rename through one shows on the other). Every table's version moves when a transaction
that wrote it commits, and parts of pages (the home panels) are kept until one of the tables
they read moves."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import g
from markupsafe import Markup

from civicladder import caching, clock
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent, User
from competencies import services
from competencies.queries import FRAMEWORK


def test_a_value_is_made_once_per_version_and_key(app_ctx):
    made = []

    def make(label):
        made.append(label)
        return label

    assert caching.cached("test.thing", "a", lambda: make("a1")) == "a1"
    assert caching.cached("test.thing", "a", lambda: make("a2")) == "a1"
    assert caching.cached("test.thing", "b", lambda: make("b1")) == "b1"
    caching.bump("test.thing")
    assert caching.cached("test.thing", "a", lambda: make("a3")) == "a3"
    assert caching.cached("test.other", "a", lambda: make("o1")) == "o1"
    assert made == ["a1", "b1", "a3", "o1"]
    assert caching.versions()["test.thing"] == 1


def test_a_rolled_back_change_leaves_the_version_and_the_value(app_ctx):
    caching.cached("test.kept", None, lambda: "first")
    savepoint = db.session.begin_nested()
    caching.bump("test.kept")
    savepoint.rollback()
    g.pop("cache_versions", None)  # read them afresh, as the next request does
    assert caching.versions().get("test.kept", 0) == 0
    assert caching.cached("test.kept", None, lambda: "second") == "first"


def test_the_framework_page_follows_every_change_to_the_framework(client_as, make_user):
    hr = make_user({Role.HR})
    client = client_as(hr)
    category = services.create_category(hr, "Field safety")
    assert "Field safety" in client.get("/competencies").text
    services.update_category(hr, category, "Site safety")
    page = client.get("/competencies").text
    assert "Site safety" in page and "Field safety" not in page
    services.create_competency(
        hr,
        code="SAFE-9",
        name="Hazard spotting",
        category_id=category.id,
        description="",
        descriptors={n: f"Step {n}" for n in range(1, 6)},
    )
    page = client.get("/competencies").text
    assert "Hazard spotting (SAFE-9)" in page
    # Readers who edit and readers who do not each get their own rendering.
    assert "Edit SAFE-9" in page
    reader = client_as("employee").get("/competencies").text
    assert "Hazard spotting (SAFE-9)" in reader and "Edit SAFE-9" not in reader
    assert caching.versions()[FRAMEWORK] == 3


def test_the_framework_page_is_rendered_once_per_version(client_as, monkeypatch):
    from competencies import queries

    calls = []
    real = queries.framework
    monkeypatch.setattr(queries, "framework", lambda: calls.append(1) or real())
    client = client_as("employee")
    for _ in range(3):
        assert client.get("/competencies").status_code == 200
    assert len(calls) == 1


# --- table versions and kept parts of pages ----------------------------------------------------


def _version(name: str) -> int:
    g.pop("cache_versions", None)  # read them afresh, as the next request does
    return caching.versions().get(caching.TABLE + name, 0)


def test_a_commit_moves_the_version_of_each_table_it_wrote_and_no_other(app_ctx, make_user):
    users, jobs = _version("user_account"), _version("job_run")
    make_user({Role.EMPLOYEE})
    db.session.commit()
    assert _version("user_account") == users + 1
    assert _version("job_run") == jobs


def test_a_rolled_back_write_moves_no_version(app_ctx, make_user):
    users = _version("user_account")
    savepoint = db.session.begin_nested()
    make_user({Role.EMPLOYEE})
    savepoint.rollback()
    db.session.commit()
    assert _version("user_account") == users


def test_a_write_the_driver_makes_directly_is_named_by_its_table(app_ctx):
    """A COPY is invisible to SQLAlchemy: `caching.wrote` names its table for the commit."""
    notices = _version("notification")
    caching.wrote(db.session.connection(), "notification")
    db.session.commit()
    assert _version("notification") == notices + 1


def test_writes_outside_the_session_move_versions_when_they_commit(real_commits):
    """A connection of its own (`engine.begin()`), and a statement that commits itself."""
    from civicladder.models import Notification

    app = real_commits.app

    def version() -> int:
        with app.app_context():
            return caching.versions().get(caching.TABLE + "notification", 0)

    before = version()
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.delete(Notification).where(Notification.id == -1))
    assert version() == before + 1
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return  # the app begins every SQLite transaction itself: nothing commits on its own
    with app.app_context(), db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(sa.delete(Notification).where(Notification.id == -1))
    assert version() == before + 2


def _made(label: str, made: list):
    def make():
        made.append(label)
        users = db.session.scalar(sa.select(sa.func.count(User.id)))
        return Markup("<p>{} {}</p>").format(label, users)

    return make


def test_a_part_is_kept_until_a_table_it_read_changes(app, make_user):
    made: list[str] = []
    with app.test_request_context():
        first = caching.part("test.part", 1, _made("one", made))
    with app.test_request_context():
        again = caching.part("test.part", 1, _made("two", made))
        caching.part("test.part", 2, _made("three", made))
    assert again == first and made == ["one", "three"]
    with app.test_request_context():
        event = AuditEvent(action="test.nothing", actor_label="t", object_type="-", object_id="")
        db.session.add(event)
        db.session.commit()  # a table the part did not read
        assert caching.part("test.part", 1, _made("four", made)) == first
    make_user({Role.EMPLOYEE})
    db.session.commit()
    with app.test_request_context():
        assert caching.part("test.part", 1, _made("five", made)) != first
    assert made == ["one", "three", "five"]


def test_a_part_made_over_uncommitted_writes_is_not_kept(app, make_user):
    """What it shows might yet be rolled back."""
    made: list[str] = []
    with app.test_request_context():
        make_user({Role.EMPLOYEE})
        db.session.flush()
        caching.part("test.pending", 1, _made("one", made))
        caching.part("test.pending", 1, _made("two", made))
    assert made == ["one", "two"]


def test_a_part_follows_the_language_and_the_quarter_hour(app, monkeypatch):
    made: list[str] = []
    with app.test_request_context(headers={"Accept-Language": "es"}):
        caching.part("test.words", 1, _made("es", made))
    with app.test_request_context():
        caching.part("test.words", 1, _made("en", made))
        caching.part("test.words", 1, _made("en again", made))
        later = clock.now() + timedelta(seconds=caching.PART_SECONDS)
        monkeypatch.setattr(caching.clock, "now", lambda: later)
        caching.part("test.words", 1, _made("later", made))
    assert made == ["es", "en", "later"]


def _panels(page: str) -> str:
    return page.split('id="notices-heading"', 1)[1].split("</section>", 1)[1]


def test_the_home_panels_are_kept_per_reader_until_what_they_show_changes(
    client_as, people, competencies, count_queries
):
    alpha = competencies.competency(code="A-1", name="Alpha")
    job = competencies.job_profile([(alpha, 3, 2)], title="Clerk")
    person, user = people.employee_user(job_profile=job)
    client = client_as(user)
    with count_queries() as first:
        page = client.get("/").text
    assert "0 of 1 requirement met" in page
    with count_queries() as again:
        kept = client.get("/").text
    assert len(again) < len(first) and _panels(kept) == _panels(page)
    spanish = client.get("/", headers={"Accept-Language": "es"}).text
    assert "0 de 1 requisito cumplido" in spanish
    # Another reader is never served this reader's panels.
    _, colleague = people.employee_user()
    assert "requirement met" not in client_as(colleague).get("/").text
    competencies.evidence(person, alpha, 4)  # committed as the next request starts
    assert "1 of 1 requirement met" in client.get("/").text


def test_a_kept_profile_follows_a_change_and_is_never_served_past_the_readers_access(
    client_as, make_user, people, competencies
):
    """Who may open the profile is checked on every request, whatever is kept."""
    hr = make_user({Role.HR})
    boss, manager = people.employee_user(roles={Role.MANAGER})
    report = people.employee(manager=boss)
    client = client_as(manager)
    assert "No job profile" in client.get(f"/people/{report.id}").text
    assert "No job profile" in client.get(f"/people/{report.id}").text  # kept
    job = competencies.job_profile([], title="Park ranger")
    people.edit(hr, report, job_profile_id=job.id)
    assert "Park ranger" in client.get(f"/people/{report.id}").text
    people.edit(hr, report, manager=None)
    assert client.get(f"/people/{report.id}").status_code == 404


def test_keeping_parts_can_be_turned_off(app, monkeypatch):
    monkeypatch.setitem(app.config, "KEEP_PAGE_PARTS", False)
    made: list[str] = []
    with app.test_request_context():
        caching.part("test.off", 1, _made("one", made))
        caching.part("test.off", 1, _made("two", made))
    assert made == ["one", "two"]


# --- whole pages kept (caching.kept_page) ---------------------------------------------------------

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_a_kept_page_is_served_again_with_each_browsers_own_csrf_token(
    client_as, people, count_queries
):
    _, user = people.employee_user()
    one, two = client_as(user), client_as(user)  # two browsers, two sessions
    with count_queries() as made:
        first = one.get("/academy").text
    with count_queries() as served:
        second = two.get("/academy").text
    assert len(served) < len(made)
    assert "kept-page-csrf-token" not in first + second
    assert set(_TOKEN.findall(first)).isdisjoint(_TOKEN.findall(second))
    assert len(set(_TOKEN.findall(second))) == 1  # the same browser's token in every form


def test_a_page_with_a_message_waiting_is_made_for_that_browser(client_as, people):
    _, user = people.employee_user()
    client = client_as(user)
    client.get("/academy")
    with client.session_transaction() as browser:
        browser["_flashes"] = [("success", "Your seat is held.")]
    assert "Your seat is held." in client.get("/academy").text
    assert "Your seat is held." not in client.get("/academy").text


def test_only_a_plain_answer_is_kept_and_anyone_signed_out_shares_one(app, count_queries):
    bad = "/jobs?min_pay=-5"
    first, again = app.test_client().get(bad), app.test_client().get(bad)
    assert first.status_code == again.status_code == 422
    app.test_client().get("/jobs")
    with count_queries() as served:
        assert app.test_client().get("/jobs").status_code == 200
    with count_queries() as made:
        assert app.test_client().get("/jobs?sort=pay").status_code == 200
    assert len(served) < len(made)


def test_the_least_recently_used_parts_go_first_past_the_size_kept(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_PARTS_MB", 1)
    big = "x" * (300 * 1024)  # three fit in a megabyte, four do not
    made: list[str] = []

    def make(label):
        def build():
            made.append(label)
            return Markup("<p>{}{}</p>").format(big, label)

        return build

    with app.test_request_context():
        for label in ("a", "b", "c"):
            caching.part("test.size", label, make(label))
        caching.part("test.size", "a", make("a again"))  # used: now the newest
        caching.part("test.size", "d", make("d"))  # "b" goes
        caching.part("test.size", "a", make("a, gone?"))
        caching.part("test.size", "b", make("b, gone?"))
    assert made == ["a", "b", "c", "d", "b, gone?"]
