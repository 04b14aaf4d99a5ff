"""Browser tests: a live CivicLadder with its own committed data, Debian's Chromium and axe-core.

Nothing here downloads a browser: Playwright drives /usr/bin/chromium through `executable_path`.
The live app keeps CSRF on, so every form is posted the way a person's browser posts it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from civicladder import notify
from civicladder.access import Role
from civicladder.app import create_app
from civicladder.db import db
from civicladder.models import User, UserRole
from civicladder.security import hash_password

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# As root with no network: no sandbox, and no background calls home that the network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")

PASSWORD = "a long browser test password"
CHROMIUM_MISSING = (
    "Chromium is required in CI: apt-get install -y chromium "
    f"({CHROMIUM} was not found, so the browser and accessibility tests did not run)"
)
AXE_MISSING = (
    "axe-core is required for the browser tests: run `npm ci` in the repository "
    f"({AXE_SCRIPT.relative_to(ROOT)} was not found)"
)

_MISSING = pytest.StashKey[list[str]]()
_AXE_LOG = pytest.StashKey["AxeLog"]()


# --- prerequisites: loud when missing, fatal in CI -------------------------------------------


def console_errors(page) -> list[str]:
    """The errors the page's console and scripts report from now on (a CSP refusal among
    them), gathered into the list returned."""
    problems: list[str] = []

    def console(message) -> None:
        if message.type == "error":
            problems.append(f"{message.text} ({message.location['url']})")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def browser_prerequisites(pytestconfig: pytest.Config) -> None:
    missing = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(CHROMIUM_MISSING)
    if not AXE_SCRIPT.is_file():
        missing.append(AXE_MISSING)
    if not missing:
        return
    pytestconfig.stash[_MISSING] = missing
    message = " | ".join(missing)
    if _in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _require_browser_prerequisites(browser_prerequisites: None) -> None:
    """Checked before anything launches a browser or builds the live app."""


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    missing = config.stash.get(_MISSING, None)
    if missing:
        terminalreporter.section("BROWSER TESTS DID NOT RUN", sep="!", red=True, bold=True)
        for line in missing:
            terminalreporter.line(line, red=True, bold=True)
    log = config.stash.get(_AXE_LOG, None)
    if log is not None and log.pages:
        terminalreporter.section("axe-core accessibility checks")
        for line in log.summary_lines():
            terminalreporter.line(line)


# --- Playwright on Debian's Chromium ----------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, browser_prerequisites: None) -> dict:
    return {
        "headless": True,
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """Playwright resolves page.goto("/sign-in") against the live server.

    Defining it here also replaces pytest-playwright's fallback `base_url`, a session fixture
    on a class instance that pytest 9 deprecates (a warning, so an error under our settings).
    """
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, base_url: str) -> dict:
    # The app's CSP refuses inline script without a nonce, and axe is injected as one;
    # test_pages.py checks the real policy separately with a context that does not bypass it.
    return {**browser_context_args, "base_url": base_url, "bypass_csp": True}


# --- the live app and its people ---------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    email: str
    full_name: str
    password: str = PASSWORD


@dataclass(frozen=True)
class Accounts:
    admin: Account
    hr: Account
    manager: Account
    employee: Account
    union_rep: Account
    report_with_evidence: str  # full name of the manager's report who has evidence
    other_report: str
    other_report_id: int
    other_report_user: str  # an account only the deactivation test uses

    def for_role(self, role: str) -> Account:
        return getattr(self, role)


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask
    accounts: Accounts


def _user(email: str, full_name: str, roles: set[Role], password_hash: str, employee=None) -> User:
    user = User(
        email=email,
        full_name=full_name,
        password_hash=password_hash,
        active=True,
    )
    user.role_rows = [UserRole(role=role) for role in sorted(roles)]
    db.session.add(user)
    db.session.flush()
    if employee is not None:
        employee.user_id = user.id
    return user


def _seed() -> Accounts:
    """One organisation with a person for every role, committed like real data."""
    from competencies import services as competency_services
    from people import services as people_services

    password_hash = hash_password(PASSWORD)
    parks = people_services.ensure_department(None, "Parks > Forestry > North Crew")
    office = people_services.ensure_department(None, "Parks > Central Office")
    local = people_services.create_bargaining_unit(None, "L1549", "DC37 Local 1549")

    category = competency_services.create_category(None, "Field work", "Work done on site.")
    scale = {level: f"Shows it at step {level}, in observable terms." for level in range(1, 6)}
    safety = competency_services.create_competency(
        None,
        code="SAF-1",
        name="Site safety",
        category_id=category.id,
        description="Keeps a work site safe.",
        descriptors=scale,
    )
    pruning = competency_services.create_competency(
        None,
        code="ARB-2",
        name="Tree pruning",
        category_id=category.id,
        description="Prunes trees to standard.",
        descriptors=scale,
    )
    arborist = competency_services.save_job_profile(
        None,
        None,
        code="ARB",
        title="Arborist",
        description="Cares for the city's trees.",
        requirements=[(safety.id, 3, 60), (pruning.id, 3, 40)],
    )

    def employee(number, first, last, email=None, **kwargs):
        return people_services.create_employee(
            None,
            employee_number=number,
            first_name=first,
            last_name=last,
            email=email,
            hire_date=date(2019, 4, 1),
            **kwargs,
        )

    boss = employee("E100001", "Morgan", "Reyes", "morgan.reyes@city.test", department=parks)
    erin = employee(
        "E100002",
        "Erin",
        "Okafor",
        "erin.okafor@city.test",
        department=parks,
        manager=boss,
        bargaining_unit=local,
        job_profile_id=arborist.id,
    )
    sam = employee(
        "E100003",
        "Sam",
        "Lindqvist",
        department=parks,
        manager=boss,
        bargaining_unit=local,
        job_profile_id=arborist.id,
    )
    hr_person = employee("E100004", "Harriet", "Nakamura", "harriet.n@city.test", department=office)

    admin = _user("ada.admin@city.test", "Ada Admin", {Role.ADMIN}, password_hash)
    hr = _user(
        hr_person.email, "Harriet Nakamura", {Role.HR, Role.EMPLOYEE}, password_hash, hr_person
    )
    manager = _user(boss.email, "Morgan Reyes", {Role.MANAGER, Role.EMPLOYEE}, password_hash, boss)
    worker = _user(erin.email, "Erin Okafor", {Role.EMPLOYEE}, password_hash, erin)
    rep = _user("uma.union@city.test", "Uma Union", {Role.UNION_REP}, password_hash)
    spare = _user("dee.spare@city.test", "Dee Spare", {Role.EMPLOYEE}, password_hash)
    people_services.set_rep_units(admin, rep, {local.id})

    today = date.today()
    competency_services.record_evidence(
        manager, erin, safety, level=4, observed_on=today - timedelta(days=40), note="Site audit"
    )
    competency_services.record_evidence(
        hr,
        erin,
        pruning,
        level=2,
        observed_on=today - timedelta(days=20),
        expires_on=today + timedelta(days=700),
    )
    notify.notify(worker, "Your evidence was recorded", "Site safety at Advanced.", link="/")

    return Accounts(
        admin=Account(admin.email, admin.full_name),
        hr=Account(hr.email, hr.full_name),
        manager=Account(manager.email, manager.full_name),
        employee=Account(worker.email, worker.full_name),
        union_rep=Account(rep.email, rep.full_name),
        report_with_evidence=erin.full_name,
        other_report=sam.full_name,
        other_report_id=sam.id,
        other_report_user=spare.full_name,
    )


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[tuple[Flask, Accounts]]:
    database = tmp_path_factory.mktemp("browser") / "live.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-tests-fixed-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "RATELIMIT_ENABLED": False,
            "MAIL_URL": None,
        }
    )
    assert app.config.get("WTF_CSRF_ENABLED", True), "browser tests keep CSRF protection on"
    with app.app_context():
        upgrade()
        accounts = _seed()
        db.session.commit()
    yield app, accounts
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[LiveServer]:
    app, accounts = live_app
    # One log line per request and asset drowns a failure's report; errors still reach the log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.port}", app=app, accounts=accounts)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def accounts(live_server: LiveServer) -> Accounts:
    return live_server.accounts


# --- axe-core --------------------------------------------------------------------------------


@dataclass
class AxeLog:
    """Every page axe checked, and what it found there (all impacts), for the summary."""

    version: str = ""
    pages: list[str] = field(default_factory=list)
    # (page, rule id, impact, number of elements)
    findings: list[tuple[str, str, str, int]] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        failing = [f for f in self.findings if f[2] in FAILING_IMPACTS]
        lines = [
            f"axe-core {self.version}: {len(self.pages)} page checks ({', '.join(AXE_TAGS)}), "
            f"{len(failing)} serious or critical violations, "
            f"{len(self.findings) - len(failing)} minor or moderate findings"
        ]
        lines += [
            f"  {impact}: {rule} on {page} ({nodes} elements)"
            for page, rule, impact, nodes in self.findings
        ]
        return lines


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} serious or critical violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


class Axe:
    def __init__(self, source: str, log: AxeLog):
        self.source = source
        self.log = log

    def check(self, page, label: str | None = None) -> list[dict]:
        """Run axe on the page as it is now; fail on serious or critical WCAG A/AA violations.

        Returns every violation (all impacts) so a test can say more if it wants to.
        """
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.add_script_tag(content=self.source)
        results = page.evaluate(
            """async (tags) => {
                const r = await window.axe.run(document, {
                    runOnly: {type: 'tag', values: tags},
                    resultTypes: ['violations'],
                });
                return {version: r.testEngine.version, violations: r.violations};
            }""",
            AXE_TAGS,
        )
        where = label or _path(page.url)
        self.log.version = results["version"]
        self.log.pages.append(where)
        violations = results["violations"]
        self.log.findings += [
            (where, v["id"], v["impact"] or "unknown", len(v["nodes"])) for v in violations
        ]
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        if failing:
            pytest.fail(format_violations(page.url, failing), pytrace=False)
        return violations


def _path(url: str) -> str:
    parts = url.split("/", 3)
    return "/" + parts[3] if len(parts) > 3 else "/"


@pytest.fixture(scope="session")
def axe(pytestconfig: pytest.Config, browser_prerequisites: None) -> Axe:
    log = AxeLog()
    pytestconfig.stash[_AXE_LOG] = log
    return Axe(AXE_SCRIPT.read_text(encoding="utf-8"), log)
