"""The "evidence still counts" rule (unexpired and not withdrawn): the Python restatement agrees
with the SQL reference."""

import random
from collections import defaultdict
from datetime import date, timedelta

import pytest

from civicladder.db import db
from competencies.models import CompetencyEvidence, CompetencyEvidenceWithdrawal, EvidenceSource
from competencies.queries import current_levels_statement
from competencies.rules import current_level


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_python_rule_agrees_with_the_sql_on_random_evidence(
    app_ctx, people, competencies, _transaction, seed
):
    rng = random.Random(seed)
    today = date(2026, 6, 15)
    staff = [people.employee() for _ in range(15)]
    skills = [competencies.competency() for _ in range(5)]
    rows = []
    for _ in range(150):
        # Expiries cluster around today, so the day itself, the day before and after all occur.
        expires = None if rng.random() < 0.25 else today + timedelta(days=rng.randint(-3, 3))
        rows.append(
            CompetencyEvidence(
                employee_id=rng.choice(staff).id,
                competency_id=rng.choice(skills).id,
                level=rng.randint(1, 5),
                source=EvidenceSource.MANAGER_VALIDATION,
                observed_on=today - timedelta(days=rng.randint(10, 400)),
                expires_on=expires,
                note="",
            )
        )
    db.session.add_all(rows)
    _transaction.flush()
    # A tenth of the evidence was withdrawn: it never counts, expired or not.
    withdrawn = {row.id for row in rows if rng.random() < 0.1}
    db.session.add_all(
        CompetencyEvidenceWithdrawal(evidence_id=ident, reason="Corrected") for ident in withdrawn
    )
    _transaction.flush()

    in_memory = defaultdict(list)
    for row in rows:
        in_memory[row.employee_id, row.competency_id].append(
            (row.level, row.expires_on, row.id in withdrawn)
        )
    expected = {
        key: level
        for key, evidence in in_memory.items()
        if (level := current_level(evidence, today)) is not None
    }
    from_sql = {
        (row.employee_id, row.competency_id): row.level
        for row in db.session.execute(current_levels_statement(today))
    }
    assert from_sql == expected
    # The data exercises the rule: some pairs have only expired evidence, and some have an
    # expired level above the one that still counts.
    assert len(expected) < len(in_memory)
    assert any(expected[key] < max(level for level, *_ in in_memory[key]) for key in expected)
    assert any(
        level > expected.get(key, 0)
        for key, evidence in in_memory.items()
        for level, expires_on, was_withdrawn in evidence
        if was_withdrawn and (expires_on is None or expires_on > today)
    )
