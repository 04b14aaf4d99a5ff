"""The administrator's forms for API clients and their tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, NumberRange

from api.scopes import SCOPES
from api.tokens import DEFAULT_DAYS, MAX_DAYS, UNIT_SCOPE
from civicladder.forms import Form, MultiCheckboxField, choice_list


def scope_choices(allowed=None):
    return choice_list((scope, scope) for scope in SCOPES if allowed is None or scope in allowed)


class ClientForm(Form):
    name = StringField(
        _l("System name"),
        description=_l("As people in the city know it, such as 311 service requests."),
        validators=[DataRequired(_l("Name the system.")), Length(max=120)],
    )
    contact = EmailField(
        _l("Contact email"),
        description=_l("Whoever runs the system: told nothing automatically, but listed here."),
        validators=[
            DataRequired(_l("Give an email address for whoever runs the system.")),
            Email(_l("Give an email address such as ops@city.gov.")),
            Length(max=254),
        ],
    )
    scopes = MultiCheckboxField(
        _l("What its tokens may do"),
        description=_l("A token may carry some or all of these; nothing else."),
        choices=scope_choices(),
        validators=[DataRequired(_l("Choose at least one scope."))],
    )


class TokenForm(Form):
    label = StringField(
        _l("Label"),
        description=_l("Where the token will be used, such as production or testing."),
        validators=[DataRequired(_l("Label the token.")), Length(max=120)],
    )
    scopes = MultiCheckboxField(
        _l("Scopes"), validators=[DataRequired(_l("Choose at least one scope."))]
    )
    days = IntegerField(
        _l("Days it stays valid"),
        default=DEFAULT_DAYS,
        description=_l("1 to %(days)s. Issue a new token before this one expires.", days=MAX_DAYS),
        validators=[
            DataRequired(_l("Say how many days the token stays valid.")),
            NumberRange(1, MAX_DAYS, _l("A token lasts 1 to %(days)s days.", days=MAX_DAYS)),
        ],
    )
    bargaining_unit = SelectField(
        _l("For one bargaining unit"),
        coerce=int,
        default=0,
        description=_l(
            "A union's own system: the token reads that unit's published reports and nothing "
            "else (scope %(scope)s alone).",
            scope=UNIT_SCOPE,
        ),
    )
