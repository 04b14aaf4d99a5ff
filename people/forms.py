"""People forms: directory filters, user accounts and roles, union reps' units, roster upload."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from civicladder.enums import choices
from civicladder.forms import FilterSelectField, MultiCheckboxField, choice_list
from civicladder.forms import Form as FlaskForm  # one-line fields refuse control characters
from people.models import EmployeeStatus

# The workforce list's sort orders, by the key its column headings' links carry.
DIRECTORY_SORTS = {
    "name": "Name",
    "number": "Employee number",
    "department": "Department",
    "status": "Status",
}


class DirectoryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        "Name or employee number",
        validators=[Optional(), Length(max=100)],
        description="Either order: Grace Hernandez or Hernandez, Grace.",
    )
    department = FilterSelectField(
        "Department",
        coerce=int,
        description="Agencies are listed; a department in the results narrows to it.",
    )
    bargaining_unit = FilterSelectField("Bargaining unit", coerce=int)
    job_profile = FilterSelectField("Job profile", coerce=int)
    status = FilterSelectField(
        "Status", choices=choice_list([("", "Any status")] + choices(EmployeeStatus))
    )
    # The column the list is sorted by, from the column headings' links ("-" for reverse).
    sort = FilterSelectField(
        "Sort by",
        choices=choice_list(
            (f"{way}{key}", f"{label}{words}")
            for key, label in DIRECTORY_SORTS.items()
            for way, words in (("", ""), ("-", ", reversed"))
        ),
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
        description="A .csv file saved as UTF-8, with the columns listed below.",
        render_kw={"accept": ".csv,text/csv"},
    )


class EmployeeForm(FlaskForm):
    """HR's change to an employee's placement, with the reason kept in the audit log."""

    department = StringField(
        "Department",
        validators=[DataRequired("Enter the department."), Length(max=500)],
        description="Its full path, as the workforce list shows it, like Parks > Forestry.",
    )
    manager = StringField(
        "Manager's employee number",
        validators=[Optional(), Length(max=20)],
        description="Leave empty for no manager.",
    )
    bargaining_unit = SelectField("Bargaining unit", coerce=int)
    job_profile = SelectField("Job profile", coerce=int)
    status = SelectField(
        "Status",
        choices=choice_list(choices(EmployeeStatus)),
        validators=[DataRequired("Choose a status.")],
    )
    reason = TextAreaField(
        "Reason for the change",
        validators=[DataRequired("Give a reason: it is kept in the audit log."), Length(max=1000)],
    )


class LearnerRecordForm(FlaskForm):
    """Which form of the learner record to download (each button posts its own)."""

    format = SelectField(
        "Form",
        choices=choice_list([("jwt", "Signed credential"), ("pdf", "PDF")]),
        validators=[DataRequired()],
    )
