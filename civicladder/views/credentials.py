"""The city as an issuer of credentials: its profile, its public key, its status lists, and a
page where anyone checks a credential the city signed."""

from __future__ import annotations

from flask import Blueprint, Response, json, render_template
from flask_babel import gettext

from civicladder import caching, credential_checks, credentials
from civicladder.access import public
from civicladder.errors import NotFound
from civicladder.forms import CredentialForm

bp = Blueprint("credentials", __name__)

# Public documents that change only with the key or the city's name: caches may keep them a
# while. A status list changes when something is revoked, so it is kept only briefly.
PUBLISHED = "public, max-age=3600"
STATUS = "public, max-age=300"


def _document(body: dict, mimetype: str, cache: str) -> Response:
    response = Response(json.dumps(body, indent=2), mimetype=mimetype)
    response.headers["Cache-Control"] = cache
    return response


@bp.get("/credentials/issuer")
@public
def issuer():
    """The issuer profile every credential names (OB 3.0 Profile, JSON-LD)."""
    return _document(credentials.issuer_profile(), "application/ld+json", PUBLISHED)


@bp.get("/credentials/keys")
@public
def keys():
    """The city's signing keys as a JSON Web Key Set: the current one first, then those it
    signed with before (CREDENTIAL_RETIRED_KEYS), so credentials they signed still verify."""
    keys = credentials.published_jwks()
    return _document({"keys": keys}, "application/jwk-set+json", PUBLISHED)


@bp.get("/credentials/keys/<kid>")
@public
def key(kid: str):
    """One key, current or retired, at the address a signature's `kid` names."""
    found = credentials.published_jwk(kid)
    if found is None:
        raise NotFound(gettext("The city has no signing key by this name."))
    return _document(found, "application/jwk+json", PUBLISHED)


@bp.get("/credentials/status/<name>")
@public
def status_list(name: str):
    """A Bitstring Status List credential, signed: one bit per credential, set when revoked."""
    found = credentials.status_lists().get(name)
    if found is None:
        raise NotFound(gettext("The city publishes no status list by this name."))
    # Signed again only once a certificate it covers changes (`caching.kept_text`).
    token = caching.kept_text(
        "credentials.status",
        name,
        lambda: credentials.sign(credentials.status_list_credential(found)),
    )
    response = Response(token, mimetype=credentials.MEDIA_TYPE)
    response.headers["Cache-Control"] = STATUS
    return response


@bp.route("/verify/credential", methods=["GET", "POST"])
@public
def verify():
    """Anyone pastes (or uploads) a signed credential and reads, in plain words, whether the city
    signed it, whether it was changed, its dates and whether it was revoked."""
    form = CredentialForm()
    result = None
    status = 200
    if form.validate_on_submit():
        token = form.token.data or ""
        upload = form.upload.data
        if not token.strip() and upload:
            token = upload.read(credential_checks.LONGEST_TOKEN + 1).decode("utf-8", "replace")
        result = credential_checks.verify(token)
        status = 200 if result.genuine else 422
    elif form.errors:
        status = 422
    return render_template("credentials/verify.html", form=form, result=result), status
