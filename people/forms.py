"""People forms: directory filters, user accounts and roles, union reps' units, roster upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
    "department": _l("Department"),
    "status": _l("Status"),
}


class DirectoryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Name or employee number"),
        validators=[Optional(), Length(max=100)],
        description=_l("Either order: Grace Hernandez or Hernandez, Grace."),
    )
    department = FilterSelectField(
        _l("Department"),
        coerce=int,
        description=_l("Agencies are listed; a department in the results narrows to it."),
    )
    bargaining_unit = FilterSelectField(_l("Bargaining unit"), coerce=int)
    job_profile = FilterSelectField(_l("Job profile"), coerce=int)
    status = FilterSelectField(
        _l("Status"),
        choices=choice_list(
            [("", _l("Any status"))]
            + [(value, _l(label)) for value, label in choices(EmployeeStatus)]
        ),
    )
    # The column the list is sorted by, from the column headings' links ("-" for reverse).
    sort = FilterSelectField(
        _l("Sort by"),
        choices=choice_list(
            (f"{way}{key}", f"{label}{words}")
            for key, label in DIRECTORY_SORTS.items()
            for way, words in (("", ""), ("-", ", reversed"))
        ),
    )


class RepUnitsForm(FlaskForm):
    units = MultiCheckboxField(_l("Bargaining units"), coerce=int)


class RosterUploadForm(FlaskForm):
    roster = FileField(
        _l("Roster file (CSV)"),
        validators=[
            FileRequired(_l("Choose a CSV file to import.")),
            FileAllowed(["csv"], _l("The roster must be a .csv file.")),
        ],
        description=_l("A .csv file saved as UTF-8, with the columns listed below."),
        render_kw={"accept": ".csv,text/csv"},
    )


class EmployeeForm(FlaskForm):
    """HR's change to an employee's placement, with the reason kept in the audit log."""

    department = StringField(
        _l("Department"),
        validators=[DataRequired(_l("Enter the department.")), Length(max=500)],
        description=_l("Its full path, as the workforce list shows it, like Parks > Forestry."),
    )
    manager = StringField(
        _l("Manager's employee number"),
        validators=[Optional(), Length(max=20)],
        description=_l("Leave empty for no manager."),
    )
    bargaining_unit = SelectField(_l("Bargaining unit"), coerce=int)
    job_profile = SelectField(_l("Job profile"), coerce=int)
    status = SelectField(
        _l("Status"),
        choices=choice_list((value, _l(label)) for value, label in choices(EmployeeStatus)),
        validators=[DataRequired(_l("Choose a status."))],
    )
    reason = TextAreaField(
        _l("Reason for the change"),
        validators=[
            DataRequired(_l("Give a reason: it is kept in the audit log.")),
            Length(max=1000),
        ],
    )


class LearnerRecordForm(FlaskForm):
    """Which form of the learner record to download (each button posts its own)."""

    format = SelectField(
        _l("Form"),
        choices=choice_list([("jwt", _l("Signed credential")), ("pdf", "PDF")]),
        validators=[DataRequired()],
    )
