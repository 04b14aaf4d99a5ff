"""Shell forms: the base form of the app, sign-in, passwords, users and roles, audit search."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext, pgettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, TextArea

from civicladder.access import Role
from civicladder.enums import choices
from civicladder.errors import DomainError
from civicladder.models import JobState
from civicladder.security import MIN_PASSWORD_LENGTH

# C0 and C1 controls and the Unicode line and paragraph separators: none belongs on one line,
# and a line break in a name could end up splitting an email header.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class SingleLine:
    """Refuses control characters (line breaks, tabs, escapes) in a one-line text field."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
            raise ValidationError(
                gettext(
                    "%(field)s must be on one line, without control characters such as tabs "
                    "or line breaks.",
                    field=field.label.text,
                )
            )


def is_single_line(field) -> bool:
    """One-line text inputs; passwords may hold any character, text areas take line breaks."""
    return (
        isinstance(field, StringField)
        and not isinstance(field, (TextAreaField, PasswordField))
        and not isinstance(field.widget, TextArea)
    )


class Form(FlaskForm):
    """The base of every form in the app: one-line text fields refuse control characters."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if is_single_line(field):
                field.validators = [*field.validators, SingleLine()]
            return field

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Messages declared with lazy_gettext are written out in the page's language now, so
        # templates read them as the plain strings every other error is.
        for field in self:
            if field.errors and not isinstance(field.errors, dict):
                field.errors = [_written(error) for error in field.errors]
        return valid


def _written(error):
    return error if isinstance(error, (str, list, tuple, dict)) else str(error)


def attach_error(form, error: DomainError) -> None:
    """Show a service's error next to the field it names, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignInForm(Form):
    email = EmailField(
        _l("Email address"), validators=[DataRequired(_l("Enter your email address."))]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


_new_password_validators = [
    DataRequired(_l("Enter a new password.")),
    Length(
        min=MIN_PASSWORD_LENGTH,
        max=200,
        message=_l("Choose a password of at least %(num)s characters.", num=MIN_PASSWORD_LENGTH),
    ),
]


class NewPasswordForm(Form):
    new_password = PasswordField(
        _l("New password"),
        validators=_new_password_validators,
        description=_l(
            "At least %(num)s characters. A short sentence works well.", num=MIN_PASSWORD_LENGTH
        ),
    )
    confirm_password = PasswordField(
        _l("Type the new password again"),
        validators=[
            DataRequired(_l("Type the new password again.")),
            EqualTo("new_password", _l("The two passwords do not match.")),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )


def choice_list(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs, in the form WTForms 3.3+ expects."""
    return [SelectChoice(value, label) for value, label in pairs]


# What each role lets a person do, shown where an administrator chooses roles.
# Lazy: written in the language of the page that shows them.
ROLE_DESCRIPTIONS = {
    Role.EMPLOYEE.value: _l(
        "Sees their own competencies and evidence, the framework and job profiles."
    ),
    Role.MANAGER.value: _l("Also sees their reporting line, records evidence for their team."),
    Role.HR.value: _l(
        "Maintains the framework and job profiles, the workforce records and imports."
    ),
    Role.UNION_REP.value: _l(
        "Reads aggregate figures for the bargaining units they represent, never individual records."
    ),
    Role.ADMIN.value: _l("Manages user accounts and roles, reads the audit log and the outbox."),
}


def role_choices() -> list[SelectChoice]:
    """The roles to tick, each named in the page's language (the labels are marked in
    civicladder.access)."""
    return choice_list((value, _l(label)) for value, label in choices(Role))


class UserForm(Form):
    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)],
    )
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter an email address.")),
            Email(_l("Enter an email address like name@example.gov.")),
            Length(max=254),
        ],
    )
    employee_number = StringField(
        _l("Employee number"),
        validators=[Optional(), Length(max=20)],
        description=_l("Links the account to the employee record, so they see their own profile."),
    )
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices())
    units = MultiCheckboxField(
        _l("Bargaining units represented"),
        coerce=int,
        description=_l("Only for union representatives: the units whose figures they read."),
    )

    def validate_units(self, field) -> None:
        if field.data and Role.UNION_REP.value not in (self.roles.data or []):
            raise ValidationError(
                gettext(
                    "Bargaining units are only for union representatives: tick Union "
                    "representative, or clear the units."
                )
            )


class RolesForm(Form):
    roles = MultiCheckboxField(_l("Roles"), choices=role_choices())
    reason = StringField(_l("Reason for the change"), validators=[Optional(), Length(max=500)])


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])


class ConfirmedReasonForm(Form):
    """A permanent or far-reaching action: a required reason, and the confirmation page's mark.

    The page that asks for the reason also says what will happen; only a post from that page
    carries `confirmed`, so a bare post never acts.
    """

    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give a reason: it is kept in the audit log.")),
            Length(max=1000),
        ],
    )
    confirmed = HiddenField()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"


class PasswordSignInForm(Form):
    """Who may sign in with a password: everyone, or the break-glass administrators only."""

    everyone = RadioField(
        _l("Who may sign in with a password"),
        choices=choice_list(
            [
                ("yes", _l("Everyone with a password")),
                ("no", _l("Only the break-glass administrators chosen below")),
            ]
        ),
        validators=[InputRequired(_l("Choose who may sign in with a password."))],
    )
    break_glass = MultiCheckboxField(
        _l("Break-glass administrators"),
        coerce=int,
        description=_l(
            "They keep password sign-in when it is off for everyone else, to reach "
            "CivicLadder if the city's identity provider is down."
        ),
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give a reason: it is kept in the audit log.")),
            Length(max=1000),
        ],
    )


class ConfirmForm(Form):
    """A form with only the CSRF token, for buttons that post."""


class FilterSelectField(SelectField):
    """A list page's filter with a fixed set of choices, read from the address (a GET argument).

    Left out or blank it filters nothing (its data is None); any other value must be one of
    the choices offered, as offered. Spaces, a made-up word or an id that is not in the list
    are refused with a message naming the filter, so the page answers 422 and says why instead
    of acting on the value (or failing on it). Give it no Optional(): that validator clears
    the refusal of a value made of spaces.
    """

    def process_formdata(self, valuelist) -> None:
        if not valuelist or valuelist[0] == "":
            self.data = None
            return
        try:
            self.data = self.coerce(valuelist[0])
        except (ValueError, TypeError):
            self.data = None
            raise ValueError(self._refusal()) from None

    def pre_validate(self, form) -> None:
        if self.process_errors or not self.raw_data or self.raw_data[0] == "":
            return
        if not any(choice.selected for choice in self._iter_choices_normalized()):
            raise ValidationError(self._refusal())

    def _refusal(self) -> str:
        given = self.raw_data[0] if self.raw_data else ""
        shown = given if len(given) <= 40 else given[:40] + "…"
        return gettext(
            "%(field)s: choose one of the listed options (“%(shown)s” is not one).",
            field=self.label.text,
            shown=shown,
        )


class OpenSelectField(SelectField):
    """A select whose value may also be one the list does not offer (an older bookmark).

    The value is then added to the options, shown as itself, instead of being refused.
    """

    def pre_validate(self, form) -> None:
        return None


ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class DayField(DateField):
    """A date typed as YYYY-MM-DD, with messages that say what is wrong with it.

    "2026-02-30" is refused as "2026-02-30 is not a real date." rather than as a bad format.
    """

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        if not text:
            # Spaces alone are no date: InputRequired then asks for one, Optional lets it be.
            self.data = None
            self.raw_data = []
            return
        match = ISO_DATE.match(text)
        if match is None:
            self.data = None
            raise ValueError(
                gettext(
                    "Enter the date as year-month-day, like 2026-03-31 (not %(text)s).", text=text
                )
            )
        try:
            self.data = date(*(int(part) for part in match.groups()))
        except ValueError:
            self.data = None
            raise ValueError(gettext("%(text)s is not a real date.", text=text)) from None


def blank_int(value):
    """Coerce a select's value to int, with the blank "Choose…" option as None."""
    if value in (None, "", "None"):
        return None
    return int(value)


CHOOSE = ("", _l("Choose…"))


class AuditSearchForm(Form):
    class Meta:
        csrf = False

    actor = StringField(_l("Actor (email)"), validators=[Optional(), Length(max=254)])
    object = StringField(_l("Object"), validators=[Optional(), Length(max=300)])
    action = OpenSelectField(_l("What happened"), validators=[Optional(), Length(max=80)])
    date_from = DayField(
        LazyString(lambda: pgettext("a date range", "From")), validators=[Optional()]
    )
    date_to = DayField(LazyString(lambda: pgettext("a date range", "To")), validators=[Optional()])


class JobFilterForm(Form):
    """The jobs page's filter: the runs in one state."""

    class Meta:
        csrf = False

    state = FilterSelectField(
        _l("State"),
        choices=choice_list(
            [("", _l("Any state")), *((value, _l(label)) for value, label in choices(JobState))]
        ),
    )


class CredentialForm(Form):
    """A signed credential to check, pasted or as its downloaded file."""

    token = TextAreaField(
        _l("Signed credential"),
        description=_l(
            "Paste the text of the credential file (.jwt): three parts separated by dots."
        ),
        validators=[
            Optional(),
            Length(max=400 * 1024, message=_l("This is too long to be a credential.")),
        ],
    )
    upload = FileField(_l("Or choose the credential file"))
