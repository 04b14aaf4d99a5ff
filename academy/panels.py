"""The academy's panels on other packages' pages: the home page and the employee profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa

from academy import queries, records
from academy.models import OPEN_STATUSES, Certificate, Enrollment
from civicladder import clock
from civicladder.access import Role
from civicladder.panels import Panel
from people import lines
from people import queries as people_queries
from people.models import Employee


@dataclass(frozen=True)
class TrainingPanel(Panel):
    """Home: the person's sessions to come and evidence running out; for a manager, the
    requests waiting and their line's evidence running out."""

    template: ClassVar[str] = "academy/_home_panel.html"
    upcoming: list[Enrollment]
    expiring: list[records.Expiring]
    waiting_requests: int | None
    team_expiring: list[records.Expiring]


def home_panel(user) -> TrainingPanel | None:
    own_employee = people_queries.own_employee(user)
    if own_employee is None:
        return None
    own = own_employee.id
    now = clock.now()
    upcoming = [
        e
        for e in queries.enrollments_of(own, limit=20)
        if e.session.starts_at > now and e.status in OPEN_STATUSES
    ]
    waiting, team = None, []
    if user.has_role(Role.MANAGER):
        path = own_employee.line_path
        if path is not None:
            waiting = queries.approval_count(path, own)
            team = records.expiring_evidence(
                sa.and_(lines.in_line_of(path), Employee.id != own), limit=10
            )
    return TrainingPanel(
        upcoming=upcoming,
        expiring=records.expiring_evidence(Employee.id == own, limit=10),
        waiting_requests=waiting,
        team_expiring=team,
    )


@dataclass(frozen=True)
class ProfileTrainingPanel(Panel):
    template: ClassVar[str] = "academy/_profile_panel.html"
    employee: Employee
    enrollments: list[Enrollment]
    certificates: list[Certificate]


def profile_panel(user, employee) -> ProfileTrainingPanel:
    return ProfileTrainingPanel(
        employee=employee,
        enrollments=queries.enrollments_of(employee.id, limit=20),
        certificates=records.certificates_of(employee.id),
    )
