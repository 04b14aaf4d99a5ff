"""Factories for the API: a registered client and a token of it, with its secret."""

from __future__ import annotations

import itertools

from api import tokens
from api.scopes import SCOPES

_sequence = itertools.count(1)


def api_token(
    scopes: list[str] | None = None, *, client_scopes: list[str] | None = None, days: int = 30
) -> tokens.Issued:
    """A token (all scopes by default) of a new client; `.secret` is what a caller sends."""
    n = next(_sequence)
    wanted = scopes if scopes is not None else sorted(SCOPES)
    client = tokens.register_client(
        None,
        name=f"System {n}",
        contact=f"ops{n}@city.test",
        scopes=client_scopes if client_scopes is not None else wanted,
    )
    return tokens.issue_token(None, client, label=f"Token {n}", scopes=wanted, days=days)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
