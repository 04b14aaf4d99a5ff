"""Files the academy hands out: certificate PDFs and CSV of training records (calendar files are
`academy.calendar`)."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask import render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from academy import certificates
from academy.models import Certificate, CourseSession, Enrollment
from civicladder.db import db
from people.models import Employee


def certificate_pdf(certificate: Certificate) -> bytes:
    from weasyprint import HTML

    html = render_template(
        "academy/certificate_pdf.html",
        c=certificate,
        state=certificates.state(certificate),
        verify_url=verification_url(certificate),
    )
    return HTML(string=html).write_pdf()


def verification_url(certificate: Certificate) -> str:
    """Where anyone checks the certificate: at the address this request came to, so the link
    works wherever the app is served; outside a request (CLI, a job) at PUBLIC_URL."""
    return url_for("academy.verify", code=certificate.code, _external=True)


TRAINING_EXPORT = "training-records"  # the export job's name (`civicladder.export_jobs`)
# The columns' names, in the language of the person who asked for the file.
CSV_HEADER = [
    _l("employee_number"),
    _l("last_name"),
    _l("first_name"),
    _l("department"),
    _l("course_code"),
    _l("course_title"),
    _l("session_start"),
    _l("status"),
    _l("result_on"),
    _l("score"),
    _l("certificate_code"),
]


def training_records(actor=None) -> Iterator[tuple]:
    """Every enrolment as a row of CSV_HEADER, read in batches (the city has millions)."""
    stmt = (
        sa.select(Enrollment, Certificate.code)
        .join(Employee, Employee.id == Enrollment.employee_id)
        .outerjoin(Certificate, Certificate.enrollment_id == Enrollment.id)
        .options(
            joinedload(Enrollment.employee).joinedload(Employee.department),
            joinedload(Enrollment.session).joinedload(CourseSession.course),
        )
        .order_by(Employee.employee_number, Enrollment.id)
        .execution_options(yield_per=2000)
    )
    result = db.session.execute(stmt)
    try:
        for enrollment, code in result:
            yield _csv_values(enrollment, code)
    finally:
        # A download given up halfway must not leave PostgreSQL's server-side cursor open.
        result.close()


def _csv_values(e: Enrollment, code: str | None) -> tuple:
    return (
        e.employee.employee_number,
        e.employee.last_name,
        e.employee.first_name,
        e.employee.department.path,
        e.session.course.code,
        e.session.course.title,
        e.session.starts_at.isoformat(),
        e.status.value,
        e.result_on.isoformat() if e.result_on else "",
        e.score,
        code,
    )
