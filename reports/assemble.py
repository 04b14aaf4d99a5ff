"""A report's content as a page, a PDF, CSV and a snapshot show it: the figures of the period
(queries) and of the periods before it (trends), protected together with every figure they add
up with (`reports.protection`)."""

from __future__ import annotations

from people.models import BargainingUnit, Department
from reports import protection
from reports.rules import Period
from reports.tables import DEPARTMENT, UNIT, Scope


def unit_scope(unit: BargainingUnit) -> Scope:
    return Scope(UNIT, unit.id, unit.code, unit.name)


def department_scope(department: Department) -> Scope:
    return Scope(DEPARTMENT, department.id, f"D{department.id}", department.path, department.path)


def report(scope: Scope, period: Period, cache: dict | None = None) -> dict:
    """A report for a period as shown live (and as a snapshot freezes it); `cache` keeps the
    blocks counted for work that makes several reports of one year or agency."""
    return protection.report(scope, period, cache)


def unit_report(unit: BargainingUnit, period: Period) -> dict:
    return report(unit_scope(unit), period)


def department_report(department: Department, period: Period) -> dict:
    return report(department_scope(department), period)
