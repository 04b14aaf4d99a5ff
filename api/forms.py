"""The administrator's forms for API clients and their tokens."""

from __future__ import annotations

from wtforms import EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange

from api.scopes import SCOPES
from api.tokens import DEFAULT_DAYS, MAX_DAYS, UNIT_SCOPE
from civicladder.forms import Form, MultiCheckboxField, choice_list


def scope_choices(allowed=None):
    return choice_list((scope, scope) for scope in SCOPES if allowed is None or scope in allowed)


class ClientForm(Form):
    name = StringField(
        "System name",
        description="As people in the city know it, such as 311 service requests.",
        validators=[DataRequired("Name the system."), Length(max=120)],
    )
    contact = EmailField(
        "Contact email",
        description="Whoever runs the system: told nothing automatically, but listed here.",
        validators=[
            DataRequired("Give an email address for whoever runs the system."),
            Email("Give an email address such as ops@city.gov."),
            Length(max=254),
        ],
    )
    scopes = MultiCheckboxField(
        "What its tokens may do",
        description="A token may carry some or all of these; nothing else.",
        choices=scope_choices(),
        validators=[DataRequired("Choose at least one scope.")],
    )


class TokenForm(Form):
    label = StringField(
        "Label",
        description="Where the token will be used, such as production or testing.",
        validators=[DataRequired("Label the token."), Length(max=120)],
    )
    scopes = MultiCheckboxField("Scopes", validators=[DataRequired("Choose at least one scope.")])
    days = IntegerField(
        "Days it stays valid",
        default=DEFAULT_DAYS,
        description=f"1 to {MAX_DAYS}. Issue a new token before this one expires.",
        validators=[
            DataRequired("Say how many days the token stays valid."),
            NumberRange(1, MAX_DAYS, f"A token lasts 1 to {MAX_DAYS} days."),
        ],
    )
    bargaining_unit = SelectField(
        "For one bargaining unit",
        coerce=int,
        default=0,
        description=(
            "A union's own system: the token reads that unit's published reports and nothing "
            f"else (scope {UNIT_SCOPE} alone)."
        ),
    )
