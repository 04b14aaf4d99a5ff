"""A round's posting: the details a job seeker looks for first, their checks, when the posting
closes, and its schema.org JobPosting (what job search engines read). Pure: no session.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_decimal, gettext, ngettext
from markupsafe import escape

from civicladder.errors import Invalid
from hiring.models import DEFAULT_CLOSING_TIME, WorkSchedule

MAX_PAY_CENTS = 100_000_000  # a million a year: anything above is a typing slip


@dataclass(frozen=True)
class PostingDetails:
    """What HR states when starting a round; every field may be left for later but the schedule
    and closing time, which have defaults."""

    agency_id: int | None = None
    work_location: str = ""
    schedule: WorkSchedule = WorkSchedule.FULL_TIME
    weekly_hours: int | None = None
    pay_min_cents: int | None = None
    pay_max_cents: int | None = None
    duties: str = ""
    working_conditions: str = ""
    process_weeks: int | None = None
    closing_time: time = DEFAULT_CLOSING_TIME
    accommodation_contact: str = ""

    def cleaned(self) -> PostingDetails:
        """The same details with text trimmed, or Invalid naming the field that is wrong."""
        low, high = self.pay_min_cents, self.pay_max_cents
        if (low is None) != (high is None):
            field = "pay_max" if high is None else "pay_min"
            raise Invalid(gettext("Give both ends of the pay range, or neither."), field=field)
        if low is not None and high is not None:
            if low < 0 or high > MAX_PAY_CENTS:
                raise Invalid(gettext("Pay is between $0 and $1,000,000 a year."), field="pay_min")
            if high < low:
                raise Invalid(
                    gettext("The top of the pay range is below its bottom."), field="pay_max"
                )
        if self.weekly_hours is not None and not 1 <= self.weekly_hours <= 80:
            raise Invalid(gettext("Weekly hours are between 1 and 80."), field="weekly_hours")
        if self.process_weeks is not None and not 1 <= self.process_weeks <= 52:
            raise Invalid(
                gettext("The process takes between 1 and 52 weeks."), field="process_weeks"
            )
        values = asdict(self)
        for name in ("work_location", "duties", "working_conditions", "accommodation_contact"):
            values[name] = values[name].strip()
        values["schedule"] = WorkSchedule(self.schedule)
        values["closing_time"] = self.closing_time.replace(second=0, microsecond=0)
        return PostingDetails(**values)

    def audit_values(self) -> dict:
        values = asdict(self)
        values["schedule"] = str(self.schedule)
        values["closing_time"] = self.closing_time.strftime("%H:%M")
        return values


FIELDS = tuple(PostingDetails.__dataclass_fields__)


def details_of(hiring_round) -> PostingDetails:
    return PostingDetails(**{name: getattr(hiring_round, name) for name in FIELDS})


def closes_at(closes_on: date, closing_time: time, zone: ZoneInfo) -> datetime:
    """The moment a posting closes, in UTC: its closing time of day, in the city's time zone."""
    return datetime.combine(closes_on, closing_time, tzinfo=zone).astimezone(UTC)


def dollars(cents: int) -> str:
    """Dollars as the page's locale writes them ("$52,000", "$52,000.50")."""
    whole, part = divmod(cents, 100)
    if part == 0:
        return "$" + format_decimal(whole)
    return "$" + format_decimal(cents / 100, format="#,##0.00")


def pay_words(hiring_round) -> str:
    if hiring_round.pay_min_cents is None or hiring_round.pay_max_cents is None:
        return ""
    low, high = hiring_round.pay_min_cents, hiring_round.pay_max_cents
    if low == high:
        return gettext("%(pay)s a year", pay=dollars(low))
    return gettext("%(low)s to %(high)s a year", low=dollars(low), high=dollars(high))


def schedule_words(hiring_round) -> str:
    words = gettext(hiring_round.schedule.label)
    if hiring_round.weekly_hours:
        hours = ngettext("%(num)s hour a week", "%(num)s hours a week", hiring_round.weekly_hours)
        words = gettext("%(schedule)s, %(hours)s", schedule=words, hours=hours)
    return words


EMPLOYMENT_TYPES = {WorkSchedule.FULL_TIME: "FULL_TIME", WorkSchedule.PART_TIME: "PART_TIME"}


def _description(hiring_round, skills: list[str]) -> str:
    """The posting's text as the simple HTML job search engines expect, every part escaped."""
    parts = []
    for heading, text in (
        ("About the job", hiring_round.description),
        ("Duties", hiring_round.duties),
        ("Working conditions", hiring_round.working_conditions),
    ):
        if text:
            parts.append(f"<h3>{heading}</h3><p>{escape(text)}</p>")
    if skills:
        items = "".join(f"<li>{escape(skill)}</li>" for skill in skills)
        parts.append(f"<h3>Minimum requirements</h3><ul>{items}</ul>")
    return "".join(parts) or str(escape(hiring_round.title))


def job_posting_ld(
    hiring_round,
    *,
    url: str,
    organisation: str,
    country: str,
    skills: list[str],
    valid_through: datetime,
) -> dict:
    """schema.org JobPosting for an open posting, with the properties Google's job search
    requires and recommends that the round states (baseSalary only with a pay range)."""
    agency = hiring_round.agency.name if hiring_round.agency is not None else None
    document = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": hiring_round.title,
        "description": _description(hiring_round, skills),
        "datePosted": hiring_round.opens_on.isoformat(),
        "validThrough": valid_through.isoformat(),
        "employmentType": EMPLOYMENT_TYPES[hiring_round.schedule],
        "hiringOrganization": {"@type": "Organization", "name": organisation}
        | ({"department": {"@type": "Organization", "name": agency}} if agency else {}),
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "streetAddress": hiring_round.work_location or organisation,
                "addressLocality": organisation,
                "addressCountry": country,
            },
        },
        "identifier": {
            "@type": "PropertyValue",
            "name": organisation,
            "value": str(hiring_round.id),
        },
        "directApply": True,
        "url": url,
    }
    if skills:
        document["skills"] = ", ".join(skills)
    if hiring_round.pay_min_cents is not None and hiring_round.pay_max_cents is not None:
        document["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": "USD",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": hiring_round.pay_min_cents / 100,
                "maxValue": hiring_round.pay_max_cents / 100,
                "unitText": "YEAR",
            },
        }
    return document


def requirement_skills(rubric) -> list[str]:
    """The round's minimum requirements written as skills: each rubric competency at its level,
    in the words of the framework's descriptor for that level when it has one."""
    from competencies.rules import PROFICIENCY_SCALE

    skills = []
    for item in rubric:
        competency = item.competency
        words = gettext(
            "%(competency)s, at the %(level)s level",
            competency=competency.name,
            level=gettext(PROFICIENCY_SCALE[item.min_level]),
        )
        descriptor = next(
            (d.descriptor for d in competency.descriptors if d.level == item.min_level), ""
        )
        skills.append(f"{words}: {descriptor}" if descriptor else words)
    return skills


def public_url(path: str) -> str:
    """An address as candidates and search engines reach it (PUBLIC_URL, not the request's)."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path
