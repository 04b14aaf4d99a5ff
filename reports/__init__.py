"""Shared progress reports: a bargaining unit's figures for a period, small groups protected,
published as snapshots with a content hash, read as pages, PDFs and CSV, commented on."""

from __future__ import annotations

from flask import Flask

from civicladder.languages import N_

# The reports package's audit actions, as the audit log and histories say them.
ACTION_WORDS = {
    "report_snapshot.published": N_("Published a progress report"),
    "report_comment.added": N_("Commented on a published progress report"),
}


def init_app(app: Flask) -> None:
    """Plug the reports package in: pages, navigation, the union rep's home panel, commands."""
    from civicladder.access import Role
    from civicladder.cli import register_city_step, register_demo_step
    from civicladder.layout import register_action_words
    from civicladder.navigation import NavItem, register_nav_item
    from civicladder.panels import HOME, register_panel
    from reports import charts, cli, views, words
    from reports import jobs as reports_jobs
    from reports.seed import city, demo

    app.register_blueprint(views.bp)
    register_action_words(app, ACTION_WORDS)
    register_nav_item(
        app, NavItem(N_("Reports"), "reports.index", (Role.UNION_REP, Role.HR, Role.MANAGER), 50)
    )
    # Right after the unit figures people's panel shows a union rep (45).
    register_panel(app, HOME, "progress_reports", views.home_panel, order=46)
    app.jinja_env.globals["chart_bars"] = charts.chart_bars
    app.jinja_env.globals["report_scope_url"] = views.scope_url
    app.jinja_env.filters["period_label"] = words.period_label
    app.cli.add_command(cli.reports_group)
    reports_jobs.register(app)
    # After every package's people, training, evidence and grants (up to 45), before the
    # units' stored figures (95).
    register_demo_step(app, 90, "published progress reports", demo.build)
    # The city's last quarter, once every package's data and the stored eligibility are in.
    register_city_step(app, 92, "published progress reports", city.build)
    register_city_step(app, 93, "live progress reports counted ahead", city.count_live_reports)
