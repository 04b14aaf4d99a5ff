"""Where an employee stands against their job, and the evidence form's confirmation step."""

import re
from datetime import date, timedelta

import sqlalchemy as sa

from civicladder import clock
from civicladder.access import Role
from competencies import standing
from competencies.models import CompetencyEvidence


def _count(session) -> int:
    return session.scalar(sa.select(sa.func.count(CompetencyEvidence.id)))


def test_standing_lists_every_requirement_met_below_expired_or_not_shown(
    app_ctx, people, competencies
):
    today = clock.today()
    met, below, lapsed, unshown, extra = (competencies.competency() for _ in range(5))
    job = competencies.job_profile([(met, 2, 1), (below, 3, 1), (lapsed, 2, 1), (unshown, 1, 1)])
    person = people.employee(job_profile=job)
    competencies.evidence(person, met, 3, expires_on=today + timedelta(days=20))
    competencies.evidence(person, met, 2, expires_on=today + timedelta(days=40))
    competencies.evidence(person, below, 2)
    competencies.evidence(person, lapsed, 4, expires_on=today - timedelta(days=1))
    competencies.evidence(person, lapsed, 1)
    competencies.evidence(person, extra, 5)

    result = standing.employee_standing(person.id, job.id)

    states = {s.competency.id: s.state for s in result.required}
    assert states == {
        met.id: standing.MET,
        below.id: standing.BELOW,
        lapsed.id: standing.EXPIRED,
        unshown.id: standing.MISSING,
    }
    assert result.met == 1
    by_id = {s.competency.id: s for s in result.required}
    # The job needs level 2: the level-2 record keeps it met for 40 days, not the level-3 one.
    assert by_id[met.id].level == 3
    assert by_id[met.id].counts_until == today + timedelta(days=40)
    assert by_id[lapsed.id].level == 1
    assert [s.competency.id for s in result.others] == [extra.id]
    assert result.others[0].counts_until is None
    assert [s.competency.id for s in result.expiring] == [met.id]


def test_open_ended_evidence_never_expires_soon(app_ctx, people, competencies):
    skill = competencies.competency()
    job = competencies.job_profile([(skill, 2, 1)])
    person = people.employee(job_profile=job)
    competencies.evidence(person, skill, 2, expires_on=clock.today() + timedelta(days=5))
    competencies.evidence(person, skill, 3)
    [row] = standing.employee_standing(person.id, job.id).required
    assert row.counts_until is None and not row.expires_soon


def test_employee_home_query_count_does_not_grow_with_evidence(
    client_as, people, competencies, count_queries
):
    skills = [competencies.competency() for _ in range(6)]
    job = competencies.job_profile([(s, 2, 1) for s in skills])
    person, user = people.employee_user(job_profile=job)
    client = client_as(user)
    competencies.evidence(person, skills[0], 2)
    with count_queries() as small:
        assert client.get("/").status_code == 200
    for s in skills:
        for level in (1, 2, 3):
            competencies.evidence(person, s, level, expires_on=date(2099, 1, 1))
    with count_queries() as large:
        assert client.get("/").status_code == 200
    assert len(large) == len(small)


# --- the evidence form --------------------------------------------------------------------


def test_evidence_form_starts_empty_with_the_job_competencies_first(
    client_as, people, competencies
):
    other = competencies.competency(code="AAA-1", name="Archiving")
    needed = competencies.competency(code="ZZZ-1", name="Zoning")
    job = competencies.job_profile([(needed, 3, 1)], title="Inspector")
    person = people.employee(job_profile=job)
    page = client_as(Role.HR).get(f"/people/{person.id}/evidence/new").text
    competency_select = page.split('id="competency_id"', 1)[1].split("</select>", 1)[0]
    level_select = page.split('id="level"', 1)[1].split("</select>", 1)[0]
    assert "selected" not in competency_select
    assert re.findall(r"<option[^>]*selected[^>]*>", level_select) == ['<option selected value="">']
    assert page.index("Zoning (ZZZ-1)") < page.index("Archiving (AAA-1)")
    assert 'label="Needed for Inspector"' in page
    assert other.name in page


def test_evidence_form_refuses_the_blank_choices(client_as, people, _transaction):
    person = people.employee()
    response = client_as(Role.HR).post(
        f"/people/{person.id}/evidence/new",
        data={"competency_id": "", "level": "", "observed_on": "2025-01-01", "note": "Seen"},
    )
    assert response.status_code == 422
    text = response.text
    assert text.index("Choose the competency that was shown.") < text.index(
        "Choose the level that was shown."
    )
    assert _count(_transaction) == 0


def test_evidence_form_says_an_impossible_date_is_not_a_real_date(client_as, people, competencies):
    person = people.employee()
    skill = competencies.competency()
    response = client_as(Role.HR).post(
        f"/people/{person.id}/evidence/new",
        data={"competency_id": skill.id, "level": 2, "observed_on": "2026-02-30", "note": "x"},
    )
    assert response.status_code == 422
    assert "2026-02-30 is not a real date." in response.text


def test_evidence_is_not_recorded_without_the_confirmation(
    client_as, people, competencies, _transaction
):
    person = people.employee()
    skill = competencies.competency(name="Safety")
    client = client_as(Role.HR)
    data = {"competency_id": skill.id, "level": 3, "observed_on": "2025-03-01", "note": "Drill"}
    check = client.post(f"/people/{person.id}/evidence/new", data=data)
    assert check.status_code == 200
    assert "Check the evidence before recording it" in check.text
    assert "3 Practitioner" in check.text and "Behaviour at level 3" in check.text
    assert _count(_transaction) == 0
    changed = client.post(
        f"/people/{person.id}/evidence/new", data={**data, "confirmed": "yes", "change": "1"}
    )
    assert changed.status_code == 200 and 'name="note"' in changed.text
    assert _count(_transaction) == 0
    done = client.post(f"/people/{person.id}/evidence/new", data={**data, "confirmed": "yes"})
    assert done.status_code == 302
    assert _count(_transaction) == 1


def test_evidence_form_takes_spaces_as_no_date(client_as, people, competencies):
    person = people.employee()
    skill = competencies.competency()
    response = client_as(Role.HR).post(
        f"/people/{person.id}/evidence/new",
        data={"competency_id": skill.id, "level": 2, "observed_on": "   ", "note": "x"},
    )
    assert response.status_code == 422
    assert "Enter the date it was shown." in response.text


# --- the job profile form -------------------------------------------------------------------


def test_new_job_profile_form_shows_one_row_and_adds_rows_on_request(client_as, competencies):
    skill = competencies.competency()
    client = client_as(Role.HR)
    page = client.get("/job-profiles/new").text
    assert "requirements-0-competency_id" in page and "requirements-1-" not in page
    data = {
        "code": "PE-1",
        "title": "Permit Examiner",
        "requirements-0-competency_id": skill.id,
        "requirements-0-min_level": 3,
        "requirements-0-weight": 40,
        "add_row": "1",
    }
    added = client.post("/job-profiles/new", data=data)
    assert added.status_code == 200
    assert "requirements-1-competency_id" in added.text and "requirements-2-" not in added.text
    assert 'id="weight-total" aria-live="polite">40<' in added.text


def test_add_row_saves_nothing(client_as, competencies, _transaction):
    from people.models import JobProfile

    client_as(Role.HR).post(
        "/job-profiles/new", data={"code": "PE-9", "title": "Examiner", "add_row": "1"}
    )
    assert _transaction.scalar(sa.select(JobProfile).where(JobProfile.code == "PE-9")) is None


def test_competency_form_starts_on_choose_and_asks_for_a_category(client_as, competencies):
    competencies.category(name="Service")
    client = client_as(Role.HR)
    assert '<option selected value="">Choose…</option>' in client.get("/competencies/new").text
    response = client.post("/competencies/new", data={"code": "X-1", "name": "X"})
    assert response.status_code == 422
    assert "Choose a category." in response.text
