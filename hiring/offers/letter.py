"""The offer letter: the offer's terms as a PDF a person prints, signs and keeps, written in
the language the candidate applied in, whoever downloads it."""

from __future__ import annotations

from flask import current_app, render_template

from civicladder.languages import written_in
from hiring import posting
from hiring.offers.models import Offer


def letter_pdf(offer: Offer) -> bytes:
    from weasyprint import HTML

    application = offer.application
    hiring_round = application.round
    with written_in(application.locale):
        html = render_template(
            "hiring/offer_letter_pdf.html",
            offer=offer,
            application=application,
            round=hiring_round,
            city=current_app.config["CITY_NAME"],
            salary=posting.dollars(offer.salary_cents),
            schedule=posting.schedule_words(hiring_round),
        )
    return HTML(string=html).write_pdf()


def filename(offer: Offer) -> str:
    return f"offer-{offer.application.candidate_code}.pdf"
