"""Competency forms: categories, competencies with their scale, job profiles, evidence, the
CASE package upload."""

from __future__ import annotations

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from civicladder import clock
from civicladder.forms import CHOOSE, DayField, blank_int, choice_list
from civicladder.forms import Form as FlaskForm  # one-line fields refuse control characters
from competencies.rules import PROFICIENCY_SCALE, level_name

CODE_RULE = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    message=_l("Use letters, digits, dots, dashes or underscores, with no spaces."),
)
# Named in the language of the page the form is on, not the one at import.
LEVEL_CHOICES = choice_list((level, LazyString(level_name, level)) for level in PROFICIENCY_SCALE)


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class CompetencyForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter a code.")), Length(max=30), CODE_RULE],
        description=_l("A short, stable identifier, for example COM-2."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    category_id = SelectField(
        _l("Category"), coerce=blank_int, validators=[DataRequired(_l("Choose a category."))]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    level_1 = TextAreaField(LazyString(level_name, 1), validators=[Length(max=2000)])
    level_2 = TextAreaField(LazyString(level_name, 2), validators=[Length(max=2000)])
    level_3 = TextAreaField(LazyString(level_name, 3), validators=[Length(max=2000)])
    level_4 = TextAreaField(LazyString(level_name, 4), validators=[Length(max=2000)])
    level_5 = TextAreaField(LazyString(level_name, 5), validators=[Length(max=2000)])

    def descriptors(self) -> dict[int, str]:
        return {level: getattr(self, f"level_{level}").data or "" for level in PROFICIENCY_SCALE}


class RequirementForm(FlaskForm):
    class Meta:
        csrf = False

    competency_id = SelectField(_l("Competency"), coerce=int, validators=[Optional()])
    min_level = SelectField(_l("Minimum level"), coerce=int, choices=LEVEL_CHOICES, default=2)
    weight = IntegerField(
        _l("Weight"),
        default=1,
        validators=[
            Optional(),
            NumberRange(1, 100, _l("A weight is a whole number from 1 to 100.")),
        ],
    )


# Rows past the profile's own requirements: one empty row, and "Add a competency" for more.
SPARE_ROWS = 1
MAX_REQUIREMENTS = 40


class JobProfileForm(FlaskForm):
    code = StringField(
        _l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=30), CODE_RULE]
    )
    title = StringField(
        _l("Job title"), validators=[DataRequired(_l("Enter a job title.")), Length(max=200)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    requirements = FieldList(
        FormField(RequirementForm), min_entries=SPARE_ROWS, max_entries=MAX_REQUIREMENTS
    )

    def add_row(self) -> None:
        """One more empty row, up to the limit (the "Add a competency" button)."""
        if len(self.requirements) < MAX_REQUIREMENTS:
            self.requirements.append_entry()

    def set_competency_choices(self, choices: list[tuple[int, str]]) -> None:
        for row in self.requirements:
            row.form.competency_id.choices = [(0, gettext("Choose a competency…"))] + choices

    @property
    def weight_total(self) -> int:
        return sum(weight for _, _, weight in self.requirement_rows())

    def requirement_rows(self) -> list[tuple[int, int, int]]:
        return [
            (row.form.competency_id.data, row.form.min_level.data, row.form.weight.data or 1)
            for row in self.requirements
            if row.form.competency_id.data
        ]


class EvidenceForm(FlaskForm):
    """Evidence starts empty: a person chooses the competency and level, never a default."""

    competency_id = SelectField(
        _l("Competency"),
        coerce=blank_int,
        validators=[DataRequired(_l("Choose the competency that was shown."))],
    )
    level = SelectField(
        _l("Level shown"),
        coerce=blank_int,
        choices=[*choice_list([CHOOSE]), *LEVEL_CHOICES],
        validators=[DataRequired(_l("Choose the level that was shown."))],
    )
    observed_on = DayField(
        _l("Date shown"),
        # InputRequired, not DataRequired: a typed but impossible date keeps its own message.
        validators=[InputRequired(_l("Enter the date it was shown."))],
        description=_l("Year-month-day, like 2026-03-31."),
    )
    expires_on = DayField(
        _l("Expires on"),
        validators=[Optional()],
        description=_l("Leave empty when this evidence does not expire."),
    )
    note = TextAreaField(
        _l("What was observed"),
        validators=[DataRequired(_l("Say what was observed.")), Length(max=2000)],
    )
    confirmed = HiddenField()

    def validate_observed_on(self, field) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError(
                gettext("The date the competency was shown cannot be in the future.")
            )

    def validate_expires_on(self, field) -> None:
        if field.data and self.observed_on.data and field.data <= self.observed_on.data:
            raise ValidationError(gettext("The expiry date must come after the date shown."))

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"


class CasePackageForm(FlaskForm):
    package = FileField(
        _l("CASE package (JSON)"),
        validators=[
            FileRequired(_l("Choose a CASE package to import.")),
            FileAllowed(["json"], _l("The package must be a .json file.")),
        ],
        description=_l("A CASE 1.0 CFPackage, as a .json file exported by a framework tool."),
        render_kw={"accept": ".json,application/json"},
    )
