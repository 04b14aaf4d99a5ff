"""Whole-city computations run as the command-line tools an operator would run, timed with
their peak memory: eligibility for every employee on an autonomy track, and the reports'
disclosure audit for the largest unit and for every unit."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from bench.database import engine_url
from bench.errors import BenchError
from bench.settings import REPO, Settings

# The quality bar: eligibility for every employee recomputed in under 5 s at city scale.
ELIGIBILITY_TARGET_S = 5.0
# The disclosure audit of every unit runs nightly: it must fit the nightly window.
AUDIT_TARGET_S = 300.0


def run_command(url: str, args: list[str], what: str) -> tuple[float, int, str]:
    """Wall time, peak resident memory (KiB, from wait4's rusage) and output of a flask command."""
    env = {**os.environ, "DATABASE_URL": engine_url(url), "FLASK_APP": "wsgi"}
    env.setdefault("SECRET_KEY", "bench-commands")
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and the project's command)
            [sys.executable, "-m", "flask", *args],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        log.seek(0)
        output = log.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = "\n  ".join(output.strip().splitlines()[-20:])
        raise BenchError(f"{what} failed (exit {code}):\n  {tail}")
    return seconds, usage.ru_maxrss, output


def eligibility(settings: Settings, say) -> dict:
    """`flask autonomy eligibility` over the whole bench city."""
    say("timing flask autonomy eligibility over the whole city")
    seconds, peak_kib, output = run_command(
        settings.database_url, ["autonomy", "eligibility"], "The eligibility command"
    )
    people = next(
        (line.split()[0] for line in output.splitlines() if "people on a track" in line), "?"
    )
    return {
        "command": "flask autonomy eligibility",
        "seconds": round(seconds, 2),
        "people": people,
        "peak_memory_mib": round(peak_kib / 1024, 1),
        "target_seconds": ELIGIBILITY_TARGET_S,
    }


def eligibility_line(found: dict) -> str:
    return (
        f"Eligibility ({found['command']}): {found['people']} people on a track in "
        f"{found['seconds']:.1f} s (target {found['target_seconds']:.0f} s), "
        f"peak memory {found['peak_memory_mib']:.1f} MiB"
    )


def eligibility_misses(found: dict | None) -> list[str]:
    if found is None or found["seconds"] < found["target_seconds"]:
        return []
    over = found["seconds"] - found["target_seconds"]
    return [f"eligibility for everyone took {found['seconds']:.1f} s: {over:.1f} s over target"]


def reports_audit(settings: Settings, ids: dict, say) -> list[dict]:
    """`flask reports audit --all` for the largest unit's union reps, then for every unit's:
    every year worked out, as on the first night (later runs work out only the years that
    changed, and take less)."""
    found = []
    largest = ["--unit", ids["largest_unit_code"], "--all"]
    runs = [(f"largest unit ({ids['largest_unit_code']})", largest), ("every unit", ["--all"])]
    for label, args in runs:
        if label.startswith("largest") and not ids.get("largest_unit_code"):
            continue
        say(f"timing flask reports audit, {label}")
        seconds, peak_kib, output = run_command(
            settings.database_url, ["reports", "audit", *args], "The reports audit"
        )
        summary = next((line for line in output.splitlines() if line.startswith("Checked ")), "")
        found.append(
            {
                "command": " ".join(["flask reports audit", *args]),
                "what": label,
                "seconds": round(seconds, 2),
                "summary": summary,
                "peak_memory_mib": round(peak_kib / 1024, 1),
                "target_seconds": AUDIT_TARGET_S,
            }
        )
    return found


def audit_lines(found: list[dict]) -> list[str]:
    return [
        f"Reports audit ({run['command']}), {run['what']}: {run['seconds']:.1f} s "
        f"(target {run['target_seconds']:.0f} s for every unit), peak memory "
        f"{run['peak_memory_mib']:.1f} MiB; {run['summary']}"
        for run in found
    ]


def audit_misses(found: list[dict]) -> list[str]:
    return [
        f"the reports audit of {run['what']} took {run['seconds']:.1f} s: over its target"
        for run in found
        if run["what"] == "every unit" and run["seconds"] >= run["target_seconds"]
    ]
