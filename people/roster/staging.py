"""The roster file inside the database: a temporary table of its rows, and what they mean.

A plan and its write never hold a workforce in Python. The file's rows, checked one by one as
they stream past, go into `roster_staged` (one COPY on PostgreSQL, batched inserts elsewhere);
the checks across rows, the comparison with the employees they name and the write itself are
set-based statements over it. The table lives as long as the transaction (ON COMMIT DROP on
PostgreSQL; dropped before the next plan elsewhere) and is the session's own, so two imports
at once never see each other's rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import sqlalchemy as sa

from civicladder import bulk
from civicladder.db import db
from people.models import BargainingUnit, Department, Employee, EmployeeStatus, JobProfile

_metadata = sa.MetaData()
STAGED = sa.Table(
    "roster_staged",
    _metadata,
    sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("employee_number", sa.Text),
    sa.Column("first_name", sa.Text),
    sa.Column("last_name", sa.Text),
    sa.Column("email", sa.Text),
    sa.Column("department_path", sa.Text),
    sa.Column("manager_number", sa.Text),
    sa.Column("bargaining_unit", sa.Text),
    sa.Column("job_profile", sa.Text),
    sa.Column("hire_date", sa.Date),
    sa.Column("status", sa.Text),
    # False when the row has a problem; only rows without one are compared and written.
    sa.Column("ok", sa.Boolean, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
LOADED = [column.name for column in STAGED.c]
# The id each new employee will have (`number_new_rows`), so rows can name new managers.
NEW_IDS = sa.Table(
    "roster_new_ids",
    _metadata,
    sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("employee_number", sa.Text, nullable=False),
    sa.Column("id", sa.Integer, nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
# Made after the rows are in, which is quicker than keeping them up to date row by row.
_INDEXED = ("employee_number", "email", "manager_number")
_KEY = "people.roster_staged"
_loads = itertools.count(1)

EMPLOYEE = Employee.__table__


def load(rows: Iterable[tuple]) -> tuple[int, int]:
    """A new staged copy of the file from tuples in `LOADED` order; (its token, row count).

    Inside a savepoint: a file found broken half-way (an exception from `rows`) leaves the
    transaction as it was, so the page that reports it can still read the database."""
    connection = db.session.connection()
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGED.name}")
    db.session.info.pop(_KEY, None)
    with db.session.begin_nested():
        STAGED.create(db.session.connection())
        count = bulk.load(STAGED, LOADED, rows)
        for column in _INDEXED:
            db.session.connection().exec_driver_sql(
                f"CREATE INDEX ix_{STAGED.name}_{column} ON {STAGED.name} ({column})"
            )
        _analyze()
    token = next(_loads)
    db.session.info[_KEY] = token
    return token, count


def holds(token: int | None) -> bool:
    """Whether the staged rows are still the copy with this token (same session, same file)."""
    return token is not None and db.session.info.get(_KEY) == token


def mark_bad(lines: Iterable[int]) -> None:
    """Set aside the rows whose problems were found by comparing rows."""
    from people.roster.rules import LOOKUP_CHUNK

    ordered = sorted(set(lines))
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        db.session.execute(sa.update(STAGED).where(STAGED.c.line.in_(chunk)).values(ok=False))


def number_new_rows() -> int:
    """Give each row that names no existing employee the id its employee will have; return
    how many there are.

    Into a table of their own: rewriting every staged row would cost as much as writing it."""
    connection = db.session.connection()
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {NEW_IDS.name}")
    NEW_IDS.create(connection)
    if bulk.is_postgresql():
        new_id = sa.func.nextval(sa.func.pg_get_serial_sequence(EMPLOYEE.name, "id"))
    else:
        # Past every id in use; lines are unique, and ids need not be consecutive.
        highest = sa.select(sa.func.coalesce(sa.func.max(EMPLOYEE.c.id), 0)).scalar_subquery()
        new_id = highest + STAGED.c.line
    rows = sa.select(STAGED.c.line, STAGED.c.employee_number, new_id).where(
        STAGED.c.ok,
        ~sa.exists().where(EMPLOYEE.c.employee_number == STAGED.c.employee_number),
    )
    db.session.execute(sa.insert(NEW_IDS).from_select(["line", "employee_number", "id"], rows))
    connection.exec_driver_sql(
        f"CREATE INDEX ix_{NEW_IDS.name}_employee_number ON {NEW_IDS.name} (employee_number)"
    )
    _analyze(NEW_IDS)
    return db.session.scalar(sa.select(sa.func.count()).select_from(NEW_IDS))


def stream(stmt: sa.Select, size: int) -> Iterator[list]:
    """A statement's rows through a server-side cursor, `size` at a time.

    PostgreSQL plans a cursor for its first rows (cursor_tuple_fraction), which over a
    workforce means nested loops where hash joins take a fraction of the time: every row is
    read here, so the cursor is planned for all of them."""
    if bulk.is_postgresql():
        db.session.execute(sa.text("SET LOCAL cursor_tuple_fraction = 1.0"))
    yield from db.session.execute(stmt.execution_options(yield_per=size)).partitions()


def _analyze(table: sa.Table = STAGED) -> None:
    """Autovacuum never analyses a temporary table: give PostgreSQL's planner its figures."""
    if bulk.is_postgresql():
        db.session.connection().exec_driver_sql(f"ANALYZE {table.name}")


# --- what each staged row means -------------------------------------------------------------

CURRENT = EMPLOYEE.alias("current")
_current_department = Department.__table__.alias("current_department")
_current_manager = EMPLOYEE.alias("current_manager")
_current_unit = BargainingUnit.__table__.alias("current_unit")
_current_profile = JobProfile.__table__.alias("current_profile")

# The staged rows beside the employees they name (none for a new one), with what those
# employees' fields are now.
COMPARED = (
    STAGED.outerjoin(CURRENT, CURRENT.c.employee_number == STAGED.c.employee_number)
    .outerjoin(_current_department, _current_department.c.id == CURRENT.c.department_id)
    .outerjoin(_current_manager, _current_manager.c.id == CURRENT.c.manager_id)
    .outerjoin(_current_unit, _current_unit.c.id == CURRENT.c.bargaining_unit_id)
    .outerjoin(_current_profile, _current_profile.c.id == CURRENT.c.job_profile_id)
)


def _text(column) -> sa.ColumnElement:
    return sa.func.coalesce(column, "")


STATUS_AFTER = sa.func.coalesce(STAGED.c.status, CURRENT.c.status, EmployeeStatus.ACTIVE.value)
# For each field a preview shows (rules.FIELD_LABELS): its value now and in the file, as the
# comparable text `rules.change_of` compares (dates are compared as dates here and as their
# ISO text there, which agree).
FIELDS = {
    "first_name": (_text(CURRENT.c.first_name), _text(STAGED.c.first_name)),
    "last_name": (_text(CURRENT.c.last_name), _text(STAGED.c.last_name)),
    "email": (_text(CURRENT.c.email), _text(STAGED.c.email)),
    "department": (_text(_current_department.c.path), _text(STAGED.c.department_path)),
    "manager": (_text(_current_manager.c.employee_number), _text(STAGED.c.manager_number)),
    "bargaining_unit": (_text(_current_unit.c.code), _text(STAGED.c.bargaining_unit)),
    "job_profile": (_text(_current_profile.c.code), _text(STAGED.c.job_profile)),
    "hire_date": (CURRENT.c.hire_date, STAGED.c.hire_date),
    "status": (sa.cast(CURRENT.c.status, sa.Text), sa.cast(STATUS_AFTER, sa.Text)),
}
IS_NEW = CURRENT.c.id.is_(None)
CHANGED = sa.or_(*(before != after for before, after in FIELDS.values()))

# --- what a staged row writes ---------------------------------------------------------------

_department = Department.__table__.alias("new_department")
_manager = EMPLOYEE.alias("new_manager")
_new_manager = NEW_IDS.alias("new_manager_id")
NEW = NEW_IDS.alias("new")
_unit = BargainingUnit.__table__.alias("new_unit")
_profile = JobProfile.__table__.alias("new_profile")

# COMPARED, with the new id of each new employee (NEW) and the ids of what each row names (its
# department exists by the time of writing).
RESOLVED = (
    COMPARED.outerjoin(NEW, NEW.c.line == STAGED.c.line)
    .join(_department, _department.c.path == STAGED.c.department_path)
    .outerjoin(_manager, _manager.c.employee_number == STAGED.c.manager_number)
    .outerjoin(_new_manager, _new_manager.c.employee_number == STAGED.c.manager_number)
    .outerjoin(_unit, _unit.c.code == STAGED.c.bargaining_unit)
    .outerjoin(_profile, _profile.c.code == STAGED.c.job_profile)
)
# The employee columns (people.models.EMPLOYEE_FIELDS) as a staged row writes them.
WRITTEN = {
    "employee_number": STAGED.c.employee_number,
    "first_name": STAGED.c.first_name,
    "last_name": STAGED.c.last_name,
    "email": STAGED.c.email,
    "department_id": _department.c.id,
    "manager_id": sa.func.coalesce(_manager.c.id, _new_manager.c.id),
    "bargaining_unit_id": _unit.c.id,
    "job_profile_id": _profile.c.id,
    "hire_date": STAGED.c.hire_date,
    "status": STATUS_AFTER,
}


def new_line_paths() -> sa.CTE:
    """The reporting-line path (people.lines) each new employee will have, built down from
    the new employees whose manager is not new: under their manager's current path, or at
    the top. Written with the employees, so a first import need not rewrite every one of
    them to set it; `lines.refresh_all` after the write still corrects any path a moved
    manager changes."""
    from people.lines import SEPARATOR

    def step(path, new_id):
        return path + sa.cast(new_id, sa.String(20)) + SEPARATOR

    row, new = STAGED.alias("top_row"), NEW_IDS.alias("top_new")
    manager = EMPLOYEE.alias("top_boss")
    new_manager = NEW_IDS.alias("top_new_boss")
    top = (
        sa.select(
            new.c.line,
            new.c.employee_number,
            step(sa.func.coalesce(manager.c.line_path, SEPARATOR), new.c.id).label("path"),
        )
        .select_from(
            new.join(row, row.c.line == new.c.line).outerjoin(
                manager, manager.c.employee_number == row.c.manager_number
            )
        )
        .where(~sa.exists().where(new_manager.c.employee_number == row.c.manager_number))
        .cte("new_line_path", recursive=True)
    )
    row, new = STAGED.alias("below_row"), NEW_IDS.alias("below_new")
    below = sa.select(new.c.line, new.c.employee_number, step(top.c.path, new.c.id)).select_from(
        top.join(row, row.c.manager_number == top.c.employee_number).join(
            new, new.c.line == row.c.line
        )
    )
    return top.union_all(below)
