"""The 1EdTech files the credentials are checked against, from shared/ beside the repository."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema_rs

STANDARDS = Path(__file__).resolve().parents[2].parent / "shared" / "standards"


@functools.cache
def achievement_credential_schema():
    """A validator for the OB 3.0 AchievementCredential JSON Schema (draft 2019-09)."""
    schema = json.loads((STANDARDS / "ob_v3p0_achievementcredential.schema.json").read_text())
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def schema_errors(credential: dict) -> list[str]:
    found = achievement_credential_schema().iter_errors(credential)
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in found]
