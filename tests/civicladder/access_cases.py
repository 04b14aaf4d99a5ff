"""The access matrix's vocabulary, and the shell's rows: home, sign-in, accounts, admin pages.

Each package keeps a module like this one beside its tests (tests/<package>/access_cases.py)
with three names, gathered by tests/civicladder/test_access_matrix.py:

- `world(kit, ids)`: builds, once per test module, what the package's rows point at, and
  returns its ids (plus the values its posted data needs); `ids` holds the lower packages'.
- `CASES`: one `Case` per endpoint and method. `url` and string values in `data` may name ids
  as "{target_user}". `expect` gives, for each of the six ROLES and for any contextual column
  the row uses, the status code, SIGNIN or REJECTED.
- `ACTORS`: the contextual columns the package adds beside the roles, each the name of a
  fixture in the same module that returns a test client signed in as that actor (e.g.
  "assessor_of_round": an assessor of a round the world holds, built by the package's
  factories). Rows of any package may then name the column in `expect`.

A POST to a data-changing route posts the data that takes the permitted role to the real
action, and `records` names the audit action that request writes. Every other request, from a
forbidden role or to a page that only reads, must leave every table as it found it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from civicladder import clock, credentials, files, notify
from civicladder import services as shell_services
from civicladder.access import Role
from civicladder.db import db
from civicladder.models import JobRun, JobState
from tests.civicladder.factories import PASSWORD

ROLES = ["anonymous", "employee", "manager", "hr", "union_rep", "admin"]
SIGNED_IN_ROLES = ROLES[1:]
SIGNIN = "signin"  # redirected to the sign-in page
REJECTED = "rejected"  # allowed through access control, but the empty submission is refused (4xx)

NEW_PASSWORD = "a different long password"


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    url: str
    expect: dict[str, object]
    data: dict | Callable[[dict], dict] = field(default_factory=dict)
    records: dict[str, str] = field(default_factory=dict)  # column -> audit action recorded

    @property
    def key(self) -> str:
        return f"{self.method} {self.endpoint}"

    def bind(self, ids) -> Case:
        """This row with the world's ids put into its url (posted data is filled in later)."""
        return replace(self, url=self.url.format_map(ids))

    def form(self, ids) -> dict:
        """The data to post, with ids put in; call inside an app context (data may query)."""
        if callable(self.data):
            return self.data(ids)
        return {name: _fill(value, ids) for name, value in self.data.items()}


def _fill(value, ids):
    if isinstance(value, str):
        return value.format_map(ids)
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value


def only(allowed: dict[str, object], others: object = 403) -> dict[str, object]:
    """Signed-in roles not named get `others`; anonymous is sent to sign in."""
    expect = dict.fromkeys(ROLES, others)
    expect["anonymous"] = SIGNIN
    expect.update(allowed)
    return expect


def recorded(action: str, *columns: str) -> dict[str, str]:
    return dict.fromkeys(columns, action)


EVERYONE_SIGNED_IN = dict.fromkeys(ROLES, 200) | {"anonymous": SIGNIN}


def world(kit, ids: dict) -> dict:
    """A user for each role (the employee and the manager with their employee records, the
    manager with a report), each with an unread notice; a target user with a live password
    link; an inactive user."""
    people, make_user = kit.people, kit.make_user
    users = {}
    for role in ("employee", "manager"):
        person, users[role] = people.employee_user(roles={Role(role)})
        if role == "manager":
            people.employee(manager=person)
    for role in ("hr", "union_rep", "admin"):
        users[role] = make_user({Role(role)})
    target = make_user({Role.EMPLOYEE, Role.UNION_REP})
    inactive = make_user(active=False)
    for user in users.values():
        notify.notify(user, "Something to read")
    token = shell_services.issue_reset_link(users["admin"], target)
    asked = JobRun(kind="people.import_roster", title="Roster import", params={})
    asked.requested_by_id = users["employee"].id
    db.session.add(asked)
    # An export HR asked for, finished: its file is for HR's officer alone.
    exported = files.store(b"employee_number\n", name="export.csv", media_type="text/csv")
    export = JobRun(
        kind="export.training-records",
        title="Training records export",
        params={},
        state=JobState.FINISHED,
        result={"file_id": exported.id},
    )
    export.requested_by_id = users["hr"].id
    db.session.add(export)
    db.session.flush()
    return {
        "employee_job": asked.id,
        "hr_export": export.id,
        "users": {role: user.id for role, user in users.items()},
        "target_user": target.id,
        "target_email": target.email,
        "inactive_user": inactive.id,
        "reset_token": token,
        "today": clock.today().isoformat(),
        "signing_key": credentials.key_id(),
    }


ACTORS: tuple[str, ...] = ()

CASES = [
    Case("static", "GET", "/static/css/site.css", dict.fromkeys(ROLES, 200)),
    Case("home.healthz", "GET", "/healthz", dict.fromkeys(ROLES, 200)),
    # The city as an issuer of credentials: public, like the page that checks one.
    Case("credentials.issuer", "GET", "/credentials/issuer", dict.fromkeys(ROLES, 200)),
    Case("credentials.keys", "GET", "/credentials/keys", dict.fromkeys(ROLES, 200)),
    Case("credentials.key", "GET", "/credentials/keys/{signing_key}", dict.fromkeys(ROLES, 200)),
    Case("credentials.verify", "GET", "/verify/credential", dict.fromkeys(ROLES, 200)),
    # Nothing pasted: the page says so (422), whoever asks.
    Case("credentials.verify", "POST", "/verify/credential", dict.fromkeys(ROLES, REJECTED)),
    Case("home.index", "GET", "/", EVERYONE_SIGNED_IN),
    Case("auth.sign_in", "GET", "/sign-in", dict.fromkeys(ROLES, 302) | {"anonymous": 200}),
    Case(
        "auth.sign_in",
        "POST",
        "/sign-in",
        dict.fromkeys(ROLES, 302),  # signed-in people are sent home; nothing changes
        {"email": "{target_email}", "password": PASSWORD},
        recorded("user.signed_in", "anonymous"),
    ),
    # Sign-in through the city's identity provider; the suite's app has none configured, so
    # both answer 404 (tests/civicladder/test_oidc_sign_in.py runs them against a provider).
    Case(
        "auth.sign_in_oidc", "GET", "/sign-in/oidc", dict.fromkeys(ROLES, 302) | {"anonymous": 404}
    ),
    Case(
        "auth.oidc_callback",
        "GET",
        "/sign-in/oidc/callback?code=c&state=s",
        dict.fromkeys(ROLES, 404),
    ),
    Case(
        "auth.sign_out",
        "POST",
        "/sign-out",
        dict.fromkeys(ROLES, SIGNIN),
        records=recorded("user.signed_out", *SIGNED_IN_ROLES),
    ),
    Case("admin.sign_in_settings", "GET", "/admin/sign-in", only({"admin": 200})),
    Case(
        "admin.sign_in_settings",
        "POST",
        "/admin/sign-in",
        only({"admin": 302}),
        {"everyone": "yes", "reason": "Passwords for everyone while the provider is set up."},
        recorded("sign_in.password_policy_changed", "admin"),
    ),
    # The language switch: anyone may choose; a signed-in person's account keeps the choice.
    Case(
        "auth.choose_language",
        "POST",
        "/language",
        dict.fromkeys(ROLES, 302),
        {"lang": "es", "next": "/jobs"},
        recorded("user.language_chosen", *SIGNED_IN_ROLES),
    ),
    Case("auth.change_password", "GET", "/account/password", EVERYONE_SIGNED_IN),
    Case(
        "auth.change_password",
        "POST",
        "/account/password",
        dict.fromkeys(SIGNED_IN_ROLES, 302) | {"anonymous": SIGNIN},
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
        recorded("user.password_changed", *SIGNED_IN_ROLES),
    ),
    # A password link is its own credential: whoever holds it may use it, signed in or not.
    Case("auth.reset_password", "GET", "/reset/{reset_token}", dict.fromkeys(ROLES, 200)),
    Case(
        "auth.reset_password",
        "POST",
        "/reset/{reset_token}",
        dict.fromkeys(ROLES, 302),
        {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        recorded("user.password_reset", *ROLES),
    ),
    Case(
        "auth.mark_notifications_read",
        "POST",
        "/notifications/read",
        dict.fromkeys(SIGNED_IN_ROLES, 302) | {"anonymous": SIGNIN},
        records=recorded("notification.read", *SIGNED_IN_ROLES),
    ),
    Case("admin.audit_log", "GET", "/admin/audit", only({"admin": 200})),
    Case("admin.outbox", "GET", "/admin/outbox", only({"admin": 200})),
    Case("jobs.index", "GET", "/admin/jobs/", only({"hr": 200, "admin": 200})),
    # The person who asked for a job follows it; HR and administrators see every job.
    Case(
        "jobs.show",
        "GET",
        "/admin/jobs/{employee_job}",
        only({"employee": 200, "hr": 200, "admin": 200}),
    ),
    # An export's file: only for whoever asked for it (HR and administrators see the job).
    Case("jobs.file", "GET", "/admin/jobs/{hr_export}/file", only({"hr": 200})),
]
