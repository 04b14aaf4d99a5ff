"""A manager's home: the team grid of people × the competencies their jobs need."""

from datetime import timedelta

from civicladder import clock
from civicladder.access import Role
from competencies import standing


def test_grid_marks_each_cell_met_below_expired_or_not_shown(app_ctx, people, competencies):
    boss = people.employee()
    safety, writing, driving = (competencies.competency() for _ in range(3))
    clerk = competencies.job_profile([(safety, 2, 1), (writing, 3, 1)])
    driver = competencies.job_profile([(driving, 2, 1)])
    ana = people.employee(manager=boss, job_profile=clerk, last_name="Ana")
    ben = people.employee(manager=boss, job_profile=driver, last_name="Ben")
    competencies.evidence(ana, safety, 3)
    competencies.evidence(ana, writing, 2)
    competencies.evidence(ben, driving, 2, expires_on=clock.today() - timedelta(days=3))

    grid = standing.team_grid([ana, ben])

    assert {c.id for c in grid.competencies} == {safety.id, writing.id, driving.id}
    codes = [c.code for c in grid.competencies]
    assert codes == sorted(codes)
    cells = {
        (member.id, cell.competency.id): cell.state
        for member, row in grid.rows
        for cell in row
        if cell is not None
    }
    assert cells == {
        (ana.id, safety.id): standing.MET,
        (ana.id, writing.id): standing.BELOW,
        (ben.id, driving.id): standing.EXPIRED,
    }
    assert grid.totals == {"met": 1, "below": 1, "expired": 1, "missing": 0}


def test_manager_home_shows_the_grid_in_words(client_as, people, competencies):
    boss, boss_user = people.employee_user(roles={Role.MANAGER})
    skill = competencies.competency(name="Safety")
    job = competencies.job_profile([(skill, 3, 1)])
    people.employee(manager=boss, job_profile=job, first_name="Dana", last_name="Ruiz")
    page = client_as(boss_user).get("/").text
    grid = page.split("Your direct reports against their jobs", 1)[1]
    assert "Dana Ruiz" in grid and "Safety</a></th>" in grid
    assert "✕ Not shown" in grid


def test_managers_workforce_count_leaves_the_manager_out(client_as, people):
    boss, boss_user = people.employee_user(roles={Role.MANAGER}, last_name="Boss")
    for n in range(3):
        people.employee(manager=boss, last_name=f"Report{n}")
    page = client_as(boss_user).get("/people").text
    assert "3 in all" in page
    assert "Boss," not in page
