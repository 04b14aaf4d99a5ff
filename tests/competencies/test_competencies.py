"""The framework, job profiles and evidence: rules, services and their pages."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from civicladder import caching, clock
from civicladder.access import Role
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import AuditEvent
from competencies import queries, services
from competencies.models import CompetencyEvidence
from competencies.queries import FRAMEWORK
from competencies.rules import current_level, level_name

FULL_SCALE = {level: f"Does thing at level {level}" for level in range(1, 6)}


def test_current_level_is_the_highest_unexpired():
    today = date(2026, 6, 1)
    evidence = [(2, None), (4, date(2026, 6, 1)), (3, date(2027, 1, 1))]
    assert current_level(evidence, today) == 3  # level 4 expired on the day itself
    assert current_level([], today) is None
    assert level_name(3) == "3 Practitioner"


def test_competency_needs_a_descriptor_at_every_level(app_ctx, make_user, competencies):
    hr = make_user({Role.HR})
    category = competencies.category()
    with pytest.raises(Invalid, match="missing: level 4, 5"):
        services.create_competency(
            hr,
            code="com-1",
            name="Resident communication",
            category_id=category.id,
            description="",
            descriptors={1: "a", 2: "b", 3: "c"},
        )


def test_competency_code_is_unique_and_upper_case(app_ctx, make_user, competencies):
    hr = make_user({Role.HR})
    category = competencies.category()
    first = services.create_competency(
        hr, code="com-1", name="A", category_id=category.id, description="", descriptors=FULL_SCALE
    )
    assert first.code == "COM-1"
    assert [d.level for d in first.descriptors] == [1, 2, 3, 4, 5]
    with pytest.raises(Conflict):
        services.create_competency(
            hr,
            code="COM-1",
            name="B",
            category_id=category.id,
            description="",
            descriptors=FULL_SCALE,
        )


def test_update_records_only_what_changed(app_ctx, make_user, competencies, _transaction):
    hr = make_user({Role.HR})
    competency = competencies.competency(code="SAF-1", name="Safety")
    services.update_competency(
        hr,
        competency,
        code="SAF-1",
        name="Site safety",
        category_id=competency.category_id,
        description="",
        descriptors={level: f"Behaviour at level {level}" for level in range(1, 6)} | {5: "New"},
    )
    event = _transaction.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "competency.updated")
    )
    assert event.before == {
        "name": "Safety",
        "descriptors": {
            "1": "Behaviour at level 1",
            "2": "Behaviour at level 2",
            "3": "Behaviour at level 3",
            "4": "Behaviour at level 4",
            "5": "Behaviour at level 5",
        },
    }
    assert event.after["name"] == "Site safety"
    assert event.after["descriptors"]["5"] == "New"


def test_job_profile_requirements_are_checked(app_ctx, make_user, competencies):
    hr = make_user({Role.HR})
    skill = competencies.competency()
    with pytest.raises(Invalid, match="at least one"):
        services.save_job_profile(hr, None, code="X", title="X", description="", requirements=[])
    with pytest.raises(Invalid, match="only once"):
        services.save_job_profile(
            hr, None, code="X", title="X", description="", requirements=[(skill.id, 2, 1)] * 2
        )
    with pytest.raises(Invalid, match="does not exist"):
        services.save_job_profile(
            hr, None, code="X", title="X", description="", requirements=[(999999, 2, 1)]
        )


def test_job_profile_edit_replaces_requirements(app_ctx, make_user, competencies, _transaction):
    hr = make_user({Role.HR})
    a, b = competencies.competency(), competencies.competency()
    profile = services.save_job_profile(
        hr, None, code="insp", title="Inspector", description="", requirements=[(a.id, 2, 3)]
    )
    services.save_job_profile(
        hr, profile, code="INSP", title="Inspector", description="", requirements=[(b.id, 4, 5)]
    )
    assert [
        (r.competency_id, r.min_level, r.weight)
        for r in queries.requirements_by_profile([profile.id])[profile.id]
    ] == [(b.id, 4, 5)]
    actions = _transaction.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "JobProfile")
    ).all()
    assert actions == ["job_profile.created", "job_profile.updated"]


def test_only_hr_maintains_the_framework(app_ctx, make_user, competencies):
    manager = make_user({Role.MANAGER})
    with pytest.raises(Forbidden):
        services.create_category(manager, "Leadership")


def test_evidence_derives_the_current_level(app_ctx, make_user, people, competencies):
    hr = make_user({Role.HR})
    person = people.employee()
    skill = competencies.competency()
    today = clock.today()
    services.record_evidence(
        hr,
        person,
        skill,
        level=4,
        observed_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=1),
    )
    services.record_evidence(hr, person, skill, level=2, observed_on=today - timedelta(days=30))
    [row] = queries.current_levels(person.id)
    assert row.level == 2  # the expired level 4 no longer counts


def test_evidence_is_append_only(app_ctx, make_user, people, competencies, _transaction):
    hr = make_user({Role.HR})
    evidence = services.record_evidence(
        hr, people.employee(), competencies.competency(), level=3, observed_on=date(2025, 5, 1)
    )
    evidence.level = 5
    with pytest.raises(RuntimeError, match="append-only"):
        _transaction.flush()
    _transaction.rollback()


def test_evidence_dates_are_checked(app_ctx, make_user, people, competencies):
    hr = make_user({Role.HR})
    person, skill = people.employee(), competencies.competency()
    with pytest.raises(Invalid, match="future"):
        services.record_evidence(
            hr, person, skill, level=3, observed_on=clock.today() + timedelta(days=1)
        )
    with pytest.raises(Invalid, match="after the date shown"):
        services.record_evidence(
            hr, person, skill, level=3, observed_on=date(2025, 1, 1), expires_on=date(2024, 1, 1)
        )


def test_manager_records_evidence_for_their_line_only(app_ctx, people, competencies):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    report = people.employee(manager=boss)
    stranger = people.employee()
    skill = competencies.competency()
    services.record_evidence(boss_user, report, skill, level=3, observed_on=date(2025, 1, 1))
    with pytest.raises(Forbidden):
        services.record_evidence(boss_user, stranger, skill, level=3, observed_on=date(2025, 1, 1))
    with pytest.raises(Forbidden):
        services.record_evidence(boss_user, boss, skill, level=5, observed_on=date(2025, 1, 1))


def test_recording_evidence_tells_the_employee(app_ctx, make_user, people, competencies):
    from civicladder import notify

    hr = make_user({Role.HR})
    person, person_user = people.employee_user()
    skill = competencies.competency(name="De-escalation")
    services.record_evidence(hr, person, skill, level=3, observed_on=date(2025, 1, 1))
    [notice] = notify.unread_for(person_user)
    assert notice.subject == "New competency evidence: De-escalation"
    assert notice.link == f"/people/{person.id}"


# --- pages ---------------------------------------------------------------------------------


def test_hr_adds_a_competency_through_the_form(client_as, competencies, _transaction):
    category = competencies.category(name="Service")
    client = client_as("hr")
    data = {"code": "SRV-9", "name": "Plain language", "category_id": category.id}
    data |= {f"level_{n}": f"Level {n} behaviour" for n in range(1, 6)}
    response = client.post("/competencies/new", data=data)
    assert response.status_code == 302
    assert "Plain language (SRV-9)" in client.get("/competencies").text


def test_competency_form_reports_missing_descriptors(client_as, competencies):
    category = competencies.category()
    response = client_as("hr").post(
        "/competencies/new",
        data={"code": "X-1", "name": "X", "category_id": category.id, "level_1": "only one"},
    )
    assert response.status_code == 422
    assert "Describe the behaviour at every step of the scale" in response.text


def test_competency_form_rejects_unknown_category(client_as):
    response = client_as("hr").post(
        "/competencies/new", data={"code": "X-1", "name": "X", "category_id": "999"}
    )
    assert response.status_code == 422


def test_job_profile_form_round_trip(client_as, competencies):
    a, b = competencies.competency(), competencies.competency()
    client = client_as("hr")
    data = {
        "code": "PE-1",
        "title": "Permit Examiner",
        "requirements-0-competency_id": a.id,
        "requirements-0-min_level": 3,
        "requirements-0-weight": 40,
        "requirements-1-competency_id": b.id,
        "requirements-1-min_level": 2,
        "requirements-1-weight": 10,
        "requirements-2-competency_id": 0,
        "requirements-2-min_level": 2,
    }
    assert client.post("/job-profiles/new", data=data).status_code == 302
    page = client.get("/job-profiles").text
    assert "Permit Examiner" in page and "3 Practitioner" in page


def test_job_profile_form_rejects_bad_weight(client_as, competencies):
    skill = competencies.competency()
    response = client_as("hr").post(
        "/job-profiles/new",
        data={
            "code": "PE-2",
            "title": "X",
            "requirements-0-competency_id": skill.id,
            "requirements-0-min_level": 3,
            "requirements-0-weight": 500,
        },
    )
    assert response.status_code == 422
    assert "A weight is a whole number from 1 to 100." in response.text


def test_evidence_form_records_and_shows_on_profile(client_as, people, competencies):
    person = people.employee()
    skill = competencies.competency(code="DEE-1", name="De-escalation")
    client = client_as("hr")
    response = client.post(
        f"/people/{person.id}/evidence/new",
        data={
            "competency_id": skill.id,
            "level": 4,
            "observed_on": "2025-03-01",
            "note": "Calmed a crowded hearing",
            "confirmed": "yes",
        },
    )
    assert response.status_code == 302
    profile = client.get(f"/people/{person.id}").text
    assert "De-escalation</a>" in profile and "4 Advanced" in profile
    assert "Calmed a crowded hearing" in profile


def test_evidence_form_refuses_a_future_date_with_a_message(client_as, people, competencies):
    person = people.employee()
    skill = competencies.competency()
    future = (clock.today() + timedelta(days=3)).isoformat()
    response = client_as("hr").post(
        f"/people/{person.id}/evidence/new",
        data={"competency_id": skill.id, "level": 2, "observed_on": future, "note": "x"},
    )
    assert response.status_code == 422
    assert "cannot be in the future" in response.text


def test_employee_home_shows_levels_gaps_and_history(client_as, people, competencies):
    a = competencies.competency(code="A-1", name="Alpha")
    b = competencies.competency(code="B-1", name="Bravo")
    job = competencies.job_profile([(a, 3, 2), (b, 2, 1)], title="Clerk")
    person, user = people.employee_user(job_profile=job)
    competencies.evidence(person, a, 4)
    page = client_as(user).get("/").text
    assert "1 of 2 requirements met" in page
    assert f'href="/competencies/{a.id}">Alpha</a>' in page and "4 Advanced" in page
    bravo = page.split(f'href="/competencies/{b.id}">Bravo</a>', 1)[1].split("</tr>", 1)[0]
    assert "2 Working" in bravo and "Not shown" in bravo


def test_evidence_rows_cannot_be_counted_twice_in_levels(
    app_ctx, people, competencies, _transaction
):
    person = people.employee()
    skill = competencies.competency()
    for level in (1, 3, 2):
        competencies.evidence(person, skill, level)
    [row] = queries.current_levels(person.id)
    assert row.level == 3
    assert _transaction.scalar(sa.select(sa.func.count(CompetencyEvidence.id))) == 3


def test_hr_renames_a_category(client_as, competencies, _transaction):
    category = competencies.category(name="Old name")
    other = competencies.category(name="Taken")
    client = client_as("hr")
    url = f"/competencies/categories/{category.id}/edit"
    clash = client.post(url, data={"name": other.name})
    assert clash.status_code == 422
    assert "There is already a category called Taken." in clash.text
    assert client.post(url, data={"name": "New name"}).status_code == 302
    event = _transaction.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "competency_category.updated")
    )
    assert event.before == {"name": "Old name"} and event.after == {"name": "New name"}


def _counts(client, url, grow, count_queries) -> list[int]:
    counts = []
    for size in (2, 12):
        grow(size)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    return counts


def test_framework_page_query_count_does_not_grow(client_as, competencies, count_queries):
    def grow(n):
        for _ in range(n):
            competencies.competency(category_=competencies.category())
        caching.bump(FRAMEWORK)  # as the services do: the page is rendered afresh

    counts = _counts(client_as("hr"), "/competencies", grow, count_queries)
    assert counts[0] == counts[1]


def test_job_profiles_page_query_count_does_not_grow(client_as, competencies, count_queries):
    def grow(n):
        for _ in range(n):
            skills = [competencies.competency() for _ in range(3)]
            competencies.job_profile([(skill, 2, 10) for skill in skills])

    counts = _counts(client_as("hr"), "/job-profiles", grow, count_queries)
    assert counts[0] == counts[1]


def test_recording_evidence_announces_it_to_the_packages_above(
    app_ctx, make_user, people, competencies
):
    from competencies import signals

    hr, person, skill = make_user({Role.HR}), people.employee(), competencies.competency()
    heard = []

    def receiver(sender, evidence):
        heard.append((sender, [(e.employee_id, e.competency_id, e.level) for e in evidence]))

    signals.evidence_recorded.connect(receiver)
    try:
        services.record_evidence(hr, person, skill, level=3, observed_on=date(2025, 5, 1))
    finally:
        signals.evidence_recorded.disconnect(receiver)
    assert heard == [(hr, [(person.id, skill.id, 3)])]


def test_hr_cannot_record_evidence_for_themselves(app_ctx, people, competencies):
    me, me_user = people.employee_user(roles={Role.HR})
    skill = competencies.competency()
    assert services.may_validate(me_user, me) is False
    with pytest.raises(Forbidden, match="own competencies"):
        services.record_evidence(me_user, me, skill, level=5, observed_on=date(2025, 1, 1))
    assert services.may_validate(me_user, people.employee()) is True


def test_evidence_page_refuses_hr_recording_their_own_with_a_message(
    client_as, people, competencies
):
    me, me_user = people.employee_user(roles={Role.HR})
    skill = competencies.competency()
    client = client_as(me_user)
    assert client.get(f"/people/{me.id}/evidence/new").status_code == 403
    response = client.post(
        f"/people/{me.id}/evidence/new",
        data={"competency_id": skill.id, "level": 5, "observed_on": "2025-01-01", "note": "me"},
    )
    assert response.status_code == 403
    assert "You cannot record evidence of your own competencies" in response.text
    assert services.may_validate(me_user, me) is False
