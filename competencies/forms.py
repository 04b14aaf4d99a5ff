"""Competency forms: categories, competencies with their scale, job profiles, evidence."""

from __future__ import annotations

from wtforms import (
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from civicladder.forms import Form as FlaskForm  # one-line fields refuse control characters
from civicladder.forms import choice_list
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
        "Category", coerce=int, validators=[DataRequired("Choose a category.")]
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


REQUIREMENT_ROWS = 10


class JobProfileForm(FlaskForm):
    code = StringField(
        "Code", validators=[DataRequired("Enter a code."), Length(max=30), CODE_RULE]
    )
    title = StringField(
        "Job title", validators=[DataRequired("Enter a job title."), Length(max=200)]
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)])
    requirements = FieldList(FormField(RequirementForm), min_entries=REQUIREMENT_ROWS)

    def set_competency_choices(self, choices: list[tuple[int, str]]) -> None:
        for row in self.requirements:
            row.form.competency_id.choices = [(0, "(none)")] + choices

    def requirement_rows(self) -> list[tuple[int, int, int]]:
        return [
            (row.form.competency_id.data, row.form.min_level.data, row.form.weight.data or 1)
            for row in self.requirements
            if row.form.competency_id.data
        ]


class EvidenceForm(FlaskForm):
    competency_id = SelectField(
        "Competency", coerce=int, validators=[DataRequired("Choose a competency.")]
    )
    level = SelectField("Level shown", coerce=int, choices=LEVEL_CHOICES)
    observed_on = DateField("Date shown", validators=[DataRequired("Enter the date it was shown.")])
    expires_on = DateField(
        "Expires on",
        validators=[Optional()],
        description="Leave empty when this evidence does not expire.",
    )
    note = TextAreaField(
        "What was observed", validators=[DataRequired("Say what was observed."), Length(max=2000)]
    )
