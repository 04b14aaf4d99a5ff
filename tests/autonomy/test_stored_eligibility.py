"""Eligibility stored for the managers' queues: written by the scheduled run, kept current for
each person whose evidence, level or job changes, and read the same as the live computation."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from autonomy import definitions, eligibility, queries, reviewing, services
from autonomy.models import StoredEligibility, StoredHeldLevel
from civicladder.access import Role
from civicladder.db import db
from competencies import services as competency_services
from competencies.models import CompetencyEvidence
from competencies.withdrawal import withdraw_evidence
from people import services as people_services

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def line(people, competencies, autonomy):
    """A manager with two workers on a two-level track: one short of level 1, one ready."""
    skill = competencies.competency()
    profile = competencies.job_profile([(skill, 2, 1)])
    track = autonomy.track(
        [profile], [{"requirements": [(skill, 2)]}, {"requirements": [(skill, 3)]}]
    )
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    short = people.employee(manager=boss, job_profile=profile)
    ready = people.employee(manager=boss, job_profile=profile)
    competencies.evidence(short, skill, 1)
    competencies.evidence(ready, skill, 2)
    yield {
        "skill": skill,
        "profile": profile,
        "track": track,
        "boss": boss_user,
        "short": short,
        "ready": ready,
    }
    queries.forget_stored()


def ready_ids() -> set[int]:
    return {e.id for e in db.session.scalars(queries.ready_statement(None))}


def stored(employee_id: int) -> StoredEligibility | None:
    return db.session.get(StoredEligibility, employee_id)


def test_the_stored_queue_reads_as_the_live_one_until_something_changes(line):
    live = ready_ids()
    assert not queries.stored_eligibility() and live == {line["ready"].id}
    people, held = eligibility.refresh()
    assert (people, held) == (2, 0)
    assert queries.stored_eligibility() and ready_ids() == live
    assert stored(line["short"].id).missing == 1 and not stored(line["short"].id).ready


def test_evidence_recorded_through_the_service_moves_the_person_at_once(line):
    eligibility.refresh()
    short = line["short"]
    competency_services.record_evidence(
        line["boss"], short, line["skill"], level=2, observed_on=date.today()
    )
    assert stored(short.id).ready and short.id in ready_ids()


def test_evidence_withdrawn_through_the_service_moves_the_person_back_at_once(line):
    eligibility.refresh()
    ready = line["ready"]
    evidence = db.session.scalar(
        sa.select(CompetencyEvidence).where(CompetencyEvidence.employee_id == ready.id)
    )
    withdraw_evidence(line["boss"], [evidence], "Recorded for the wrong person.")
    assert not stored(ready.id).ready and ready.id not in ready_ids()


def test_a_level_granted_moves_the_stored_row_to_the_next_level(line):
    eligibility.refresh()
    ready = line["ready"]
    services.propose_grant(line["boss"], ready, line["track"].levels[0])
    row = stored(ready.id)
    assert row.next_level_id == line["track"].levels[1].id and not row.ready
    found = db.session.execute(reviewing.stored_review_statement(date.today())).all()
    assert [r.grant_id for r in found] == []  # a new level is not flagged until it is due


def test_a_change_of_job_or_a_ladder_edit_rewrites_the_people_concerned(line, people, competencies):
    eligibility.refresh()
    short, ready = line["short"], line["ready"]
    other = competencies.job_profile()
    _, hr = people.employee_user(roles={Role.HR})
    people_services.update_employee(
        hr,
        short,
        department=short.department,
        manager=short.manager,
        bargaining_unit=None,
        job_profile_id=other.id,
        status=short.status,
        reason="Moved to another job.",
    )
    assert stored(short.id) is None  # that job is on no track
    level = line["track"].levels[0]
    definitions.save_level(
        None,
        line["track"],
        level,
        definitions.LevelTerms(
            name=level.name,
            discretion=[definitions.ItemTerms(i.words, i.key) for i in level.discretion],
            requirements=[(line["skill"].id, 3)],
        ),
    )
    assert not stored(ready.id).ready and ready.id not in ready_ids()


def test_the_eligibility_command_stores_everyone_and_summarises(line, app):
    result = app.test_cli_runner().invoke(args=["autonomy", "eligibility"])
    assert result.exit_code == 0, result.output
    assert "2 people on a track below its top level" in result.output
    assert "ready       1   not yet       1" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredEligibility)) == 2


def test_the_nightly_run_writes_both_tables_side_by_side_and_commits_them(
    real_commits, people, competencies, autonomy
):
    """Each half on a connection of its own (PostgreSQL): what they commit is what one
    transaction would have written."""
    real = real_commits

    def build():
        skill = competencies.competency()
        profile = competencies.job_profile([(skill, 2, 1)])
        track = autonomy.track(
            [profile], [{"requirements": [(skill, 2)]}, {"requirements": [(skill, 3)]}]
        )
        ready = people.employee(job_profile=profile)
        holder = people.employee(job_profile=profile)
        competencies.evidence(ready, skill, 2)
        competencies.evidence(holder, skill, 1)
        autonomy.grant(holder, track.levels[0])
        return ready.id, holder.id

    ready_id, holder_id = real.run(build)
    counts = real.run(lambda: eligibility.refresh(side_by_side=True))
    assert counts == (2, 1)
    rows = real.run(
        lambda: {
            row.employee_id: (row.ready, row.missing)
            for row in db.session.scalars(sa.select(StoredEligibility))
        }
    )
    assert rows == {ready_id: (True, 0), holder_id: (False, 1)}
    held = real.run(lambda: db.session.scalars(sa.select(StoredHeldLevel.missing)).all())
    assert held == [1]  # the holder's level 1 asks for 2; they show 1
