"""Protection decisions kept between runs, so a block whose figures have not changed is not
protected again: by the audit, `flask reports refresh-live` and every report page.

A kept decision is the list of a block's hidden figures (and which of them read "fewer than
N"); nothing it keeps is a figure a reader does not see. It is used only while the block,
counted now, has the inputs it was decided from, to the byte: the SHA-256 of its exact
figures, the snapshots published in it, the minimum, which of its periods are still to come,
the departments' tree and the source of the protection's code. The protection is a function of
exactly these, so any recorded change that moves a figure of the block (evidence, an
enrolment, a grant, a membership, a hire) or publishes one of its periods gives another hash
and the block is protected anew; a change that moves none of its figures leaves the decision
what protecting again would give.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import sqlalchemy as sa

from civicladder import clock
from civicladder.db import db
from reports.disclosure import COUNT, Cell, Key, is_small
from reports.models import ProtectedBlock


class Kept(dict):
    """A cache of counted blocks (`protection.block`) whose new decisions are also stored."""


def _code_version() -> str:
    """The protection's own source: a change to how blocks are protected makes every kept
    decision stale."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in ("cells.py", "disclosure.py", "protection.py", "kept.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


CODE_VERSION = _code_version()


def inputs_hash(
    contents: dict[tuple[str, str], dict],
    frozen: dict[tuple[str, str], dict],
    smallest: int,
    to_come: list[str],
    below: dict[str, list[str]],
) -> str:
    """The SHA-256 of everything a block's protection is decided from."""
    inputs = {
        "code": CODE_VERSION,
        "minimum": smallest,
        "to_come": sorted(to_come),
        "below": {k: list(v) for k, v in sorted(below.items())},
        "contents": [[list(k), contents[k]] for k in sorted(contents)],
        "frozen": [[list(k), frozen[k]] for k in sorted(frozen)],
    }
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored(kind: str, scope_id: int, year: int, inputs: str) -> dict[Key, bool] | None:
    """The kept decision of the block, when it was decided from these inputs: each hidden
    figure, and whether it reads "fewer than N"."""
    row = db.session.scalar(
        sa.select(ProtectedBlock.hidden).where(
            ProtectedBlock.scope_kind == kind,
            ProtectedBlock.scope_id == scope_id,
            ProtectedBlock.year == year,
            ProtectedBlock.inputs_hash == inputs,
        )
    )
    if row is None:
        return None
    return {tuple(item[:5]): bool(item[5]) for item in json.loads(zlib.decompress(row))}


def store(kind: str, scope_id: int, year: int, inputs: str, found: dict[Key, Cell]) -> None:
    """Keep the block's decision, replacing any decided from other inputs."""
    hidden = sorted([*key, int(cell.small)] for key, cell in found.items() if _kept(cell))
    packed = zlib.compress(json.dumps(hidden, separators=(",", ":")).encode("utf-8"))
    where = (
        ProtectedBlock.scope_kind == kind,
        ProtectedBlock.scope_id == scope_id,
        ProtectedBlock.year == year,
    )
    db.session.execute(sa.delete(ProtectedBlock).where(*where))
    db.session.add(
        ProtectedBlock(
            scope_kind=kind,
            scope_id=scope_id,
            year=year,
            inputs_hash=inputs,
            hidden=packed,
            decided_at=clock.now(),
        )
    )
    db.session.flush()


def _kept(cell: Cell) -> bool:
    """A figure some report prints and the protection hid (the never-printed ones are hidden
    always)."""
    return not cell.implicit and not cell.shown


def apply(found: dict[Key, Cell], hidden: dict[Key, bool], minimum: int) -> None:
    """Set each figure as the kept decision shows it (a never-printed one as protecting
    marks it)."""
    for key, cell in found.items():
        if cell.implicit:
            cell.shown = False
            cell.small = cell.kind == COUNT and is_small(cell.value, minimum)
            continue
        cell.shown = key not in hidden
        cell.small = hidden.get(key, False)
