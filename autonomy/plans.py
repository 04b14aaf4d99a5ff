"""Learning plans: the academy's courses that close the gap to a person's next autonomy level,
each with its next session, prerequisites first. Autonomy reads the academy, never the reverse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from academy.models import Course, CourseCoursePrerequisite, CourseOutcome, CourseSession
from autonomy import queries
from civicladder import clock
from civicladder.db import db

PLAN_COURSES = 6  # a plan a person can act on, not the whole catalog


@dataclass(frozen=True)
class PlanStep:
    course: Course
    closes: list[int]  # competency ids of the gap this course closes
    next_session: datetime | None


def learning_plan(standing: queries.Standing | None) -> list[PlanStep]:
    """Courses whose outcomes reach a missing competency at the level the next level asks,
    those closing most first, then put in prerequisite order (three queries)."""
    if standing is None or standing.gap is None or not standing.gap.missing:
        return []
    needed = {cid: level for cid, level, _ in standing.gap.missing}
    closes = _closing(needed, _outcomes(set(needed)))
    chosen = sorted(closes, key=lambda cid: (-len(closes[cid]), cid))[:PLAN_COURSES]
    if not chosen:
        return []
    courses = {c.id: c for c in db.session.scalars(sa.select(Course).where(Course.id.in_(chosen)))}
    before = db.session.execute(
        sa.select(
            CourseCoursePrerequisite.course_id, CourseCoursePrerequisite.required_course_id
        ).where(CourseCoursePrerequisite.course_id.in_(chosen))
    ).all()
    upcoming = dict(
        db.session.execute(
            sa.select(CourseSession.course_id, sa.func.min(CourseSession.starts_at))
            .where(
                CourseSession.course_id.in_(chosen),
                CourseSession.starts_at > clock.now(),
                CourseSession.cancelled_at.is_(None),
            )
            .group_by(CourseSession.course_id)
        ).all()
    )
    return [
        PlanStep(courses[cid], sorted(closes[cid]), upcoming.get(cid))
        for cid in prerequisite_order(chosen, before)
    ]


def courses_closing(
    needs: dict[int, dict[int, int]], per_person: int = 3
) -> dict[int, list[Course]]:
    """For several people at once (person -> {competency id: level needed}), the courses that
    close most of each one's needs, at most `per_person` each, by title among equals (two
    queries whatever the number of people)."""
    wanted = {cid for needed in needs.values() for cid in needed}
    if not wanted:
        return {}
    outcomes = _outcomes(wanted)
    chosen: dict[int, list[int]] = {}
    for person, needed in needs.items():
        closes = _closing(needed, outcomes)
        chosen[person] = sorted(closes, key=lambda cid: (-len(closes[cid]), cid))[:per_person]
    ids = {cid for found in chosen.values() for cid in found}
    courses = {c.id: c for c in db.session.scalars(sa.select(Course).where(Course.id.in_(ids)))}
    return {person: [courses[cid] for cid in found] for person, found in chosen.items() if found}


def _outcomes(competency_ids: set[int]) -> list[tuple[int, int, int]]:
    """(course id, competency id, level granted) of every course outcome on these competencies."""
    return db.session.execute(
        sa.select(CourseOutcome.course_id, CourseOutcome.competency_id, CourseOutcome.level).where(
            CourseOutcome.competency_id.in_(competency_ids)
        )
    ).all()


def _closing(needed: dict[int, int], outcomes) -> dict[int, list[int]]:
    """Course id -> the needed competencies its outcomes reach at the level needed."""
    closes: dict[int, list[int]] = {}
    for course_id, competency_id, level in outcomes:
        if competency_id in needed and level >= needed[competency_id]:
            closes.setdefault(course_id, []).append(competency_id)
    return closes


def prerequisite_order(course_ids: list[int], requires: list[tuple[int, int]]) -> list[int]:
    """The courses with each one's prerequisites (among them) before it, otherwise in the
    given order; a cycle, which the academy refuses anyway, leaves the rest as given."""
    wanted = set(course_ids)
    needs = {cid: [r for c, r in requires if c == cid and r in wanted] for cid in course_ids}
    placed: list[int] = []
    visiting: set[int] = set()

    def place(cid: int) -> None:
        if cid in placed or cid in visiting:
            return
        visiting.add(cid)
        for required in needs[cid]:
            place(required)
        visiting.discard(cid)
        placed.append(cid)

    for cid in course_ids:
        place(cid)
    return placed
