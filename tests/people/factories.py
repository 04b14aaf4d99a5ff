"""Factories for people: departments, bargaining units, employees (with users when asked)."""

from __future__ import annotations

import itertools
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from people import lines, membership
from people.models import (
    PATH_SEPARATOR,
    BargainingUnit,
    Department,
    DepartmentKind,
    Employee,
    EmployeeStatus,
    UnionRepUnit,
)

_sequence = itertools.count(1)
KINDS = [DepartmentKind.AGENCY, DepartmentKind.DIVISION, DepartmentKind.UNIT]


def people_factories(make_user):
    def department(path: str = "Parks") -> Department:
        parent = None
        parts = [p.strip() for p in path.split(">")]
        for depth, name in enumerate(parts):
            full = PATH_SEPARATOR.join(parts[: depth + 1])
            found = db.session.scalar(sa.select(Department).where(Department.path == full))
            if found is None:
                found = Department(
                    name=name, kind=KINDS[depth], parent_id=parent.id if parent else None, path=full
                )
                db.session.add(found)
                db.session.flush()
            parent = found
        return parent

    def bargaining_unit(code: str | None = None, name: str | None = None) -> BargainingUnit:
        n = next(_sequence)
        unit = BargainingUnit(code=code or f"BU{n}", name=name or f"Local {n}")
        db.session.add(unit)
        db.session.flush()
        return unit

    def employee(
        *,
        manager: Employee | None = None,
        department_path: str = "Parks",
        bargaining_unit: BargainingUnit | None = None,
        job_profile=None,
        status: EmployeeStatus = EmployeeStatus.ACTIVE,
        **overrides,
    ) -> Employee:
        n = next(_sequence)
        values = {
            "employee_number": f"E{n:06d}",
            "first_name": f"First{n}",
            "last_name": f"Last{n}",
            "email": f"employee{n}@city.test",
            "hire_date": date(2020, 1, 1),
        }
        values.update(overrides)
        person = Employee(
            department_id=department(department_path).id,
            manager_id=manager.id if manager else None,
            bargaining_unit_id=bargaining_unit.id if bargaining_unit else None,
            job_profile_id=job_profile.id if job_profile else None,
            status=status,
            **values,
        )
        db.session.add(person)
        db.session.flush()
        lines.set_path(person, manager)
        membership.follow([person.id])  # a member from the hire date, as create_employee makes
        return person

    def employee_user(roles=None, **employee_kwargs):
        """An employee with a linked user account (employee role, plus any others)."""
        person = employee(**employee_kwargs)
        user = make_user({Role.EMPLOYEE, *(roles or ())}, employee=person, email=person.email)
        return person, user

    def union_rep(*units: BargainingUnit):
        user = make_user({Role.UNION_REP})
        db.session.add_all(UnionRepUnit(user_id=user.id, bargaining_unit_id=u.id) for u in units)
        db.session.flush()
        return user

    def edit(actor, person: Employee, reason: str = "Placement", **changes) -> Employee:
        """HR's placement edit through its service, keeping every value not given."""
        from people import services

        values = {
            "department": person.department,
            "manager": person.manager,
            "bargaining_unit": person.bargaining_unit,
            "job_profile_id": person.job_profile_id,
            "status": person.status,
            "reason": reason,
        }
        return services.update_employee(actor, person, **(values | changes))

    return SimpleNamespace(
        department=department,
        bargaining_unit=bargaining_unit,
        employee=employee,
        employee_user=employee_user,
        union_rep=union_rep,
        edit=edit,
    )
