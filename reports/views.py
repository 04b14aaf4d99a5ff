"""Report pages: the reports a person reads, a unit's or department's live report, publishing,
snapshots with their PDF and CSV, comments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, pgettext
from flask_login import current_user
from markupsafe import Markup

from civicladder import caching, clock, jobs, languages
from civicladder import exports as downloads
from civicladder import files as file_store
from civicladder.access import Role, requires
from civicladder.caching import kept_page
from civicladder.errors import Invalid
from civicladder.panels import Panel
from people.models import BargainingUnit
from reports import assemble, exports, live, readers, rules, services, words
from reports.forms import CommentForm, CountForm, PeriodForm, PublishForm
from reports.models import ReportSnapshot
from reports.tables import UNIT, Scope

bp = Blueprint("reports", __name__)

UNIT_READERS = (Role.UNION_REP, Role.HR)
DEPARTMENT_READERS = (Role.MANAGER, Role.HR)
SNAPSHOT_READERS = (Role.UNION_REP, Role.HR, Role.MANAGER)


@bp.get("/reports")
@requires(*SNAPSHOT_READERS)
@kept_page
def index():
    units = readers.readable_units(current_user)
    if current_user.has_role(Role.HR):
        departments = readers.agencies()
    else:
        departments = readers.own_departments(current_user)
    return render_template(
        "reports/index.html",
        units=units,
        unit_snapshots=readers.snapshots_of_units([unit.id for unit in units]),
        departments=departments,
        department_snapshots=readers.snapshots_of_departments([d.id for d in departments]),
        period=rules.default_period(clock.today()),
    )


def _period_from(text: str | None) -> rules.Period:
    """The period asked for, or the last quarter that has ended; one to come is refused."""
    today = clock.today()
    period = rules.parse_period(text) if (text or "").strip() else rules.default_period(today)
    rules.check_started(period, today)
    return period


def scope_url(scope: Scope | dict, action: str = "report", **values) -> str:
    """The address of a scope's live report ("report"), its publishing page ("publish") or
    where to ask for it to be counted ("count")."""
    kind, ident = (
        (scope["kind"], scope["id"]) if isinstance(scope, dict) else (scope.kind, scope.id)
    )
    if kind == UNIT:
        return url_for(_UNIT_PAGES[action], unit_id=ident, **values)
    return url_for(_DEPARTMENT_PAGES[action], department_id=ident, **values)


_UNIT_PAGES = {"report": "reports.unit_report", "publish": "reports.publish"}
_UNIT_PAGES["count"] = "reports.count_unit"
_DEPARTMENT_PAGES = {"report": "reports.department_report", "publish": "reports.publish_department"}
_DEPARTMENT_PAGES["count"] = "reports.count_department"


def _live_page(scope: Scope, **extra):
    form = PeriodForm(request.args)
    try:
        period = _period_from(form.period.data)
    except Invalid as error:
        form.period.errors = [error.message]
        page = render_template("reports/report.html", scope=scope, form=form, content=None, **extra)
        return page, 422
    form.period.data = period.code
    published = readers.snapshot_for(scope, period.code)
    if published is not None:
        # Once published, a period reads from its snapshot for everyone: never a recount.
        return redirect(url_for("reports.snapshot", snapshot_id=published.id), 303)
    found = live.stored(scope, period)
    if found is None and not jobs.inline():
        # Not counted ahead, and a worker is there to count it: no web worker spends the
        # seconds a large unit takes. The page offers to ask for it, or says it is under way.
        return render_template(
            "reports/report.html",
            scope=scope,
            form=form,
            content=None,
            period=period,
            counting=live.counting(scope, period),
            count_form=CountForm(data={"period": period.code}),
            **extra,
        )
    content, counted_at = found if found is not None else live.content_for(scope, period)
    return render_template(
        "reports/report.html",
        scope=scope,
        form=form,
        content=words.translated(content),
        counted_at=counted_at,
        may_publish=current_user.has_role(Role.HR) and period.end < clock.today(),
        **extra,
    )


def _count(scope: Scope):
    form = CountForm(request.form)
    period = _period_from(form.period.data)
    if not form.validate():
        raise Invalid(gettext("This form has expired: open the report again and ask once more."))
    live.request_count(current_user, scope, period)
    flash(
        gettext(
            "The %(period)s report for %(scope)s is being counted.",
            period=period.code,
            scope=scope.name,
        ),
        "info",
    )
    return redirect(scope_url(scope, period=period.code))


@bp.get("/reports/units/<int:unit_id>")
@requires(*UNIT_READERS)
@kept_page
def unit_report(unit_id: int):
    unit = readers.readable_unit(current_user, unit_id)
    return _live_page(assemble.unit_scope(unit))


@bp.post("/reports/units/<int:unit_id>/count")
@requires(*UNIT_READERS)
def count_unit(unit_id: int):
    unit = readers.readable_unit(current_user, unit_id)
    return _count(assemble.unit_scope(unit))


@bp.post("/reports/departments/<int:department_id>/count")
@requires(*DEPARTMENT_READERS)
def count_department(department_id: int):
    department = readers.readable_department(current_user, department_id)
    return _count(assemble.department_scope(department))


@bp.get("/reports/departments/<int:department_id>")
@requires(*DEPARTMENT_READERS)
@kept_page
def department_report(department_id: int):
    department = readers.readable_department(current_user, department_id)
    return _live_page(
        assemble.department_scope(department),
        children=readers.child_departments(department),
    )


def _publish_page(scope: Scope):
    form = PublishForm(request.form if request.method == "POST" else request.args)
    period = _period_from(form.period.data)
    rules.check_ended(period, clock.today())
    if request.method == "POST" and form.validate_on_submit() and form.is_confirmed:
        run = services.request_publication(current_user, scope.kind, scope.id, period)
        flash(
            gettext(
                "The %(period)s report for %(scope)s is being published: this page says when "
                "it is done. Its figures will not change once it is.",
                period=period.code,
                scope=scope.name,
            ),
            "success",
        )
        return redirect(url_for("jobs.show", run_id=run.id))
    form.period.data = period.code
    status = 422 if request.method == "POST" else 200
    return render_template(
        "reports/publish.html",
        scope=scope,
        period=period,
        form=form,
        published=readers.snapshot_for(scope, period.code),
    ), status


@bp.route("/reports/units/<int:unit_id>/publish", methods=["GET", "POST"])
@requires(Role.HR)
def publish(unit_id: int):
    unit = readers.readable_unit(current_user, unit_id)
    return _publish_page(assemble.unit_scope(unit))


@bp.route("/reports/departments/<int:department_id>/publish", methods=["GET", "POST"])
@requires(Role.HR)
def publish_department(department_id: int):
    department = readers.readable_department(current_user, department_id)
    return _publish_page(assemble.department_scope(department))


@bp.get("/reports/snapshots/<int:snapshot_id>")
@requires(*SNAPSHOT_READERS)
@kept_page
def snapshot(snapshot_id: int):
    found = readers.readable_snapshot(current_user, snapshot_id)
    return _snapshot_page(found, CommentForm())


def _snapshot_page(found: ReportSnapshot, form: CommentForm, status: int = 200):
    # The figures are the same for every reader allowed here (checked on each request, by
    # `readers.readable_snapshot`): kept per report and language until the report changes.
    figures = caching.part("report.snapshot", found.id, lambda: _figures(found))
    return render_template(
        "reports/snapshot.html",
        snapshot=found,
        content=found.content,  # the title's scope and period, which no language changes
        figures=figures,
        comments=readers.comments_on(found.id),
        form=form,
    ), status


def _figures(found: ReportSnapshot) -> Markup:
    return Markup(  # noqa: S704 (the template's own autoescaped output)
        render_template(
            "reports/_snapshot_figures.html",
            snapshot=found,
            content=words.translated(found.content),
            intact=rules.content_hash(found.content) == found.content_hash,
        )
    )


@bp.get("/reports/snapshots/<int:snapshot_id>/report.csv")
@requires(*SNAPSHOT_READERS)
def snapshot_csv(snapshot_id: int):
    found = readers.readable_snapshot(current_user, snapshot_id)
    filename = f"report-{found.content['scope']['code']}-{found.period}.csv"
    # Read whole now, while the snapshot is at hand: a report is a few hundred cells.
    rows = list(csv_rows(found))
    return downloads.csv_response(filename, csv_header(), lambda: rows)


def csv_header() -> list[str]:
    """The columns, in the language of the person downloading (the figures' words are too)."""
    return [
        pgettext("a report's CSV column", "scope"),
        pgettext("a report's CSV column", "period"),
        pgettext("a report's CSV column", "content_hash"),
        pgettext("a report's CSV column", "section"),
        pgettext("a report's CSV column", "table"),
        pgettext("a report's CSV column", "row"),
        pgettext("a report's CSV column", "column"),
        pgettext("a report's CSV column", "figure"),
    ]


def csv_rows(found: ReportSnapshot):
    """Each figure of the snapshot as it is shown: protected ones in words, never a number;
    the words in the reader's language."""
    content = words.translated(found.content)
    for section in content["sections"]:
        for table in section["tables"]:
            columns = table["columns"][1:]
            for row in table["rows"]:
                for column, cell in zip(columns, row["cells"], strict=True):
                    yield (
                        content["scope"]["name"],
                        content["period"]["code"],
                        found.content_hash,
                        section["title"],
                        table["caption"],
                        row["label"],
                        column,
                        cell["shown"],
                    )


@bp.get("/reports/snapshots/<int:snapshot_id>/report.pdf")
@requires(*SNAPSHOT_READERS)
def snapshot_pdf(snapshot_id: int):
    found = readers.readable_snapshot(current_user, snapshot_id)
    language = languages.current()
    return file_store.download(
        exports.stored_pdf(found, language), exports.pdf_filename(found, language)
    )


@bp.post("/reports/snapshots/<int:snapshot_id>/comments")
@requires(*SNAPSHOT_READERS)
def comment(snapshot_id: int):
    found = readers.readable_snapshot(current_user, snapshot_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _snapshot_page(found, form, 422)
    services.add_comment(current_user, found, form.body.data)
    flash(gettext("Your comment is posted: everyone who reads this report can read it."), "success")
    return redirect(url_for("reports.snapshot", snapshot_id=found.id, _anchor="comments"))


# --- the home page's panel ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportsPanel(Panel):
    template: ClassVar[str] = "reports/_home_panel.html"
    units: list[BargainingUnit]
    latest: dict[int, ReportSnapshot | None]
    period: rules.Period


def home_panel(user) -> ReportsPanel | None:
    """A union rep's way into the reports of the units they represent."""
    if not user.has_role(Role.UNION_REP):
        return None
    units = readers.readable_units(user)
    snapshots = readers.snapshots_of_units([unit.id for unit in units])
    return ReportsPanel(
        units=units,
        latest={unit.id: next(iter(snapshots[unit.id]), None) for unit in units},
        period=rules.default_period(clock.today()),
    )
