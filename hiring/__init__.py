"""Hiring: rounds, applications, blind assessment, ranking, offers and hires (to come)."""
