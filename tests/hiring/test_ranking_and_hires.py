"""Ranking by weighted mean and category, the four-fifths report, offers and hires."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.errors import Conflict, Invalid
from civicladder.models import AuditEvent, User
from competencies.models import CompetencyEvidence, EvidenceSource
from hiring import offers, ranking, rules, services
from hiring.models import ApplicationStatus, RoundStatus
from people import membership
from people.models import Employee
from tests.hiring.factories import offer_form, offer_terms

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


def test_a_ratio_of_exactly_four_fifths_is_not_below_four_fifths():
    # 0.60 / 0.75 is 0.7999999999999999 in floating point; the rule compares exactly.
    at_the_line = {r.group: r for r in rules.adverse_impact({"A": (100, 75), "B": (100, 60)})}
    assert at_the_line["B"].ratio == Fraction(4, 5)
    assert not at_the_line["B"].flagged
    just_under = {r.group: r for r in rules.adverse_impact({"A": (100, 75), "B": (100, 59)})}
    assert just_under["B"].flagged
    assert rules.format_ratio(just_under["B"].ratio) == "0.78"
    assert rules.format_ratio(Fraction(799, 1000)) == "0.79"


def test_four_fifths_compares_across_pools_of_different_sizes():
    assert not rules.below_four_fifths((125, 60), (100, 60))  # 0.48 / 0.60 = 0.80 exactly
    assert rules.below_four_fifths((126, 60), (100, 60))


def test_no_one_selected_anywhere_is_not_computable_and_flags_nothing():
    rows = rules.adverse_impact({"A": (10, 0), "B": (8, 0), "C": (3, 0)})
    assert [(r.ratio, r.flagged, r.computable) for r in rows] == [
        (None, False, False),
        (None, False, False),
        (None, False, True),  # too small to judge, whatever the others show
    ]
    assert rows[2].too_small


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
    asked = client.post(f"/hiring/rounds/{hiring_round.id}/move", data={"to": "ranked"})
    assert asked.status_code == 200 and "Lock the ranking?" in asked.text  # confirmed first
    assert "Yara Okonkwo" not in client.get(f"/hiring/rounds/{hiring_round.id}/ranking").text
    moved = client.post(
        f"/hiring/rounds/{hiring_round.id}/move", data={"to": "ranked", "confirmed": "yes"}
    )
    assert moved.status_code == 302
    assert "Yara Okonkwo" in client.get(f"/hiring/rounds/{hiring_round.id}/ranking").text


def test_offers_never_exceed_the_openings(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED, openings=1)
    first = _scored(hiring, hiring_round, S.SHORTLISTED, (4, 4))
    second = _scored(hiring, hiring_round, S.SHORTLISTED, (3, 3))
    offers.make_offer(hr, first, terms=offer_terms())
    with pytest.raises(Conflict, match="opening"):
        offers.make_offer(hr, second, terms=offer_terms())
    offers.record_decline(hr, first, "Took another job")
    offers.make_offer(hr, second, terms=offer_terms())
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


def test_the_adverse_impact_report_leads_with_the_bottom_line_from_applicants_to_hires(
    client_as, hiring, hr
):
    hiring_round = hiring.round(RoundStatus.COMPLETED)
    for n in range(5):
        hiring.application(hiring_round, S.HIRED if n < 4 else S.DECLINED, sex="female")
    for n in range(5):
        hiring.application(hiring_round, S.HIRED if n < 3 else S.SCREENED_OUT, sex="male")
    hiring.application(hiring_round, S.WITHDRAWN, sex="male")
    tables = ranking.adverse_impact_report(hiring_round.id)
    first = tables[0]
    assert (first.dimension, first.stage, first.bottom_line) == (
        "Sex",
        "All applicants to hires",
        True,
    )
    rows = {r.group: r for r in first.rows}
    assert (rows["Female"].pool, rows["Female"].selected) == (5, 4)
    assert (rows["Male"].pool, rows["Male"].selected) == (5, 3)  # the withdrawal is left out
    assert rows["Male"].ratio == Fraction(3, 4) and rows["Male"].flagged
    assert not any(t.bottom_line for t in tables[2:])
    page = client_as(hr).get(f"/hiring/rounds/{hiring_round.id}/adverse-impact").text
    assert page.index("The bottom line") < page.index("Sex: All applicants to hires")
    assert page.index("Sex: All applicants to hires") < page.index("Stage by stage")
    assert page.index("Stage by stage") < page.index("Sex: Screening")
    assert "0.75" in page


def test_the_adverse_impact_report_says_not_computable_when_no_one_was_hired(client_as, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED)
    for sex in ("female", "male"):
        for _ in range(5):
            hiring.application(hiring_round, S.SCREENED_IN, sex=sex)
    response = client_as(hr).get(f"/hiring/rounds/{hiring_round.id}/adverse-impact")
    assert response.status_code == 200
    assert "Not computable: no group was selected" in response.text
    assert "Below four-fifths" not in response.text


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


# --- category rating is the rule of selection ---------------------------------------------------


def _offer_event(application):
    return db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "application.offered",
            AuditEvent.object_type == "Application",
            AuditEvent.object_id == str(application.id),
        )
    )


def test_category_checks_hold_offers_to_the_highest_category_still_in_the_running():
    def item(n, category, preference=False):
        return rules.Ranked(n, f"C{n}", 300, category, 300, n, preference)

    B, W, Q = rules.Category.BEST, rules.Category.WELL, rules.Category.QUALIFIED
    ranked = [item(1, B), item(2, W, True), item(3, W), item(4, Q)]
    checks = rules.offer_checks(ranked, in_running={1, 2, 3, 4})
    assert checks[1].allowed and not checks[1].needs_justification
    assert (checks[3].higher, checks[3].waiting) == (B, ("C1",))
    assert not checks[4].allowed
    checks = rules.offer_checks(ranked, in_running={2, 3, 4})  # C1 offered, declined or gone
    assert checks[3].allowed and checks[3].passed_over == ("C2",)
    assert checks[2].allowed and not checks[2].needs_justification
    assert checks[4].higher == W
    checks = rules.offer_checks(ranked, in_running={3, 4})
    assert checks[3].allowed and not checks[3].needs_justification


def test_an_offer_below_a_category_with_candidates_left_is_refused(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED, openings=2)
    best = _scored(hiring, hiring_round, S.ASSESSED, (4, 4))  # 4.00: best qualified
    well = _scored(hiring, hiring_round, S.SHORTLISTED, (3, 5))  # 3.50: well qualified
    with pytest.raises(Conflict, match=f"Best qualified candidates .*{best.candidate_code}"):
        offers.make_offer(hr, well, terms=offer_terms())
    assert well.status == S.SHORTLISTED
    offers.shortlist(hr, best)
    # Offered (and a hire would count the same): no longer waiting.
    offers.make_offer(hr, best, terms=offer_terms())
    offers.make_offer(hr, well, terms=offer_terms())
    assert well.status == S.OFFERED


def test_a_decline_or_a_withdrawal_opens_the_next_category(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED, openings=1)
    declined = _scored(hiring, hiring_round, S.SHORTLISTED, (4, 4))
    withdrawn = _scored(hiring, hiring_round, S.SHORTLISTED, (5, 5))
    well = _scored(hiring, hiring_round, S.SHORTLISTED, (3, 5))
    offers.make_offer(hr, declined, terms=offer_terms())
    offers.record_decline(hr, declined, "Took another job")
    with pytest.raises(Conflict, match=withdrawn.candidate_code):
        offers.make_offer(hr, well, terms=offer_terms())
    services.move_application(None, withdrawn, S.WITHDRAWN)
    offers.make_offer(hr, well, terms=offer_terms())
    assert well.status == S.OFFERED


def test_a_candidate_rated_not_qualified_is_never_offered_the_job(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED)
    weak = _scored(hiring, hiring_round, S.SHORTLISTED, (2, 2))
    with pytest.raises(Conflict, match="not qualified"):
        offers.make_offer(hr, weak, terms=offer_terms())
    assert weak.status == S.SHORTLISTED


def test_passing_over_a_preference_eligible_candidate_needs_a_written_justification(
    app_ctx, hiring, hr
):
    hiring_round = hiring.round(RoundStatus.RANKED, veterans_preference=True)
    plain = _scored(hiring, hiring_round, S.SHORTLISTED, (5, 5))
    veteran = _scored(
        hiring, hiring_round, S.SHORTLISTED, (4, 4), preference_eligible=True
    )  # same category (best qualified), listed first
    with pytest.raises(Invalid, match=f"{veteran.candidate_code} .*veterans' preference") as err:
        offers.make_offer(hr, plain, "   ", terms=offer_terms())
    assert err.value.field == "justification"
    assert plain.status == S.SHORTLISTED and _offer_event(plain) is None
    why = "The veteran's licence lapsed; the post needs a current CDL from day one."
    offers.make_offer(hr, plain, why, terms=offer_terms())
    assert plain.status == S.OFFERED
    assert plain.offer_justification == why
    assert _offer_event(plain).reason == why


def test_no_justification_is_needed_where_the_round_does_not_apply_preference(app_ctx, hiring, hr):
    hiring_round = hiring.round(RoundStatus.RANKED, veterans_preference=False)
    plain = _scored(hiring, hiring_round, S.SHORTLISTED, (5, 5))
    _scored(hiring, hiring_round, S.SHORTLISTED, (4, 4), preference_eligible=True)
    offers.make_offer(hr, plain, terms=offer_terms())
    assert plain.status == S.OFFERED and plain.offer_justification is None


def test_the_ranked_list_asks_for_the_justification_and_shows_it_with_the_decision(
    client_as, hiring, hr
):
    hiring_round = hiring.round(RoundStatus.RANKED, veterans_preference=True)
    plain = _scored(hiring, hiring_round, S.SHORTLISTED, (5, 5))
    veteran = _scored(hiring, hiring_round, S.SHORTLISTED, (4, 4), preference_eligible=True)
    lower = _scored(hiring, hiring_round, S.SHORTLISTED, (3, 5))
    client = client_as(hr)
    page = client.get(f"/hiring/rounds/{hiring_round.id}/ranking").text
    assert f"Why pass over {veteran.candidate_code}" in page
    assert "Offer once no best qualified candidate is left" in page
    refused = client.post(
        f"/hiring/applications/{plain.id}/decision", data={"to": "offered", "justification": ""}
    )
    assert refused.status_code == 422
    assert "veterans&#39; preference" in refused.text or "veterans' preference" in refused.text
    below = client.post(f"/hiring/applications/{lower.id}/decision", data={"to": "offered"})
    assert below.status_code == 409 and "Best qualified candidates" in below.text
    why = "Only candidate who can start before the storm season."
    asked = client.post(
        f"/hiring/applications/{plain.id}/decision", data={"to": "offered", "justification": why}
    )
    assert asked.status_code == 200 and f"Offer the job to {plain.full_name}?" in asked.text
    assert why in asked.text and 'name="confirmed" value="yes"' in asked.text
    assert plain.status == S.SHORTLISTED  # nothing offered until confirmed
    offered = client.post(
        f"/hiring/applications/{plain.id}/decision",
        data=offer_form(justification=why),
    )
    assert offered.status_code == 302
    assert why in client.get(f"/hiring/rounds/{hiring_round.id}/ranking").text
    assert why in client.get(f"/hiring/applications/{plain.id}").text
    assert why in client.get(f"/hiring/rounds/{hiring_round.id}/decisions.csv").text


def test_the_provisional_ranking_lists_what_waits_to_be_settled(client_as, hiring, hr):
    hiring_round = hiring.round(RoundStatus.ASSESSING)
    c1, c2 = hiring.rubric_ids(hiring_round)
    judges = hiring.panel(hiring_round)
    settled = _scored(hiring, hiring_round, S.ASSESSED, (4, 4))
    apart = hiring.application(hiring_round, S.ASSESSED)
    hiring.assessment(apart, judges[0], {c1: 1, c2: 4})
    hiring.assessment(apart, judges[1], {c1: 4, c2: 4})
    halfway = hiring.application(hiring_round, S.SCREENED_IN)
    hiring.assessment(halfway, judges[0], {c1: 3, c2: 3})
    hiring.assessment(halfway, judges[1])  # assigned, not scored yet
    found = ranking.waiting(hiring_round)
    assert [w.application_id for w in found] == [apart.id, halfway.id]
    first_competency = hiring_round.rubric[0].competency.name
    assert found[0].reason.startswith(
        f"A consensus score or a third assessor on {first_competency}"
    )
    assert found[1].reason == "Its assessors' scores: 1 of 2 in"
    page = client_as(hr).get(f"/hiring/rounds/{hiring_round.id}/ranking").text
    assert "Waiting to be settled (2)" in page
    assert f'href="/hiring/applications/{apart.id}">{apart.candidate_code}</a>' in page
    assert settled.candidate_code in page[: page.index("Waiting to be settled")]


def test_the_consensus_form_starts_empty_and_asks_for_a_score(client_as, hiring, hr):
    hiring_round = hiring.round(RoundStatus.ASSESSING)
    c1, c2 = hiring.rubric_ids(hiring_round)
    apart = hiring.application(hiring_round, S.ASSESSED)
    for judge, first in zip(hiring.panel(hiring_round), (1, 4), strict=False):
        hiring.assessment(apart, judge, {c1: first, c2: 4})
    client = client_as(hr)
    page = client.get(f"/hiring/applications/{apart.id}").text
    assert '<option value="">Choose a score</option><option value="1">1</option>' in page
    refused = client.post(
        f"/hiring/applications/{apart.id}/consensus",
        data={"competency_id": c1, "score": "", "reason": "We talked it over."},
    )
    assert refused.status_code == 422 and "Choose a consensus score" in refused.text
