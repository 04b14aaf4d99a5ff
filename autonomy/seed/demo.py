"""The autonomy part of the demo city: three tracks of four levels, outcomes and grants."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from autonomy import rules
from autonomy.definitions import key_from
from autonomy.models import (
    AutonomyGrant,
    AutonomyLevel,
    AutonomyTrack,
    DiscretionItem,
    GrantStatus,
    LevelRequirement,
    OutcomeMetric,
    OutcomeRecord,
    TrackJobProfile,
)
from autonomy.seed.city import focused_days, review_dates
from civicladder import audit, clock
from civicladder.db import db
from competencies.models import Competency, CompetencyEvidence
from competencies.queries import current_levels_statement
from people.models import Employee

SEED = 4127

# (code, name, unit, higher is better, a typical value, spread)
METRICS = [
    ("FCR", "First-contact resolution", "%", True, 82.0, 9.0),
    ("INSP-QA", "Inspection reports passing quality review", "%", True, 90.0, 6.0),
    ("WO-TIME", "Work orders closed on time", "%", True, 85.0, 8.0),
]

# A level: (name, discretion items, requirements, months at the level below, outcome floor as
# (metric code, threshold, window days) or None, second approver needed). An item is its words
# (the key made from them), or (key, words) or (key, words, limit, unit).
TRACKS = [
    (
        "311",
        "311 customer service",
        "Discretion to resolve residents' requests at the first contact.",
        ["CSR-311"],
        [
            (
                "Guided",
                ["May answer information requests from the approved scripts"],
                [("RES-COMM", 2), ("DATA-SYSTEMS", 1)],
                0,
                None,
                False,
            ),
            (
                "Independent",
                [
                    (
                        "close-complaint-without-signoff",
                        "May close a complaint without supervisor sign-off",
                    ),
                    "May reopen a closed service request once",
                ],
                [("RES-COMM", 3), ("RES-CASE", 2), ("DATA-SYSTEMS", 2)],
                6,
                None,
                False,
            ),
            (
                "Trusted",
                [
                    ("waive-fee", "May approve fee waivers", 250, "USD"),
                    "May route a request to any agency without a supervisor",
                ],
                [("RES-COMM", 3), ("RES-DEESC", 3), ("RES-CASE", 3)],
                12,
                ("FCR", 80.0, 90),
                True,
            ),
            (
                "Lead",
                [
                    ("waive-fee", "May approve fee waivers", 1000, "USD"),
                    "May coach new representatives",
                ],
                [("RES-COMM", 4), ("RES-DEESC", 3), ("LEAD-COACH", 2)],
                12,
                ("FCR", 85.0, 90),
                True,
            ),
        ],
    ),
    (
        "BLDG",
        "Building inspection",
        "Discretion in the field, from accompanied inspections to stop-work orders.",
        ["BLDG-INSP", "PERMIT-EX"],
        [
            (
                "Accompanied",
                ["May inspect alongside a senior inspector and draft the report"],
                [("REG-INSPECT", 2), ("OPS-SAFETY", 2)],
                0,
                None,
                False,
            ),
            (
                "Solo",
                ["May carry out routine inspections alone", "May issue warnings on site"],
                [("REG-INSPECT", 3), ("REG-CODE", 3), ("OPS-SAFETY", 3)],
                6,
                None,
                False,
            ),
            (
                "Enforcing",
                ["May issue violations without review", "May sign off re-inspections"],
                [("REG-INSPECT", 3), ("REG-CODE", 3), ("REG-ENFORCE", 3)],
                12,
                ("INSP-QA", 88.0, 90),
                True,
            ),
            (
                "Senior",
                ["May issue stop-work orders", "May accompany trainees"],
                [("REG-INSPECT", 4), ("REG-ENFORCE", 3), ("LEAD-COACH", 2)],
                18,
                ("INSP-QA", 92.0, 90),
                True,
            ),
        ],
    ),
    (
        "PARKS",
        "Parks field operations",
        "Discretion over equipment, repairs and crews in the parks.",
        ["PARKS-MW"],
        [
            (
                "Crew member",
                ["May operate hand tools and small equipment"],
                [("OPS-SAFETY", 2)],
                0,
                None,
                False,
            ),
            (
                "Operator",
                ["May operate ride-on mowers and chippers", "May close minor repair tickets"],
                [("OPS-SAFETY", 3), ("OPS-EQUIP", 3)],
                6,
                None,
                False,
            ),
            (
                "Repair lead",
                [
                    ("order-repair-parts", "May order repair parts", 500, "USD"),
                    "May schedule a small crew for a day",
                ],
                [("OPS-SAFETY", 3), ("OPS-EQUIP", 3), ("OPS-REPAIR", 3)],
                12,
                ("WO-TIME", 85.0, 90),
                True,
            ),
            (
                "Field supervisor",
                ["May close a park area for safety", "May assign crews across sites"],
                [("OPS-SAFETY", 4), ("OPS-REPAIR", 3), ("LEAD-SUPERV", 2)],
                12,
                ("WO-TIME", 90.0, 90),
                True,
            ),
        ],
    ),
]


def build(built: dict) -> None:
    """Tracks over the demo job profiles, a year of monthly outcomes, and grants held."""
    rng = random.Random(SEED)
    today = clock.today()
    metrics = _metrics()
    competencies = {c.code: c.id for c in db.session.scalars(sa.select(Competency))}
    profiles = built["job_profiles"]
    for code, name, description, profile_codes, levels in TRACKS:
        track = AutonomyTrack(code=code, name=name, description=description)
        db.session.add(track)
        db.session.flush()
        for profile_code in profile_codes:
            db.session.add(
                TrackJobProfile(job_profile_id=profiles[profile_code], track_id=track.id)
            )
        ladder = [
            _level(track, rank, spec, competencies, metrics)
            for rank, spec in enumerate(levels, start=1)
        ]
        db.session.flush()
        staff = list(
            db.session.scalars(
                sa.select(Employee)
                .where(Employee.job_profile_id.in_([profiles[p] for p in profile_codes]))
                .order_by(Employee.id)
            )
        )
        metric = metrics[next(spec[4][0] for spec in levels if spec[4])]
        _outcomes(rng, staff, metric, today)
        _grants(rng, staff, ladder, today)
    built["autonomy_tracks"] = [code for code, *_ in TRACKS]


def _metrics() -> dict[str, OutcomeMetric]:
    found = {}
    for code, name, unit, higher, *_ in METRICS:
        found[code] = OutcomeMetric(code=code, name=name, unit=unit, higher_is_better=higher)
        db.session.add(found[code])
    db.session.flush()
    return found


def _item(position: int, spec) -> DiscretionItem:
    if isinstance(spec, str):
        spec = (key_from(spec), spec)
    key, words, limit, unit = (*spec, None, "") if len(spec) == 2 else spec
    return DiscretionItem(
        position=position,
        key=key,
        words=words,
        limit_amount=Decimal(limit) if limit is not None else None,
        unit=unit,
    )


def _level(track, rank, spec, competencies, metrics) -> AutonomyLevel:
    name, lines, requirements, months, floor, second = spec
    level = AutonomyLevel(
        track_id=track.id,
        rank=rank,
        name=name,
        discretion=[_item(position, line) for position, line in enumerate(lines, start=1)],
        min_months=months,
        second_approval=second,
        focused_review_days=focused_days(rank),
        outcome_metric_id=metrics[floor[0]].id if floor else None,
        outcome_threshold=floor[1] if floor else None,
        outcome_window_days=floor[2] if floor else 90,
    )
    level.requirements = [
        LevelRequirement(competency_id=competencies[code], min_level=minimum)
        for code, minimum in requirements
    ]
    db.session.add(level)
    return level


def _outcomes(rng: random.Random, staff: list[Employee], metric: OutcomeMetric, today) -> None:
    """Twelve monthly values per person, around a personal average."""
    typical, spread = next((m[4], m[5]) for m in METRICS if m[0] == metric.code)
    first_month = date(today.year, today.month, 1)
    rows = []
    for person in staff:
        own = typical + rng.gauss(0, spread / 2)
        for back in range(1, 13):
            start = rules.add_months(first_month, -back)
            value = max(0.0, min(100.0, own + rng.gauss(0, spread / 3)))
            rows.append(
                {
                    "employee_id": person.id,
                    "metric_id": metric.id,
                    "period_start": start,
                    "value": round(value, 1),
                }
            )
    if rows:
        db.session.execute(sa.insert(OutcomeRecord), rows)


def _grants(rng: random.Random, staff: list[Employee], ladder, today) -> None:
    """Each person holds the highest consecutive level their evidence supports, or one below it
    (so some are ready for more), granted long enough ago for most to have served their time,
    and never before they could have climbed to it since their hire."""
    levels = _current_levels([p.id for p in staff], today)
    months = [level.min_months for level in ladder]
    for person in staff:
        held = levels.get(person.id, {})
        supported = 0
        for level in ladder:
            if all(held.get(r.competency_id, 0) >= r.min_level for r in level.requirements):
                supported = level.rank
            else:
                break
        rank = max(0, supported - rng.choice((0, 0, 1)))
        if rank == 0:
            continue
        drawn = today - timedelta(days=rng.randint(60, 900))
        skipped = rng.random() < 0.15
        # Someone hired too recently for the level drawn holds the highest one they could reach.
        while rank and rules.earliest_held(person.hire_date, months, rank) > today:
            rank -= 1
        if rank == 0:
            continue
        level = ladder[rank - 1]
        effective = max(drawn, rules.earliest_held(person.hire_date, months, rank))
        reviewed_on, review_on = review_dates(effective, level.focused_review_days, today, skipped)
        grant = AutonomyGrant(
            employee_id=person.id,
            level_id=level.id,
            status=GrantStatus.ACTIVE,
            effective_on=effective,
            review_on=review_on,
            reviewed_on=reviewed_on,
            decided_at=None,
        )
        db.session.add(grant)
        db.session.flush()
        audit.record(None, "autonomy_grant.active", grant, label=f"{person.full_name}: {level}")


def _current_levels(employee_ids: list[int], today) -> dict[int, dict[int, int]]:
    levels = current_levels_statement(today).where(
        CompetencyEvidence.employee_id.in_(employee_ids or [0])
    )
    found: dict[int, dict[int, int]] = {}
    for row in db.session.execute(levels):
        found.setdefault(row.employee_id, {})[row.competency_id] = row.level
    return found
