"""Shared progress reports, snapshots, PDF and CSV (to come)."""
