"""Competency forms: categories, competencies with their scale, job profiles, evidence, the
CASE package upload."""

from __future__ import annotations

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
from competencies.rules import PROFICIENCY_SCALE

CODE_RULE = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    message="Use letters, digits, dots, dashes or underscores, with no spaces.",
)
LEVEL_CHOICES = choice_list((level, f"{level} {name}") for level, name in PROFICIENCY_SCALE.items())


class CategoryForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])


class CompetencyForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired("Enter a code."), Length(max=30), CODE_RULE],
        description="A short, stable identifier, for example COM-2.",
    )
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=200)])
    category_id = SelectField(
        "Category", coerce=blank_int, validators=[DataRequired("Choose a category.")]
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)])
    level_1 = TextAreaField(f"1 {PROFICIENCY_SCALE[1]}", validators=[Length(max=2000)])
    level_2 = TextAreaField(f"2 {PROFICIENCY_SCALE[2]}", validators=[Length(max=2000)])
    level_3 = TextAreaField(f"3 {PROFICIENCY_SCALE[3]}", validators=[Length(max=2000)])
    level_4 = TextAreaField(f"4 {PROFICIENCY_SCALE[4]}", validators=[Length(max=2000)])
    level_5 = TextAreaField(f"5 {PROFICIENCY_SCALE[5]}", validators=[Length(max=2000)])

    def descriptors(self) -> dict[int, str]:
        return {level: getattr(self, f"level_{level}").data or "" for level in PROFICIENCY_SCALE}


class RequirementForm(FlaskForm):
    class Meta:
        csrf = False

    competency_id = SelectField("Competency", coerce=int, validators=[Optional()])
    min_level = SelectField("Minimum level", coerce=int, choices=LEVEL_CHOICES, default=2)
    weight = IntegerField(
        "Weight",
        default=1,
        validators=[Optional(), NumberRange(1, 100, "A weight is a whole number from 1 to 100.")],
    )


# Rows past the profile's own requirements: one empty row, and "Add a competency" for more.
SPARE_ROWS = 1
MAX_REQUIREMENTS = 40


class JobProfileForm(FlaskForm):
    code = StringField(
        "Code", validators=[DataRequired("Enter a code."), Length(max=30), CODE_RULE]
    )
    title = StringField(
        "Job title", validators=[DataRequired("Enter a job title."), Length(max=200)]
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)])
    requirements = FieldList(
        FormField(RequirementForm), min_entries=SPARE_ROWS, max_entries=MAX_REQUIREMENTS
    )

    def add_row(self) -> None:
        """One more empty row, up to the limit (the "Add a competency" button)."""
        if len(self.requirements) < MAX_REQUIREMENTS:
            self.requirements.append_entry()

    def set_competency_choices(self, choices: list[tuple[int, str]]) -> None:
        for row in self.requirements:
            row.form.competency_id.choices = [(0, "Choose a competency…")] + choices

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
        "Competency",
        coerce=blank_int,
        validators=[DataRequired("Choose the competency that was shown.")],
    )
    level = SelectField(
        "Level shown",
        coerce=blank_int,
        choices=[*choice_list([CHOOSE]), *LEVEL_CHOICES],
        validators=[DataRequired("Choose the level that was shown.")],
    )
    observed_on = DayField(
        "Date shown",
        # InputRequired, not DataRequired: a typed but impossible date keeps its own message.
        validators=[InputRequired("Enter the date it was shown.")],
        description="Year-month-day, like 2026-03-31.",
    )
    expires_on = DayField(
        "Expires on",
        validators=[Optional()],
        description="Leave empty when this evidence does not expire.",
    )
    note = TextAreaField(
        "What was observed", validators=[DataRequired("Say what was observed."), Length(max=2000)]
    )
    confirmed = HiddenField()

    def validate_observed_on(self, field) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError("The date the competency was shown cannot be in the future.")

    def validate_expires_on(self, field) -> None:
        if field.data and self.observed_on.data and field.data <= self.observed_on.data:
            raise ValidationError("The expiry date must come after the date shown.")

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"


class CasePackageForm(FlaskForm):
    package = FileField(
        "CASE package (JSON)",
        validators=[
            FileRequired("Choose a CASE package to import."),
            FileAllowed(["json"], "The package must be a .json file."),
        ],
        description="A CASE 1.0 CFPackage, as a .json file exported by a framework tool.",
        render_kw={"accept": ".json,application/json"},
    )
