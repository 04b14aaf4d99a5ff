"""Settings, read once from environment variables."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from argon2 import profiles

# argon2-cffi's recommended profile (RFC 9106, second choice: 64 MiB of memory per hash).
_ARGON2 = profiles.RFC_9106_LOW_MEMORY


class ConfigError(RuntimeError):
    """Raised when the environment cannot produce a safe configuration."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(env, name: str, default: int, minimum: int = 0) -> int:
    """A whole-number setting, or ConfigError saying what is wrong with it."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ConfigError(
            f"{name}={raw!r} is not usable: give a whole number of at least {minimum}."
        )
    return value


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment (and test overrides)."""
    env = os.environ
    overrides = overrides or {}
    production = _bool(env.get("CIVICLADDER_PRODUCTION")) or env.get("FLASK_ENV") == "production"
    testing = bool(overrides.get("TESTING"))

    secret_key = overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. In production CivicLadder refuses to start without it: "
                "set SECRET_KEY to a long random value (for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
            )
        secret_key = _instance_secret(instance_path)

    signing_key = overrides.get("CREDENTIAL_SIGNING_KEY") or env.get("CREDENTIAL_SIGNING_KEY")
    if signing_key:
        _check_signing_key(signing_key)
    elif not production:
        signing_key = _instance_signing_key(instance_path)
    else:
        raise ConfigError(
            "CREDENTIAL_SIGNING_KEY is not set. In production CivicLadder refuses to start "
            "without it: the city signs the credentials it hands out with this key, and every "
            "app server must sign with the same one. Set it to an Ed25519 private key in PEM "
            "form (for example the output of `openssl genpkey -algorithm ed25519`)."
        )

    retired_keys = (
        overrides.get("CREDENTIAL_RETIRED_KEYS") or env.get("CREDENTIAL_RETIRED_KEYS") or ""
    )
    try:
        retired_public_keys(retired_keys)
    except ValueError as error:
        raise ConfigError(f"CREDENTIAL_RETIRED_KEYS is not usable: {error}") from None

    default_db = "sqlite:///" + str(Path(instance_path) / "civicladder.sqlite3")
    database_url = _normalise_db_url(env.get("DATABASE_URL") or default_db)
    redis_url = env.get("REDIS_URL") or None
    config = {
        "SECRET_KEY": secret_key,
        "PRODUCTION": production,
        # The city's Ed25519 key for signing credentials (PEM); unset outside production, a key
        # made once and kept in the instance folder.
        "CREDENTIAL_SIGNING_KEY": signing_key,
        # Public keys (PEM) the city signed with before: published and still accepted for the
        # credentials that name them, never used to sign.
        "CREDENTIAL_RETIRED_KEYS": retired_keys,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # DATABASE_POOLER=pgbouncer: connections go through PgBouncer in transaction pooling mode.
        "DATABASE_POOLER": _pooler(env.get("DATABASE_POOLER"), database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(env.get("DATABASE_POOLER"), database_url),
        # A pooled PostgreSQL connection idle this long is pinged before use (civicladder.db).
        "DATABASE_PING_AFTER_IDLE_SECONDS": env_int(env, "DATABASE_PING_AFTER_IDLE_SECONDS", 5),
        "REDIS_URL": redis_url,
        # Jobs go to RQ on Redis when REDIS_URL is set (run by `flask worker`); JOBS_INLINE=1
        # runs them in the process that asks, as without Redis.
        "JOBS_INLINE": _bool(env.get("JOBS_INLINE"), False),
        # The RQ queue's name: installations sharing one Redis keep their jobs apart.
        "JOBS_QUEUE": env.get("JOBS_QUEUE") or "civicladder",
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        # Redis down: each app server keeps counting sign-in attempts in its own memory (and logs
        # a warning) rather than refusing every sign-in; it goes back to Redis once it answers.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        "MAIL_URL": env.get("MAIL_URL") or None,
        # A message claimed for sending this long ago and not sent is sent again (its sender
        # died); longer than any mail server takes to answer.
        "MAIL_RECLAIM_SECONDS": int(env.get("MAIL_RECLAIM_SECONDS", "600")),
        # How many reverse proxies (load balancers) stand in front of the app and set
        # X-Forwarded-For/-Proto; 0 trusts none of those headers.
        "PROXY_COUNT": int(env.get("PROXY_COUNT", "0")),
        "DISPLAY_TIMEZONE": env.get("DISPLAY_TIMEZONE", "America/New_York"),
        # The employer's name, in the page footer.
        "CITY_NAME": env.get("CITY_NAME", "City of Example"),
        # Its country (ISO 3166-1 alpha-2), in the job postings read by job search engines.
        "CITY_COUNTRY": env.get("CITY_COUNTRY", "US"),
        # Figures about fewer people than this are shown as "fewer than N" to protect privacy.
        "SMALL_GROUP_MINIMUM": int(env.get("SMALL_GROUP_MINIMUM", "5")),
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "MAIL_FROM": env.get("MAIL_FROM", "CivicLadder <no-reply@civicladder.invalid>"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies follow production; SESSION_COOKIE_SECURE=0 turns them off only by explicit
        # choice (the benchmark serves production settings over plain http on loopback).
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_PROTECTION": "strong",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_BYTES", str(16 * 1024 * 1024))),
        # Imports started from the web (a city's roster is about 51 MB): the request only keeps
        # the file, a job reads it.
        "IMPORT_MAX_BYTES": env_int(env, "IMPORT_MAX_BYTES", 128 * 1024 * 1024, 1),
        "PASSWORD_RESET_HOURS": int(env.get("PASSWORD_RESET_HOURS", "24")),
        "SIGNIN_LIMIT_PER_ACCOUNT": env.get("SIGNIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "SIGNIN_LIMIT_PER_ADDRESS": env.get("SIGNIN_LIMIT_PER_ADDRESS", "30 per 15 minutes"),
        # Password hashing cost (argon2id): seconds of work per sign-in against the cost of a
        # stolen hash. Existing hashes made at another cost still verify and are redone at sign-in.
        "ARGON2_TIME_COST": env_int(env, "ARGON2_TIME_COST", _ARGON2.time_cost, 1),
        "ARGON2_MEMORY_COST": env_int(env, "ARGON2_MEMORY_COST", _ARGON2.memory_cost, 8),
        "ARGON2_PARALLELISM": env_int(env, "ARGON2_PARALLELISM", _ARGON2.parallelism, 1),
        "PAGE_SIZE": int(env.get("PAGE_SIZE", "25")),
        # Parts of pages each app process keeps until what they show changes (caching.part).
        "KEEP_PAGE_PARTS": _bool(env.get("KEEP_PAGE_PARTS"), True),
        "PAGE_PARTS_MB": env_int(env, "PAGE_PARTS_MB", 32, 1),
        # The nightly eligibility run writes its two tables at once, each on a connection of its
        # own (PostgreSQL; two cores instead of one); 0 writes them in the command's transaction.
        "ELIGIBILITY_SIDE_BY_SIDE": _bool(env.get("ELIGIBILITY_SIDE_BY_SIDE"), True),
        # Days after a hiring round closes before its unsuccessful applications are anonymised.
        "HIRING_RETENTION_DAYS": int(env.get("HIRING_RETENTION_DAYS", str(2 * 365))),
        # The public application form (it stores files and sends mail): per client address, and
        # per email address applied with (only applications that go in count toward that one).
        "APPLICATION_LIMIT_PER_ADDRESS": env.get("APPLICATION_LIMIT_PER_ADDRESS", "10 per hour"),
        "APPLICATION_LIMIT_PER_EMAIL": env.get("APPLICATION_LIMIT_PER_EMAIL", "3 per day"),
        # "Email me my links again" (it sends mail): every request counts, per client address
        # and per email address asked for, whether or not that address applied.
        "STATUS_LINK_LIMIT_PER_ADDRESS": env.get("STATUS_LINK_LIMIT_PER_ADDRESS", "10 per hour"),
        "STATUS_LINK_LIMIT_PER_EMAIL": env.get("STATUS_LINK_LIMIT_PER_EMAIL", "3 per day"),
        # A candidate's answers through their status link (accepting or declining an offer,
        # leaving an eligible list; each sends mail): every attempt counts, per client address
        # and per status link.
        "OFFER_ANSWER_LIMIT_PER_ADDRESS": env.get("OFFER_ANSWER_LIMIT_PER_ADDRESS", "20 per hour"),
        "OFFER_ANSWER_LIMIT_PER_LINK": env.get("OFFER_ANSWER_LIMIT_PER_LINK", "5 per hour"),
        # Calls per API token (shared through Redis when it is configured); a caller over it
        # gets 429 with Retry-After.
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "1200 per minute"),
        # A valid API token is read again after this many seconds (api.tokens.authenticate): a
        # revoked token is refused by every app process within them; 0 reads it at every call.
        "API_TOKEN_CACHE_SECONDS": env_int(env, "API_TOKEN_CACHE_SECONDS", 5),
        # A bulk write through the API (employees, outcome records) of up to this many rows is
        # written within the request (200); a larger one by a job (202 and a status address).
        "API_BATCH_SYNC_ROWS": env_int(env, "API_BATCH_SYNC_ROWS", 1000, 1),
        # A CASE package sent through the API with more items and associations than this is
        # imported by a job (answered 202 with its status), not within the request.
        "API_CASE_SYNC_ITEMS": env_int(env, "API_CASE_SYNC_ITEMS", 5000, 1),
        # Days the changes feed keeps a change (its newest is always kept).
        "API_CHANGES_KEEP_DAYS": env_int(env, "API_CHANGES_KEEP_DAYS", 90, 1),
        # Candidates' files one hiring round may hold in all, in megabytes.
        "ROUND_UPLOAD_LIMIT_MB": env_int(env, "ROUND_UPLOAD_LIMIT_MB", 500, 1),
        # How long a finished export's file is kept for the person who asked for it.
        "EXPORT_KEEP_HOURS": env_int(env, "EXPORT_KEEP_HOURS", 24, 1),
        "IMPORT_KEEP_HOURS": env_int(env, "IMPORT_KEEP_HOURS", 24, 1),
        # The file store: candidates' files and reports' PDFs live in the database unless a
        # bucket of an S3-compatible object store is named; then the content goes there and
        # the metadata stays in the database. Credentials left unset come from boto3's own
        # chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role).
        "FILES_S3_BUCKET": env.get("FILES_S3_BUCKET") or None,
        "FILES_S3_ENDPOINT_URL": env.get("FILES_S3_ENDPOINT_URL") or None,
        "FILES_S3_REGION": env.get("FILES_S3_REGION") or None,
        "FILES_S3_PREFIX": env.get("FILES_S3_PREFIX", ""),
        "FILES_S3_ACCESS_KEY_ID": env.get("FILES_S3_ACCESS_KEY_ID") or None,
        "FILES_S3_SECRET_ACCESS_KEY": env.get("FILES_S3_SECRET_ACCESS_KEY") or None,
        # "path" for stores that do not serve buckets as host names (most self-hosted ones).
        "FILES_S3_ADDRESSING_STYLE": env.get("FILES_S3_ADDRESSING_STYLE") or None,
        "WTF_CSRF_TIME_LIMIT": None,
        # Sign-in through the city's identity provider (OpenID Connect), when OIDC_ISSUER is set
        # (civicladder.oidc); unset, people sign in with passwords only.
        **oidc_settings(env),
        # Count each request's SQL statements into an X-SQL-Statements header (for `make bench`);
        # off unless SQL_STATEMENT_HEADER is set, production included.
        "SQL_STATEMENT_HEADER": _bool(env.get("SQL_STATEMENT_HEADER")),
    }
    try:
        ZoneInfo(config["DISPLAY_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(
            f"DISPLAY_TIMEZONE={config['DISPLAY_TIMEZONE']!r} is not a known time zone; "
            "use a name such as America/New_York or America/Chicago."
        ) from error
    config.update(overrides)
    config["PUBLIC_URL"] = public_url(config["PUBLIC_URL"])
    config["OIDC_BUTTON_LABEL"] = (
        config.get("OIDC_BUTTON_LABEL") or f"Sign in with {config['CITY_NAME']}"
    )
    check_oidc(config)
    if testing and "SQLALCHEMY_DATABASE_URI" in overrides:
        config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(overrides["SQLALCHEMY_DATABASE_URI"])
    return config


def oidc_settings(env) -> dict:
    """The identity provider's settings as the environment gives them (checked by check_oidc)."""
    return {
        # The issuer identifier; its discovery document: <issuer>/.well-known/openid-configuration
        "OIDC_ISSUER": (env.get("OIDC_ISSUER") or "").strip() or None,
        "OIDC_CLIENT_ID": (env.get("OIDC_CLIENT_ID") or "").strip() or None,
        "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET") or None,
        # The ID token's claim holding the address an account is found by.
        "OIDC_EMAIL_CLAIM": (env.get("OIDC_EMAIL_CLAIM") or "").strip() or "email",
        # The claim carrying the employee number (people links the sign-in to that employee's
        # account); unset: accounts are found by email alone.
        "OIDC_EMPLOYEE_NUMBER_CLAIM": (env.get("OIDC_EMPLOYEE_NUMBER_CLAIM") or "").strip() or None,
        # An employee found by number without an account gets one (employee role) at first
        # sign-in; off: HR or an administrator makes accounts.
        "OIDC_CREATE_ACCOUNTS": _bool(env.get("OIDC_CREATE_ACCOUNTS")),
        # Roles given by the provider's groups, "hr=CL-HR;admin=CL-Admins" (a role may be named
        # more than once); each sign-in sets the roles named here from the groups claim.
        "OIDC_GROUPS_CLAIM": (env.get("OIDC_GROUPS_CLAIM") or "").strip() or "groups",
        "OIDC_ROLE_GROUPS": role_groups(env.get("OIDC_ROLE_GROUPS") or ""),
        "OIDC_SCOPES": (env.get("OIDC_SCOPES") or "").strip() or "openid email profile",
        # Empty: "Sign in with <CITY_NAME>".
        "OIDC_BUTTON_LABEL": (env.get("OIDC_BUTTON_LABEL") or "").strip() or None,
        # Seconds to wait for the provider's answer (discovery, token, keys).
        "OIDC_TIMEOUT_SECONDS": env_int(env, "OIDC_TIMEOUT_SECONDS", 10, 1),
    }


def role_groups(value: str) -> dict[str, frozenset[str]]:
    """OIDC_ROLE_GROUPS read: role -> the provider's groups that give it."""
    from civicladder.access import Role

    mapping: dict[str, set[str]] = {}
    for pair in filter(None, (part.strip() for part in value.split(";"))):
        role, equals, group = (piece.strip() for piece in pair.partition("="))
        if not equals or not group or role not in {r.value for r in Role}:
            raise ConfigError(
                f"OIDC_ROLE_GROUPS: {pair!r} is not role=group with a role among "
                + ", ".join(r.value for r in Role)
                + " (for example hr=CL-HR;admin=CL-Admins)."
            )
        mapping.setdefault(role, set()).add(group)
    return {role: frozenset(groups) for role, groups in mapping.items()}


def check_oidc(config: dict) -> None:
    """Refuse an identity provider configured by halves, or reached without TLS in production."""
    issuer = config.get("OIDC_ISSUER")
    if not issuer:
        return
    missing = [name for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not config.get(name)]
    if missing:
        raise ConfigError(
            f"OIDC_ISSUER is set but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not: give the client id and secret the "
            "identity provider issued for CivicLadder, or unset OIDC_ISSUER to sign in with "
            "passwords only."
        )
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"OIDC_ISSUER={issuer!r} is not an issuer URL: give it as the provider states it, "
            "for example https://login.microsoftonline.com/<tenant id>/v2.0."
        )
    if config.get("PRODUCTION") and parts.scheme != "https":
        raise ConfigError(
            f"OIDC_ISSUER={issuer!r} is not https: in production the identity provider is "
            "reached only over TLS."
        )
    if "openid" not in config["OIDC_SCOPES"].split():
        raise ConfigError(
            f"OIDC_SCOPES={config['OIDC_SCOPES']!r} lacks openid: without it the provider "
            "issues no ID token to sign in with."
        )


POOLERS = ("pgbouncer",)


def _pooler(value: str | None, database_url: str) -> str | None:
    """The connection pooler between the app and PostgreSQL (DATABASE_POOLER), or None."""
    name = (value or "").strip().lower() or None
    if name is None:
        return None
    if name not in POOLERS:
        raise ConfigError(
            f"DATABASE_POOLER={value!r} is not a pooler CivicLadder knows: use "
            + " or ".join(POOLERS)
            + ", or leave it unset when the app connects to PostgreSQL directly."
        )
    if not database_url.startswith("postgresql"):
        raise ConfigError(
            f"DATABASE_POOLER={value!r} is for PostgreSQL through a pooler, but DATABASE_URL "
            "is not a PostgreSQL URL: unset DATABASE_POOLER or point DATABASE_URL at PgBouncer."
        )
    return name


def engine_options(pooler: str | None, database_url: str) -> dict:
    """SQLAlchemy's engine options. Through PgBouncer in transaction pooling mode each
    transaction may run on another server connection, and PgBouncer 1.18 (Debian 12's) does not
    carry prepared statements between them: psycopg's automatic prepared statements (made
    after a statement ran five times on a connection) are turned off with
    prepare_threshold=None, or a statement would fail with "prepared statement does not exist"."""
    options: dict = {}
    if _pooler(pooler, database_url) == "pgbouncer":
        options["connect_args"] = {"prepare_threshold": None}
    return options


def public_url(value: str) -> str:
    """PUBLIC_URL checked (http or https, a host, perhaps a path) and without a trailing slash;
    commands and jobs build the addresses of pages from it."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"PUBLIC_URL={value!r} is not the site's address: give it as people type it, "
            "for example https://ladder.city.gov (or https://city.gov/ladder under a path)."
        )
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def _normalise_db_url(url: str) -> str:
    # Hosted PostgreSQL often hands out postgres:// or postgresql:// URLs; we run on psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _check_signing_key(pem: str) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(
            "CREDENTIAL_SIGNING_KEY is not an unencrypted Ed25519 private key in PEM form "
            "(-----BEGIN PRIVATE KEY----- ...); make one with `openssl genpkey -algorithm ed25519`."
        )


_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)


def retired_public_keys(text: str) -> list:
    """The Ed25519 public keys in PEM text (one block after another), or ValueError saying
    what is wrong in words an operator can act on."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    keys = []
    blocks = list(_PEM_BLOCK.finditer(text))
    if _PEM_BLOCK.sub("", text).strip():
        raise ValueError(
            "it holds text that is not a PEM block; give the old keys' public halves one after "
            "another (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)."
        )
    for number, block in enumerate(blocks, start=1):
        if "PRIVATE" in block.group(1):
            raise ValueError(
                f"key {number} is a private key. Give only the public half of a retired key "
                "(`openssl pkey -in old-key.pem -pubout`): the city no longer signs with it."
            )
        try:
            key = load_pem_public_key(block.group(0).encode())
        except (ValueError, TypeError):
            key = None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"key {number} is not an Ed25519 public key in PEM form.")
        keys.append(key)
    return keys


def _instance_secret(instance_path: str) -> str:
    """A per-install development key, kept in the instance folder so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def new_signing_key() -> str:
    """A fresh Ed25519 private key in PEM form (PKCS #8, unencrypted)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    key = Ed25519PrivateKey.generate()
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def _instance_signing_key(instance_path: str) -> str:
    """A per-install credential signing key, made once and kept in the instance folder so
    credentials handed out stay verifiable after a restart. Written beside its place and
    linked in, so two processes starting at once both end up with the one key."""
    path = Path(instance_path) / "credential_signing_key.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        draft.write_text(new_signing_key())
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text()
