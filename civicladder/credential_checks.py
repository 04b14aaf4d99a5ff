"""Checking a credential the city signed, as the public page does for anyone who pastes one:
the signature first (nothing else is believed without it), then the issuer, the dates and the
status, each finding in plain words."""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from babel import dates as babel_dates
from cryptography.exceptions import InvalidSignature
from flask import current_app
from flask_babel import get_locale, gettext, ngettext

from civicladder import clock, querying
from civicladder.credentials import (
    ALG,
    base_url,
    issuer_id,
    issuer_id_of,
    parse_timestamp,
    status_lists,
    unb64,
    verification_key,
)

# A pasted credential longer than this is not one of ours (a learner record holding a hundred
# credentials stays under it; a pasted form field is refused by Werkzeug above 500,000 bytes).
LONGEST_TOKEN = 400 * 1024


@dataclass
class Check:
    """One thing checked, in plain words."""

    topic: str
    passed: bool | None  # None: could not be told
    words: str


@dataclass
class Verification:
    """What checking a pasted credential found."""

    credential: dict | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def genuine(self) -> bool:
        """Signed by the city and unchanged since."""
        return self.credential is not None

    @property
    def holds(self) -> list[str]:
        """The names of the credentials a learner record holds (none for another credential)."""
        if self.credential is None or not is_learner_record(self.credential):
            return []
        return [
            str(c.get("name") or gettext("A credential")) for c in held_credentials(self.credential)
        ]

    @property
    def valid(self) -> bool:
        return self.genuine and all(c.passed for c in self.checks)

    def add(self, topic: str, passed: bool | None, words: str) -> None:
        self.checks.append(Check(topic, passed, words))


def verify(token: str) -> Verification:
    """Check a credential in the city's signed form: the signature first (nothing else is
    believed without it), then the issuer, the dates and the status. Never raises on bad
    input: every finding is one of the result's checks."""
    found = Verification()
    parts = _signed_parts(token, found)
    if parts is None:
        return found
    header, payload, signing_input, signature = parts
    named = verification_key(header.get("kid")) if header.get("alg") == ALG else None
    if named is None:
        found.add(gettext("Signature"), False, _unknown_key_words(header.get("kid")))
        return found
    public, current = named
    try:
        public.verify(signature, signing_input)
    except InvalidSignature:
        found.add(
            gettext("Signature"),
            False,
            gettext(
                "The signature does not match the content: the credential was changed after "
                "the city signed it. Nothing it says can be trusted."
            ),
        )
        return found
    if current:
        found.add(
            gettext("Signature"), True, gettext("Signed with the city's key, and unchanged since.")
        )
    else:
        found.add(
            gettext("Signature"),
            True,
            gettext(
                "Signed with a key the city used before its current one (it still publishes it "
                "for the credentials it signed), and unchanged since."
            ),
        )
    found.credential = payload
    _check_claims(payload, found)
    _check_dates(payload, found)
    _check_status(payload, found)
    return found


def _unknown_key_words(kid: object) -> str:
    """Why a signature's key is not believed: a key of the city's it does not publish (never,
    or no longer), or another signer altogether."""
    prefix = f"{base_url()}/credentials/keys/"
    if isinstance(kid, str) and kid.startswith(prefix):
        return gettext(
            "It names a signing key of the city's (%(key)s) that the city does not publish, so "
            "it cannot be checked: either it was never the city's key, or the city no longer "
            "vouches for it. Nothing it says can be trusted here.",
            key=kid[len(prefix) :][:60],
        )
    return gettext(
        "It was not signed with this city's key, so nothing it says can be trusted here."
    )


def _signed_parts(token: str, found: Verification):
    text = "".join((token or "").split())
    if not text:
        found.add(gettext("Format"), False, gettext("Paste a credential to check it."))
        return None
    if len(text) > LONGEST_TOKEN:
        found.add(
            gettext("Format"),
            False,
            gettext("This is far longer than any credential the city issues."),
        )
        return None
    if text.startswith("{"):
        found.add(
            gettext("Format"),
            False,
            gettext(
                "This is a credential's JSON without a signature the city made. Paste the "
                "signed credential as downloaded: a .jwt file's text, three parts separated by "
                "dots."
            ),
        )
        return None
    pieces = text.split(".")
    try:
        if len(pieces) != 3:
            raise ValueError("not three parts")
        header = json.loads(unb64(pieces[0]))
        payload = json.loads(unb64(pieces[1]))
        signature = unb64(pieces[2])
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise ValueError("not objects")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        found.add(
            gettext("Format"),
            False,
            gettext(
                "This is not a signed credential the city could have issued, or part of it is "
                "missing or changed: a signed credential is three parts separated by dots."
            ),
        )
        return None
    return header, payload, (pieces[0] + "." + pieces[1]).encode("ascii"), signature


def _check_claims(payload: dict, found: Verification) -> None:
    subject = payload.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    agree = (
        payload.get("iss") == issuer_id_of(payload) == issuer_id()
        and payload.get("jti") == payload.get("id")
        and payload.get("sub") == subject_id
        and _numeric(payload.get("nbf")) == parse_timestamp(payload.get("validFrom"))
        and _numeric(payload.get("exp")) == parse_timestamp(payload.get("validUntil"))
    )
    name = current_app.config["CITY_NAME"]
    if agree:
        found.add(gettext("Issuer"), True, gettext("Issued by %(city)s.", city=name))
    else:
        found.add(
            gettext("Issuer"),
            False,
            gettext(
                "Its signed claims do not agree with what it says (%(city)s signs both alike).",
                city=name,
            ),
        )


def _numeric(value) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _check_dates(payload: dict, found: Verification) -> None:
    now = clock.now()
    starts = parse_timestamp(payload.get("validFrom"))
    ends = parse_timestamp(payload.get("validUntil"))
    topic = gettext("Dates")
    if starts is None:
        found.add(topic, False, gettext("It does not say from when it is valid."))
    elif starts > now:
        found.add(topic, False, gettext("It is not valid before %(day)s.", day=_day(starts)))
    elif ends is not None and ends <= now:
        found.add(topic, False, gettext("It expired on %(day)s.", day=_day(ends)))
    elif ends is not None:
        found.add(
            topic,
            True,
            gettext("Valid from %(start)s until %(end)s.", start=_day(starts), end=_day(ends)),
        )
    else:
        found.add(
            topic, True, gettext("Valid from %(start)s; it does not expire.", start=_day(starts))
        )


def _day(moment: datetime) -> str:
    """The day in the city's calendar, written out in the page's language ("March 5, 2026",
    "5 de marzo de 2026")."""
    day = moment.astimezone(querying.display_zone()).date()
    return babel_dates.format_date(day, "long", locale=get_locale() or "en_US")


def _check_status(payload: dict, found: Verification) -> None:
    if is_learner_record(payload):
        _check_record_status(payload, found)
        return
    revoked = _revoked([payload.get("credentialStatus")])[0]
    if revoked is None:
        found.add(
            gettext("Status"),
            None,
            gettext(
                "It carries no status the city publishes, so it cannot be told whether it was "
                "revoked."
            ),
        )
    elif revoked:
        found.add(
            gettext("Status"), False, gettext("The city has revoked it: it no longer counts.")
        )
    else:
        found.add(gettext("Status"), True, gettext("Not revoked."))


def is_learner_record(payload: dict) -> bool:
    kinds = payload.get("type")
    return isinstance(kinds, list) and "ClrCredential" in kinds


def held_credentials(payload: dict) -> list[dict]:
    """The credentials a learner record holds (its ClrSubject's verifiableCredential)."""
    subject = payload.get("credentialSubject")
    held = subject.get("verifiableCredential") if isinstance(subject, dict) else None
    return [c for c in held if isinstance(c, dict)] if isinstance(held, list) else []


def _check_record_status(payload: dict, found: Verification) -> None:
    """A learner record is a record of one day: it is not revoked itself, but each credential it
    holds that the city publishes a status for is looked up now."""
    held = held_credentials(payload)
    if not held:
        found.add(
            gettext("Status"),
            None,
            gettext("It holds no credentials whose status could be looked up."),
        )
        return
    states = _revoked([c.get("credentialStatus") for c in held])
    revoked = [
        str(c.get("name") or gettext("a credential"))
        for c, gone in zip(held, states, strict=True)
        if gone
    ]
    if revoked:
        found.add(
            gettext("Status"),
            False,
            gettext(
                "Since the record was issued, the city has revoked what it holds of: "
                "%(credentials)s. Those parts no longer count.",
                credentials="; ".join(revoked),
            ),
        )
    else:
        found.add(
            gettext("Status"),
            True,
            ngettext(
                "It holds %(num)s credential; none of those the city can revoke has been revoked.",
                "It holds %(num)s credentials; none of those the city can revoke has been revoked.",
                len(held),
            ),
        )


def _revoked(entries: list) -> list[bool | None]:
    """For each credentialStatus: revoked, not, or None (no status the city publishes); one
    lookup per status list, whatever the number of entries."""
    prefix = base_url() + "/credentials/status/"
    wanted: dict[str, set[int]] = {}
    keys: list[tuple[str, int] | None] = []
    for entry in entries:
        url = entry.get("statusListCredential") if isinstance(entry, dict) else None
        index = entry.get("statusListIndex") if isinstance(entry, dict) else None
        name = url[len(prefix) :] if isinstance(url, str) and url.startswith(prefix) else None
        if (
            name not in status_lists()
            or not isinstance(index, str)
            or not (index.isdecimal() and len(index) <= 12)
        ):
            keys.append(None)
            continue
        keys.append((name, int(index)))
        wanted.setdefault(name, set()).add(int(index))
    revoked = {
        name: status_lists()[name].revoked_among(indexes) for name, indexes in wanted.items()
    }
    return [None if key is None else key[1] in revoked[key[0]] for key in keys]
