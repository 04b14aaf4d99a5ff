"""Report pages: who reads which unit, live and published figures, publishing, CSV, comments."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent, JobRun, Notification
from reports import rules, services
from reports.models import ReportComment, ReportSnapshot


@pytest.fixture
def rep(small_city, people):
    return people.union_rep(small_city.unit)


def names_and_numbers(small_city) -> list[str]:
    everyone = [*small_city.P.values(), *small_city.B.values(), small_city.gone]
    return [p.last_name for p in everyone] + [p.employee_number for p in everyone]


def assert_no_individual(page: str, small_city) -> None:
    assert not re.search(r'href="/people/\d+', page)
    for text in names_and_numbers(small_city):
        assert text not in page


def test_a_union_rep_finds_their_units_reports_from_home(client_as, small_city, rep):
    client = client_as(rep)
    home = client.get("/").text
    assert "Progress reports" in home
    assert f'href="/reports/units/{small_city.unit.id}"' in home
    assert "none published yet" in home
    listing = client.get("/reports").text
    assert "Local 100" in listing and "Local 200" not in listing


def test_the_live_report_is_labelled_live_and_protects_small_groups(client_as, small_city, rep):
    response = client_as(rep).get(f"/reports/units/{small_city.unit.id}?period=2026Q3")
    assert response.status_code == 200
    page = response.text
    assert "Live figures, not published" in page
    assert "Local 100: progress report, 2026Q3" in page
    assert "Q3 2026 (1 July to 30 September 2026)" in page
    assert '<th scope="row">People who completed</th><td>11</td>' in page
    assert '<th scope="row">Internal hires</th><td><span class="cl-protected">fewer than 5' in page
    assert "<svg" in page and 'role="img"' in page
    assert "Publish the 2026Q3 report" not in page  # a union rep does not publish
    assert_no_individual(page, small_city)


def test_hr_reads_every_unit_and_may_publish_from_the_live_report(client_as, small_city):
    client = client_as("hr")
    assert "Local 200" in client.get("/reports").text
    page = client.get(f"/reports/units/{small_city.other.id}?period=2026Q3").text
    assert "Publish the 2026Q3 report" in page


def test_a_rep_of_one_unit_cannot_open_another_units_report_or_snapshot(
    client_as, small_city, people, publish
):
    outsider = client_as(people.union_rep(small_city.other))
    denied = outsider.get(f"/reports/units/{small_city.unit.id}")
    assert denied.status_code == 403
    assert "You do not represent Local 100" in denied.text
    snapshot = publish(small_city.unit)
    for url in (
        f"/reports/snapshots/{snapshot.id}",
        f"/reports/snapshots/{snapshot.id}/report.csv",
    ):
        assert outsider.get(url).status_code == 403
    posted = outsider.post(f"/reports/snapshots/{snapshot.id}/comments", data={"body": "Mine?"})
    assert posted.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ReportComment.id))) == 0


@pytest.fixture
def publish(app):
    """Publish a unit's 2026Q3 report as the system does (outside any request)."""

    def publish_(unit) -> ReportSnapshot:
        with app.test_request_context():
            snapshot = services.publish_unit_report(None, unit, rules.parse_period("2026Q3"))
            db.session.flush()
        return snapshot

    return publish_


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026Q9", "is not a period"),
        ("junk", "is not a period"),
        ("2999Q1", "has not started yet"),
        ("9999Q4", "too far ahead"),
    ],
)
def test_a_bad_period_gets_a_clear_message_and_a_422(client_as, small_city, rep, period, message):
    response = client_as(rep).get(f"/reports/units/{small_city.unit.id}?period={period}")
    assert response.status_code == 422
    assert message in response.text


def test_an_unknown_unit_is_not_found(client_as, small_city):
    response = client_as("hr").get("/reports/units/999999")
    assert response.status_code == 404
    assert "no bargaining unit with that number" in response.text


def test_publishing_asks_for_confirmation_then_freezes_the_figures(
    client_as, small_city, rep, people
):
    hr = client_as("hr")
    url = f"/reports/units/{small_city.unit.id}/publish"
    confirm = hr.get(url + "?period=2026Q3")
    assert confirm.status_code == 200 and "Publishing is permanent" in confirm.text
    unconfirmed = hr.post(url, data={"period": "2026Q3"})
    assert unconfirmed.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(ReportSnapshot.id))) == 0
    done = hr.post(url, data={"period": "2026Q3", "confirmed": "yes"})
    assert done.status_code == 302
    # A job publishes it (here at once: no Redis) and its page leads to the snapshot.
    run = db.session.scalar(sa.select(JobRun).where(JobRun.kind == "reports.publish"))
    assert done.headers["Location"] == f"/admin/jobs/{run.id}"
    snapshot = db.session.scalar(sa.select(ReportSnapshot))
    job_page = hr.get(done.headers["Location"]).text
    assert "Finished." in job_page
    assert f'href="/reports/snapshots/{snapshot.id}">Read the published 2026Q3 report' in job_page
    assert snapshot.content_hash == rules.content_hash(snapshot.content)
    assert snapshot.period_start.isoformat() == "2026-07-01"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "report_snapshot.published")
    )
    assert event.after == {"period": "2026Q3", "content_hash": snapshot.content_hash}
    again = hr.post(url, data={"period": "2026Q3", "confirmed": "yes"})
    assert again.status_code == 409 and "never changes" in again.text
    # Later records change the live report, never the published one.
    for _ in range(5):
        people.employee(bargaining_unit=small_city.unit)
    page = client_as(rep).get(f"/reports/snapshots/{snapshot.id}").text
    assert "Published report" in page and snapshot.content_hash in page
    assert '<th scope="row">Members (active or on leave)</th><td>20</td>' in page
    # Once published, the period is read from its snapshot by everyone: never recounted.
    for reader in (client_as(rep), hr):
        live = reader.get(f"/reports/units/{small_city.unit.id}?period=2026Q3")
        assert live.status_code == 303
        assert live.headers["Location"] == f"/reports/snapshots/{snapshot.id}"


def test_a_period_not_yet_over_is_not_published(client_as, small_city):
    response = client_as("hr").post(
        f"/reports/units/{small_city.unit.id}/publish",
        data={"period": "2999", "confirmed": "yes"},
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(ReportSnapshot.id))) == 0


def test_the_csv_holds_the_published_figures_and_never_a_protected_number(
    client_as, small_city, rep, publish
):
    snapshot = publish(small_city.unit)
    response = client_as(rep).get(f"/reports/snapshots/{snapshot.id}/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "scope",
        "period",
        "content_hash",
        "section",
        "table",
        "row",
        "column",
        "figure",
    ]
    by_row = {(r[5], r[6]): r[7] for r in rows[1:]}
    assert all(r[2] == snapshot.content_hash and r[1] == "2026Q3" for r in rows[1:])
    assert by_row[("People who completed", "Number")] == "11"
    assert by_row[("Completion rate", "Number")] == "not shown"
    assert by_row[("Internal hires", "People")] == "fewer than 5"
    assert by_row[("Field: level 1, Level 1", "Members")] == "not shown"
    assert by_row[("Parks", "People enrolled")] == "not shown"
    assert_no_individual(response.text, small_city)


def test_both_sides_comment_on_a_snapshot_and_read_each_other(client_as, small_city, rep, publish):
    snapshot = publish(small_city.unit)
    url = f"/reports/snapshots/{snapshot.id}"
    union = client_as(rep)
    posted = union.post(url + "/comments", data={"body": "Why so few completions in Parks?"})
    assert posted.status_code == 302
    hr = client_as("hr", full_name="Hana Resources")
    assert (
        hr.post(url + "/comments", data={"body": "Two sessions were cancelled."}).status_code == 302
    )
    for client in (union, hr):
        page = client.get(url).text
        assert "Why so few completions in Parks?" in page and "Two sessions were cancelled." in page
        assert (
            "(Union representative)" in page and "Hana Resources</strong> (Human resources)" in page
        )
    actions = db.session.scalars(
        sa.select(AuditEvent.after).where(AuditEvent.action == "report_comment.added")
    ).all()
    assert [a["body"] for a in actions] == [
        "Why so few completions in Parks?",
        "Two sessions were cancelled.",
    ]


def test_an_empty_comment_is_refused_with_a_message(client_as, small_city, rep, publish):
    snapshot = publish(small_city.unit)
    response = client_as(rep).post(f"/reports/snapshots/{snapshot.id}/comments", data={"body": " "})
    assert response.status_code == 422
    assert "Write the comment before posting it." in response.text
    assert db.session.scalar(sa.select(sa.func.count(ReportComment.id))) == 0


def test_the_report_page_takes_the_same_queries_whatever_the_unit_size(
    client_as, people, academy, competencies, count_queries
):
    unit = people.bargaining_unit()
    session = academy.session(academy.course(), days=-1, capacity=100)
    skill = competencies.competency()
    client = client_as(people.union_rep(unit))
    url = f"/reports/units/{unit.id}?period={session.starts_at.year}"
    counts = []
    for size in (6, 40):
        while session.arrivals < size:
            n = session.arrivals
            person = people.employee(bargaining_unit=unit, department_path=f"Agency {n % 5} > Unit")
            academy.enrollment(session, person)
            competencies.evidence(person, skill, 3, observed_on=session.starts_at.date())
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    # Sign-in and layout, the unit and the rep's units, the published snapshot, the stored
    # live report (none here), and for each of the four years the trend reaches, its
    # snapshots and six queries for each of its five periods (the year and its quarters,
    # protected together).
    assert counts[0] == counts[1] <= 12 + 4 * (1 + 5 * 6), counts


def test_reps_are_told_of_a_published_report_and_each_side_of_the_others_comment(
    client_as, small_city, rep, make_user
):
    hr_user = make_user({Role.HR}, full_name="Hana Resources")
    hr = client_as(hr_user)
    hr.post(
        f"/reports/units/{small_city.unit.id}/publish",
        data={"period": "2026Q3", "confirmed": "yes"},
    )
    snapshot = db.session.scalar(sa.select(ReportSnapshot))

    def notices(user) -> list[tuple[str, str]]:
        rows = db.session.execute(
            sa.select(Notification.subject, Notification.link)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
        return [tuple(row) for row in rows]

    assert notices(rep) == [
        (
            "The 2026Q3 progress report for Local 100 is published",
            f"/reports/snapshots/{snapshot.id}",
        )
    ]
    union = client_as(rep)
    union.post(f"/reports/snapshots/{snapshot.id}/comments", data={"body": "A question."})
    assert notices(hr_user) == [
        (
            f"{rep.full_name} commented on the 2026Q3 report for Local 100",
            f"/reports/snapshots/{snapshot.id}#comments",
        )
    ]
    hr.post(f"/reports/snapshots/{snapshot.id}/comments", data={"body": "An answer."})
    assert notices(rep)[-1][0] == "Hana Resources commented on the 2026Q3 report for Local 100"


def test_a_snapshot_is_never_changed_and_says_so_if_its_figures_were_altered(
    client_as, small_city, rep, publish
):
    snapshot = publish(small_city.unit)
    original = dict(snapshot.content)
    db.session.commit()
    with pytest.raises(RuntimeError, match="never changes"), db.session.begin_nested():
        snapshot.content = {**original, "minimum": 1}
        db.session.flush()
    client = client_as(rep)
    assert "they match it" in client.get(f"/reports/snapshots/{snapshot.id}").text
    # Altered behind the application's back, in the database itself:
    db.session.execute(
        sa.update(ReportSnapshot.__table__)
        .where(ReportSnapshot.__table__.c.id == snapshot.id)
        .values(content={**original, "minimum": 1})
    )
    db.session.commit()
    page = client.get(f"/reports/snapshots/{snapshot.id}").text
    assert "These figures do not match their hash" in page


def test_no_link_a_union_rep_follows_from_the_reports_leads_to_an_individual(
    client_as, small_city, rep, publish
):
    """Every page and file reachable from the reports, two links deep, names nobody."""
    snapshot = publish(small_city.unit)
    client = client_as(rep)
    start = [
        "/reports",
        f"/reports/units/{small_city.unit.id}",
        f"/reports/snapshots/{snapshot.id}",
    ]
    seen: set[str] = set()
    frontier = start
    for _ in range(2):
        found = []
        for url in frontier:
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            assert response.status_code in (200, 303, 403, 404), url
            if response.status_code == 303:  # a published period, read from its snapshot
                found.append(response.headers["Location"])
            data = response.get_data()  # read whole, so a streamed file's generator closes
            body = data.decode() if "pdf" not in response.mimetype else ""
            if response.status_code == 200:
                assert_no_individual(body, small_city)
            found += [
                link for link in re.findall(r'href="(/reports[^"#]*)', body) if link not in seen
            ]
        frontier = found
    assert any(url.endswith("/report.csv") for url in seen)
    assert any(url.endswith("/report.pdf") for url in seen)
    assert {"/reports", f"/reports/units/{small_city.unit.id}"} <= seen
