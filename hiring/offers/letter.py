"""The offer letter: the offer's terms as a PDF a person prints, signs and keeps."""

from __future__ import annotations

from flask import current_app, render_template

from hiring import posting
from hiring.offers.models import Offer


def letter_pdf(offer: Offer) -> bytes:
    from weasyprint import HTML

    application = offer.application
    hiring_round = application.round
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
