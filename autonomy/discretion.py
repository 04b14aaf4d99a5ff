"""The discretion check: may this person act alone under this item (for this amount) now?

Other city systems (311, permits, inspections) ask at the moment of work, through the API. The
answer comes from the level the person holds (an active grant, under the definition it was
made under): allowed when the level lists the item and the amount is within its limit. A level
flagged for review still allows, with the flag said, since nothing is taken away silently; a
lowered or superseded level allows nothing. One statement reads everything an answer needs.

Every answer is kept (`DiscretionCheck`) for the outcome-based supervision. Answers are not
written one by one: with Redis they are pushed to a list and a job writes them in batches every
five minutes (`autonomy.discretion-checks`); without Redis (the embedded default) they are
written with the request that gave them, in one statement.
"""

from __future__ import annotations

import functools
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext

from autonomy.models import (
    AutonomyGrant,
    AutonomyLevel,
    AutonomyTrack,
    DiscretionCheck,
    DiscretionItem,
    GrantStatus,
    StoredHeldLevel,
    format_limit,
)
from civicladder import clock
from civicladder.db import db
from civicladder.errors import Invalid, NotFound
from people.models import Employee, EmployeeStatus

# What an answer's outcome code means; the first two allow.
OUTCOMES = {
    "allowed": "The level they hold includes this item.",
    "allowed-under-review": "The level they hold includes this item; it is flagged for review.",
    "over-limit": "The amount is over the item's limit at their level.",
    "not-in-level": "The level they hold does not include this item.",
    "no-level": "They hold no autonomy level.",
    "separated": "They no longer work for the city.",
}
ALLOWING = frozenset({"allowed", "allowed-under-review"})
BUFFER_JOB = "autonomy.discretion-checks"
_BUFFER_KEY = "civicladder:{queue}:discretion-checks"
# Answers written per statement when the buffer is emptied.
BATCH = 5000


@dataclass(frozen=True)
class Answer:
    reference: str
    checked_at: datetime
    employee_number: str
    item_key: str
    amount: Decimal | None
    allowed: bool
    outcome: str
    reason: str
    employee_id: int | None = None
    item: dict | None = None  # key, words, limit, unit
    level: dict | None = None  # id, track, rank, name, version
    grant: dict | None = None  # id, effective_on, review_on, under_review, review_reasons
    caller: str = ""
    caller_id: int | None = None


@dataclass(frozen=True)
class Ask:
    """One question: may the person with this employee number act under this item (for this
    amount)?"""

    employee_number: str
    item_key: str
    amount: Decimal | None = None


@functools.cache
def _statement() -> sa.Select:
    """Each person's active grant with its level, track and stored conditions, and the level's
    items among the keys asked (a row per item found; one row with no item when none is). Built
    once, with the numbers and keys as parameters: building it took longer than running it."""
    grant = sa.orm.aliased(AutonomyGrant)
    return (
        sa.select(
            Employee.employee_number,
            Employee.id.label("employee_id"),
            Employee.status,
            grant.id.label("grant_id"),
            grant.effective_on,
            grant.review_on,
            AutonomyLevel.id.label("level_id"),
            AutonomyLevel.rank,
            AutonomyLevel.name.label("level_name"),
            AutonomyLevel.version,
            AutonomyTrack.name.label("track_name"),
            DiscretionItem.key,
            DiscretionItem.words,
            DiscretionItem.limit_amount,
            DiscretionItem.unit,
            StoredHeldLevel.missing,
            StoredHeldLevel.outcome_reached,
        )
        .select_from(Employee)
        .outerjoin(
            grant,
            sa.and_(grant.employee_id == Employee.id, grant.status == GrantStatus.ACTIVE),
        )
        .outerjoin(AutonomyLevel, AutonomyLevel.id == grant.level_id)
        .outerjoin(AutonomyTrack, AutonomyTrack.id == AutonomyLevel.track_id)
        .outerjoin(
            DiscretionItem,
            sa.and_(
                DiscretionItem.level_id == AutonomyLevel.id,
                DiscretionItem.key.in_(sa.bindparam("keys", expanding=True)),
            ),
        )
        .outerjoin(StoredHeldLevel, StoredHeldLevel.grant_id == grant.id)
        .where(Employee.employee_number.in_(sa.bindparam("numbers", expanding=True)))
    )


def check(
    number: str,
    key: str,
    amount: Decimal | None = None,
    *,
    caller: str = "",
    caller_id: int | None = None,
    today: date | None = None,
) -> Answer:
    """The answer for one person and item (see `check_all`)."""
    return check_all([Ask(number, key, amount)], caller=caller, caller_id=caller_id, today=today)[0]


def check_all(
    asks: list[Ask],
    *,
    caller: str = "",
    caller_id: int | None = None,
    today: date | None = None,
) -> list[Answer]:
    """The answers, in order, read in one statement whatever their number (two when an item is
    not found on anyone's level). Raises NotFound for an employee number nobody has, Invalid for
    an item no level defines (the calling system has a wrong key) or a negative amount."""
    asks = [Ask(a.employee_number.strip(), a.item_key.strip().lower(), a.amount) for a in asks]
    for ask in asks:
        if ask.amount is not None and ask.amount < 0:
            raise Invalid(gettext("An amount is zero or more."), field="amount")
    today = today or clock.today()
    numbers = sorted({ask.employee_number for ask in asks})
    keys = sorted({ask.item_key for ask in asks})
    people: dict[str, tuple] = {}
    items: dict[tuple[str, str], tuple] = {}
    found = db.session.connection().execute(_statement(), {"numbers": numbers, "keys": keys})
    for row in found:
        people.setdefault(row.employee_number, row)
        if row.key is not None:
            items[(row.employee_number, row.key)] = row
    for ask in asks:
        if ask.employee_number not in people:
            raise NotFound(
                gettext("No employee has the number %(number)s.", number=ask.employee_number),
                field="employee",
            )
    unseen = {key for key in keys if not any(k == key for _, k in items)}
    unknown = unseen - _known(unseen)
    if unknown:
        raise Invalid(
            gettext(
                "No autonomy level defines the discretion item %(key)s: check the key.",
                key=sorted(unknown)[0],
            ),
            field="item",
        )
    now = clock.now()
    return [
        _answer_for(
            ask,
            people[ask.employee_number],
            items.get((ask.employee_number, ask.item_key)),
            now,
            today,
            caller,
            caller_id,
        )
        for ask in asks
    ]


def _answer_for(ask: Ask, row, item_row, now, today, caller, caller_id) -> Answer:
    base = {
        "reference": "dc_" + secrets.token_hex(10),
        "checked_at": now,
        "employee_number": ask.employee_number,
        "item_key": ask.item_key,
        "amount": ask.amount,
        "employee_id": row.employee_id,
        "caller": caller,
        "caller_id": caller_id,
    }
    if row.status == EmployeeStatus.SEPARATED:
        return _answer(base, "separated")
    if row.grant_id is None:
        return _answer(base, "no-level")
    reasons = review_reasons(row, today)
    held = {
        "level": {
            "id": row.level_id,
            "track": row.track_name,
            "rank": row.rank,
            "name": row.level_name,
            "version": row.version,
        },
        "grant": {
            "id": row.grant_id,
            "effective_on": row.effective_on,
            "review_on": row.review_on,
            "under_review": bool(reasons),
            "review_reasons": reasons,
        },
    }
    if item_row is None:
        return _answer(base | held, "not-in-level")
    limit, unit = item_row.limit_amount, item_row.unit
    held["item"] = {"key": item_row.key, "words": item_row.words, "limit": limit, "unit": unit}
    if limit is not None and ask.amount is None:
        raise Invalid(
            gettext(
                "At %(number)s's level, %(key)s has a limit (%(limit)s): send the amount.",
                number=ask.employee_number,
                key=item_row.key,
                limit=format_limit(limit, unit),
            ),
            field="amount",
        )
    if limit is not None and ask.amount > limit:
        return _answer(
            base | held,
            "over-limit",
            f"The amount is over the limit of {format_limit(limit, unit)} "
            f"at level {row.rank}, {row.level_name}.",
        )
    return _answer(base | held, "allowed-under-review" if reasons else "allowed")


def review_reasons(row, today: date) -> list[str]:
    """Why a held level is flagged for review, in words (none: it is not): `row` carries the
    grant's review_on and its stored conditions' missing and outcome_reached."""
    reasons = []
    if row.review_on is not None and row.review_on <= today:
        reasons.append(f"its review was due on {row.review_on.isoformat()}")
    if row.missing:
        reasons.append("some of its requirements are no longer met")
    if row.outcome_reached is False:
        reasons.append("its outcome floor is not reached")
    return reasons


def _answer(values: dict, outcome: str, reason: str | None = None) -> Answer:
    return Answer(
        **values, allowed=outcome in ALLOWING, outcome=outcome, reason=reason or OUTCOMES[outcome]
    )


def _known(keys: set[str]) -> set[str]:
    """Which of these keys some level (any version) defines."""
    if not keys:
        return set()
    return set(
        db.session.scalars(
            sa.select(DiscretionItem.key).where(DiscretionItem.key.in_(sorted(keys))).distinct()
        )
    )


# --- keeping the answers ------------------------------------------------------------------------


def _row(answer: Answer) -> dict:
    return {
        "reference": answer.reference,
        "checked_at": answer.checked_at,
        "caller_id": answer.caller_id,
        "caller": answer.caller[:120],
        "employee_id": answer.employee_id,
        "employee_number": answer.employee_number[:40],
        "item_key": answer.item_key[:60],
        "amount": answer.amount,
        "allowed": answer.allowed,
        "outcome": answer.outcome,
        "grant_id": (answer.grant or {}).get("id"),
        "level_id": (answer.level or {}).get("id"),
    }


def keeps_in_request() -> bool:
    """Whether answers are written in the request that gives them (no Redis to buffer them)."""
    return not current_app.config.get("REDIS_URL")


def keep(answers: list[Answer]) -> None:
    """Keep these answers for the supervision: pushed to Redis for the next batch when it is
    configured, otherwise written in the caller's transaction."""
    if not answers:
        return
    redis = _redis()
    if redis is None:
        db.session.execute(sa.insert(DiscretionCheck), [_row(a) for a in answers])
        return
    redis.rpush(_buffer_key(), *(json.dumps(_row(a), default=str) for a in answers))


def write_buffered(run=None) -> dict:
    """The job: move what the buffer holds into the table, a batch at a time. A batch is read,
    written and committed before it leaves the list, so a worker that dies on the way leaves
    it for the next run, which skips answers already written (their references are unique)."""
    from civicladder import transaction

    redis = _redis()
    if redis is None:
        return {"written": 0}
    key, written = _buffer_key(), 0
    while True:
        taken = redis.lrange(key, 0, BATCH - 1)
        if not taken:
            break
        rows = {row["reference"]: row for row in (_parsed(json.loads(item)) for item in taken)}
        present = set(
            db.session.scalars(
                sa.select(DiscretionCheck.reference).where(
                    DiscretionCheck.reference.in_(list(rows))
                )
            )
        )
        fresh = [row for reference, row in rows.items() if reference not in present]
        if fresh:
            db.session.execute(sa.insert(DiscretionCheck), fresh)
        transaction.commit()
        redis.ltrim(key, len(taken), -1)
        written += len(fresh)
    return {"written": written}


def _parsed(row: dict) -> dict:
    row["checked_at"] = datetime.fromisoformat(row["checked_at"])
    if row["amount"] is not None:
        row["amount"] = Decimal(row["amount"])
    return row


def _buffer_key() -> str:
    return _BUFFER_KEY.format(queue=current_app.config["JOBS_QUEUE"])


def _redis():
    if not current_app.config.get("REDIS_URL"):
        return None
    from civicladder import jobs

    return jobs.redis_connection()
