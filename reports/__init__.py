"""Shared progress reports: a bargaining unit's figures for a period, small groups protected,
published as snapshots with a content hash, read as pages, PDFs and CSV, commented on."""

from __future__ import annotations

from flask import Flask

# The reports package's audit actions, as the audit log and histories say them.
ACTION_WORDS = {
    "report_snapshot.published": "Published a progress report",
    "report_comment.added": "Commented on a published progress report",
}


def init_app(app: Flask) -> None:
    """Plug the reports package in: its tables, and the audit log's words for its actions."""
    from civicladder.layout import register_action_words
    from reports import models  # noqa: F401  (the tables join the metadata)

    register_action_words(app, ACTION_WORDS)
