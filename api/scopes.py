"""What an API token may do: one scope per area and verb."""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "discretion:check": "Ask whether a person may act alone under a discretion item",
    "directory:read": "Read departments and bargaining units",
    "roster:read": "Read employees",
    "roster:write": "Add and change employees",
    "framework:read": "Read the competency framework and job profiles",
    "framework:write": "Import a competency framework published as a CASE package",
    "evidence:read": "Read competency evidence",
    "evidence:write": "Record competency evidence from another programme",
    "training:read": "Read courses, sessions and enrolments",
    "outcomes:write": "Record outcome figures",
    "levels:read": "Read the autonomy levels people hold",
    # Not implied by the three reads above: the record gathers all they cover into one signed
    # credential the person can carry elsewhere, and each issue is audited.
    "records:read": "Issue an employee's signed learner record (CLR 2.0)",
    "reports:read": "Read published progress reports (aggregates only)",
    "events:read": "Follow the changes feed",
    "scim": "Provision accounts and their groups (roles) by SCIM 2.0: the city's identity system",
}


def parse(text: str) -> list[str]:
    """Scopes from what a person typed or ticked; unknown ones are refused by the caller."""
    return sorted(set(text.replace(",", " ").split()))
