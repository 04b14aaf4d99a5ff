"""Academy forms: catalog filters, decisions with reasons, results, capacity, ratings."""

from __future__ import annotations

from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from academy.models import RESULT_STATUSES, DeliveryMode
from civicladder.enums import choices
from civicladder.forms import Form, choice_list


class CatalogFilterForm(Form):
    class Meta:
        csrf = False

    q = StringField("Search courses", validators=[Optional(), Length(max=200)])
    competency = SelectField("Competency", coerce=int, validators=[Optional()])
    category = SelectField("Category", coerce=int, validators=[Optional()])
    mode = SelectField(
        "Delivery",
        choices=choice_list([("", "Any delivery"), *choices(DeliveryMode)]),
        validators=[Optional()],
    )
    from_date = DateField("Sessions from", validators=[Optional()])


class DeclineForm(Form):
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired("Give a reason the employee can read."), Length(max=1000)],
    )


class WithdrawForm(Form):
    reason = TextAreaField("Reason (optional)", validators=[Optional(), Length(max=1000)])


class ResultForm(Form):
    result = SelectField(
        "Result",
        choices=choice_list((s.value, s.label) for s in RESULT_STATUSES),
        validators=[DataRequired("Choose a result.")],
    )
    score = IntegerField(
        "Score (optional)",
        validators=[Optional(), NumberRange(0, 100, "A score is from 0 to 100.")],
    )


class CapacityForm(Form):
    capacity = IntegerField(
        "Seats",
        validators=[
            DataRequired("Enter the number of seats."),
            NumberRange(1, 10000, "Seats are a whole number from 1 to 10,000."),
        ],
    )


class RatingForm(Form):
    rating = SelectField(
        "Your rating",
        coerce=int,
        choices=choice_list((n, f"{n} of 5") for n in range(5, 0, -1)),
        validators=[DataRequired("Choose a rating.")],
    )
    comment = TextAreaField("Comment (optional)", validators=[Optional(), Length(max=2000)])
