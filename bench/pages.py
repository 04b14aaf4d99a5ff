"""The pages measured, and who opens each: the main page of every role, with ids from the data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import quote

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # a key of the sign-ins, or ANONYMOUS
    path: str
    # The quality bar's throughput target: at least a third of the bare route's.
    ratio_target: bool = False
    # A page with bars of its own (the discretion check): p95 under this, and at least this
    # share of the bare route's throughput; None keeps the product's (report.py).
    p95_target_ms: float | None = None
    ratio_floor: float | None = None
    # The language the reader's browser asks for (Accept-Language); None: English.
    language: str | None = None


BARE = "bare route"


def pages(ids: dict) -> list[Page]:
    """The bare route first: every page's throughput is compared with it. It comes again last,
    where its ratio to the first shows how much the machine's other work moved the figures.
    Every HTML page has the throughput target (files, credentials and the API's JSON do not,
    but the discretion check keeps its own)."""
    return [replace(page, ratio_target=True) if _is_html(page) else page for page in _pages(ids)]


def _is_html(page: Page) -> bool:
    return (
        page.role != API
        and not page.name.startswith(BARE)
        and not page.path.endswith((".pdf", ".jwt", ".csv"))
        and not page.path.startswith("/credentials/")
    )


def _pages(ids: dict) -> list[Page]:
    agency = f"/people?department={ids['agency_id']}"
    return [
        Page(BARE, ANONYMOUS, "/healthz"),
        Page("home", "admin", "/"),
        Page("home", "hr", "/"),
        Page("home", "manager", "/"),
        Page("home", "employee", "/", ratio_target=True),
        Page("home, in Spanish", "employee", "/", ratio_target=True, language="es"),
        Page("home", "union_rep", "/"),
        Page("directory", "hr", "/people"),
        Page("directory", "manager", "/people"),
        Page("directory ?q=smith", "hr", "/people?q=smith"),
        Page("directory ?q=smith", "manager", "/people?q=smith"),
        Page("directory, one agency", "hr", agency),
        Page("directory, one agency", "manager", agency),
        Page("own profile", "employee", f"/people/{ids['employee_id']}", ratio_target=True),
        Page("profile in line", "manager", f"/people/{ids['line_employee_id']}", True),
        Page("audit log", "admin", "/admin/audit"),
        Page("users", "admin", "/admin/users"),
        Page("framework", "hr", "/competencies"),
        Page("job profiles", "hr", "/job-profiles"),
        Page("training catalog", "employee", "/academy"),
        Page("training catalog ?q=safety", "employee", "/academy?q=safety"),
        # Session ids start at 1 in the demo and the synthetic city alike; a roster is bounded
        # by the session's capacity whatever the size of the city.
        Page("session roster", "hr", "/academy/sessions/1/roster"),
        Page("own training record", "employee", "/academy/my-training"),
        Page("autonomy queue", "manager", "/autonomy/queue"),
        Page("autonomy, one person", "manager", f"/autonomy/people/{ids['line_employee_id']}"),
        Page("autonomy tracks", "hr", "/autonomy/tracks"),
        Page("outcomes and supervision", "manager", "/autonomy/supervision"),
        Page("levels to review", "manager", "/autonomy/reviews"),
        Page("framework", "employee", "/competencies"),
        Page("below requirements", "hr", "/competencies/below-requirements"),
        Page("below requirements", "manager", "/competencies/below-requirements"),
        Page("expiring evidence", "hr", "/competencies/expiring"),
        Page("expiring evidence", "manager", "/competencies/expiring"),
        Page("accounts to invite", "hr", "/people/accounts"),
        Page("public jobs", ANONYMOUS, "/jobs"),
        Page("jobs search", ANONYMOUS, _jobs_search(ids)),
        Page("job posting", ANONYMOUS, f"/jobs/{ids['open_round_id']}"),
        Page("hiring round", "hr", f"/hiring/rounds/{ids['ranked_round_id']}"),
        Page("ranked list", "hr", f"/hiring/rounds/{ids['ranked_round_id']}/ranking"),
        Page("assessor queue", "employee", f"/assess/rounds/{ids['assessing_round_id']}"),
        *_eligible_pages(ids),
        *_report_pages(ids),
        *_api_pages(ids),
        *_credential_pages(ids),
        Page(f"{BARE}, again", ANONYMOUS, "/healthz"),
    ]


def _eligible_pages(ids: dict) -> list[Page]:
    """HR's eligible lists (every job profile's), and the largest list still making offers."""
    found = [Page("eligible lists", "hr", "/hiring/eligible-lists")]
    if ids.get("eligible_list_id") is not None:
        path = f"/hiring/eligible-lists/{ids['eligible_list_id']}"
        found.append(Page("eligible list", "hr", path))
    return found


API = "api client"  # signed in with nothing: a bearer token (bench.run issues it)
# The discretion check is asked at the moment of work, by other systems, many times a shift.
CHECK_P95_MS = 20.0
CHECK_RATIO = 0.5


def _api_pages(ids: dict) -> list[Page]:
    """What other systems read most: a page of employees, a page of the changes feed (from
    the oldest change kept), the published reports and one of them; and the discretion check
    for a person holding a level, under an item of it (within its limit where it has one)."""
    reads = [
        Page("API employees, a page of 100", API, "/api/v1/employees?limit=100"),
        Page("API changes feed, a page of 100", API, "/api/v1/events?limit=100"),
        Page("API published reports", API, "/api/v1/reports"),
    ]
    if ids.get("report_snapshot_id") is not None:
        snapshot = ids["report_snapshot_id"]
        reads.append(Page("API one published report", API, f"/api/v1/reports/{snapshot}"))
    if ids.get("discretion_check") is None:
        return reads
    one = ids["discretion_check"]
    query = f"employee={quote(one['employee'])}&item={quote(one['item'])}"
    if one.get("amount") is not None:
        query += f"&amount={one['amount']}"
    return reads + [
        Page(
            "discretion check",
            API,
            f"/api/v1/discretion/check?{query}",
            ratio_target=True,
            p95_target_ms=CHECK_P95_MS,
            ratio_floor=CHECK_RATIO,
        ),
    ]


# Issuing a signed credential: its holder downloads it from a page, at any moment.
CREDENTIAL_P95_MS = 50.0


def _credential_pages(ids: dict) -> list[Page]:
    """A signed credential issued (a certificate of the employee's, a level someone holds),
    and the published list of revoked certificates every verifier reads."""
    found = [Page("status list of certificates", ANONYMOUS, "/credentials/status/certificates")]
    certificate = ids.get("credential_certificate_id")
    if certificate is not None:
        path = f"/academy/certificates/{certificate}/credential.jwt"
        found.append(
            Page("certificate credential", "employee", path, p95_target_ms=CREDENTIAL_P95_MS)
        )
    grant = ids.get("credential_grant_id")
    if grant is not None:
        path = f"/autonomy/grants/{grant}/credential.jwt"
        found.append(Page("level credential", "hr", path, p95_target_ms=CREDENTIAL_P95_MS))
    return found


def _jobs_search(ids: dict) -> str:
    """The jobs page searched for a word of an open posting's title, in its agency, full time,
    by highest pay: every filter the page reads from its address at once."""
    agency = ids.get("open_round_agency_id")
    query = f"/jobs?q={quote(ids['open_round_word'])}&schedule=full_time&sort=pay"
    return query + (f"&agency={agency}" if agency is not None else "")


def _report_pages(ids: dict) -> list[Page]:
    """The largest unit's live report (the quality bar: under 1 s at 50,000 members), a
    department's, and a published report with its PDF when the data has one."""
    unit, snapshot = ids.get("largest_unit_id"), ids.get("report_snapshot_id")
    found = [Page("progress reports", "union_rep", "/reports")]
    if unit is not None:
        # The quarter under way: a published quarter's page sends its readers to the snapshot.
        today = date.today()
        live = f"/reports/units/{unit}?period={today.year}Q{(today.month - 1) // 3 + 1}"
        found.append(Page("largest unit's report, live", "union_rep", live))
    if ids.get("manager_department_id") is not None:
        department = ids["manager_department_id"]
        found.append(Page("department report", "manager", f"/reports/departments/{department}"))
    if snapshot is not None:
        published = f"/reports/snapshots/{snapshot}"
        found.append(Page("published report", "union_rep", published))
        found.append(Page("published report PDF", "union_rep", f"{published}/report.pdf"))
        # The Spanish PDF is made at its first download (the warm-up's) and kept.
        found.append(Page("published report, in Spanish", "union_rep", published, language="es"))
        found.append(
            Page(
                "published report PDF, in Spanish",
                "union_rep",
                f"{published}/report.pdf",
                language="es",
            )
        )
    return found
