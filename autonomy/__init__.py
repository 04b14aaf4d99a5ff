"""Autonomy: tracks, levels, eligibility, grants and outcome-based supervision (to come)."""
