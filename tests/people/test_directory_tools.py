"""The workforce list: sorting, names in either order, and its CSV export."""

import csv
import io

from civicladder import exports
from civicladder.access import Role
from people import workforce


def test_csv_cells_that_could_be_formulas_are_made_inert():
    for dangerous in ("=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"):
        assert exports.cell(dangerous) == "'" + dangerous
    assert exports.cell("Grace") == "Grace"
    assert exports.cell(None) == ""


def test_export_is_the_current_filter_with_formulas_neutralised(client_as, people):
    people.employee(first_name="=HYPERLINK(1)", last_name="Formula")
    people.employee(first_name="Grace", last_name="Hernandez")
    response = client_as(Role.HR).get("/people.csv?q=Formula")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["Employee number", "Last name", "First name"]
    assert len(rows) == 2
    assert rows[1][1:3] == ["Formula", "'=HYPERLINK(1)"]


def test_a_managers_export_holds_only_their_line(client_as, people):
    boss, boss_user = people.employee_user(roles={Role.MANAGER}, last_name="Boss")
    people.employee(manager=boss, last_name="Inside")
    people.employee(last_name="Outside")
    text = client_as(boss_user).get("/people.csv").get_data(as_text=True)
    assert "Inside" in text and "Outside" not in text and "Boss" not in text


def test_name_search_takes_either_order(client_as, people):
    people.employee(first_name="Grace", last_name="Hernandez")
    client = client_as(Role.HR)
    for text in ("Grace Hernandez", "Hernandez, Grace"):
        assert "Hernandez, Grace</a>" in client.get("/people", query_string={"q": text}).text


def test_columns_sort_both_ways(client_as, people):
    people.employee(last_name="Alpha", employee_number="N2")
    people.employee(last_name="Bravo", employee_number="N1")
    client = client_as(Role.HR)
    by_number = client.get("/people?sort=number").text
    assert by_number.index("Bravo,") < by_number.index("Alpha,")
    assert 'aria-sort="ascending"' in by_number
    reverse = client.get("/people?sort=-number").text
    assert reverse.index("Alpha,") < reverse.index("Bravo,")
    assert 'aria-sort="descending"' in reverse
    refused = client.get("/people?sort=nonsense")
    assert refused.status_code == 422
    assert "Sort by: choose one of the listed options" in refused.text


def test_a_long_list_is_exported_by_a_job_for_its_reader_alone(client_as, people, monkeypatch, app):
    # A manager's line over the streaming limit (shrunk here): the CSV link asks first, then
    # a job writes the line, as filtered and in the manager's scope, to a file for them alone.
    monkeypatch.setattr(workforce, "STREAM_LIMIT", 2)
    boss, boss_user = people.employee_user(roles={Role.MANAGER}, last_name="Boss")
    for name in ("Inside", "Insider", "Inward"):
        people.employee(manager=boss, last_name=name, department_path="Parks > Forestry")
    people.employee(manager=boss, last_name="Ingram", department_path="Parks > Rangers")
    people.employee(last_name="Outside")
    client = client_as(boss_user)
    asked = client.get("/people.csv?q=In&sort=-name")
    assert asked.status_code == 200 and asked.mimetype == "text/html"
    assert "This list has <strong>4</strong> people" in asked.text
    assert 'action="/people.csv?q=In&amp;sort=-name"' in asked.text
    done = client.post("/people.csv?q=In&sort=-name")
    assert done.status_code == 303
    job = done.headers["Location"]
    page = client.get(job)
    assert "Download workforce.csv (4 rows)" in page.text
    rows = list(csv.reader(io.StringIO(client.get(job + "/file").get_data(as_text=True))))
    assert [row[1] for row in rows[1:]] == ["Inward", "Insider", "Inside", "Ingram"]
    assert client_as(Role.HR).get(job + "/file").status_code == 403


def test_a_short_list_still_streams(client_as, people):
    people.employee(last_name="Solo")
    response = client_as(Role.HR).get("/people.csv?q=Solo")
    assert response.mimetype == "text/csv" and "Solo" in response.get_data(as_text=True)
