"""Hiring forms: rounds, questions, panel, applications, screening, scoring, consensus."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from civicladder.enums import choices
from civicladder.forms import FilterSelectField, Form, choice_list
from hiring.models import ETHNICITY_GROUPS, SEX_GROUPS, ApplicationStatus

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
DECLINE = ("", "I prefer not to say")
SEX_CHOICES = [DECLINE, *SEX_GROUPS.items()]
ETHNICITY_CHOICES = [DECLINE, *ETHNICITY_GROUPS.items()]


def _threshold(label: str, default: str) -> DecimalField:
    from decimal import Decimal

    return DecimalField(
        label,
        places=2,
        default=Decimal(default),
        validators=[InputRequired("Enter a threshold."), NumberRange(1, 5, "Between 1 and 5.")],
    )


class RoundForm(Form):
    job_profile_id = SelectField(
        "Job profile", coerce=int, validators=[DataRequired("Choose a job profile.")]
    )
    title = StringField(
        "Title candidates see", validators=[DataRequired("Enter a title."), Length(max=200)]
    )
    description = TextAreaField("About the job", validators=[Optional(), Length(max=8000)])
    openings = IntegerField(
        "Number of openings",
        default=1,
        validators=[InputRequired("Enter the number of openings."), NumberRange(1, 10000)],
    )
    opens_on = DateField("Opens on", validators=[DataRequired("Enter the opening date.")])
    closes_on = DateField("Closes on", validators=[DataRequired("Enter the closing date.")])
    best_qualified_from = _threshold("Best qualified from (weighted mean)", "4.00")
    well_qualified_from = _threshold("Well qualified from", "3.25")
    qualified_from = _threshold("Qualified from", "2.50")
    veterans_preference = BooleanField(
        "Apply veterans' preference",
        description="Preference-eligible candidates are listed first within their category.",
    )
    # One-time token of this copy of the form: sent twice, it makes one round.
    form_token = HiddenField(validators=[Optional(), Length(max=100)])

    def thresholds(self) -> tuple[int, int, int]:
        return tuple(
            int(round(f.data * 100))
            for f in (self.best_qualified_from, self.well_qualified_from, self.qualified_from)
        )


class QuestionForm(Form):
    prompt = TextAreaField(
        "Question", validators=[DataRequired("Write the question."), Length(max=2000)]
    )
    competency_id = SelectField("Competency it shows", coerce=int, validators=[Optional()])


class PanelForm(Form):
    email = EmailField(
        "Assessor's email address",
        validators=[DataRequired("Enter the assessor's email address."), Length(max=254)],
    )


class RoundMoveForm(Form):
    to = HiddenField(validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=2000)])


class ApplicationForm(Form):
    """Name, address, answers, work sample, and voluntary self-identification. No degree."""

    full_name = StringField(
        "Full name", validators=[DataRequired("Enter your name."), Length(max=200)]
    )
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter an email address we can reach you at."), Length(max=254)],
        description="We send news of your application here.",
    )
    work_sample = TextAreaField(
        "Work sample",
        validators=[Optional(), Length(max=20000)],
        description="Optional: an example of your work that shows the skills this job needs.",
    )
    upload = FileField(
        "Supporting file",
        validators=[Optional()],
        description="Optional: a PDF or plain text file of up to 2 MB.",
    )
    preference_eligible = BooleanField("I am eligible for veterans' preference")
    sex = SelectField("Sex", choices=choice_list(SEX_CHOICES), validators=[Optional()])
    ethnicity = SelectField(
        "Race or ethnicity", choices=choice_list(ETHNICITY_CHOICES), validators=[Optional()]
    )


ANSWER_MAX = 8000


def answers_from(form_data, questions) -> dict[int, str]:
    return {q.id: (form_data.get(f"answer_{q.id}") or "")[:ANSWER_MAX] for q in questions}


class ScreenForm(Form):
    decision = RadioField(
        "Decision",
        choices=choice_list([("in", "Screen in"), ("out", "Screen out")]),
        validators=[InputRequired("Choose screen in or screen out.")],
    )
    reason = TextAreaField(
        "Reason",
        validators=[Optional(), Length(max=2000)],
        description="Required when screening out: which minimum qualification is not shown.",
    )


class ConsensusForm(Form):
    competency_id = HiddenField(validators=[DataRequired()])
    score = SelectField(
        "Consensus score", choices=choice_list(SCORE_CHOICES), validators=[DataRequired()]
    )
    reason = TextAreaField(
        "Reason", validators=[DataRequired("Give the reason."), Length(max=2000)]
    )


class ThirdAssessorForm(Form):
    assessor_id = SelectField("Assessor", coerce=int, validators=[DataRequired()])


class HireForm(Form):
    employee_number = StringField(
        "Employee number",
        validators=[Optional(), Length(max=20)],
    )
    department = StringField(
        "Department",
        validators=[Optional(), Length(max=700)],
        description="Its full path, like 'Parks > Forestry'.",
    )
    manager_number = StringField(
        "Manager's employee number", validators=[Optional(), Length(max=20)]
    )
    bargaining_unit_id = SelectField("Bargaining unit", coerce=int, validators=[Optional()])
    hire_date = DateField("Start date", validators=[DataRequired("Enter the start date.")])


class ApplicationFilterForm(Form):
    """The filters over a round's applications: the address carries them (a GET form)."""

    class Meta:
        csrf = False

    q = StringField("Candidate code", validators=[Optional()])
    status = FilterSelectField(
        "Status", choices=choice_list([("", "Any"), *choices(ApplicationStatus)])
    )
