"""Report forms: the period a report covers, publishing's confirmation, a comment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from civicladder.forms import Form
from reports.services import MAX_COMMENT

# The limit as the form's message writes it (thousands separated alike in English and es_US).
MAX_COMMENT_WORDS = format(MAX_COMMENT, ",")


class PeriodForm(FlaskForm):
    """Which period a report covers: a GET filter, so a report's address can be bookmarked."""

    class Meta:
        csrf = False

    period = StringField(
        _l("Period"),
        validators=[Optional(), Length(max=20)],
        description=_l("A quarter like 2026Q3, or a year like 2026."),
    )


class PublishForm(Form):
    """Publishing is permanent: only a post from the confirmation page carries `confirmed`."""

    period = HiddenField()
    confirmed = HiddenField()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"


class CountForm(Form):
    """Ask for a report not counted ahead to be counted (by a job)."""

    period = HiddenField()


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(_l("Write the comment before posting it.")),
            Length(
                max=MAX_COMMENT,
                message=_l("Keep the comment under %(num)s characters.", num=MAX_COMMENT_WORDS),
            ),
        ],
        description=_l(
            "HR and the unit's union representatives read every comment; it is kept with the "
            "report and in the audit log."
        ),
    )
