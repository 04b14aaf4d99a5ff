"""Ranking by weighted mean and category, the four-fifths report, offers and hires."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Invalid
from civicladder.models import User
from competencies.models import CompetencyEvidence, EvidenceSource
from hiring import offers, ranking, rules
from hiring.models import ApplicationStatus, RoundStatus
from people import membership
from people.models import Employee

S = ApplicationStatus


@pytest.fixture
def hr(make_user):
    return make_user({Role.HR})


# --- pure rules --------------------------------------------------------------------------------


def test_weighted_mean_and_categories_follow_the_round_thresholds():
    settled = {1: 500, 2: 200}
    assert rules.weighted_mean(settled, {1: 3, 2: 1}) == 425
    thresholds = rules.Thresholds(best=400, well=325, qualified=250)
    assert rules.category(425, thresholds) == rules.Category.BEST
    assert rules.category(400, thresholds) == rules.Category.BEST
    assert rules.category(399, thresholds) == rules.Category.WELL
    assert rules.category(250, thresholds) == rules.Category.QUALIFIED
    assert rules.category(249, thresholds) == rules.Category.NOT


def test_ties_break_on_the_heaviest_competency_then_on_who_applied_first():
    def item(code, mean, top, order, category=rules.Category.WELL):
        return rules.Ranked(0, code, mean, category, top, order)

    ordered = rules.rank(
        [
            item("LATE", 350, 400, 5),
            item("EARLY", 350, 400, 1),
            item("TOPHEAVY", 350, 500, 9),
            item("HIGHER", 360, 100, 9),
            item("BEST", 300, 100, 9, rules.Category.BEST),
        ]
    )
    assert [i.candidate_code for i in ordered] == ["BEST", "HIGHER", "TOPHEAVY", "EARLY", "LATE"]


def test_a_spread_without_consensus_or_third_opinion_is_not_settled():
    assert rules.settled_scores({1: [2, 4]}, {}) is None
    assert rules.settled_scores({1: [2, 4]}, {1: 3}) == {1: 300}
    assert rules.settled_scores({1: [2, 4, 3]}, {}) == {1: 300}
    assert rules.settled_scores({1: [3, 4]}, {}) == {1: 350}


def test_the_four_fifths_rule_flags_low_ratios_and_marks_small_groups():
    rows = {
        r.group: r
        for r in rules.adverse_impact({"A": (10, 8), "B": (10, 5), "C": (4, 0), "D": (10, 7)})
    }
    assert rows["A"].ratio == 1.0 and not rows["A"].flagged
    assert rows["B"].ratio == pytest.approx(0.625) and rows["B"].flagged
    assert rows["D"].ratio == pytest.approx(0.875) and not rows["D"].flagged
    assert rows["C"].too_small and rows["C"].ratio is None and not rows["C"].flagged


# --- the round ---------------------------------------------------------------------------------


def _scored(hiring, hiring_round, status, marks: tuple[int, int], **kwargs):
    application = hiring.application(hiring_round, status, **kwargs)
    c1, c2 = hiring.rubric_ids(hiring_round)
    for judge in hiring.panel(hiring_round):
        hiring.assessment(application, judge, {c1: marks[0], c2: marks[1]})
    return application


def test_the_ranked_list_orders_by_category_and_mean(app_ctx, hiring):
    hiring_round = hiring.round(RoundStatus.ASSESSING)  # weights 3 and 1
    low = _scored(hiring, hiring_round, S.ASSESSED, (2, 2))
    high = _scored(hiring, hiring_round, S.ASSESSED, (5, 1))  # (15 + 1) / 4 = 4.00
    mid = _scored(hiring, hiring_round, S.ASSESSED, (3, 5))  # (9 + 5) / 4 = 3.50
    hiring.application(hiring_round, S.SCREENED_OUT)
    rows = ranking.ranked_list(hiring_round)
    assert [r.application_id for r in rows] == [high.id, mid.id, low.id]
    assert [r.ranked.mean for r in rows] == [400, 350, 200]
    assert [r.ranked.category for r in rows] == [
        rules.Category.BEST,
        rules.Category.WELL,
        rules.Category.NOT,
    ]


def test_ranking_is_refused_while_assessments_are_missing(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.ASSESSING)
    _scored(hiring, hiring_round, S.ASSESSED, (3, 3))
    hiring.application(hiring_round, S.SCREENED_IN)
    with pytest.raises(Conflict, match="1 application"):
        offers.lock_ranking(hr, hiring_round)
    assert hiring_round.status == RoundStatus.ASSESSING


def test_names_are_shown_to_hr_only_once_the_ranking_is_locked(client_as, hiring, hr):
    hiring_round = hiring.round(RoundStatus.ASSESSING)
    application = _scored(hiring, hiring_round, S.ASSESSED, (4, 4), full_name="Yara Okonkwo")
    client = client_as(hr)
    assert "Yara Okonkwo" not in client.get(f"/hiring/rounds/{hiring_round.id}").text
    assert "Yara Okonkwo" not in client.get(f"/hiring/applications/{application.id}").text
    assert "Yara Okonkwo" not in client.get(f"/hiring/rounds/{hiring_round.id}/ranking").text
    moved = client.post(f"/hiring/rounds/{hiring_round.id}/move", data={"to": "ranked"})
    assert moved.status_code == 302
    assert "Yara Okonkwo" in client.get(f"/hiring/rounds/{hiring_round.id}/ranking").text


def test_offers_never_exceed_the_openings(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED, openings=1)
    first = _scored(hiring, hiring_round, S.SHORTLISTED, (4, 4))
    second = _scored(hiring, hiring_round, S.SHORTLISTED, (3, 3))
    offers.make_offer(hr, first)
    with pytest.raises(Conflict, match="opening"):
        offers.make_offer(hr, second)
    offers.record_decline(hr, first, "Took another job")
    offers.make_offer(hr, second)
    assert second.status == S.OFFERED


def test_hiring_an_outside_candidate_creates_the_employee_account_and_evidence(
    app_ctx, hiring, hr, people
):
    people.department("Parks > Forestry")
    hiring_round = hiring.round(RoundStatus.RANKED)
    application = _scored(
        hiring, hiring_round, S.OFFERED, (4, 3), full_name="Ines Marlow", email="ines@example.test"
    )
    employee = offers.hire(
        hr,
        application,
        employee_number="N-100",
        department_path="Parks > Forestry",
        hire_date=date(2026, 12, 1),
    )
    assert application.status == S.HIRED
    assert (employee.first_name, employee.last_name) == ("Ines", "Marlow")
    assert employee.job_profile_id == hiring_round.job_profile_id
    user = db.session.get(User, employee.user_id)
    assert user.email == "ines@example.test" and user.has_role(Role.EMPLOYEE)
    evidence = db.session.scalars(
        sa.select(CompetencyEvidence).where(CompetencyEvidence.employee_id == employee.id)
    ).all()
    c1, c2 = hiring.rubric_ids(hiring_round)
    assert {(e.competency_id, e.level) for e in evidence} == {(c1, 4), (c2, 3)}
    assert {e.source for e in evidence} == {EvidenceSource.HIRING_ASSESSMENT}
    history = membership.history_of(employee.id)
    assert [(m.department_id, m.started_on, m.ended_on) for m in history] == [
        (employee.department_id, date(2026, 12, 1), None)
    ]


def test_hiring_an_internal_candidate_adds_evidence_to_their_record(app_ctx, hiring, hr, people):
    employee, _ = people.employee_user()
    hiring_round = hiring.round(RoundStatus.RANKED)
    application = _scored(hiring, hiring_round, S.OFFERED, (5, 5), employee_id=employee.id)
    employees = db.session.scalar(sa.select(sa.func.count()).select_from(Employee))
    hired = offers.hire(
        hr, application, employee_number="", department_path="", hire_date=date(2026, 12, 1)
    )
    assert hired.id == employee.id
    count = db.session.scalar(
        sa.select(sa.func.count()).where(CompetencyEvidence.employee_id == employee.id)
    )
    assert count == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employee)) == employees


def test_a_hire_into_an_unknown_department_writes_nothing(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED)
    application = _scored(hiring, hiring_round, S.OFFERED, (4, 4), email="nobody@example.test")
    with pytest.raises(Invalid, match="department"):
        offers.hire(
            hr,
            application,
            employee_number="N-200",
            department_path="Nowhere",
            hire_date=date(2026, 12, 1),
        )
    assert application.status == S.OFFERED
    assert db.session.scalar(sa.select(User.id).where(User.email == "nobody@example.test")) is None


def test_the_hire_page_names_a_missing_department(client_as, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED)
    application = _scored(hiring, hiring_round, S.OFFERED, (4, 4))
    response = client_as(hr).post(
        f"/hiring/applications/{application.id}/hire",
        data={"employee_number": "N-300", "department": "Atlantis", "hire_date": "2026-12-01"},
    )
    assert response.status_code == 422
    assert "existing department" in response.text


def test_the_adverse_impact_report_shows_aggregates_only(client_as, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED)
    for n in range(6):
        hiring.application(
            hiring_round,
            S.SCREENED_IN if n < 5 else S.SCREENED_OUT,
            sex="female",
            full_name=f"F{n} Hidden",
        )
    for n in range(6):
        hiring.application(
            hiring_round,
            S.SCREENED_IN if n < 2 else S.SCREENED_OUT,
            sex="male",
            full_name=f"M{n} Hidden",
        )
    tables = ranking.adverse_impact_report(hiring_round.id)
    screening = next(t for t in tables if t.dimension == "Sex" and t.stage == "Screening")
    rows = {r.group: r for r in screening.rows}
    assert (rows["Female"].pool, rows["Female"].selected) == (6, 5)
    assert rows["Male"].flagged and rows["Male"].ratio == pytest.approx(0.4)
    page = client_as(hr).get(f"/hiring/rounds/{hiring_round.id}/adverse-impact").text
    assert "Below four-fifths" in page and "Hidden" not in page


# --- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Plain name", "Plain name"),
        (None, ""),
        (3, "3"),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_made_inert(value, cell):
    from civicladder.exports import cell as exported

    assert exported(value) == cell


def test_the_ranked_list_downloads_as_csv_with_formulas_neutralised(client_as, hiring, hr):
    import csv
    import io

    hiring_round = hiring.round(RoundStatus.RANKED)
    _scored(hiring, hiring_round, S.ASSESSED, (5, 5), full_name="=cmd|' /C calc'!A0")
    _scored(hiring, hiring_round, S.ASSESSED, (2, 2), full_name="Plain Person")
    client = client_as(hr)
    response = client.get(f"/hiring/rounds/{hiring_round.id}/ranking.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:3] == ["rank", "candidate_code", "name"]
    assert [r[2] for r in rows[1:]] == ["'=cmd|' /C calc'!A0", "Plain Person"]
    assert [r[4] for r in rows[1:]] == ["5.00", "2.00"]
    decisions = client.get(f"/hiring/rounds/{hiring_round.id}/decisions.csv").text
    assert "'=cmd" in decisions and "\n=cmd" not in decisions


def test_exports_leave_names_out_until_the_ranking_is_locked(client_as, hiring, hr):
    hiring_round = hiring.round(RoundStatus.ASSESSING)
    _scored(hiring, hiring_round, S.ASSESSED, (4, 4), full_name="Hidden Until Ranked")
    client = client_as(hr)
    for name in ("ranking", "decisions"):
        text = client.get(f"/hiring/rounds/{hiring_round.id}/{name}.csv").text
        assert "Hidden Until Ranked" not in text


# --- veterans' preference ------------------------------------------------------------------------


def test_preference_eligible_candidates_lead_their_category_where_the_round_applies_it(
    app_ctx, hiring
):
    for applies in (True, False):
        hiring_round = hiring.round(RoundStatus.ASSESSING, veterans_preference=applies)
        higher = _scored(hiring, hiring_round, S.ASSESSED, (4, 4))  # 4.00, best qualified
        veteran = _scored(hiring, hiring_round, S.ASSESSED, (4, 1), preference_eligible=True)
        lower = _scored(hiring, hiring_round, S.ASSESSED, (2, 2))  # not qualified
        order = [r.application_id for r in ranking.ranked_list(hiring_round)]
        # (12 + 1) / 4 = 3.25: well qualified, below the best-qualified candidate either way
        assert order == [higher.id, veteran.id, lower.id]
    hiring_round = hiring.round(RoundStatus.ASSESSING, veterans_preference=True)
    plain = _scored(hiring, hiring_round, S.ASSESSED, (5, 5))
    veteran = _scored(hiring, hiring_round, S.ASSESSED, (4, 4), preference_eligible=True)
    assert [r.application_id for r in ranking.ranked_list(hiring_round)] == [veteran.id, plain.id]
    off = hiring.round(RoundStatus.ASSESSING, veterans_preference=False)
    plain = _scored(hiring, off, S.ASSESSED, (5, 5))
    veteran = _scored(hiring, off, S.ASSESSED, (4, 4), preference_eligible=True)
    assert [r.application_id for r in ranking.ranked_list(off)] == [plain.id, veteran.id]


def test_the_preference_box_appears_only_on_rounds_that_apply_it(client, hiring):
    with_preference = hiring.round(veterans_preference=True)
    without = hiring.round()
    assert "veterans' preference" in client.get(f"/jobs/{with_preference.id}").text
    assert "preference_eligible" not in client.get(f"/jobs/{without.id}").text
