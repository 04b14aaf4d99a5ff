"""The hiring blueprint, its access rule for assessors, and what several pages share."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_babel import gettext

from civicladder import files as file_store
from civicladder import languages
from civicladder.errors import NotFound
from hiring import files, posting, queries, rules, services

bp = Blueprint("hiring", __name__)


def assessor_of_round(user, view_args: dict) -> bool:
    """A named access rule: the person sits on the panel of the round in the address."""
    round_id = view_args.get("round_id")
    return round_id is not None and queries.is_assessor_of(user.id, round_id)


@bp.app_context_processor
def _hiring_helpers():
    return {
        "format_score": rules.format_score,
        "format_ratio": rules.format_ratio,
        "posting_pay": posting.pay_words,
        "dollars": posting.dollars,
        "posting_schedule": posting.schedule_words,
        "posting_closes": queries.closing_moment,
    }


def candidate_by_token(token: str):
    """The application a candidate's private link opens; its pages are in the language they
    applied in, unless this browser chose another with the switch."""
    application = services.application_by_token(token)
    languages.prefer(application.locale)
    return application


def round_or_not_found(round_id: int):
    hiring_round = queries.round_with_details(round_id)
    if hiring_round is None:
        raise NotFound(gettext("There is no such hiring round."))
    return hiring_round


def file_response(application, *, revealed: bool) -> Response:
    """An application's file as a private download, streamed from the file store: under the
    candidate code while the round is blind, under the name it came with once the ranking is
    locked."""
    if application.file is None:
        raise NotFound(gettext("This application has no file."))
    return file_store.download(application.file, files.download_name(application, revealed))
