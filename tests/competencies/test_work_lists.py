"""HR's and managers' work lists: people below requirements, evidence expiring, no job profile."""

from datetime import timedelta

from civicladder import clock
from civicladder.access import Role


def test_below_requirements_lists_who_falls_short_and_by_how_much(client_as, people, competencies):
    a, b = competencies.competency(), competencies.competency()
    job = competencies.job_profile([(a, 3, 1), (b, 2, 1)])
    short = people.employee(job_profile=job, last_name="Short")
    fine = people.employee(job_profile=job, last_name="Fine")
    competencies.evidence(fine, a, 3)
    competencies.evidence(fine, b, 2)
    competencies.evidence(short, a, 4)
    page = client_as(Role.HR).get("/competencies/below-requirements").text
    row = page.split("Short, ", 1)[1].split("</tr>", 1)[0]
    assert 'data-label="Requirements not met">1<' in row
    assert "Fine, " not in page


def test_a_manager_sees_only_their_line(client_as, people, competencies):
    skill = competencies.competency()
    job = competencies.job_profile([(skill, 2, 1)])
    boss, boss_user = people.employee_user(roles={Role.MANAGER}, job_profile=job, last_name="Boss")
    people.employee(manager=boss, job_profile=job, last_name="Mine")
    people.employee(job_profile=job, last_name="Elsewhere")
    page = client_as(boss_user).get("/competencies/below-requirements").text
    assert "Mine, " in page and "Elsewhere, " not in page and "Boss, " not in page


def test_expiring_lists_evidence_within_sixty_days(client_as, people, competencies):
    person = people.employee(first_name="Ed", last_name="Soon")
    later = people.employee(first_name="Al", last_name="Later")
    skill = competencies.competency(name="First aid")
    today = clock.today()
    competencies.evidence(person, skill, 2, expires_on=today + timedelta(days=30))
    competencies.evidence(later, skill, 2, expires_on=today + timedelta(days=90))
    page = client_as(Role.HR).get("/competencies/expiring").text
    assert "Ed Soon" in page and "Al Later" not in page


def test_hr_home_links_to_people_without_a_job_profile(client_as, people, competencies):
    people.employee(last_name="Jobless")
    people.employee(last_name="Placed", job_profile=competencies.job_profile([]))
    client = client_as(Role.HR)
    home = client.get("/").text
    assert "/people?job_profile=-1" in home and "without a job profile" in home
    listed = client.get("/people?job_profile=-1").text
    assert "Jobless, " in listed and "Placed, " not in listed


def test_work_lists_page_without_counting_the_whole_list(client_as, people, competencies, app):
    skill = competencies.competency()
    job = competencies.job_profile([(skill, 2, 1)])
    for n in range(3):
        people.employee(job_profile=job, last_name=f"Gap{n}")
    app.config["PAGE_SIZE"], size = 2, app.config["PAGE_SIZE"]
    try:
        client = client_as(Role.HR)
        first = client.get("/competencies/below-requirements").text
        assert "Gap0, " in first and "Gap1, " in first and "Gap2, " not in first
        assert 'aria-label="Next page"' in first
        second = client.get("/competencies/below-requirements?page=2").text
        assert "Gap2, " in second and 'aria-label="Next page"' not in second
        assert 'aria-label="Previous page"' in second
    finally:
        app.config["PAGE_SIZE"] = size
