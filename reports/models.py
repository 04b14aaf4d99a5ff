"""Published report snapshots (figures frozen, with their content hash), comments on them, and
the units' live reports as last counted."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civicladder.db import UTCDateTime, db, utcnow
from civicladder.files import StoredFile
from civicladder.models import User
from people.models import BargainingUnit, Department


class ReportSnapshot(db.Model):
    """A progress report as published: the figures as shown (small groups already suppressed),
    frozen, with the sha256 of their canonical JSON so both sides can cite the same numbers.

    A snapshot covers one bargaining unit or one department for one period; it is never
    changed or deleted, and a scope has at most one snapshot per period.
    """

    __tablename__ = "report_snapshot"
    __table_args__ = (
        sa.UniqueConstraint("bargaining_unit_id", "period"),
        sa.UniqueConstraint("department_id", "period"),
        sa.CheckConstraint(
            "(bargaining_unit_id IS NULL) <> (department_id IS NULL)", name="one_scope"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bargaining_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bargaining_unit.id", ondelete="RESTRICT"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("department.id", ondelete="RESTRICT"), index=True
    )
    period: Mapped[str] = mapped_column(sa.String(10), index=True)
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    content: Mapped[dict] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    bargaining_unit: Mapped[BargainingUnit | None] = relationship()
    department: Mapped[Department | None] = relationship()
    published_by: Mapped[User | None] = relationship()

    @property
    def scope_name(self) -> str:
        return self.content.get("scope", {}).get("name", "")

    def __str__(self) -> str:
        return f"{self.scope_name}, {self.period}"


class ReportPdf(db.Model):
    """A published snapshot's PDF in one language, rendered once and kept in the file store:
    the English one when the report is published, another language's on its first download
    (and English's too for snapshots published before PDFs were kept). Every language's PDF
    is rendered from the one snapshot, so they show the same figures and cite the same hash."""

    __tablename__ = "report_pdf"

    snapshot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("report_snapshot.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(
        sa.String(8), primary_key=True, default="en", server_default="en"
    )
    file_id: Mapped[int] = mapped_column(
        sa.ForeignKey("stored_file.id", ondelete="RESTRICT"), unique=True
    )

    file: Mapped[StoredFile] = relationship()


class ReportComment(db.Model):
    """A comment on a published snapshot by a union rep or HR, read by both sides."""

    __tablename__ = "report_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("report_snapshot.id", ondelete="RESTRICT"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Kept as written at the time, so the thread still reads right if the account goes.
    author_name: Mapped[str] = mapped_column(sa.String(200))
    author_side: Mapped[str] = mapped_column(sa.String(40))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    snapshot: Mapped[ReportSnapshot] = relationship()

    def __str__(self) -> str:
        return f"Comment {self.id} on report snapshot {self.snapshot_id}"


class LiveReport(db.Model):
    """A unit's or an agency's live (unpublished) report for a period as the scheduler last
    computed it (`flask reports refresh-live`): at a city's size a unit of 100,000 members
    takes seconds to count, so its page reads this and says when it was counted. Each run
    rewrites it a unit at a time, each unit committed as it is done; a cache of
    `reports.assemble.report`, never a record, so it holds no foreign keys."""

    __tablename__ = "report_live"
    __table_args__ = (sa.UniqueConstraint("scope_kind", "scope_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_kind: Mapped[str] = mapped_column(sa.String(20))
    scope_id: Mapped[int]
    period: Mapped[str] = mapped_column(sa.String(10))
    content: Mapped[dict] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProtectedBlock(db.Model):
    """What the protection decided for a block (a unit's year, or an agency's year with every
    department in it): which of its figures are hidden, and which of those read "fewer than N".
    Kept so that a block whose inputs have not changed is not protected again: it is used only
    while `inputs_hash` (the SHA-256 of the block's exact figures, the snapshots published in
    it, the minimum, the periods still to come, the departments' tree and the protection's own
    code) is that of the block as counted now. A cache, never a record: no foreign keys."""

    __tablename__ = "report_block"
    __table_args__ = (sa.UniqueConstraint("scope_kind", "scope_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_kind: Mapped[str] = mapped_column(sa.String(20))
    scope_id: Mapped[int]
    year: Mapped[int]
    inputs_hash: Mapped[str] = mapped_column(sa.String(64))
    # zlib-compressed JSON: [[scope, period, table, row, column, small], ...] of hidden figures.
    hidden: Mapped[bytes] = mapped_column(sa.LargeBinary)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditedYear(db.Model):
    """A year of what a reader opens that `flask reports audit` last found nothing in, with the
    SHA-256 of every figure of that year as the reader saw it and the relations among them:
    while they hash the same, the audit's verdict on that year cannot differ."""

    __tablename__ = "report_audited_year"
    __table_args__ = (sa.UniqueConstraint("reader", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reader: Mapped[str] = mapped_column(sa.String(40))
    year: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


@event.listens_for(ReportSnapshot, "before_update")
def _snapshot_never_changes(mapper, connection, target):
    raise RuntimeError("a published report never changes; publish another period instead")


@event.listens_for(ReportSnapshot, "before_delete")
def _snapshot_is_kept(mapper, connection, target):
    raise RuntimeError("a published report is kept for good")
