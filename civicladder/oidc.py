"""Sign-in through the city's identity provider (OpenID Connect): the Authlib client, and every
check an ID token passes before anyone is signed in with it.

Configured by OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (civicladder.config). The flow
is the authorization code flow with PKCE (S256), a state and a nonce kept in this browser's
session cookie. The ID token's signature is checked against the provider's published keys (a
key id not among the keys held makes the client fetch them again: the provider rotated), and
its issuer, audience, expiry, nonce and subject are required and checked here, not left to
whatever the provider's discovery document or the token itself happens to carry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, Response, current_app, request
from flask_babel import gettext
from joserfc.errors import JoseError

from civicladder.errors import DomainError, NotFound
from civicladder.languages import N_

log = logging.getLogger(__name__)

# The redirect URI the provider sends people back to: <PUBLIC_URL>/sign-in/oidc/callback.
CALLBACK_PATH = "/sign-in/oidc/callback"
_EXTENSION = "civicladder.oidc"
_CLIENT_NAME = "city"
# Seconds of clock difference with the provider tolerated on exp, iat and nbf.
LEEWAY_SECONDS = 60


class ProviderRefused(DomainError):
    """The provider's answer cannot sign anyone in: an error it sent, or a token that fails."""

    status = 400
    title = N_("Signing in with your city account did not work")


class ProviderUnavailable(DomainError):
    """The provider could not be reached, or answered with something that is not OpenID Connect."""

    status = 502
    title = N_("The city's sign-in service is not answering")


START_AGAIN = N_("Go back to the sign-in page and start again.")
_UNAVAILABLE = N_(
    "CivicLadder could not reach the city's sign-in service. Try again in a few minutes; if it "
    "keeps happening, tell your administrator."
)
_UNTRUSTED = N_(
    "The city's sign-in service sent an answer CivicLadder cannot trust, so you are not "
    "signed in. Go back to the sign-in page and start again. If it happens again, tell your "
    "administrator."
)


def _again(message: str) -> str:
    """A refusal in the page's words, with the way to try again."""
    return f"{message} {gettext(START_AGAIN)}"


def register(app: Flask) -> None:
    """Set up the client when an issuer is configured; otherwise password sign-in alone."""
    config = app.config
    if not config.get("OIDC_ISSUER"):
        return
    oauth = OAuth(app)
    app.extensions[_EXTENSION] = oauth.register(
        _CLIENT_NAME,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=discovery_url(config["OIDC_ISSUER"]),
        client_kwargs={
            "scope": config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": config["OIDC_TIMEOUT_SECONDS"],
        },
    )


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def enabled() -> bool:
    return _EXTENSION in current_app.extensions


def button_label() -> str | None:
    """The sign-in page's button for the provider, or None when there is none."""
    return current_app.config["OIDC_BUTTON_LABEL"] if enabled() else None


def redirect_uri() -> str:
    return current_app.config["PUBLIC_URL"] + CALLBACK_PATH


def _client():
    if not enabled():
        raise NotFound(gettext("This site does not offer sign-in through a city account."))
    return current_app.extensions[_EXTENSION]


def start() -> Response:
    """The redirect to the provider's authorization endpoint (state, nonce and PKCE kept)."""
    client = _client()
    try:
        _metadata(client)
        return client.authorize_redirect(redirect_uri())
    except (requests.RequestException, ValueError) as error:
        log.warning("identity provider unreachable at sign-in: %s", error)
        raise ProviderUnavailable(gettext(_UNAVAILABLE)) from error


@dataclass(frozen=True)
class Identity:
    """Who the provider vouched for: the ID token's verified claims, and the token itself."""

    claims: dict[str, Any]
    id_token: str


def finish() -> Identity:
    """The verified ID token the provider issued for this browser's sign-in.

    Raises ProviderRefused for an error the provider sent back, a state this browser did not
    start, or a token that fails any check; ProviderUnavailable when the provider is unreachable.
    """
    client = _client()
    error = request.args.get("error")
    if error:
        # Its description is the provider's (or whoever built the link): logged, never shown.
        log.info("identity provider refused: %s %s", error, request.args.get("error_description"))
        raise ProviderRefused(_refusal_message(error))
    if not request.args.get("code") or not request.args.get("state"):
        raise ProviderRefused(
            _again(gettext("The answer from the city's sign-in service was incomplete."))
        )
    try:
        metadata = _metadata(client)
        token = client.authorize_access_token(
            claims_options=claims_options(metadata["issuer"], client.client_id),
            leeway=LEEWAY_SECONDS,
        )
    except MismatchingStateError as error:
        raise ProviderRefused(
            _again(gettext("This sign-in was not started in this browser, or it was already used."))
        ) from error
    except (OAuthError, JoseError) as error:
        log.warning("identity provider's answer refused: %r", error)
        raise ProviderRefused(gettext(_UNTRUSTED)) from error
    except (requests.RequestException, ValueError, RuntimeError) as error:
        log.warning("identity provider unreachable at the callback: %r", error)
        raise ProviderUnavailable(gettext(_UNAVAILABLE)) from error
    # Authlib puts the verified ID token's claims under "userinfo"; without an ID token that
    # key would be whatever the token endpoint sent, vouched for by nothing.
    if not token.get("id_token") or not token.get("userinfo"):
        raise ProviderRefused(_again(gettext("The city's sign-in service sent no identity.")))
    claims = dict(token["userinfo"])
    if current_app.config["OIDC_EMAIL_CLAIM"] not in claims and metadata.get("userinfo_endpoint"):
        claims = _with_userinfo(client, token, claims)
    return Identity(claims, token["id_token"])


def _with_userinfo(client, token: dict, claims: dict[str, Any]) -> dict[str, Any]:
    """The ID token's claims, completed from the UserInfo endpoint (OpenID Connect returns the
    email scope's claims there when an access token is issued, and Okta does by default).
    Its answer counts only for the ID token's subject; the ID token's own claims win."""
    try:
        info = client.userinfo(token=token)
    except (OAuthError, requests.RequestException, ValueError) as error:
        log.warning("identity provider's UserInfo endpoint failed: %r", error)
        raise ProviderUnavailable(gettext(_UNAVAILABLE)) from error
    if info.get("sub") != claims["sub"]:
        log.warning(
            "UserInfo answered for %r, the ID token is for %r", info.get("sub"), claims["sub"]
        )
        raise ProviderRefused(gettext(_UNTRUSTED))
    return dict(info) | claims


def claims_options(issuer: str, client_id: str) -> dict[str, dict]:
    """What an ID token must carry: this issuer, this client among its audience, an expiry,
    a subject and a nonce (whose value Authlib compares with the one this browser sent)."""
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
        "sub": {"essential": True},
        "nonce": {"essential": True},
    }


def _metadata(client) -> dict:
    """The discovery document, once per process, checked to be the configured issuer's."""
    metadata = client.load_server_metadata()
    configured = current_app.config["OIDC_ISSUER"]
    if str(metadata.get("issuer", "")).rstrip("/") != configured.rstrip("/"):
        log.error(
            "discovery document at %s names issuer %r, not OIDC_ISSUER=%r",
            discovery_url(configured),
            metadata.get("issuer"),
            configured,
        )
        raise ProviderUnavailable(
            gettext(
                "The city's sign-in service is not set up as CivicLadder expects. Tell your "
                "administrator (the issuer its discovery document names is not OIDC_ISSUER)."
            )
        )
    return metadata


def _refusal_message(error: str) -> str:
    if error in ("access_denied", "login_required", "consent_required"):
        return _again(
            gettext(
                "The city's sign-in service did not sign you in (you may have cancelled, or your "
                "city account may not be allowed to use CivicLadder)."
            )
        )
    return _again(gettext("The city's sign-in service could not sign you in."))


def logout_url(post_logout_redirect_uri: str, id_token: str = "") -> str | None:
    """Where to end the person's session at the provider too, if it says how (RP-initiated
    logout, with the ID token as its hint when there is one); None otherwise, or when the
    provider cannot be reached."""
    if not enabled():
        return None
    client = _client()
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError):
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token or None,
        client_id=client.client_id,
    )["url"]
