"""A small OpenID Connect provider for the sign-in tests, built on Authlib's server classes.

Run as a process of its own: `python -m tests.civicladder.oidc_provider CLIENT_ID SECRET
REDIRECT_URI`. It serves on a free port of 127.0.0.1 and prints its issuer URL as its first
line. It has its own RS256 signing key, a discovery document, a JWKS endpoint, an authorization
endpoint (authorization code, PKCE, nonce), a token endpoint issuing ID tokens, and a UserInfo
endpoint.

There is no login form: the person it signs in is the one the tests last named through
POST /test/control, which also makes it misbehave on demand (an ID token with another nonce,
already expired, for another audience, signed with a key it never published; no ID token at
all; a refusal).
It can also keep the email for its UserInfo endpoint alone, as Okta does by default.
POST /test/rotate replaces its signing key (the JWKS then publishes only the new one).
GET /test/requests tells what the client sent to the authorization endpoint.
"""

from __future__ import annotations

import logging
import secrets
import sys
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo
from flask import Flask, jsonify, redirect, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

MISBEHAVIOURS = {"wrong_nonce", "expired", "other_audience", "forged", "no_id_token", "deny"}
# Modes, not faults: the email only at the UserInfo endpoint (as Okta answers by default), and
# a UserInfo endpoint answering for someone else.
MODES = {"email_in_userinfo_only", "userinfo_for_another"}
_USERINFO_ONLY = ("email", "email_verified")


def _new_key(number: int) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": f"key-{number}", "use": "sig"})


@dataclass
class State:
    """Everything the provider holds: keys, codes, and what the tests asked of it."""

    issuer: str = ""
    keys_made: int = 1
    key: RSAKey = field(default_factory=lambda: _new_key(1))
    user: dict | None = None
    misbehave: str | None = None
    codes: dict = field(default_factory=dict)
    access_tokens: dict = field(default_factory=dict)
    authorize_requests: list = field(default_factory=list)


STATE = State()


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uri: str

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    user: dict
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        STATE.codes[code] = Code(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri,
            scope=request.payload.scope,
            nonce=data.get("nonce"),
            user=request.user,
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            auth_time=int(time.time()),
        )

    def query_authorization_code(self, code, client):
        found = STATE.codes.get(code)
        return found if found and found.client_id == client.get_client_id() else None

    def delete_authorization_code(self, authorization_code):
        STATE.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return authorization_code.user


class IdToken(OpenIDCode):
    """ID tokens signed with the current key; wrong in the way the tests asked for."""

    def exists_nonce(self, nonce, request):
        return any(code.nonce == nonce for code in STATE.codes.values())

    def resolve_client_private_key(self, client):
        if STATE.misbehave == "forged":  # a key it never published, under the published kid
            return _new_key(STATE.keys_made)
        return STATE.key

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": STATE.key.kid}

    def get_client_claims(self, client):
        now = int(time.time())
        claims = {"iss": STATE.issuer, "aud": [client.get_client_id()], "iat": now}
        if STATE.misbehave == "other_audience":
            claims["aud"] = ["another-city-app"]
        if STATE.misbehave == "expired":
            claims |= {"iat": now - 3600, "exp": now - 1800, "auth_time": now - 3600}
        return claims

    def get_authorization_code_claims(self, authorization_code):
        claims = super().get_authorization_code_claims(authorization_code)
        if STATE.misbehave == "wrong_nonce":
            claims["nonce"] = "a-nonce-this-browser-never-sent"
        return claims

    def process_token(self, grant, response):
        if STATE.misbehave == "no_id_token":  # claims in the token response, signed by nothing
            _, token, _ = response
            token["userinfo"] = dict(grant.request.user)
            return token
        return super().process_token(grant, response)

    def generate_user_info(self, user, scope):
        if STATE.misbehave in MODES:
            return UserInfo({k: v for k, v in user.items() if k not in _USERINFO_ONLY})
        return UserInfo(user)


def _save_token(token, request):
    STATE.access_tokens[token["access_token"]] = request.user


def create_provider(client: Client) -> Flask:
    app = Flask(__name__)
    server = AuthorizationServer(
        app, query_client=lambda cid: client if cid == client.client_id else None
    )
    server.save_token = _save_token
    server.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        issuer = STATE.issuer
        return jsonify(
            issuer=issuer,
            authorization_endpoint=f"{issuer}/authorize",
            token_endpoint=f"{issuer}/token",
            jwks_uri=f"{issuer}/jwks",
            userinfo_endpoint=f"{issuer}/userinfo",
            end_session_endpoint=f"{issuer}/logout",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            scopes_supported=["openid", "email", "profile"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            code_challenge_methods_supported=["S256"],
        )

    @app.get("/jwks")
    def jwks():
        return jsonify(KeySet([STATE.key]).as_dict())

    @app.get("/authorize")
    def authorize():
        STATE.authorize_requests.append(request.args.to_dict())
        user = None if STATE.misbehave == "deny" else STATE.user
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:
            return jsonify(error=error.error, description=error.description), 400
        return server.create_authorization_response(grant_user=user, grant=grant)

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.get("/userinfo")
    def userinfo():
        scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
        user = STATE.access_tokens.get(access_token) if scheme.lower() == "bearer" else None
        if user is None:
            return jsonify(error="invalid_token"), 401
        if STATE.misbehave == "userinfo_for_another":
            return jsonify(user | {"sub": "someone-else"})
        return jsonify(user)

    @app.get("/logout")
    def logout():
        target = request.args.get("post_logout_redirect_uri")
        return redirect(target) if target else "Signed out"

    @app.post("/test/control")
    def control():
        body = request.get_json()
        misbehave = body.get("misbehave")
        if misbehave is not None and misbehave not in MISBEHAVIOURS | MODES:
            return jsonify(error=f"unknown misbehaviour {misbehave}"), 400
        STATE.user = body.get("user")
        STATE.misbehave = misbehave
        return "", 204

    @app.post("/test/rotate")
    def rotate():
        STATE.keys_made += 1
        STATE.key = _new_key(STATE.keys_made)
        return jsonify(kid=STATE.key.kid)

    @app.get("/test/requests")
    def requests_seen():
        return jsonify(STATE.authorize_requests)

    return app


def main(client_id: str, client_secret: str, redirect_uri: str) -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_provider(Client(client_id, client_secret, redirect_uri))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    STATE.issuer = f"http://127.0.0.1:{server.port}"
    print(STATE.issuer, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:4])
