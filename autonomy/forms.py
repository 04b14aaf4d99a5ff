"""Forms for autonomy: proposing a level, deciding a proposal."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from civicladder.forms import Form


class ProposeForm(Form):
    reason = TextAreaField(
        "Note for the record (optional)",
        description="What you have seen this person do that supports the level.",
        validators=[Optional(), Length(max=2000)],
    )
    justification = TextAreaField(
        "Why propose it before the evidence supports it",
        description="Needed only when the person has not yet met every condition of the level. "
        "It is kept with the grant and counted in the shared reports.",
        validators=[Optional(), Length(max=2000)],
    )


class DeclineForm(Form):
    reason = TextAreaField(
        "Reason for declining",
        description="The employee and the proposer will read this.",
        validators=[Optional(), Length(max=2000)],
    )


class KeepForm(Form):
    note = TextAreaField("Note (optional)", validators=[Optional(), Length(max=2000)])


class LowerForm(Form):
    reason = TextAreaField(
        "Reason for lowering the level",
        description="The employee will read this. Say what was seen and what would restore it.",
        validators=[
            DataRequired(message="Write the reason for lowering the level."),
            Length(max=2000),
        ],
    )
