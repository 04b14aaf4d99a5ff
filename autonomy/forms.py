"""Forms for autonomy: proposing a level, deciding a proposal."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    FloatField,
    FormField,
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
)

from autonomy.definitions import LEVELS, ItemTerms, LevelTerms
from civicladder.forms import Form, MultiCheckboxField, choice_list
from competencies.forms import CODE_RULE, LEVEL_CHOICES
from competencies.rules import level_name


class ProposeForm(Form):
    reason = TextAreaField(
        _l("Note for the record (optional)"),
        description=_l("What you have seen this person do that supports the level."),
        validators=[Optional(), Length(max=2000)],
    )
    justification = TextAreaField(
        _l("Why propose it before the evidence supports it"),
        description=_l(
            "Needed only when the person has not yet met every condition of the level. "
            "It is kept with the grant and counted in the shared reports."
        ),
        validators=[Optional(), Length(max=2000)],
    )


class DeclineForm(Form):
    reason = TextAreaField(
        _l("Reason for declining"),
        description=_l("The employee and the proposer will read this."),
        validators=[Optional(), Length(max=2000)],
    )


class KeepForm(Form):
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class LowerForm(Form):
    reason = TextAreaField(
        _l("Reason for lowering the level"),
        description=_l("The employee will read this. Say what was seen and what would restore it."),
        validators=[
            DataRequired(message=_l("Write the reason for lowering the level.")),
            Length(max=2000),
        ],
    )


class TrackForm(Form):
    code = StringField(
        _l("Code"),
        description=_l("Short and unique, such as 311 or BLDG."),
        validators=[DataRequired(_l("Enter a code.")), Length(max=30), CODE_RULE],
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    job_profiles = MultiCheckboxField(
        _l("Jobs on this track"), coerce=int, validators=[Optional()], choices=[]
    )


class LevelRequirementForm(Form):
    class Meta:
        csrf = False

    competency_id = SelectField(_l("Competency"), coerce=int, validators=[Optional()])
    min_level = SelectField(_l("Minimum level"), coerce=int, choices=LEVEL_CHOICES, default=3)


LEVEL_REQUIREMENT_ROWS = 6


class DiscretionItemForm(Form):
    class Meta:
        csrf = False

    words = StringField(_l("What it lets a person do"), validators=[Optional(), Length(max=500)])
    key = StringField(_l("Key"), validators=[Optional(), Length(max=60)])
    limit_amount = DecimalField(
        _l("Up to"),
        places=2,
        validators=[Optional()],
        description=_l("Leave empty when the item has no limit."),
    )
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)])


# Blank rows offered below a level's items, for HR to add more.
DISCRETION_BLANK_ROWS = 2


class LevelForm(Form):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Name the level.")), Length(max=120)]
    )
    discretion = FieldList(FormField(DiscretionItemForm), min_entries=4, max_entries=40)
    requirements = FieldList(FormField(LevelRequirementForm), min_entries=LEVEL_REQUIREMENT_ROWS)
    min_months = IntegerField(
        _l("Months at the level below"),
        default=0,
        validators=[
            InputRequired(_l("Enter a number of months (0 for none).")),
            NumberRange(0, 240),
        ],
    )
    second_approval = BooleanField(
        _l("A second approver (the proposer's manager or HR) must agree")
    )
    focused_review_days = IntegerField(
        _l("Focused review after a grant (days)"),
        default=90,
        validators=[InputRequired(_l("Enter a number of days.")), NumberRange(7, 730)],
    )
    outcome_metric_id = SelectField(
        _l("Outcome floor: metric"), coerce=int, validators=[Optional()]
    )
    outcome_threshold = FloatField(_l("Outcome floor: threshold"), validators=[Optional()])
    outcome_window_days = IntegerField(
        _l("Outcome floor: over the last (days)"),
        default=90,
        validators=[Optional(), NumberRange(7, 730)],
    )

    def set_choices(self, competencies: list[tuple[int, str]], metrics: list[tuple[int, str]]):
        for row in self.requirements:
            row.form.competency_id.choices = [(0, gettext("Choose…"))] + competencies
            row.form.min_level.choices = [(level, level_name(level)) for level in LEVELS]
        self.outcome_metric_id.choices = [(0, gettext("No outcome floor"))] + metrics

    def terms(self) -> LevelTerms:
        return LevelTerms(
            name=self.name.data or "",
            discretion=[
                ItemTerms(
                    words=row.form.words.data or "",
                    key=row.form.key.data or "",
                    limit_amount=row.form.limit_amount.data,
                    unit=row.form.unit.data or "",
                )
                for row in self.discretion
            ],
            requirements=[
                (row.form.competency_id.data, row.form.min_level.data)
                for row in self.requirements
                if row.form.competency_id.data
            ],
            min_months=self.min_months.data or 0,
            second_approval=bool(self.second_approval.data),
            focused_review_days=self.focused_review_days.data or 90,
            outcome_metric_id=self.outcome_metric_id.data or None,
            outcome_threshold=self.outcome_threshold.data,
            outcome_window_days=self.outcome_window_days.data or 90,
        )


class MetricForm(Form):
    code = StringField(
        _l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=30), CODE_RULE]
    )
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    unit = StringField(
        _l("Unit"), description=_l("Such as %, days or cases."), validators=[Length(max=40)]
    )
    higher_is_better = SelectField(
        _l("Which way is better"),
        choices=choice_list([("1", _l("Higher is better")), ("0", _l("Lower is better"))]),
        default="1",
    )


class OutcomeUploadForm(Form):
    file = FileField(
        _l("Outcome records (CSV)"),
        description=_l("Columns: employee_number, metric_code, period_start (YYYY-MM-DD), value."),
        validators=[
            FileRequired(_l("Choose a CSV file to import.")),
            FileAllowed(["csv"], _l("The file must be a .csv file.")),
        ],
        render_kw={"accept": ".csv,text/csv"},
    )
