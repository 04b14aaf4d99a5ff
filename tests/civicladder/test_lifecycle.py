"""The lifecycle helper: legal moves are written with their audit event; others are refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from civicladder.db import db, enum_column
from civicladder.enums import LabelledEnum
from civicladder.errors import Conflict, Invalid
from civicladder.lifecycle import Lifecycle, move
from civicladder.models import AuditEvent


class Stage(LabelledEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


PROBE = Lifecycle(
    "probe",
    {
        Stage.DRAFT: {Stage.OPEN, Stage.CANCELLED},
        Stage.OPEN: {Stage.CLOSED, Stage.CANCELLED},
    },
    reason_required={Stage.CANCELLED},
)


class ProbeBase(DeclarativeBase):
    """Its own metadata: the probe table exists only inside these tests' transactions."""


class Probe(ProbeBase):
    __tablename__ = "lifecycle_probe"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[Stage] = mapped_column(enum_column(Stage, "stage"), default=Stage.DRAFT)


@pytest.fixture
def probe(_transaction):
    ProbeBase.metadata.create_all(_transaction.connection())
    row = Probe(status=Stage.DRAFT)
    db.session.add(row)
    db.session.flush()
    return row


def _events(probe_id: int) -> list[tuple]:
    return db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.before, AuditEvent.after, AuditEvent.reason)
        .where(AuditEvent.object_type == "Probe", AuditEvent.object_id == str(probe_id))
        .order_by(AuditEvent.id)
    ).all()


def _stored_status(probe_id: int) -> str:
    return db.session.execute(
        sa.text("SELECT status FROM lifecycle_probe WHERE id = :id"), {"id": probe_id}
    ).scalar_one()


def test_a_legal_move_changes_the_row_and_records_who_and_why(app_ctx, probe, make_user):
    hr = make_user()
    move(PROBE, probe, Stage.OPEN, hr, reason=" ready ")
    assert probe.status is Stage.OPEN
    assert _stored_status(probe.id) == "open"
    assert _events(probe.id) == [("probe.open", {"status": "draft"}, {"status": "open"}, "ready")]


def test_an_illegal_move_is_a_conflict_and_writes_nothing(app_ctx, probe, make_user):
    with pytest.raises(Conflict, match="cannot go from draft to closed"):
        move(PROBE, probe, Stage.CLOSED, make_user())
    assert _stored_status(probe.id) == "draft" and _events(probe.id) == []


def test_a_final_state_allows_no_move(app_ctx, probe, make_user):
    actor = make_user()
    move(PROBE, probe, Stage.CANCELLED, actor, reason="budget withdrawn")
    assert PROBE.is_final(Stage.CANCELLED)
    with pytest.raises(Conflict):
        move(PROBE, probe, Stage.OPEN, actor)


def test_moving_to_the_same_state_is_a_conflict(app_ctx, probe, make_user):
    with pytest.raises(Conflict, match="already draft"):
        move(PROBE, probe, Stage.DRAFT, make_user())


def test_a_stale_move_is_refused_when_someone_moved_the_row_meanwhile(app_ctx, probe, make_user):
    actor = make_user()
    assert probe.status is Stage.DRAFT  # read by this request
    # Another request opens it after this one read the row.
    db.session.execute(
        sa.text("UPDATE lifecycle_probe SET status = 'open' WHERE id = :id"), {"id": probe.id}
    )
    with pytest.raises(Conflict, match="Someone else changed this"):
        move(PROBE, probe, Stage.CANCELLED, actor, reason="duplicate")
    assert _stored_status(probe.id) == "open" and _events(probe.id) == []


def test_moves_that_need_a_reason_refuse_a_blank_one(app_ctx, probe, make_user):
    with pytest.raises(Invalid, match="reason"):
        move(PROBE, probe, Stage.CANCELLED, make_user(), reason="   ")
    assert _stored_status(probe.id) == "draft"


def test_the_table_answers_what_can_happen_next():
    assert PROBE.next_states(Stage.DRAFT) == {Stage.OPEN, Stage.CANCELLED}
    assert PROBE.can_move(Stage.OPEN, Stage.CLOSED) and not PROBE.can_move(Stage.CLOSED, Stage.OPEN)
