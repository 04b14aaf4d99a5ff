"""The API's own records: the systems allowed to call it (clients) and the bearer tokens they
hold.

A token is shown once when issued and kept only as its SHA-256 (a random 256-bit secret needs
no slow hash, and the discretion check cannot spend one on every call); its first characters
are kept in clear so people can tell tokens apart. The discretion checks clients ask for are
kept by the autonomy package (`autonomy.models.DiscretionCheck`), which reads them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civicladder.db import UTCDateTime, db, utcnow
from civicladder.models import User
from people.models import BargainingUnit, Employee


class ApiClient(db.Model):
    """Another city system registered to call the API: who runs it and what it may do."""

    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    contact: Mapped[str] = mapped_column(sa.String(254))
    # The scopes its tokens may carry, space-separated (`roster:read discretion:check`).
    scopes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A disabled client's tokens are refused; nothing is deleted.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="client", order_by="ApiToken.created_at.desc()"
    )

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def __str__(self) -> str:
        return self.name


class ApiToken(db.Model):
    """A bearer token of a client: a subset of the client's scopes, until it expires or is
    revoked."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        sa.ForeignKey("api_client.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(sa.String(120), default="")
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    scopes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A token for one bargaining unit (a union's own system) reads that unit's published
    # reports and nothing of another's; None reads every unit's.
    bargaining_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bargaining_unit.id", ondelete="CASCADE"), index=True
    )

    client: Mapped[ApiClient] = relationship(back_populates="tokens")
    created_by: Mapped[User | None] = relationship()
    bargaining_unit: Mapped[BargainingUnit | None] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class IdempotentWrite(db.Model):
    """A write a client made with an `Idempotency-Key`: what it asked (a fingerprint of the
    method, path and body) and what it was answered, so that the same key sent again gets the
    same answer without the write happening twice. Kept a day (`api.forget-idempotency-keys`)."""

    __tablename__ = "api_idempotent_write"
    __table_args__ = (sa.UniqueConstraint("client_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(
        sa.ForeignKey("api_client.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(200))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None]
    body: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Change(db.Model):
    """One thing that changed, for the changes feed (`GET /api/v1/events`): written in the
    transaction of the change itself, by the API's receivers of the packages' signals.

    Its `position` in the feed is given only once it has committed (`api.events.seal`, under a
    lock), so positions follow the order changes became visible: a follower that has read up
    to a position never finds an earlier one appear later, as ids, taken before commit, would.
    """

    __tablename__ = "api_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), index=True
    )
    # The row the change is about (the evidence, the grant, the certificate), when there is one.
    subject_id: Mapped[int | None]
    details: Mapped[dict | None] = mapped_column(sa.JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    employee: Mapped[Employee] = relationship()
