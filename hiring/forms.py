"""Hiring forms: rounds, questions, panel, applications, screening, scoring, consensus."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from civicladder.enums import choices
from civicladder.forms import (
    DayField,
    FilterSelectField,
    Form,
    blank_int,
    choice_list,
)
from hiring.models import (
    DEFAULT_CLOSING_TIME,
    ETHNICITY_GROUPS,
    SEX_GROUPS,
    ApplicationStatus,
    WorkSchedule,
)
from hiring.posting import PostingDetails

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
DECLINE = ("", _l("I prefer not to say"))
SEX_CHOICES = [DECLINE, *((key, _l(label)) for key, label in SEX_GROUPS.items())]
ETHNICITY_CHOICES = [DECLINE, *((key, _l(label)) for key, label in ETHNICITY_GROUPS.items())]


def _threshold(label: str, default: str) -> DecimalField:
    from decimal import Decimal

    return DecimalField(
        label,
        places=2,
        default=Decimal(default),
        validators=[
            InputRequired(_l("Enter a threshold.")),
            NumberRange(1, 5, _l("Between 1 and 5.")),
        ],
    )


class PostingForm(Form):
    """The posting's fields: what a job seeker looks for first."""

    agency_id = SelectField(_l("Agency"), coerce=blank_int, validators=[Optional()])
    work_location = StringField(
        _l("Work location"),
        validators=[Optional(), Length(max=200)],
        description=_l("Where the work is done, like 'Riverside Park depot, 100 River Road'."),
    )
    schedule = SelectField(
        _l("Schedule"),
        choices=choice_list([(value, _l(label)) for value, label in choices(WorkSchedule)]),
        default=WorkSchedule.FULL_TIME.value,
        validators=[Optional()],
    )
    weekly_hours = IntegerField(
        _l("Hours a week"), validators=[Optional(), NumberRange(1, 80, _l("Between 1 and 80."))]
    )
    pay_min = DecimalField(
        _l("Pay from (dollars a year)"),
        places=2,
        validators=[Optional(), NumberRange(0, 1_000_000, _l("Between 0 and 1,000,000."))],
    )
    pay_max = DecimalField(
        _l("Pay up to (dollars a year)"),
        places=2,
        validators=[Optional(), NumberRange(0, 1_000_000, _l("Between 0 and 1,000,000."))],
    )
    duties = TextAreaField(
        _l("Duties"),
        validators=[Optional(), Length(max=8000)],
        description=_l("What the work is, day to day. Starts from the job profile's description."),
    )
    working_conditions = TextAreaField(
        _l("Working conditions"),
        validators=[Optional(), Length(max=4000)],
        description=_l("Shifts, outdoor or physical work, travel, uniforms: what to expect."),
    )
    process_weeks = IntegerField(
        _l("Weeks from closing to offers"),
        validators=[Optional(), NumberRange(1, 52, _l("Between 1 and 52."))],
        description=_l("About how long candidates wait for an answer after the closing date."),
    )
    closing_time = TimeField(
        _l("Closes at (time of day)"),
        default=DEFAULT_CLOSING_TIME,
        validators=[Optional()],
        description=_l("In the city's own time, on the closing date. Left empty: 23:59."),
    )
    accommodation_contact = StringField(
        _l("Contact for a reasonable accommodation"),
        validators=[Optional(), Length(max=200)],
        description=_l("An email address or telephone number candidates use to ask."),
    )

    def posting(self) -> PostingDetails:
        return PostingDetails(
            agency_id=self.agency_id.data,
            work_location=self.work_location.data or "",
            schedule=WorkSchedule(self.schedule.data or WorkSchedule.FULL_TIME),
            weekly_hours=self.weekly_hours.data,
            pay_min_cents=_cents(self.pay_min.data),
            pay_max_cents=_cents(self.pay_max.data),
            duties=self.duties.data or "",
            working_conditions=self.working_conditions.data or "",
            process_weeks=self.process_weeks.data,
            closing_time=self.closing_time.data or DEFAULT_CLOSING_TIME,
            accommodation_contact=self.accommodation_contact.data or "",
        )

    def start_from(self, hiring_round, profile) -> None:
        """Fill the posting from the job profile's latest round, or its description."""
        if hiring_round is not None:
            for name in ("agency_id", "work_location", "weekly_hours", "working_conditions"):
                getattr(self, name).data = getattr(hiring_round, name)
            for name in ("process_weeks", "accommodation_contact", "duties"):
                getattr(self, name).data = getattr(hiring_round, name)
            self.schedule.data = hiring_round.schedule.value
            self.closing_time.data = hiring_round.closing_time
            self.pay_min.data = _dollars(hiring_round.pay_min_cents)
            self.pay_max.data = _dollars(hiring_round.pay_max_cents)
        if profile is not None and not self.duties.data:
            self.duties.data = profile.description


class RoundForm(PostingForm):
    job_profile_id = SelectField(
        _l("Job profile"), coerce=int, validators=[DataRequired(_l("Choose a job profile."))]
    )
    title = StringField(
        _l("Title candidates see"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    description = TextAreaField(_l("About the job"), validators=[Optional(), Length(max=8000)])
    openings = IntegerField(
        _l("Number of openings"),
        default=1,
        validators=[InputRequired(_l("Enter the number of openings.")), NumberRange(1, 10000)],
    )
    opens_on = DateField(_l("Opens on"), validators=[DataRequired(_l("Enter the opening date."))])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired(_l("Enter the closing date."))])
    best_qualified_from = _threshold(_l("Best qualified from (weighted mean)"), "4.00")
    well_qualified_from = _threshold(_l("Well qualified from"), "3.25")
    qualified_from = _threshold(_l("Qualified from"), "2.50")
    veterans_preference = BooleanField(
        _l("Apply veterans' preference"),
        description=_l("Preference-eligible candidates are listed first within their category."),
    )
    eligible_months = IntegerField(
        _l("Eligible list lasts (months)"),
        default=12,
        validators=[Optional(), NumberRange(1, 48, _l("Between 1 and 48 months."))],
        description=_l(
            "When the round completes, its remaining qualified candidates stay on an "
            "eligible list for the job profile this long, for later vacancies."
        ),
    )
    # One-time token of this copy of the form: sent twice, it makes one round.
    form_token = HiddenField(validators=[Optional(), Length(max=100)])

    def thresholds(self) -> tuple[int, int, int]:
        return tuple(
            int(round(f.data * 100))
            for f in (self.best_qualified_from, self.well_qualified_from, self.qualified_from)
        )


def _cents(amount) -> int | None:
    return None if amount is None else int(round(amount * 100))


def _dollars(cents: int | None):
    from decimal import Decimal

    return None if cents is None else Decimal(cents) / 100


class QuestionForm(Form):
    prompt = TextAreaField(
        _l("Question"), validators=[DataRequired(_l("Write the question.")), Length(max=2000)]
    )
    competency_id = SelectField(_l("Competency it shows"), coerce=int, validators=[Optional()])


class PanelForm(Form):
    email = EmailField(
        _l("Assessor's email address"),
        validators=[DataRequired(_l("Enter the assessor's email address.")), Length(max=254)],
    )


class RoundMoveForm(Form):
    to = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Kept in the round's record and the audit log."),
    )


class RecordForm(Form):
    personal = BooleanField(
        _l("Include every candidate's name and email address"),
        description=_l(
            "Only when a request or an appeal needs them. Without this, the record names "
            "only those hired. Before the ranking is locked it names no one, either way."
        ),
    )


class ApplicationForm(Form):
    """Name, address, answers, work sample, and voluntary self-identification. No degree."""

    full_name = StringField(
        _l("Full name"), validators=[DataRequired(_l("Enter your name.")), Length(max=200)]
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter an email address we can reach you at.")),
            Length(max=254),
        ],
        description=_l("We send news of your application here."),
    )
    work_sample = TextAreaField(
        _l("Work sample"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Optional: an example of your work that shows the skills this job needs."),
    )
    upload = FileField(
        _l("Supporting file"),
        validators=[Optional()],
        description=_l("Optional: a PDF or plain text file of up to 2 MB."),
    )
    preference_eligible = BooleanField(_l("I am eligible for veterans' preference"))
    sex = SelectField(_l("Sex"), choices=choice_list(SEX_CHOICES), validators=[Optional()])
    ethnicity = SelectField(
        _l("Race or ethnicity"), choices=choice_list(ETHNICITY_CHOICES), validators=[Optional()]
    )


ANSWER_MAX = 8000


def answers_from(form_data, questions) -> dict[int, str]:
    return {q.id: (form_data.get(f"answer_{q.id}") or "")[:ANSWER_MAX] for q in questions}


class ScreenForm(Form):
    decision = RadioField(
        _l("Decision"),
        choices=choice_list([("in", _l("Screen in")), ("out", _l("Screen out"))]),
        validators=[InputRequired(_l("Choose screen in or screen out."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required when screening out: which minimum qualification is not shown."),
    )


class ConsensusForm(Form):
    competency_id = HiddenField(validators=[DataRequired()])
    score = SelectField(
        _l("Consensus score"), choices=choice_list(SCORE_CHOICES), validators=[DataRequired()]
    )
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=2000)]
    )


class ThirdAssessorForm(Form):
    assessor_id = SelectField(_l("Assessor"), coerce=int, validators=[DataRequired()])


class HireForm(Form):
    employee_number = StringField(
        _l("Employee number"),
        validators=[Optional(), Length(max=20)],
    )
    department = StringField(
        _l("Department"),
        validators=[Optional(), Length(max=700)],
        description=_l("Its full path, like 'Parks > Forestry'."),
    )
    manager_number = StringField(
        _l("Manager's employee number"), validators=[Optional(), Length(max=20)]
    )
    bargaining_unit_id = SelectField(_l("Bargaining unit"), coerce=int, validators=[Optional()])
    hire_date = DateField(_l("Start date"), validators=[DataRequired(_l("Enter the start date."))])


class ApplicationFilterForm(Form):
    """The filters over a round's applications: the address carries them (a GET form)."""

    class Meta:
        csrf = False

    q = StringField(_l("Candidate code"), validators=[Optional()])
    status = FilterSelectField(
        _l("Status"),
        choices=choice_list(
            [("", _l("Any")), *((value, _l(label)) for value, label in choices(ApplicationStatus))]
        ),
    )


SORT_CHOICES = [
    ("closing", _l("Closing soonest")),
    ("newest", _l("Newest first")),
    ("pay", _l("Highest pay first")),
]


class CopyPostingForm(Form):
    """The new round page's "copy an earlier posting" control, read from the address."""

    class Meta:
        csrf = False

    job_profile = FilterSelectField(_l("Profile to copy from"), coerce=int)


class EligibleListFilterForm(Form):
    """The eligible lists page's job profile filter, read from the address."""

    class Meta:
        csrf = False

    job_profile = FilterSelectField(_l("Job profile"), coerce=int)


class ListExpiryForm(Form):
    """HR's change to an eligible list's last day: months from its establishment or a date,
    with the reason (the rules are the service's: hiring.eligible.expiry)."""

    months = IntegerField(
        _l("Months from the list's establishment"),
        validators=[Optional()],
        description=_l("Between 1 and 48, like 18 for a list kept a year and a half."),
    )
    expires_on = DayField(
        _l("Or its new last day"),
        validators=[Optional()],
        description=_l(
            "As year-month-day, like 2027-06-30. Today closes the list at the end of the day."
        ),
    )
    reason = TextAreaField(
        _l("Reason for the change"),
        validators=[
            InputRequired(_l("Give the reason for the change: it is kept in the audit log.")),
            Length(max=2000, message=_l("Keep the reason under 2,000 characters.")),
        ],
        description=_l("Kept in the audit log with the old and the new last day."),
    )


class JobSearchForm(Form):
    """The jobs page's search and filters: the address carries them (a GET form)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search titles and duties"), validators=[Optional(), Length(max=100)])
    agency = FilterSelectField(_l("Agency"), coerce=int)
    location = FilterSelectField(_l("Work location"))
    schedule = FilterSelectField(
        _l("Schedule"),
        choices=choice_list(
            [("", _l("Any")), *((value, _l(label)) for value, label in choices(WorkSchedule))]
        ),
    )
    min_pay = IntegerField(
        _l("Pays at least (dollars a year)"),
        validators=[Optional(), NumberRange(0, 1_000_000, _l("Between 0 and 1,000,000."))],
    )
    closes_by = DayField(_l("Closes on or before"), validators=[Optional()])
    sort = FilterSelectField(_l("Sort by"), choices=choice_list(SORT_CHOICES))

    def offer(self, agencies, locations) -> None:
        self.agency.choices = [(0, _l("Any agency")), *agencies]
        self.location.choices = choice_list([("", _l("Any")), *((loc, loc) for loc in locations)])


class StatusLinkForm(Form):
    """ "Email me my link again": an address, and nothing said about whether it applied."""

    email = EmailField(
        _l("Email address you applied with"),
        validators=[
            DataRequired(_l("Enter the email address you applied with.")),
            Length(max=254),
        ],
    )


class OfferTermsForm(Form):
    """HR's confirmation step before an offer: the terms the candidate will read."""

    grade = StringField(
        _l("Grade"),
        validators=[InputRequired(_l("Enter the grade the job is offered at.")), Length(max=40)],
        description=_l("As the city's pay plan names it, like 'Grade 7' or a title code."),
    )
    salary = DecimalField(
        _l("Yearly salary (dollars)"),
        places=2,
        validators=[
            InputRequired(_l("Enter the yearly salary offered.")),
            NumberRange(0.01, 1_000_000, _l("Between $0.01 and $1,000,000 a year.")),
        ],
    )
    starts_on = DayField(_l("Start date"), validators=[InputRequired(_l("Enter the start date."))])
    answer_by = DayField(
        _l("Answer by"),
        validators=[InputRequired(_l("Enter the day the answer is due."))],
        description=_l(
            "The candidate accepts or declines online until the end of this day; "
            "after it the offer lapses."
        ),
    )
    conditions = TextAreaField(
        _l("Conditions"),
        validators=[Optional(), Length(max=4000)],
        description=_l("What the offer depends on, like a background check or a licence."),
    )

    def terms(self):
        from hiring.offers.terms import OfferTerms

        return OfferTerms(
            grade=self.grade.data or "",
            salary_cents=_cents(self.salary.data),
            starts_on=self.starts_on.data,
            answer_by=self.answer_by.data,
            conditions=self.conditions.data or "",
        )

    def start_from(self, terms) -> None:
        self.grade.data = terms.grade
        self.salary.data = _dollars(terms.salary_cents)
        self.starts_on.data = terms.starts_on
        self.answer_by.data = terms.answer_by
        self.conditions.data = terms.conditions


class DeclineOfferForm(Form):
    reason = TextAreaField(
        _l("Why are you declining?"),
        validators=[
            InputRequired(_l("Tell us why you are declining the offer.")),
            Length(max=2000, message=_l("Keep your reason under 2,000 characters.")),
        ],
        description=_l(
            "For example: you took another job, the salary, the start date or the "
            "place of work. HR keeps your reason with the offer."
        ),
    )


class AcceptOfferForm(Form):
    """Nothing to fill in: the confirmation page's button, with its CSRF token."""


class ListOfferForm(OfferTermsForm):
    """HR's confirmation step before an offer from an eligible list: the vacancy it fills, and
    the terms the candidate will read."""

    vacancy = StringField(
        _l("Vacancy"),
        validators=[
            InputRequired(_l("Name the vacancy this offer fills: its position, unit or location.")),
            Length(max=200, message=_l("Keep the vacancy under 200 characters.")),
        ],
        description=_l(
            "Which post the offer fills, like a position number, a unit or a location. "
            "It is kept with the offer and in the round's record."
        ),
    )
