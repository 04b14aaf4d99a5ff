"""What the city's identity system says of an account it provisions by SCIM, beside the account.

The shell's `User` keeps the email address, name, roles and whether the account is active; this
row keeps the rest of the SCIM resource (userName, externalId, the name's parts, the employee
number sent) and whether the identity system has deleted it. A deleted account stays, with its
history: SCIM no longer sees it, and a new POST of the same userName brings it back.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.models import ApiClient
from civicladder.db import UTCDateTime, db, utcnow
from civicladder.models import User


class ScimAccount(db.Model):
    __tablename__ = "scim_account"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    # Kept in lower case: SCIM compares userName without regard to case.
    user_name: Mapped[str] = mapped_column(sa.String(254), unique=True)
    external_id: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    given_name: Mapped[str | None] = mapped_column(sa.String(100))
    family_name: Mapped[str | None] = mapped_column(sa.String(100))
    # As the identity system sent it; the link to the employee record is the people package's.
    employee_number: Mapped[str | None] = mapped_column(sa.String(40))
    # The API client whose token last changed it.
    client_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("api_client.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    client: Mapped[ApiClient | None] = relationship()
