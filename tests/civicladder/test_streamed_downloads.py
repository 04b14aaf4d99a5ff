"""Streamed downloads through a real server, on a database where requests really commit.

A server writes a streamed body after the request has committed and its session has closed;
the test client, inside the test's transaction, hides that (`/people.csv` once answered 500 on
every real server while its view tests passed).
"""

from __future__ import annotations

import csv
import io

from civicladder.access import Role
from tests.civicladder.factories import PASSWORD
from tests.civicladder.real_server import Visitor, serving

# More than one batch of the export's reading (500) and of its writing (500 rows a chunk).
EMPLOYEES = 620


def test_workforce_csv_streams_every_row_through_a_real_server(real_commits, make_user, people):
    def build():
        for n in range(EMPLOYEES):
            people.employee(department_path="Streamed Parks", last_name=f"Streamed{n:04d}")
        return make_user({Role.HR}).email

    hr_email = real_commits.run(build)

    with serving(real_commits.app) as url:
        fetched = Visitor(url).sign_in(hr_email, PASSWORD).get("/people.csv?q=Streamed")

    assert fetched.status == 200, fetched.body[:2000]
    assert fetched.header("Content-Type").startswith("text/csv")
    rows = list(csv.reader(io.StringIO(fetched.body.decode())))
    assert rows[0][:3] == ["Employee number", "Last name", "First name"]
    names = sorted(row[1] for row in rows[1:])
    assert names == [f"Streamed{n:04d}" for n in range(EMPLOYEES)]


def test_a_managers_workforce_csv_streams_their_line_through_a_real_server(real_commits, people):
    # The reader's own employee record and line are loaded by the request; the rows are read
    # after it has committed (its objects detached), which once answered 500.
    def build():
        boss, boss_user = people.employee_user(roles={Role.MANAGER}, last_name="StreamBoss")
        for n in range(3):
            people.employee(manager=boss, last_name=f"StreamLine{n}")
        people.employee(last_name="StreamOutside")
        return boss_user.email

    email = real_commits.run(build)
    with serving(real_commits.app) as url:
        fetched = Visitor(url).sign_in(email, PASSWORD).get("/people.csv")
    assert fetched.status == 200, fetched.body[:2000]
    names = sorted(row[1] for row in csv.reader(io.StringIO(fetched.body.decode())))
    assert [n for n in names if n.startswith("Stream")] == [f"StreamLine{n}" for n in range(3)]
