"""Issuing and checking one signed credential, timed in the app's own process: a certificate
read from the bench database, built as its OpenBadgeCredential and signed (as its holder's
download does), then checked as the public page checks a pasted one (signature, issuer, dates,
the status list). The pages' figures include HTTP and the sign-in; these are the work itself."""

from __future__ import annotations

import time

from bench import database, report, server
from bench.errors import BenchError
from bench.settings import Settings

# The quality bar: issuing and verifying one credential each under 50 ms (p95).
ISSUE_TARGET_MS = 50.0
VERIFY_TARGET_MS = 50.0


def measure(settings: Settings, ids: dict, say) -> dict | None:
    """p50 and p95 of issuing and of verifying the employee sign-in's certificate, over
    `settings.requests` rounds after `settings.warmup`; None without a certificate."""
    certificate_id = ids.get("credential_certificate_id")
    if certificate_id is None:
        return None
    from academy import credentials, records
    from academy.models import Certificate
    from civicladder import credential_checks
    from civicladder.app import create_app
    from civicladder.db import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database.engine_url(settings.database_url),
            "SECRET_KEY": "bench-credentials",
            "CREDENTIAL_SIGNING_KEY": server.server_env(settings.database_url)[
                "CREDENTIAL_SIGNING_KEY"
            ],
            "RATELIMIT_ENABLED": False,
            "REDIS_URL": None,
        }
    )
    say("timing issuing and verifying one signed credential")
    issued, checked = [], []
    statement = records.certificate_statement().where(Certificate.id == certificate_id)
    with app.test_request_context():
        for n in range(settings.warmup + settings.requests):
            db.session.expunge_all()  # each issue reads the certificate, as a download does
            started = time.perf_counter()
            token = credentials.signed(db.session.scalar(statement))
            issue_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            result = credential_checks.verify(token)
            verify_ms = (time.perf_counter() - started) * 1000
            if not result.valid:
                words = "; ".join(c.words for c in result.checks)
                raise BenchError(f"The bench certificate's credential did not verify: {words}")
            if n >= settings.warmup:
                issued.append(issue_ms)
                checked.append(verify_ms)
        db.session.remove()
        db.engine.dispose()
    return {
        "certificate_id": certificate_id,
        "rounds": len(issued),
        "issue_p50_ms": round(report.percentile(issued, 0.50), 2),
        "issue_p95_ms": round(report.percentile(issued, 0.95), 2),
        "verify_p50_ms": round(report.percentile(checked, 0.50), 2),
        "verify_p95_ms": round(report.percentile(checked, 0.95), 2),
    }


def misses(found: dict | None) -> list[str]:
    if not found:
        return []
    missed = []
    for what, target in (("issue", ISSUE_TARGET_MS), ("verify", VERIFY_TARGET_MS)):
        p95 = found[f"{what}_p95_ms"]
        if p95 >= target:
            missed.append(
                f"p95 to {what} one credential is {p95:.1f} ms: "
                f"{p95 - target:.1f} ms over the {target:.0f} ms target"
            )
    return missed


def line(found: dict) -> str:
    return (
        f"One signed credential, in process over {found['rounds']} rounds: issued in "
        f"{found['issue_p50_ms']:.1f} ms (p95 {found['issue_p95_ms']:.1f}, target "
        f"{ISSUE_TARGET_MS:.0f}), verified in {found['verify_p50_ms']:.1f} ms "
        f"(p95 {found['verify_p95_ms']:.1f}, target {VERIFY_TARGET_MS:.0f})"
    )
