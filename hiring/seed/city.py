"""The hiring part of the synthetic city: rounds of about 200 applications each, about 5
applications for every 3 employees (500,000 at 300,000), in every state of a round's life, with
answers, self-identification, two assessors' scores where assessment has begun, and each
completed round's eligible list (its remaining qualified candidates, in the ranked list's order;
the older ones expired), loaded in bulk.

The first three rounds are the ones a benchmark opens: an open round (the public jobs page), a
round under assessment whose panel includes the "employee" sign-in (an assessor's queue), and a
ranked round (HR's ranked list). Every other round's panel is drawn from the other accounts.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, time, timedelta

import click
import sqlalchemy as sa

from civicladder import audit, bulk
from civicladder.cli import CityContext
from civicladder.db import db
from civicladder.models import AuditEvent
from competencies.models import JobProfileRequirement
from hiring import rules
from hiring.eligible.models import DEFAULT_MONTHS, EligibleList, EligibleListEntry
from hiring.models import (
    ETHNICITY_GROUPS,
    SEX_GROUPS,
    Answer,
    Application,
    ApplicationStatus,
    Assessment,
    DemographicResponse,
    HiringRound,
    PanelMember,
    RoundQuestion,
    RoundStatus,
    RubricItem,
    Score,
)
from hiring.rules import CODE_ALPHABET, CODE_LENGTH
from people.models import Department, Employee, JobProfile
from people.seed.city_words import FIRST_NAMES, LAST_NAMES

APPLICATIONS_PER_EMPLOYEE = 5 / 3
PER_ROUND = 200
PANEL = 3
S, R = ApplicationStatus, RoundStatus
# The rounds after the first three, by share: most rounds of a city's history are done.
STATUS_MIX = [
    (R.COMPLETED, 60), (R.OPEN, 15), (R.ASSESSING, 8), (R.RANKED, 5), (R.CLOSED, 6),
    (R.DRAFT, 4), (R.CANCELLED, 2),
]  # fmt: skip
QUESTIONS = [
    "Tell us about a time your work made a difference to a resident.",
    "Describe a problem you solved with the skills this job needs.",
]
ANSWER = "In my last job I {verb} the {thing}, and {result}."
VERBS = ["reorganised", "took over", "fixed", "documented", "planned", "led"]
THINGS = ["intake queue", "tool inventory", "weekly rota", "complaints log", "site checks"]
RESULTS = ["waiting times fell", "nothing was lost", "the team kept to it", "errors stopped"]
SCREEN_OUT = "No example of a required competency at its minimum level."
POSTING_COLUMNS = (
    "agency_id", "work_location", "schedule", "weekly_hours", "pay_min_cents", "pay_max_cents",
    "duties", "working_conditions", "process_weeks", "closing_time", "accommodation_contact",
)  # fmt: skip
SITES = [
    "Municipal Building, 1 Centre Street",
    "North Borough depot",
    "Riverside yard",
    "Harbor operations center",
    "East Side service center",
    "Citywide, from the nearest depot",
]
DUTIES = "Carry out the duties of the job profile for the city's residents."
CONDITIONS = [
    "Indoors at a workstation; some evening shifts on a rota.",
    "Outdoors in all weathers; lifting up to 25 kg; uniform and safety gear provided.",
    "Mostly on the road between sites; a city driving licence is arranged after hire.",
    "Shift work, including nights and weekends, at a 24-hour facility.",
]


def build(ctx: CityContext) -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(HiringRound)):
        raise click.ClickException(
            "The database already has hiring rounds: `flask seed city` builds only into a "
            "database without them. The city was not generated."
        )
    plan = _Plan(ctx)
    plan.rounds()
    with ctx.progress("applications", plan.round_count) as bar:
        plan.applications(bar.update)
    # Every table loaded: besides moving id sequences on, finish gives each the planner's
    # statistics (without them the ranked list scanned all 3 million scores).
    bulk.finish(
        [
            HiringRound.__table__,
            RoundQuestion.__table__,
            RubricItem.__table__,
            PanelMember.__table__,
            Application.__table__,
            Answer.__table__,
            DemographicResponse.__table__,
            Assessment.__table__,
            Score.__table__,
            EligibleList.__table__,
            EligibleListEntry.__table__,
        ]
    )
    ctx.built.update(hiring_rounds=plan.featured, hiring_counts=plan.counts)
    audit.record(
        None,
        "city.hiring_generated",
        None,
        after=plan.counts | {"seed": ctx.seed},
        label=f"Synthetic city, seed {ctx.seed}",
    )
    ctx.say(
        f"{plan.counts['rounds']:,} hiring rounds, {plan.counts['applications']:,} applications, "
        f"{plan.counts['assessments']:,} assessments, {plan.counts['eligible_lists']:,} eligible "
        "lists"
    )


class _Plan:
    def __init__(self, ctx: CityContext) -> None:
        self.ctx = ctx
        self.rng = ctx.rng
        total = max(PER_ROUND, round(ctx.employees * APPLICATIONS_PER_EMPLOYEE))
        self.round_count = max(3, round(total / PER_ROUND))
        self.per_round = total // self.round_count
        self.profiles = dict(db.session.execute(sa.select(JobProfile.id, JobProfile.title)).all())
        self.requirements: dict[int, list[tuple[int, int, int]]] = {}
        for row in db.session.execute(
            sa.select(
                JobProfileRequirement.job_profile_id,
                JobProfileRequirement.competency_id,
                JobProfileRequirement.min_level,
                JobProfileRequirement.weight,
            ).order_by(
                JobProfileRequirement.job_profile_id,
                JobProfileRequirement.weight.desc(),
                JobProfileRequirement.competency_id,
            )
        ):
            self.requirements.setdefault(row[0], []).append(tuple(row[1:]))
        users = ctx.built["users"]
        featured = {users[label] for label in ("employee", "manager", "union_rep")}
        self.featured_panel = sorted(featured)
        linked = sa.select(Employee.user_id).where(Employee.user_id.is_not(None))
        others = sorted(set(db.session.scalars(linked)) - featured - {users.get("admin")})
        self.assessors = others or self.featured_panel
        self.employee_ids = (ctx.built["staff"].first_id, len(ctx.built["staff"]))
        self.statuses: list[RoundStatus] = []
        self.panels: list[list[int]] = []
        self.rubrics: list[list[tuple[int, int, int]]] = []
        self.question_ids: list[list[int]] = []
        self.round_ids: list[int] = []
        self.openings: list[int] = []
        self.preferences: list[bool] = []
        self.windows: list[tuple] = []
        self.featured: dict[str, int] = {}
        self.agencies = list(
            db.session.scalars(
                sa.select(Department.id)
                .where(Department.parent_id.is_(None))
                .order_by(Department.id)
            )
        )
        self.descriptions = dict(
            db.session.execute(sa.select(JobProfile.id, JobProfile.description)).all()
        )
        # Postings draw from their own generator, so the rest of the city stays as it was.
        self.posting_rng = random.Random(f"postings-{ctx.seed}")
        self.counts = dict.fromkeys(
            ("rounds", "applications", "assessments", "scores", "eligible_lists"), 0
        )
        self.profile_ids: list[int] = []

    def _status(self, index: int) -> RoundStatus:
        if index < 3:
            return (R.OPEN, R.ASSESSING, R.RANKED)[index]
        return self.rng.choices([s for s, _ in STATUS_MIX], [w for _, w in STATUS_MIX])[0]

    def rounds(self) -> None:
        as_of = self.ctx.as_of
        first = bulk.next_id(HiringRound.__table__)
        question_id = bulk.next_id(RoundQuestion.__table__)
        created = datetime.combine(as_of, time(9), tzinfo=UTC)
        profiles = sorted(p for p in self.profiles if p in self.requirements)
        rounds, questions, rubric_rows, panel_rows = [], [], [], []
        for index in range(self.round_count):
            ident = first + index
            status = self._status(index)
            profile = self.rng.choice(profiles)
            if status in (R.OPEN, R.DRAFT):
                opens = as_of - timedelta(days=self.rng.randint(0, 20))
                closes = as_of + timedelta(days=self.rng.randint(10, 40))
            else:
                closes = as_of - timedelta(days=self.rng.randint(1, 3 * 365))
                opens = closes - timedelta(days=30)
            openings = self.rng.choice([1, 1, 2, 3, 5])
            preference = self.rng.random() < 0.3
            rounds.append(
                (ident, profile, f"{self.profiles[profile]} ({index + 1})", "", openings, opens,
                 closes, status.value, 400, 325, 250, preference, None, created,
                 *self._posting(profile))
            )  # fmt: skip
            ids = []
            for position, prompt in enumerate(QUESTIONS, start=1):
                questions.append((question_id, ident, position, prompt, None))
                ids.append(question_id)
                question_id += 1
            rubric = self.requirements[profile]
            if status != R.DRAFT:
                rubric_rows += [
                    (ident, cid, position, level, weight)
                    for position, (cid, level, weight) in enumerate(rubric, start=1)
                ]
            panel = self.featured_panel if index < 3 else self.rng.sample(
                self.assessors, min(PANEL, len(self.assessors))
            )  # fmt: skip
            panel_rows += [(ident, user, created) for user in panel]
            self.statuses.append(status)
            self.panels.append(panel)
            self.rubrics.append(rubric)
            self.question_ids.append(ids)
            self.round_ids.append(ident)
            self.profile_ids.append(profile)
            self.openings.append(openings)
            self.preferences.append(preference)
            self.windows.append((opens, closes))
        bulk.load(
            HiringRound.__table__,
            ("id", "job_profile_id", "title", "description", "openings", "opens_on", "closes_on",
             "status", "best_qualified_from", "well_qualified_from", "qualified_from",
             "veterans_preference", "created_by_id", "created_at", *POSTING_COLUMNS),
            rounds,
        )  # fmt: skip
        bulk.load(
            RoundQuestion.__table__,
            ("id", "round_id", "position", "prompt", "competency_id"),
            questions,
        )
        bulk.load(
            RubricItem.__table__,
            ("round_id", "competency_id", "position", "min_level", "weight"),
            rubric_rows,
        )
        bulk.load(PanelMember.__table__, ("round_id", "user_id", "added_at"), panel_rows)
        self.counts["rounds"] = len(rounds)
        self.featured = {
            "open": first,
            "assessing": first + 1,
            "ranked": first + 2,
        }

    def _posting(self, profile: int) -> tuple:
        """A posting's details, in POSTING_COLUMNS' order."""
        rng = self.posting_rng
        part_time = rng.random() < 0.15
        low = rng.randrange(36_000, 95_000, 500) * 100
        return (
            rng.choice(self.agencies) if self.agencies else None,
            rng.choice(SITES),
            "part_time" if part_time else "full_time",
            rng.choice([20, 24]) if part_time else rng.choice([35, 40]),
            low,
            low + rng.randrange(4_000, 20_000, 500) * 100,
            self.descriptions.get(profile) or DUTIES,
            rng.choice(CONDITIONS),
            rng.choice([4, 6, 8, 12]),
            rng.choice([time(17), time(23, 59)]),
            "hr-accommodations@city.example",
        )

    def applications(self, progress) -> None:
        self.next_application = first = bulk.next_id(Application.__table__)
        self.next_assessment = bulk.next_id(Assessment.__table__)
        self.next_list = bulk.next_id(EligibleList.__table__)
        names = ("app", "answer", "demo", "assessment", "score", "list", "entry")
        self.rows = {name: [] for name in names}
        self.moves: list[dict] = []
        for index in range(self.round_count):
            if self.statuses[index] != R.DRAFT:
                self._round_applications(index)
            if sum(len(r) for r in self.rows.values()) > 50_000:
                self._flush()
            progress(1)
        self._flush()
        if self.moves:
            db.session.execute(sa.insert(AuditEvent), self.moves)
        self.counts["applications"] = self.next_application - first

    def _flush(self) -> None:
        rows = self.rows
        bulk.load(
            Application.__table__,
            ("id", "round_id", "candidate_code", "full_name", "email", "employee_id",
             "work_sample", "status", "status_token_hash", "screen_reason", "submitted_at",
             "preference_eligible"),
            rows["app"],
        )  # fmt: skip
        bulk.load(Answer.__table__, ("application_id", "question_id", "text"), rows["answer"])
        bulk.load(
            DemographicResponse.__table__,
            ("application_id", "round_id", "sex", "ethnicity"),
            rows["demo"],
        )
        bulk.load(
            Assessment.__table__,
            ("id", "application_id", "round_id", "assessor_id", "notes", "assigned_at",
             "submitted_at"),
            rows["assessment"],
        )  # fmt: skip
        bulk.load(Score.__table__, ("assessment_id", "competency_id", "score"), rows["score"])
        bulk.load(
            EligibleList.__table__,
            ("id", "round_id", "job_profile_id", "established_on", "expires_on", "created_at"),
            rows["list"],
        )
        bulk.load(
            EligibleListEntry.__table__,
            ("application_id", "list_id", "position", "category", "preference"),
            rows["entry"],
        )
        self.rows = {name: [] for name in rows}

    def _application_statuses(self, index: int) -> list[ApplicationStatus]:
        status, count, rng = self.statuses[index], self.per_round, self.rng
        if status in (R.OPEN, R.CANCELLED):
            return rng.choices([S.SUBMITTED, S.SCREENED_IN, S.SCREENED_OUT], [6, 3, 1], k=count)
        if status == R.CLOSED:
            return rng.choices([S.SCREENED_IN, S.SCREENED_OUT], [3, 1], k=count)
        if status == R.ASSESSING:
            return rng.choices([S.SCREENED_IN, S.ASSESSED, S.SCREENED_OUT], [2, 2, 1], k=count)
        chosen = rng.choices([S.ASSESSED, S.SCREENED_OUT, S.WITHDRAWN], [15, 4, 1], k=count)
        if status == R.COMPLETED:
            assessed = [i for i, s in enumerate(chosen) if s == S.ASSESSED]
            hired = min(self.openings[index], len(assessed))
            for position, i in enumerate(assessed[: hired + 4]):
                chosen[i] = S.HIRED if position < hired else S.SHORTLISTED
            if len(assessed) > hired + 4:
                chosen[assessed[hired + 4]] = S.DECLINED
        return chosen

    def _round_applications(self, index: int) -> None:
        rng, round_id = self.rng, self.round_ids[index]
        opens, closes = self.windows[index]
        span = max(1, min(closes, self.ctx.as_of).toordinal() - opens.toordinal())
        first_staff, staff_count = self.employee_ids
        preference = self.preferences[index]
        listable = []
        for status in self._application_statuses(index):
            ident = self.next_application
            self.next_application += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            day = opens + timedelta(days=rng.randrange(span))
            submitted = datetime.combine(day, time(rng.randrange(7, 22)), tzinfo=UTC)
            internal = status == S.HIRED or rng.random() < 0.05
            employee = first_staff + rng.randrange(staff_count) if internal else None
            token = hashlib.sha256(f"city:{self.ctx.seed}:{ident}".encode()).hexdigest()
            preferred = preference and rng.random() < 0.07
            self.rows["app"].append(
                (ident, round_id, _code(ident), f"{first} {last}",
                 f"{first}.{last}.{ident}@example.org".lower(), employee,
                 "A short description of work I am proud of.", status.value, token,
                 SCREEN_OUT if status == S.SCREENED_OUT else "", submitted, preferred)
            )  # fmt: skip
            for question in self.question_ids[index]:
                text = ANSWER.format(
                    verb=rng.choice(VERBS), thing=rng.choice(THINGS), result=rng.choice(RESULTS)
                )
                self.rows["answer"].append((ident, question, text))
            if rng.random() < 0.7:
                self.rows["demo"].append(
                    (ident, round_id, rng.choice(list(SEX_GROUPS)),
                     rng.choice(list(ETHNICITY_GROUPS)))
                )  # fmt: skip
            if status not in (S.SUBMITTED, S.SCREENED_OUT, S.WITHDRAWN):
                settled = self._assess(index, ident, status, submitted)
                if settled and status in (S.ASSESSED, S.SHORTLISTED):
                    listable.append((submitted, ident, settled, preferred))
            if index < 3:
                self._moves(ident, status, submitted)
        if self.statuses[index] == R.COMPLETED and listable:
            self._eligible_list(index, listable)

    def _eligible_list(self, index: int, listable: list[tuple]) -> None:
        """The completed round's list: its remaining candidates ranked as the round ranks them
        (hiring.rules), those rated qualified or above kept, established a month after the
        round closed and lasting the default months (older rounds' lists have expired)."""
        rubric = self.rubrics[index]
        weights = {cid: weight for cid, _, weight in rubric}
        thresholds = rules.Thresholds(400, 325, 250)
        items = []
        for order, (_, ident, settled, preferred) in enumerate(sorted(listable)):
            mean = rules.weighted_mean(settled, weights)
            items.append(
                rules.Ranked(
                    ident, "", mean, rules.category(mean, thresholds),
                    settled.get(rubric[0][0], 0), order, preferred,
                )
            )  # fmt: skip
        kept = [item for item in rules.rank(items) if item.category != rules.Category.NOT]
        if not kept:
            return
        list_id = self.next_list
        self.next_list += 1
        established = min(self.windows[index][1] + timedelta(days=30), self.ctx.as_of)
        self.rows["list"].append(
            (list_id, self.round_ids[index], self.profile_ids[index], established,
             rules.add_months(established, DEFAULT_MONTHS),
             datetime.combine(established, time(9), tzinfo=UTC))
        )  # fmt: skip
        self.rows["entry"] += [
            (item.application_id, list_id, position, item.category.value, item.preference)
            for position, item in enumerate(kept, start=1)
        ]
        self.counts["eligible_lists"] += 1

    def _moves(self, application_id: int, status: ApplicationStatus, submitted: datetime) -> None:
        """The audit events of an application's moves, for the rounds a benchmark opens (their
        pages show the time in each stage): submitted, screened a day or three later, assessed
        two days after the assessors got it (as `_assess` dates their scores)."""
        path = [(S.SUBMITTED, submitted)]
        screened = submitted + timedelta(days=self.rng.randint(1, 3), hours=self.rng.randrange(8))
        if status == S.WITHDRAWN:
            path.append((S.WITHDRAWN, screened))
        elif status != S.SUBMITTED:
            path.append((S.SCREENED_OUT if status == S.SCREENED_OUT else S.SCREENED_IN, screened))
        if status in (S.ASSESSED, S.SHORTLISTED, S.HIRED, S.DECLINED):
            path.append((S.ASSESSED, submitted + timedelta(days=5)))
        until = datetime.combine(self.ctx.as_of, time(23, 59), tzinfo=UTC)
        self.moves.extend(
            {
                "occurred_at": min(moment, until),
                "actor_label": "city generator",
                "action": f"application.{moved.value}",
                "object_type": Application.__name__,
                "object_id": str(application_id),
                "object_label": _code(application_id),
            }
            for moved, moment in path
        )

    def _assess(self, index, application_id, status, submitted) -> dict[int, int] | None:
        """The application's assessments; returns its settled scores (hundredths) when both
        assessors scored it."""
        if self.statuses[index] in (R.OPEN, R.CLOSED, R.CANCELLED):
            return None
        rng = self.rng
        given: dict[int, list[int]] = {}
        assigned = submitted + timedelta(days=3)
        scored = status != S.SCREENED_IN
        base = {cid: rng.choice([2, 3, 3, 4, 4, 5]) for cid, _, _ in self.rubrics[index]}
        for number, assessor in enumerate(rng.sample(self.panels[index], 2)):
            ident = self.next_assessment
            self.next_assessment += 1
            done = scored or (number == 0 and rng.random() < 0.5)
            self.rows["assessment"].append(
                (ident, application_id, self.round_ids[index], assessor, "",
                 assigned, assigned + timedelta(days=2) if done else None)
            )  # fmt: skip
            self.counts["assessments"] += 1
            if done:
                for cid, score in base.items():
                    # The second assessor lands within a point: no spread left to settle.
                    value = score if number == 0 else min(5, max(1, score + rng.choice([-1, 0, 1])))
                    self.rows["score"].append((ident, cid, value))
                    self.counts["scores"] += 1
                    given.setdefault(cid, []).append(value)
        if not scored:
            return None
        return rules.settled_scores(given, {})


def _code(ident: int) -> str:
    """A candidate code unique to the application id, in the alphabet of real codes."""
    base, digits = len(CODE_ALPHABET), []
    n = ident * 7919 + 104729  # spread consecutive ids over the alphabet
    for _ in range(CODE_LENGTH):
        n, digit = divmod(n, base)
        digits.append(CODE_ALPHABET[digit])
    return "".join(digits)
