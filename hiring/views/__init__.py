"""Hiring pages, one module per audience; importing them registers their routes on `bp`."""

from hiring.views import applications, assessors, candidates, outcomes, rounds
from hiring.views.assessors import assessor_panel
from hiring.views.base import assessor_of_round, bp

__all__ = [
    "applications",
    "assessor_of_round",
    "assessor_panel",
    "assessors",
    "bp",
    "candidates",
    "outcomes",
    "rounds",
]
