"""A hand-built city whose 2026Q3 report is known figure by figure.

Local 100 has 20 members: 14 in Parks, 6 in Buildings. A separated member and a member of
another unit do everything the members do, and must never be counted.

Training (sessions starting in 2026Q3; course A is 6 hours, course B is 3):
- S1, course A, 1 August: P1-P6 completed, P7-P10 failed, P11 no-show, P12 attended;
  B1-B5 completed, B6 enrolled. 18 enrolments, 11 completions.
- S2, course B, 10 September: P1-P5 completed; P13 withdrew and P14 waits (neither held a seat).
- S0, course A, 15 June (2026Q2): P14 completed; not in the period.
  Enrolments 23, completions 16 (rate 69.6%), people enrolled 18, people who completed 11,
  hours 11 x 6 + 5 x 3 = 81.

Competency levels gained in 2026Q3:
- Safety: P1-P6 reach level 3 in SA (P1-P3 held 2 from 2025), P8 reaches 3 though they held 4
  until it expired on 1 January 2026, P1 also reaches 2 in SB, P7 shows 2 again (no gain), P9
  gains in October (not in the period). 7 people, 8 levels.
- Customer service: B1 and B2 reach 2 in CA. 2 people, 2 levels.

Autonomy (track Field, levels 1-3), held on 30 September 2026:
- P1-P6 hold level 1 since 2025; P7-P9 moved from level 1 to 2 on 1 August 2026; P10 held 2
  from March 2025, lowered on 1 September 2026 to level 1; P12 granted level 1 above the
  evidence on 20 July 2026; P11's proposal declined on 15 July; B1 granted level 1 on 15 October.
  Level 1: 8, level 2: 3, none: 9. Grants 5 (1 above the evidence), declines 1, lowered 1.

Internal hires: P13 and P14 hired through rounds in August 2026; P12 in October. 2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from academy.models import EnrollmentStatus as E
from autonomy.models import GrantStatus
from civicladder.db import db
from civicladder.models import AuditEvent
from hiring.models import ApplicationStatus, RoundStatus
from people.models import EmployeeStatus

PARKS = "Parks > Maintenance"
BUILDINGS = "Buildings > Inspections"


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 14, tzinfo=UTC)


def build_small_city(people, competencies, academy, autonomy, hiring) -> SimpleNamespace:
    unit = people.bargaining_unit(code="L100", name="Local 100")
    other = people.bargaining_unit(code="L200", name="Local 200")
    P = {n: people.employee(bargaining_unit=unit, department_path=PARKS) for n in range(1, 15)}
    B = {n: people.employee(bargaining_unit=unit, department_path=BUILDINGS) for n in range(1, 7)}
    gone = people.employee(
        bargaining_unit=unit, department_path=PARKS, status=EmployeeStatus.SEPARATED
    )
    outsider = people.employee(bargaining_unit=other, department_path=PARKS)
    _training(academy, P, B, [gone, outsider])
    _competencies(competencies, P, B, [gone, outsider])
    _autonomy(autonomy, P, B, [gone, outsider])
    _hires(hiring, [P[13], P[14], gone, outsider], P[12])
    return SimpleNamespace(unit=unit, other=other, P=P, B=B, gone=gone, outsider=outsider)


def _session(academy, course, day: date):
    made = academy.session(course)
    made.starts_at = _at(day)
    made.ends_at = made.starts_at + timedelta(hours=6)
    db.session.flush()
    return made


def _training(academy, P, B, strangers) -> None:
    course_a = academy.course(hours=6)
    course_b = academy.course(hours=3)
    s1 = _session(academy, course_a, date(2026, 8, 1))
    s1.capacity = 100
    s2 = _session(academy, course_b, date(2026, 9, 10))
    s0 = _session(academy, course_a, date(2026, 6, 15))
    plan = (
        [(P[n], E.COMPLETED) for n in range(1, 7)]
        + [(P[n], E.FAILED) for n in range(7, 11)]
        + [(P[11], E.NO_SHOW), (P[12], E.ATTENDED)]
        + [(B[n], E.COMPLETED) for n in range(1, 6)]
        + [(B[6], E.ENROLLED)]
        + [(person, E.COMPLETED) for person in strangers]
    )
    for person, status in plan:
        academy.enrollment(s1, person, status)
    for n in range(1, 6):
        academy.enrollment(s2, P[n], E.COMPLETED)
    academy.enrollment(s2, P[13], E.WITHDRAWN)
    academy.enrollment(s2, P[14], E.WAITLISTED)
    academy.enrollment(s0, P[14], E.COMPLETED)


def _competencies(competencies, P, B, strangers) -> None:
    safety = competencies.category("Safety")
    service = competencies.category("Customer service")
    sa_, sb = competencies.competency(category_=safety), competencies.competency(category_=safety)
    ca = competencies.competency(category_=service)
    in_q3 = date(2026, 8, 5)
    for n in (1, 2, 3):
        competencies.evidence(P[n], sa_, 2, observed_on=date(2025, 5, 1))
    for n in range(1, 7):
        competencies.evidence(P[n], sa_, 3, observed_on=in_q3)
    competencies.evidence(P[8], sa_, 4, observed_on=date(2024, 1, 1), expires_on=date(2026, 1, 1))
    competencies.evidence(P[8], sa_, 3, observed_on=in_q3)
    competencies.evidence(P[1], sb, 2, observed_on=in_q3)
    competencies.evidence(P[7], sa_, 2, observed_on=date(2025, 5, 1))
    competencies.evidence(P[7], sa_, 2, observed_on=in_q3)
    competencies.evidence(P[9], sa_, 3, observed_on=date(2026, 10, 10))
    for person in (B[1], B[2]):
        competencies.evidence(person, ca, 2, observed_on=in_q3)
    for person in strangers:
        competencies.evidence(person, sa_, 5, observed_on=in_q3)


def _autonomy(autonomy, P, B, strangers) -> None:
    track = autonomy.track(levels=[{}, {}, {}], name="Field")
    one, two, _ = sorted(track.levels, key=lambda level: level.rank)
    S = GrantStatus
    for n in range(1, 7):
        autonomy.grant(P[n], one, effective_on=date(2025, 1, 1))
    for n in (7, 8, 9):
        autonomy.grant(P[n], one, effective_on=date(2025, 1, 1), status=S.SUPERSEDED)
        autonomy.grant(P[n], two, effective_on=date(2026, 8, 1))
    lowered = autonomy.grant(P[10], two, effective_on=date(2025, 3, 1), status=S.REVOKED)
    lowered.decided_at = _at(date(2026, 9, 1))
    autonomy.grant(P[10], one, effective_on=date(2026, 9, 1))
    declined = autonomy.grant(P[11], one, effective_on=date(2026, 7, 15), status=S.DECLINED)
    declined.decided_at = _at(date(2026, 7, 15))
    above = autonomy.grant(P[12], one, effective_on=date(2026, 7, 20))
    above.above_evidence = True
    autonomy.grant(B[1], one, effective_on=date(2026, 10, 15))
    for person in strangers:
        autonomy.grant(person, two, effective_on=date(2026, 8, 1))
    db.session.flush()


def _hires(hiring, hired_in_q3, hired_later) -> None:
    hiring_round = hiring.round(RoundStatus.COMPLETED, assessors=0, questions=0)
    for person, day in [(p, date(2026, 8, 20)) for p in hired_in_q3] + [
        (hired_later, date(2026, 10, 20))
    ]:
        application = hiring.application(
            hiring_round, ApplicationStatus.HIRED, employee_id=person.id
        )
        db.session.add(
            AuditEvent(
                actor_label="system",
                action="application.hired",
                object_type="Application",
                object_id=str(application.id),
                object_label=str(application),
                occurred_at=_at(day),
            )
        )
    db.session.flush()
