"""Departments (a tree), bargaining units, job profiles, employees and their user accounts.

A job profile's identity (code, title) lives here because employees hold one; what the job
requires is the competencies package's (`JobProfileRequirement`, keyed by job profile).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civicladder.db import UTCDateTime, db, enum_column
from civicladder.enums import LabelledEnum
from civicladder.languages import N_
from civicladder.models import User

PATH_SEPARATOR = " > "


class DepartmentKind(LabelledEnum):
    AGENCY = "agency", "Agency"
    DIVISION = "division", "Division"
    UNIT = "unit", "Unit"


class EmployeeStatus(LabelledEnum):
    ACTIVE = "active", N_("Active")
    LEAVE = "leave", N_("On leave")
    SEPARATED = "separated", N_("Separated")


class Department(db.Model):
    __tablename__ = "department"
    __table_args__ = (sa.UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[DepartmentKind] = mapped_column(enum_column(DepartmentKind, "department_kind"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("department.id", ondelete="RESTRICT"), index=True
    )
    # The full "Agency > Division > Unit" path, fixed when the department is created.
    path: Mapped[str] = mapped_column(sa.String(700), unique=True)

    parent: Mapped[Department | None] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return self.path


class BargainingUnit(db.Model):
    __tablename__ = "bargaining_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))

    def __str__(self) -> str:
        return self.name


class UnitFigure(db.Model):
    """One stored line of a bargaining unit's aggregate figures (members; members by job; by
    level band), as of the last refresh: what a union rep's home reads, instead of counting a
    unit of a hundred thousand members on every visit (see people/figures.py)."""

    __tablename__ = "unit_figure"
    __table_args__ = (sa.Index("ix_unit_figure_unit_kind", "bargaining_unit_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bargaining_unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bargaining_unit.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200))
    members: Mapped[int]
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)


class JobProfile(db.Model):
    __tablename__ = "job_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


# What an employee record says, in one order: audit snapshots, roster writes and bulk loads.
EMPLOYEE_FIELDS = (
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "department_id",
    "manager_id",
    "bargaining_unit_id",
    "job_profile_id",
    "hire_date",
    "status",
)


class Employee(db.Model):
    __tablename__ = "employee"
    __table_args__ = (
        # A manager's line is a prefix of this path (people.lines); text_pattern_ops lets
        # PostgreSQL answer `LIKE 'prefix%'` from the index whatever the collation.
        sa.Index(
            "ix_employee_line_path", "line_path", postgresql_ops={"line_path": "text_pattern_ops"}
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    department_id: Mapped[int] = mapped_column(
        sa.ForeignKey("department.id", ondelete="RESTRICT"), index=True
    )
    manager_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL"), index=True
    )
    bargaining_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bargaining_unit.id", ondelete="RESTRICT"), index=True
    )
    job_profile_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("job_profile.id", ondelete="RESTRICT"), index=True
    )
    hire_date: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[EmployeeStatus] = mapped_column(
        enum_column(EmployeeStatus, "employee_status"), default=EmployeeStatus.ACTIVE, index=True
    )
    # Ids from the top of the chain down to this employee, "/1/39/512/" (people.lines).
    line_path: Mapped[str | None] = mapped_column(sa.String(400))
    # The person's sign-in, when they have one; the link is the people package's, so the
    # shell's user table never points up to employees.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), unique=True
    )

    department: Mapped[Department] = relationship()
    manager: Mapped[Employee | None] = relationship(remote_side=[id])
    bargaining_unit: Mapped[BargainingUnit | None] = relationship()
    job_profile: Mapped[JobProfile | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_number})"


class UnionRepUnit(db.Model):
    """Which bargaining units a union representative reads reports for."""

    __tablename__ = "union_rep_unit"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    bargaining_unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("bargaining_unit.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    bargaining_unit: Mapped[BargainingUnit] = relationship()


class Membership(db.Model):
    """Which bargaining unit and department a person belonged to, and their status, with the
    days each held (both inclusive; `ended_on` is NULL while it still holds). Written beside
    every change of those three (people.membership), so a report for a past period counts
    the people who were members then, not today's."""

    __tablename__ = "membership"
    __table_args__ = (
        # One open row per employee: the placement as it stands today.
        sa.Index(
            "ix_membership_open_employee",
            "employee_id",
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        ),
        # A report selects a unit's (or a department tree's) rows overlapping its period.
        sa.Index("ix_membership_unit_started", "bargaining_unit_id", "started_on"),
        sa.Index("ix_membership_department_started", "department_id", "started_on"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), index=True
    )
    # Indexed by the (unit, start) and (department, start) indexes above.
    bargaining_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bargaining_unit.id", ondelete="RESTRICT")
    )
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id", ondelete="RESTRICT"))
    status: Mapped[EmployeeStatus] = mapped_column(enum_column(EmployeeStatus, "employee_status"))
    started_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
