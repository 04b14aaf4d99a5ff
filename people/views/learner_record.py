"""A person's learner record: the page listing what it holds, and its downloads (a POST: each
issue is recorded in the audit log), for the person and for HR."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from civicladder.access import SIGNED_IN, requires
from civicladder.exports import attachment
from people import learner_record, queries
from people.forms import LearnerRecordForm
from people.views import bp


@bp.get("/people/<int:employee_id>/learner-record")
@requires(SIGNED_IN)
def learner_record_page(employee_id: int):
    employee = learner_record.record_employee(current_user, employee_id)
    return _page(employee, LearnerRecordForm())


@bp.post("/people/<int:employee_id>/learner-record")
@requires(SIGNED_IN)
def issue_learner_record(employee_id: int):
    employee = learner_record.record_employee(current_user, employee_id)
    form = LearnerRecordForm()
    if not form.validate_on_submit():
        return _page(employee, form, 422)
    made = learner_record.issue(current_user, employee, form.format.data)
    return attachment(made.data, made.mimetype, made.filename)


def _page(employee, form: LearnerRecordForm, status: int = 200):
    return render_template(
        "people/learner_record.html",
        employee=employee,
        record=learner_record.gather(employee),
        own=employee.id == queries.own_employee_id(current_user),
        form=form,
    ), status
