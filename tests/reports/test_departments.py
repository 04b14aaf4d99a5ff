"""Department reports: HR reads every department's, a manager their own and those below it."""

from __future__ import annotations

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from people.models import Department
from reports.models import ReportSnapshot


def department(path: str) -> Department:
    return db.session.scalar(sa.select(Department).where(Department.path == path))


def test_a_manager_reads_their_department_and_those_below_with_everyone_counted(
    client_as, small_city, people
):
    _, user = people.employee_user(roles={Role.MANAGER}, department_path="Parks")
    client = client_as(user)
    parks = department("Parks")
    page = client.get(f"/reports/departments/{parks.id}?period=2026Q3")
    assert page.status_code == 200
    text = page.text
    assert "Parks: progress report, 2026Q3" in text and "Live figures, not published" in text
    # The unit's 14 members in Parks, the member of another unit there, and the manager.
    assert '<th scope="row">Employees (active or on leave)</th><td>16</td>' in text
    # The manager alone in Parks itself is a small group, so Maintenance's 15 is hidden too.
    assert '<th scope="row">Maintenance</th><td><span class="cl-protected">not shown' in text
    assert 'Parks itself</th><td><span class="cl-protected">fewer than 5' in text
    assert f'href="/reports/departments/{department("Parks > Maintenance").id}' in text
    below = client.get(f"/reports/departments/{department('Parks > Maintenance').id}")
    assert below.status_code == 200
    listing = client.get("/reports").text
    assert "Your department" in listing and "Buildings" not in listing


def test_a_manager_cannot_read_another_department_nor_a_unit(client_as, small_city, people):
    _, user = people.employee_user(roles={Role.MANAGER}, department_path="Parks")
    client = client_as(user)
    other = client.get(f"/reports/departments/{department('Buildings').id}")
    assert other.status_code == 403 and "not yours to read" in other.text
    assert client.get(f"/reports/units/{small_city.unit.id}").status_code == 403


def test_union_reps_do_not_read_department_reports(client_as, small_city, people):
    rep = people.union_rep(small_city.unit)
    response = client_as(rep).get(f"/reports/departments/{department('Parks').id}")
    assert response.status_code == 403


def test_hr_publishes_a_department_report_that_its_managers_read_and_comment_on(
    client_as, small_city, people
):
    _, manager = people.employee_user(roles={Role.MANAGER}, department_path="Buildings")
    buildings = department("Buildings")
    hr = client_as("hr")
    url = f"/reports/departments/{buildings.id}/publish"
    assert "Publishing is permanent" in hr.get(url + "?period=2026Q3").text
    done = hr.post(url, data={"period": "2026Q3", "confirmed": "yes"})
    assert done.status_code == 302
    snapshot = db.session.scalar(
        sa.select(ReportSnapshot).where(ReportSnapshot.department_id == buildings.id)
    )
    assert snapshot.content["scope"] == {
        "kind": "department",
        "id": buildings.id,
        "code": f"D{buildings.id}",
        "name": "Buildings",
    }
    client = client_as(manager)
    page_url = f"/reports/snapshots/{snapshot.id}"
    assert client.get(page_url).status_code == 200
    pdf = client.get(page_url + "/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")  # read: the stream ends
    posted = client.post(page_url + "/comments", data={"body": "Inspections need more seats."})
    assert posted.status_code == 302
    assert "(Manager)" in hr.get(page_url).text
    rep = client_as(people.union_rep(small_city.unit))
    assert rep.get(page_url).status_code == 403


def test_a_department_report_takes_the_same_queries_whatever_its_size(
    client_as, people, academy, competencies, count_queries
):
    session = academy.session(academy.course(), days=-1, capacity=100)
    skill = competencies.competency()
    _, user = people.employee_user(roles={Role.MANAGER}, department_path="Sizes")
    client = client_as(user)
    url = f"/reports/departments/{department('Sizes').id}?period={session.starts_at.year}"
    counts = []
    for size in (6, 40):
        while session.arrivals < size:
            n = session.arrivals
            person = people.employee(department_path=f"Sizes > Unit {n % 4} > Crew {n % 3}")
            academy.enrollment(session, person)
            competencies.evidence(person, skill, 3, observed_on=session.starts_at.date())
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    # As a unit's (tests/reports/test_views.py): four years of five periods, six queries each.
    assert counts[0] == counts[1] <= 13 + 4 * (1 + 5 * 6), counts
