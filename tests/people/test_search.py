"""Text search and filters: typed wildcards are literal, blank-looking filters mean no filter."""

import pytest
import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Invalid
from people import queries


@pytest.fixture
def named(people):
    """Employees whose names hold the LIKE wildcards, and a control without them."""
    return {
        "under": people.employee(first_name="Ann", last_name="O_Neil"),
        "percent": people.employee(first_name="Bo", last_name="Cent%Per"),
        "plain": people.employee(first_name="Cy", last_name="Oneil"),
    }


def test_directory_search_takes_percent_and_underscore_literally(client_as, named):
    client = client_as("hr")
    underscore = client.get("/people", query_string={"q": "_"}).text
    assert "O_Neil" in underscore
    assert "Cent%Per" not in underscore and "Oneil" not in underscore
    percent = client.get("/people", query_string={"q": "%"}).text
    assert "Cent%Per" in percent
    assert "O_Neil" not in percent and "Oneil" not in percent


def test_directory_search_ignores_case(client_as, named):
    page = client_as("hr").get("/people", query_string={"q": "o_NEIL"}).text
    assert "O_Neil" in page and "Oneil" not in page


def test_users_search_takes_percent_and_underscore_literally(client_as, make_user):
    make_user(full_name="Dee Under_Score", email="dee@city.test")
    make_user(full_name="Eve Plain", email="e_ve@city.test")
    make_user(full_name="Fay Hundred%", email="fay@city.test")
    make_user(full_name="Gil Nothing", email="gil@city.test")
    client = client_as("admin")
    underscore = client.get("/admin/users", query_string={"q": "_"}).text
    assert "Dee Under_Score" in underscore and "Eve Plain" in underscore  # name or email
    assert "Fay Hundred%" not in underscore and "Gil Nothing" not in underscore
    percent = client.get("/admin/users", query_string={"q": "%"}).text
    assert "Fay Hundred%" in percent
    assert "Dee Under_Score" not in percent and "Gil Nothing" not in percent


def test_whitespace_only_status_is_refused_like_any_value_not_offered(client_as, named):
    response = client_as("hr").get("/people?status=%20%20%20")
    assert response.status_code == 422
    assert "Status: choose one of the listed options" in response.text


def test_whitespace_only_search_means_no_search(client_as, named):
    response = client_as("hr").get("/people", query_string={"q": "   "})
    assert response.status_code == 200
    assert "O_Neil" in response.text and "Oneil" in response.text


def test_whitespace_only_select_filters_are_refused(client_as, named):
    response = client_as("hr").get(
        "/people", query_string={"department": " ", "bargaining_unit": "\t", "job_profile": " "}
    )
    assert response.status_code == 422
    for label in ("Department", "Bargaining unit", "Job profile"):
        assert f"{label}: choose one of the listed options" in response.text


def test_unknown_status_is_refused_with_a_message(app_ctx, make_user):
    hr = make_user({Role.HR})
    with pytest.raises(Invalid, match="Choose a status from the list"):
        queries.directory_statement(hr, status="retired")


def test_search_results_come_in_name_order_whatever_the_case(app_ctx, people, make_user):
    for first, last in [("Zoe", "smith"), ("Al", "Smith"), ("Bea", "Blacksmith")]:
        people.employee(first_name=first, last_name=last)
    hr = make_user({Role.HR})
    found = db.session.scalars(queries.directory_statement(hr, text="smith")).all()
    assert [(e.first_name, e.last_name) for e in found] == [
        ("Bea", "Blacksmith"),
        ("Al", "Smith"),
        ("Zoe", "smith"),
    ]


def test_name_search_can_use_the_trigram_index_on_postgresql(app_ctx, people, make_user):
    """The search expression is the index's own, so PostgreSQL can find matches through it."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's (pg_trgm)")
    people.employee(first_name="Dana", last_name="Smithers")
    stmt = queries.directory_statement(make_user({Role.HR}), text="smith")
    count = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    compiled = count.compile(db.session.get_bind())
    connection = db.session.connection()
    plan = connection.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).scalars()
    assert "ix_employee_full_name_trgm" in "\n".join(plan)
