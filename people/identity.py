"""Sign-in through the city's identity provider, by employee number: the account of the
employee whose number the provider's claim carries, made at first sign-in when the city allows.

Registered with the shell (`civicladder.identity.register_account_finder`) by people's
init_app; the shell knows no employees.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from civicladder import services as shell_services
from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import User
from people.models import Employee, EmployeeStatus
from people.services import link_account


def account_for_claims(claims: dict) -> User | None:
    """The linked account of the employee the claim OIDC_EMPLOYEE_NUMBER_CLAIM names; with
    OIDC_CREATE_ACCOUNTS, a new employee account for one who has none, linked to the record
    (audited as made by the system). None when there is no such claim or employee, or no
    account and none to be made: the shell then looks by email."""
    config = current_app.config
    claim = config.get("OIDC_EMPLOYEE_NUMBER_CLAIM")
    number = claims.get(claim) if claim else None
    if isinstance(number, int) and not isinstance(number, bool):
        number = str(number)
    if not isinstance(number, str) or not number.strip():
        return None
    employee = db.session.scalar(
        sa.select(Employee).where(Employee.employee_number == number.strip())
    )
    if employee is None:
        return None
    if employee.user_id is not None:
        return employee.user
    if not config.get("OIDC_CREATE_ACCOUNTS"):
        return None
    if employee.status == EmployeeStatus.SEPARATED:
        raise Forbidden(
            gettext(
                "The employee record %(number)s is marked as separated, so no CivicLadder "
                "account is made for it. Ask Human Resources if this is wrong.",
                number=employee.employee_number,
            )
        )
    return _first_account(employee, claims)


def _first_account(employee: Employee, claims: dict) -> User | None:
    email = employee.email or claims.get(current_app.config["OIDC_EMAIL_CLAIM"])
    if not isinstance(email, str) or "@" not in email:
        raise Forbidden(
            gettext(
                "The employee record %(number)s has no email address, so no CivicLadder "
                "account can be made for it. Ask Human Resources to add one.",
                number=employee.employee_number,
            )
        )
    taken = db.session.scalar(
        sa.select(User.id).where(User.email == shell_services.normalise_email(email))
    )
    if taken is not None:
        # An account with that address, not linked to this record: signing in to it is left to
        # the email match; linking the two is an administrator's decision.
        return None
    user = shell_services.create_user(
        None, email=email, full_name=employee.full_name, roles={Role.EMPLOYEE}
    )
    link_account(None, user, employee)
    return user


def employee_for_identity(employee_number: str | None, email: str | None) -> Employee | None:
    """The employee record an account from the identity provider belongs to: the one with its
    employee number, else the one with its email address (the rule of first sign-in)."""
    if employee_number and employee_number.strip():
        found = db.session.scalar(
            sa.select(Employee).where(Employee.employee_number == employee_number.strip())
        )
        if found is not None:
            return found
    if email and "@" in email:
        return db.session.scalar(
            sa.select(Employee).where(Employee.email == shell_services.normalise_email(email))
        )
    return None


def link_provisioned(user: User, employee_number: str | None) -> Employee | None:
    """Link an account the city's identity system provisions to its employee record (by
    employee number, else email), audited as the system's change; an account linked already
    keeps its link. Conflict when the record belongs to another account; Invalid for a
    separated employee, as at first sign-in."""
    from people import queries

    if queries.own_employee_id(user) is not None:
        return None
    employee = employee_for_identity(employee_number, user.email)
    if employee is None:
        return None
    if employee.user_id is not None and employee.user_id != user.id:
        raise Conflict(
            gettext(
                "The employee record %(number)s belongs to another account.",
                number=employee.employee_number,
            ),
            field="employeeNumber",
        )
    if employee.status == EmployeeStatus.SEPARATED:
        raise Invalid(
            gettext(
                "The employee record %(number)s is marked as separated, so no account is "
                "linked to it. Ask Human Resources if this is wrong.",
                number=employee.employee_number,
            ),
            field="employeeNumber",
        )
    link_account(None, user, employee)
    return employee
