"""What app servers keep between requests (`civicladder.caching`): made once per version,
made again once a change that moves the version commits, never for a change rolled back; and
the framework page, which is served from it. Two real app servers are in the production-shape
test (a rename through one shows on the other)."""

from __future__ import annotations

from flask import g

from civicladder import caching
from civicladder.access import Role
from civicladder.db import db
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
