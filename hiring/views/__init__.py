"""Hiring pages, one module per audience; importing them registers their routes on `bp`."""

from hiring.views import applications, assessors, candidates, eligible, offers, outcomes, rounds
from hiring.views.assessors import assessor_panel
from hiring.views.base import assessor_of_round, bp
from hiring.views.candidates import jobs_panel

__all__ = [
    "applications",
    "assessor_of_round",
    "assessor_panel",
    "assessors",
    "bp",
    "candidates",
    "eligible",
    "jobs_panel",
    "offers",
    "outcomes",
    "rounds",
]
