"""People forms: directory filters, user accounts and roles, union reps' units, roster upload."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from civicladder.forms import MultiCheckboxField, choice_list
from people.models import EmployeeStatus


class DirectoryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Name or employee number", validators=[Optional(), Length(max=100)])
    department = SelectField("Department", coerce=int, validators=[Optional()])
    bargaining_unit = SelectField("Bargaining unit", coerce=int, validators=[Optional()])
    job_profile = SelectField("Job profile", coerce=int, validators=[Optional()])
    status = SelectField(
        "Status",
        choices=choice_list(
            [("", "Any status")] + [(s.value, s.value.capitalize()) for s in EmployeeStatus]
        ),
        validators=[Optional()],
    )


class RepUnitsForm(FlaskForm):
    units = MultiCheckboxField("Bargaining units", coerce=int)


class RosterUploadForm(FlaskForm):
    roster = FileField(
        "Roster file (CSV)",
        validators=[
            FileRequired("Choose a CSV file to import."),
            FileAllowed(["csv"], "The roster must be a .csv file."),
        ],
        description="Columns: employee_number, first_name, last_name, email, department_path, "
        "manager_employee_number, bargaining_unit, job_profile, hire_date (YYYY-MM-DD).",
    )


class RosterCommitForm(FlaskForm):
    content = HiddenField(validators=[DataRequired()])
    digest = HiddenField(validators=[DataRequired()])
    filename = HiddenField()
