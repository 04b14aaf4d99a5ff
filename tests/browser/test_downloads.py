"""Every download, fetched through a real server by each role that may have it.

A server writes a body after the request has committed and closed its session, and sends the
headers as the app set them; the test client shows neither. The download routes are found by
walking the app's routes for views that hand out a file (civicladder.exports.attachment or
csv_response, or flask.send_file), so a new one without a case here fails the suite. Who may
download each is read from the access matrix (its rows answering 200). The people sign in
through the sign-in form, CSRF token and all, as a browser would (no browser is needed).
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import types
import zipfile
from dataclasses import dataclass

import flask
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from civicladder import credential_checks, exports
from civicladder import files as stored_files
from civicladder.app import create_app
from civicladder.db import db
from tests.browser.conftest import PASSWORD, _seed
from tests.civicladder.access_cases import ROLES
from tests.civicladder.real_server import Visitor, serving
from tests.civicladder.test_access_matrix import ROWS
from tests.conftest import _postgres_admin

pytestmark = pytest.mark.browser

HANDING_OUT = (exports.attachment, exports.csv_response, stored_files.download, flask.send_file)
PROJECT_PACKAGES = {"civicladder", "people", "competencies", "hiring", "academy", "autonomy"}
PROJECT_PACKAGES |= {"reports", "api"}
CANDIDATE_FILE = b"%PDF-1.4\n% a candidate's file, for the download test\n"
OFFER_TOKEN = "download-offer-token"


@dataclass(frozen=True)
class Download:
    url: str  # filled from the seeded ids
    mimetype: str
    kind: str  # csv, pdf, ics, json, jwt
    first_column: str = ""  # a CSV's first header cell


DOWNLOADS = {
    "people.directory_csv": Download("/people.csv", "text/csv", "csv", "Employee number"),
    "jobs.file": Download("/admin/jobs/{export_job}/file", "text/csv", "csv", "employee_number"),
    "academy.certificate_pdf": Download(
        "/academy/certificates/{certificate}/pdf", "application/pdf", "pdf"
    ),
    "academy.certificate_credential": Download(
        "/academy/certificates/{certificate}/credential.jwt", "application/vc+jwt", "jwt"
    ),
    "autonomy.grant_credential": Download(
        "/autonomy/grants/{grant}/credential.jwt", "application/vc+jwt", "jwt"
    ),
    "academy.session_calendar": Download(
        "/academy/sessions/{session}/calendar.ics", "text/calendar", "ics"
    ),
    "hiring.application_file": Download(
        "/hiring/applications/{application}/file", "application/pdf", "pdf"
    ),
    "hiring.assessment_file": Download(
        "/assess/rounds/{assessing_round}/{pending_assessment}/file", "application/pdf", "pdf"
    ),
    "hiring.offer_letter": Download(
        "/jobs/status/{offer_token}/offer.pdf", "application/pdf", "pdf"
    ),
    "hiring.ranked_list_csv": Download(
        "/hiring/rounds/{ranked_round}/ranking.csv", "text/csv", "csv", "rank"
    ),
    "hiring.decisions_csv": Download(
        "/hiring/rounds/{ranked_round}/decisions.csv", "text/csv", "csv", "candidate_code"
    ),
    "competencies.case_package": Download("/competencies/case.json", "application/json", "json"),
    "reports.snapshot_csv": Download(
        "/reports/snapshots/{snapshot}/report.csv", "text/csv", "csv", "scope"
    ),
    "reports.snapshot_pdf": Download(
        "/reports/snapshots/{snapshot}/report.pdf", "application/pdf", "pdf"
    ),
}


def allowed_roles(endpoint: str) -> list[str]:
    """The roles the access matrix lets download it (a candidate's private link: anyone)."""
    expect = ROWS[f"GET {endpoint}"].expect
    roles = [role for role in ROLES if expect.get(role) == 200]
    if expect.get("assessor_of_round") == 200 and "employee" not in roles:
        roles.append("employee")  # the seeded employee sits on the assessing round's panel
    return roles


CASES = [(endpoint, role) for endpoint in DOWNLOADS for role in allowed_roles(endpoint)]


@pytest.fixture(autouse=True)
def _require_browser_prerequisites() -> None:
    """No browser here: these run wherever the server does, Chromium and axe-core or not."""


# --- finding the download routes -----------------------------------------------------------------


def _code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def hands_out_a_file(view, seen: set | None = None) -> bool:
    """Whether the view (or a helper of the project's it calls) sends a file."""
    view = inspect.unwrap(view)
    seen = set() if seen is None else seen
    seen.add(view)
    names = {name for code in _code_objects(view.__code__) for name in code.co_names}
    for name in names:
        found = view.__globals__.get(name)
        if any(found is tool for tool in HANDING_OUT):
            return True
        if found is exports and names & {"attachment", "csv_response"}:
            return True
        if found is stored_files and "download" in names:
            return True
        if (
            inspect.isfunction(found)
            and (
                found.__module__ == view.__module__
                or found.__module__.split(".")[0] in PROJECT_PACKAGES
            )
            and inspect.unwrap(found) not in seen
            and hands_out_a_file(found, seen)
        ):
            return True
    return False


def download_endpoints(app: flask.Flask) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint != "static"
        and hands_out_a_file(app.view_functions[rule.endpoint])
    }


# --- the server and its data -------------------------------------------------------------------


def _seed_downloads(accounts) -> dict:
    """What each download hands out: a certificate of the employee's, a session to come, a
    candidate's file, a ranked round, and the employee's unit's published report."""
    from academy.exports import TRAINING_EXPORT
    from academy.models import EnrollmentStatus
    from civicladder import export_jobs
    from civicladder.models import JobState, User
    from hiring import files
    from hiring.models import ApplicationStatus, RoundStatus
    from people.models import BargainingUnit, Employee
    from reports import services as report_services
    from reports.rules import parse_period
    from tests.academy.factories import academy_factories
    from tests.autonomy.factories import autonomy_factories
    from tests.civicladder.factories import make_user_factory
    from tests.competencies.factories import competency_factories
    from tests.hiring.factories import hiring_factories

    hash_of = db.session.scalar(
        sa.select(User.password_hash).where(User.email == accounts.hr.email)
    )
    make_user = make_user_factory(hash_of)
    competencies = competency_factories()
    academy = academy_factories(competencies)
    hiring = hiring_factories(make_user, competencies)

    employee = db.session.scalar(
        sa.select(Employee)
        .join(User, User.id == Employee.user_id)
        .where(User.email == accounts.employee.email)
    )
    course = academy.course()
    done = academy.enrollment(
        academy.session(course, days=-30), employee, EnrollmentStatus.COMPLETED
    )
    certificate = academy.certificate(done)
    upcoming = academy.session(course, days=10)
    academy.enrollment(upcoming, employee)
    autonomy = autonomy_factories()
    grant = autonomy.grant(employee, autonomy.track(levels=[{"name": "Independent"}]).levels[0])

    open_round = hiring.round(RoundStatus.OPEN)
    applied = hiring.application(open_round)
    applied.file = hiring.stored_file(CANDIDATE_FILE)
    applied.file_name, applied.file_type = "cv.pdf", files.PDF
    applied.file_size = len(CANDIDATE_FILE)
    assessing = hiring.round(RoundStatus.ASSESSING)
    assessor = db.session.scalar(sa.select(User).where(User.email == accounts.employee.email))
    hiring.panel_member(assessing, assessor)
    to_score = hiring.application(assessing, ApplicationStatus.SCREENED_IN)
    to_score.file = hiring.stored_file(CANDIDATE_FILE)
    to_score.file_name, to_score.file_type = "work sample.pdf", files.PDF
    to_score.file_size = len(CANDIDATE_FILE)
    pending = hiring.assessment(to_score, assessor)
    ranked = hiring.round(RoundStatus.RANKED)
    judges = hiring.panel(ranked)
    marks = dict.fromkeys(hiring.rubric_ids(ranked), 4)
    for status in (ApplicationStatus.ASSESSED, ApplicationStatus.OFFERED):
        scored = hiring.application(ranked, status)
        for judge in judges:
            hiring.assessment(scored, judge, marks)
    # An offer made online: its letter is the candidate's, through their private link.
    under_offer = hiring.application(
        hiring.round(RoundStatus.RANKED), ApplicationStatus.OFFERED, token=OFFER_TOKEN
    )
    hiring.offer(under_offer)

    # HR's export of everyone's training records, written by its job, as HR would ask for it.
    hr = db.session.scalar(sa.select(User).where(User.email == accounts.hr.email))
    export = export_jobs.request_export(hr, TRAINING_EXPORT)
    export.result = export_jobs.write_file(export)
    export.state = JobState.FINISHED

    unit = db.session.scalar(sa.select(BargainingUnit).where(BargainingUnit.code == "L1549"))
    snapshot = report_services.publish_unit_report(None, unit, parse_period("2026Q2"))
    db.session.flush()
    return {
        "certificate": certificate.id,
        "grant": grant.id,
        "session": upcoming.id,
        "application": applied.id,
        "open_round": open_round.id,
        "assessing_round": assessing.id,
        "pending_assessment": pending.id,
        "ranked_round": ranked.id,
        "snapshot": snapshot.id,
        "export_job": export.id,
        "offer_token": OFFER_TOKEN,
        "employee": employee.id,
    }


@dataclass(frozen=True)
class DownloadServer:
    app: flask.Flask
    url: str
    ids: dict
    accounts: object


def _own_database(database_url: str, folder) -> str:
    """A SQLite file, or beside the suite's PostgreSQL database (TEST_DATABASE_URL) one of
    its own, `<name>_downloads`, made afresh."""
    if not database_url.startswith("postgresql"):
        return f"sqlite:///{folder / 'live.sqlite3'}"
    url = sa.make_url(database_url)
    name = f"{url.database}_downloads"
    with _postgres_admin(url) as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def download_server(database_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("downloads")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "download-tests-fixed-secret-key",
            "SQLALCHEMY_DATABASE_URI": _own_database(database_url, folder),
            "RATELIMIT_ENABLED": False,
            "MAIL_URL": None,
        }
    )
    app.instance_path = str(folder / "instance")
    assert app.config.get("WTF_CSRF_ENABLED", True), "signing in posts the form's CSRF token"
    with app.app_context():
        upgrade()
    with app.test_request_context():
        accounts = _seed()
        ids = _seed_downloads(accounts)
        db.session.commit()
    try:
        with serving(app) as url:
            yield DownloadServer(app, url, ids, accounts)
    finally:
        with app.app_context():
            db.engine.dispose()
        url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if url.drivername.startswith("postgresql"):
            with _postgres_admin(url) as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def visitors(download_server):
    """One signed-in visitor per role, made when first asked for."""
    made: dict[str, Visitor] = {}

    def visitor(role: str) -> Visitor:
        if role == "anonymous":
            return Visitor(download_server.url)
        if role not in made:
            account = download_server.accounts.for_role(role)
            made[role] = Visitor(download_server.url).sign_in(account.email, PASSWORD)
        return made[role]

    return visitor


# --- the tests ---------------------------------------------------------------------------------


def test_every_download_route_has_a_case(download_server):
    found = download_endpoints(download_server.app)
    assert found == set(DOWNLOADS), (
        f"download routes without a case here: {sorted(found - set(DOWNLOADS))}; "
        f"cases that are no download route: {sorted(set(DOWNLOADS) - found)}"
    )
    assert all(allowed_roles(endpoint) for endpoint in DOWNLOADS)


def _a_helper_of_the_view():
    return exports.attachment(b"x", "text/plain", "x.txt")


def _a_view_through_a_helper():
    return _a_helper_of_the_view()


def _a_page():
    return flask.render_template("x.html")


def test_the_route_walk_finds_files_handed_out_through_a_helper():
    assert hands_out_a_file(_a_view_through_a_helper)
    assert not hands_out_a_file(_a_page)


@pytest.mark.parametrize("endpoint, role", CASES)
def test_each_download_arrives_whole_and_private(endpoint, role, download_server, visitors):
    download = DOWNLOADS[endpoint]
    fetched = visitors(role).get(download.url.format(**download_server.ids))

    assert fetched.status == 200, f"{download.url} as {role}: {fetched.body[:3000]!r}"
    assert fetched.header("Content-Type").split(";")[0].strip() == download.mimetype
    assert fetched.header("Cache-Control") == "no-store"
    assert "attachment" in fetched.header("Content-Disposition")
    assert fetched.body
    if fetched.header("Content-Length"):
        assert int(fetched.header("Content-Length")) == len(fetched.body)
    if download.kind == "csv":
        rows = list(csv.reader(io.StringIO(fetched.body.decode("utf-8"))))
        assert rows and rows[0][0] == download.first_column
        assert all(len(row) == len(rows[0]) for row in rows)
    elif download.kind == "pdf":
        assert fetched.body.startswith(b"%PDF")
    elif download.kind == "json":
        assert "CFDocument" in json.loads(fetched.body)
    elif download.kind == "ics":
        text = fetched.body.decode("utf-8")
        assert text.startswith("BEGIN:VCALENDAR") and text.rstrip().endswith("END:VCALENDAR")
    elif download.kind == "jwt":
        with download_server.app.test_request_context():
            assert credential_checks.verify(fetched.body.decode("ascii")).valid


def test_the_rounds_record_arrives_whole_and_private(download_server, visitors):
    """A POST (each download is audited), so not among the GET cases: HR posts the form on the
    record's page and gets one ZIP of a PDF and CSVs."""
    fetched = visitors("hr").post_form(
        f"/hiring/rounds/{download_server.ids['ranked_round']}/record", {}
    )
    assert fetched.status == 200, fetched.body[:2000]
    assert fetched.header("Content-Type") == "application/zip"
    assert fetched.header("Cache-Control") == "no-store"
    assert "attachment" in fetched.header("Content-Disposition")
    if fetched.header("Content-Length"):
        assert int(fetched.header("Content-Length")) == len(fetched.body)
    archive = zipfile.ZipFile(io.BytesIO(fetched.body))
    assert archive.testzip() is None
    assert archive.read("summary.pdf").startswith(b"%PDF")
    assert archive.read("decisions.csv").decode().startswith("candidate_code,")


@pytest.mark.parametrize(
    "role, form, mimetype",
    [("employee", "jwt", "application/vc+jwt"), ("hr", "pdf", "application/pdf")],
)
def test_the_learner_record_arrives_whole_and_private(
    role, form, mimetype, download_server, visitors
):
    """A POST (each issue is audited): the person downloads their own signed record, and HR
    the same person's PDF (at separation, say)."""
    fetched = visitors(role).post_form(
        f"/people/{download_server.ids['employee']}/learner-record", {"format": form}
    )
    assert fetched.status == 200, fetched.body[:2000]
    assert fetched.header("Content-Type") == mimetype
    assert fetched.header("Cache-Control") == "no-store"
    assert "attachment" in fetched.header("Content-Disposition")
    if fetched.header("Content-Length"):
        assert int(fetched.header("Content-Length")) == len(fetched.body)
    if form == "pdf":
        assert fetched.body.startswith(b"%PDF")
    else:
        with download_server.app.test_request_context():
            checked = credential_checks.verify(fetched.body.decode("ascii"))
        assert checked.valid and len(checked.holds) >= 2


def test_a_file_a_candidate_uploads_downloads_byte_for_byte_in_more_than_one_chunk(
    download_server, visitors
):
    """Taken by one request and kept in the file store, it is streamed back whole by another,
    with its length and type, private, under the candidate code (the round is blind)."""
    line = "A work sample, written out at length, line after line. \u00e9\n".encode()
    sample = line * (stored_files.CHUNK * 3 // 2 // len(line))  # about 1.5 chunks
    assert stored_files.CHUNK < len(sample) < 2 * 1024 * 1024
    candidate = Visitor(download_server.url)
    answers = {
        f"answer_{question_id}": "An answer." for question_id in _question_ids(download_server)
    }
    posted = candidate.post_form(
        f"/jobs/{download_server.ids['open_round']}",
        {"full_name": "Rowan Byte", "email": "rowan.byte@example.test", **answers},
        {"upload": ("sample.txt", sample)},
    )
    assert posted.status == 200, posted.body[:2000]
    application_id, code = _application_of(download_server, "rowan.byte@example.test")

    fetched = visitors("hr").get(f"/hiring/applications/{application_id}/file")

    assert fetched.status == 200
    assert fetched.body == sample
    assert fetched.header("Content-Length") == str(len(sample))
    assert fetched.header("Content-Type").split(";")[0] == "text/plain"
    assert fetched.header("Cache-Control") == "no-store"
    assert fetched.header("Content-Disposition") == (
        f'attachment; filename="{code}-work-sample.txt"'
    )


def _question_ids(server: DownloadServer) -> list[int]:
    from hiring.models import RoundQuestion

    with server.app.app_context():
        return list(
            db.session.scalars(
                sa.select(RoundQuestion.id).where(
                    RoundQuestion.round_id == server.ids["open_round"]
                )
            )
        )


def _application_of(server: DownloadServer, email: str) -> tuple[int, str]:
    from hiring.models import Application

    with server.app.app_context():
        return db.session.execute(
            sa.select(Application.id, Application.candidate_code).where(Application.email == email)
        ).one()
