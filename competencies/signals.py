"""Signals the competencies package sends after a change, for the packages above it.

`evidence_recorded` goes out after new competency evidence is written, with the acting user as
sender (None for the system) and ``evidence``: the new CompetencyEvidence rows. Receivers
(autonomy's eligibility, for one) run in the same transaction and never commit.
`evidence_withdrawn` goes out the same way after evidence is withdrawn, with the rows that no
longer count.
"""

from blinker import Namespace

_signals = Namespace()

evidence_recorded = _signals.signal("competencies.evidence-recorded")
evidence_withdrawn = _signals.signal("competencies.evidence-withdrawn")
