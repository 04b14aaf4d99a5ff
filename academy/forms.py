"""Academy forms: catalog filters, decisions with reasons, results, capacity, ratings."""

from __future__ import annotations

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from academy.models import FINAL_RESULTS, RESULT_STATUSES, DeliveryMode
from academy.queries import CATALOG_SORTS
from civicladder.enums import choices
from civicladder.forms import FilterSelectField, Form, choice_list
from competencies.rules import LEVELS, level_name


class CatalogFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search courses"), validators=[Optional(), Length(max=200)])
    competency = FilterSelectField(_l("Competency"), coerce=int)
    category = FilterSelectField(_l("Category"), coerce=int)
    mode = FilterSelectField(
        _l("Delivery"),
        choices=choice_list(
            [
                ("", _l("Any delivery")),
                *((value, _l(label)) for value, label in choices(DeliveryMode)),
            ]
        ),
    )
    from_date = DateField(_l("Sessions from"), validators=[Optional()])
    sort = FilterSelectField(
        _l("Sort by"), choices=choice_list((key, _l(label)) for key, label in CATALOG_SORTS.items())
    )


class DeclineForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give a reason the employee can read.")), Length(max=1000)],
    )


class WithdrawForm(Form):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=1000)])


class CancelSessionForm(Form):
    reason = TextAreaField(
        _l("Why is it cancelled?"),
        description=_l("Everyone with a place or waiting for one reads this."),
        validators=[DataRequired(_l("Say why the session is cancelled.")), Length(max=1000)],
    )


class ResultForm(Form):
    result = SelectField(
        _l("Result"),
        choices=choice_list((s.value, _l(s.label)) for s in RESULT_STATUSES),
        validators=[DataRequired(_l("Choose a result."))],
    )
    score = IntegerField(
        _l("Score (optional)"),
        validators=[Optional(), NumberRange(0, 100, _l("A score is from 0 to 100."))],
    )


class CorrectionForm(Form):
    result = SelectField(
        _l("Corrected result"),
        choices=choice_list((s.value, _l(s.label)) for s in FINAL_RESULTS),
        validators=[DataRequired(_l("Choose the corrected result."))],
    )
    score = IntegerField(
        _l("Score (optional)"),
        validators=[Optional(), NumberRange(0, 100, _l("A score is from 0 to 100."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        description=_l("The participant reads this."),
        validators=[DataRequired(_l("Say why the result is corrected.")), Length(max=1000)],
    )


class RevokeForm(Form):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("The holder reads this; the public verification page shows only the date."),
        validators=[
            DataRequired(_l("Give a reason for revoking the certificate.")),
            Length(max=1000),
        ],
    )


class CapacityForm(Form):
    capacity = IntegerField(
        _l("Seats"),
        validators=[
            InputRequired(_l("Enter the number of seats.")),
            NumberRange(1, 10000, _l("Seats are a whole number from 1 to 10,000.")),
        ],
    )


class RatingForm(Form):
    rating = SelectField(
        _l("Your rating"),
        coerce=int,
        choices=choice_list((n, _l("%(num)s of 5", num=n)) for n in range(5, 0, -1)),
        validators=[DataRequired(_l("Choose a rating."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])


# Named in the language of the page the form is on, not the one at import.
LEVEL_CHOICES = choice_list((level, LazyString(level_name, level)) for level in LEVELS)


class OutcomeRow(Form):
    class Meta:
        csrf = False

    competency_id = SelectField(_l("Competency"), coerce=int, validators=[Optional()])
    level = SelectField(_l("Level granted"), coerce=int, choices=LEVEL_CHOICES, default=2)
    validity_months = IntegerField(
        _l("Valid for (months)"),
        validators=[Optional(), NumberRange(1, 240, _l("Validity is from 1 to 240 months."))],
    )


class PrerequisiteRow(Form):
    class Meta:
        csrf = False

    competency_id = SelectField(_l("Competency"), coerce=int, validators=[Optional()])
    min_level = SelectField(_l("Minimum level"), coerce=int, choices=LEVEL_CHOICES, default=2)


class CourseForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=30)])
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    hours = IntegerField(
        _l("Hours"),
        validators=[
            InputRequired(_l("Enter the hours.")),
            NumberRange(1, 1000, _l("Hours are a whole number from 1 to 1,000.")),
        ],
    )
    delivery_mode = SelectField(
        _l("Delivery"),
        choices=choice_list((value, _l(label)) for value, label in choices(DeliveryMode)),
    )
    needs_manager_approval = BooleanField(_l("The employee's manager approves each request"))
    outcomes = FieldList(FormField(OutcomeRow), min_entries=4)
    prerequisites = FieldList(FormField(PrerequisiteRow), min_entries=3)
    required_courses = SelectMultipleField(
        _l("Courses to complete first"), coerce=int, validators=[Optional()]
    )

    def set_choices(self, competencies: list[tuple[int, str]], courses) -> None:
        for row in [*self.outcomes, *self.prerequisites]:
            row.form.competency_id.choices = [(0, gettext("(none)")), *competencies]
        self.required_courses.choices = courses

    def outcome_rows(self) -> list[tuple[int, int, int | None]]:
        return [
            (r.form.competency_id.data, r.form.level.data, r.form.validity_months.data)
            for r in self.outcomes
            if r.form.competency_id.data
        ]

    def prerequisite_rows(self) -> list[tuple[int, int]]:
        return [
            (r.form.competency_id.data, r.form.min_level.data)
            for r in self.prerequisites
            if r.form.competency_id.data
        ]


class SessionForm(Form):
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Enter when it starts."))],
    )
    ends_at = DateTimeLocalField(
        _l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(_l("Enter when it ends."))]
    )
    location = StringField(_l("Location"), validators=[Optional(), Length(max=300)])
    online_url = URLField(
        _l("Online link"),
        validators=[Optional(), Length(max=500), URL(message=_l("Enter a full web address."))],
    )
    instructor_number = StringField(
        _l("Instructor's employee number"),
        validators=[Optional(), Length(max=20)],
        description=_l("Leave empty while the instructor is not yet known."),
    )
    capacity = IntegerField(
        _l("Seats"),
        validators=[
            InputRequired(_l("Enter the number of seats.")),
            NumberRange(1, 10000, _l("Seats are a whole number from 1 to 10,000.")),
        ],
    )
