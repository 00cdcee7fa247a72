"""API keys with roles, web sessions, per-key rate limits and the audit log of who screened what.

Rate limits hold for the server as a whole: the token buckets live in a small SQLite file in the
data dir that every worker process of ``clearance serve --workers N`` shares.

Keys look like ``clr_<key id>_<secret>``. Only a salted HMAC-SHA256 of the secret is stored, so a
copy of the database does not reveal usable keys; the key id lets a lookup find the row without
scanning. Verified keys are cached for ``key_cache_seconds`` so the hot path (``POST /screen``)
does no database round trip; revocation therefore takes effect within that delay.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import math
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyCookie, APIKeyHeader
from starlette.concurrency import run_in_threadpool

from clearance import config
from clearance.api.roles import Role
from clearance.api.tables import ApiKeyRecord
from clearance.errors import InputError, Location
from clearance.store.engine import make_engine, upgrade, write_connection

log = logging.getLogger(__name__)

KEY_PREFIX = "clr"
SESSION_COOKIE = "clearance_session"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: an API key, or the local user when auth is off."""

    key_id: str
    name: str
    role: Role


LOCAL_PRINCIPAL = Principal(key_id="local", name="local user (auth off)", role=Role.ADMIN)


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


api_keys_table = cast(sa.Table, ApiKeyRecord.__table__)


def _hash_secret(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode("utf-8"), hashlib.sha256).hexdigest()


def _split_token(token: str) -> tuple[str, str] | None:
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


class KeyStore:
    """API keys in the Clearance database (the same SQLite or PostgreSQL as the lists)."""

    def __init__(self, database_url: str | None = None) -> None:
        self.engine = make_engine(database_url or config.database_url())
        upgrade(self.engine)  # the table comes with migration 0003, like every other table

    def create(self, name: str, role: Role | str) -> tuple[ApiKey, str]:
        """Make a key; returns it with the only copy of the full token."""
        if not name.strip():
            raise InputError("a key needs a name (who or what uses it)", Location(field="name"))
        role = _parse_role(role)
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        created = datetime.now(UTC)
        with write_connection(self.engine) as conn, conn.begin():
            conn.execute(
                api_keys_table.insert().values(
                    key_id=key_id,
                    name=name.strip(),
                    role=role.value,
                    salt=salt,
                    secret_hash=_hash_secret(salt, secret),
                    created_at=created,
                )
            )
        return ApiKey(key_id, name.strip(), role, created), f"{KEY_PREFIX}_{key_id}_{secret}"

    def list(self) -> list[ApiKey]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(api_keys_table).order_by(api_keys_table.c.created_at)
            ).all()
        return [_row_to_key(row) for row in rows]

    def has_active_keys(self) -> bool:
        with self.engine.connect() as conn:
            query = sa.select(sa.func.count()).where(api_keys_table.c.revoked_at.is_(None))
            return bool(conn.execute(query.select_from(api_keys_table)).scalar_one())

    def revoke(self, key_id: str) -> ApiKey:
        with write_connection(self.engine) as conn, conn.begin():
            row = conn.execute(
                sa.select(api_keys_table).where(api_keys_table.c.key_id == key_id)
            ).first()
            if row is None:
                raise InputError(f"no API key with id {key_id!r}", Location(field="key_id"))
            if row.revoked_at is None:
                conn.execute(
                    api_keys_table.update()
                    .where(api_keys_table.c.key_id == key_id)
                    .values(revoked_at=datetime.now(UTC))
                )
            row = conn.execute(
                sa.select(api_keys_table).where(api_keys_table.c.key_id == key_id)
            ).one()
        return _row_to_key(row)

    def verify(self, token: str) -> ApiKey | None:
        """The active key the token belongs to, or ``None`` (unknown, wrong secret, revoked)."""
        parts = _split_token(token)
        if parts is None:
            return None
        key_id, secret = parts
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(api_keys_table).where(api_keys_table.c.key_id == key_id)
            ).first()
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.secret_hash, _hash_secret(row.salt, secret)):
            return None
        return _row_to_key(row)

    def get(self, key_id: str) -> ApiKey | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(api_keys_table).where(api_keys_table.c.key_id == key_id)
            ).first()
        return None if row is None else _row_to_key(row)


def _parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InputError(
            f"unknown role {role!r}; use one of {names}", Location(field="role")
        ) from None


def _aware(value: datetime | None) -> datetime | None:
    # SQLite drops the time zone on the way back; the values were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _row_to_key(row: Any) -> ApiKey:
    return ApiKey(
        key_id=row.key_id,
        name=row.name,
        role=Role(row.role),
        created_at=_aware(row.created_at) or datetime.now(UTC),
        revoked_at=_aware(row.revoked_at),
    )


class TokenBucketLimiter:
    """Per-caller token buckets: ``rate`` requests per second on average, bursts up to ``burst``.

    The buckets are rows of a SQLite file shared by every worker process on the machine, so with
    ``--workers N`` a caller still gets ``rate``, not N times it. Each take is one short write
    transaction on a file of its own (WAL, no fsync: a bucket lost in a crash only refills it),
    kept apart from the list database so a long import never holds a request up. Takes queue on
    an ``flock`` of a lock file beside it, which wakes the next waiter at once (SQLite's own busy
    handler sleeps for milliseconds); ``bench/bench_ratelimit.py`` measures the cost.
    """

    def __init__(self, rate: float, burst: int, path: str | Path) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._lock_file = self.path.with_name(self.path.name + ".lock").open("a+b")
        self._db = sqlite3.connect(
            self.path, timeout=10, isolation_level=None, check_same_thread=False
        )
        with self._locked():
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS buckets "
                "(caller TEXT PRIMARY KEY, tokens REAL NOT NULL, stamp REAL NOT NULL)"
            )

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """This process's threads one at a time, and then one process at a time."""
        with self._lock:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def take(self, caller: str) -> float:
        """Spend one token; returns 0 when allowed, else the seconds until one is available."""
        with self._locked():
            now = time.time()  # wall clock: comparable between processes and across restarts
            row = self._db.execute(
                "SELECT tokens, stamp FROM buckets WHERE caller = ?", (caller,)
            ).fetchone()
            tokens, stamp = row if row is not None else (float(self.burst), now)
            tokens = min(float(self.burst), tokens + max(0.0, now - stamp) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._db.execute(
                "INSERT INTO buckets (caller, tokens, stamp) VALUES (?, ?, ?) ON CONFLICT (caller) "
                "DO UPDATE SET tokens = excluded.tokens, stamp = excluded.stamp",
                (caller, tokens, now),
            )
        if allowed:
            return 0.0
        return (1.0 - tokens) / self.rate if self.rate > 0 else math.inf


class AuditLog:
    """Appends one JSON line per screening request: who, role, endpoint, what, how many results."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._file = None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8", buffering=1)

    def record(
        self,
        principal: Principal,
        endpoint: str,
        query: dict[str, Any],
        results: int,
        request_id: str | None = None,
    ) -> None:
        if self._file is None:
            return
        line = json.dumps(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "request_id": request_id,
                "key_id": principal.key_id,
                "key_name": principal.name,
                "role": principal.role.value,
                "endpoint": endpoint,
                "query": query,
                "results": results,
            },
            ensure_ascii=False,
            default=str,
        )
        with self._lock:
            self._file.write(line + "\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class SessionSigner:
    """Signs web-session cookies so any worker process can check them without shared memory."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def from_home(cls) -> SessionSigner:
        """Use (creating once, readable by the owner only) the secret file in the data dir."""
        path = config.home() / "session.key"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return cls(path.read_bytes())
        secret = secrets.token_bytes(32)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secret)
        return cls(secret)

    def sign(self, key_id: str, now: float | None = None) -> str:
        expires = int((time.time() if now is None else now) + SESSION_SECONDS)
        payload = f"{key_id}.{expires}"
        mac = hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()
        return f"{payload}.{mac}"

    def key_id_of(self, cookie: str) -> str | None:
        """The key id a valid, unexpired cookie was issued for."""
        parts = cookie.split(".")
        if len(parts) != 3:
            return None
        key_id, expires, mac = parts
        expected = hmac.new(self._secret, f"{key_id}.{expires}".encode(), hashlib.sha256)
        if not hmac.compare_digest(mac, expected.hexdigest()):
            return None
        if not expires.isdigit() or int(expires) < time.time():
            return None
        return key_id


api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="An API key from `clearance keys create`; `Authorization: ApiKey <key>` and "
    "`Authorization: Bearer <key>` are accepted too.",
)
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="Web UI session (after login)."
)


class Guard:
    """Authenticates callers, checks roles and rate limits; shared by the API and the web UI."""

    def __init__(
        self,
        enabled: bool,
        keys: KeyStore,
        limiter: TokenBucketLimiter,
        signer: SessionSigner,
        cache_seconds: float,
    ) -> None:
        self.enabled = enabled
        self.keys = keys
        self.limiter = limiter
        self.signer = signer
        self.cache_seconds = cache_seconds
        self._token_cache: dict[str, tuple[Principal, float]] = {}
        self._session_cache: dict[str, tuple[Principal | None, float]] = {}

    def principal_for_token(self, token: str) -> Principal | None:
        now = time.monotonic()
        cached = self._token_cache.get(token)
        if cached is not None and cached[1] > now:
            return cached[0]
        key = self.keys.verify(token)
        if key is None:
            self._token_cache.pop(token, None)
            return None
        principal = Principal(key.key_id, key.name, key.role)
        self._token_cache[token] = (principal, now + self.cache_seconds)
        return principal

    def principal_for_session(self, cookie: str) -> Principal | None:
        key_id = self.signer.key_id_of(cookie)
        if key_id is None:
            return None
        now = time.monotonic()
        cached = self._session_cache.get(key_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        key = self.keys.get(key_id)
        principal = (
            Principal(key.key_id, key.name, key.role) if key is not None and key.active else None
        )
        self._session_cache[key_id] = (principal, now + self.cache_seconds)
        return principal

    def is_cached(self, request: Request, header_key: str | None, cookie: str | None) -> bool:
        """Whether :meth:`authenticate` can answer without a database lookup."""
        if not self.enabled:
            return True
        now = time.monotonic()
        token = header_key or _token_from_authorization(request.headers.get("authorization"))
        if token:
            cached = self._token_cache.get(token)
            return cached is not None and cached[1] > now
        if cookie:
            key_id = self.signer.key_id_of(cookie)
            session = self._session_cache.get(key_id) if key_id else None
            return key_id is None or (session is not None and session[1] > now)
        return True

    def authenticate(
        self, request: Request, header_key: str | None, cookie: str | None
    ) -> Principal:
        """The caller, or 401 with a message that says how to authenticate."""
        if not self.enabled:
            return LOCAL_PRINCIPAL
        token = header_key or _token_from_authorization(request.headers.get("authorization"))
        if token:
            principal = self.principal_for_token(token)
            if principal is None:
                raise HTTPException(
                    401,
                    "Invalid or revoked API key.",
                    headers={"WWW-Authenticate": "ApiKey"},
                )
            return principal
        if cookie:
            principal = self.principal_for_session(cookie)
            if principal is not None:
                return principal
            raise HTTPException(
                401, "Your session has expired; log in again.", {"WWW-Authenticate": "ApiKey"}
            )
        raise HTTPException(
            401,
            "Authentication required: send an API key in the X-API-Key header "
            "(or 'Authorization: ApiKey <key>'). Create one with `clearance keys create`.",
            headers={"WWW-Authenticate": "ApiKey"},
        )

    def check(self, request: Request, principal: Principal, needed: Role) -> None:
        """403 if the role is too weak, 429 if the caller is over its rate limit."""
        if not principal.role.allows(needed):
            raise HTTPException(
                403,
                f"This endpoint needs the '{needed.value}' role; key '{principal.key_id}' "
                f"has the '{principal.role.value}' role.",
            )
        caller = principal.key_id
        if not self.enabled and request.client is not None:
            caller = request.client.host
        wait = self.limiter.take(caller)
        if wait > 0:
            retry = max(1, math.ceil(wait))
            raise HTTPException(
                429,
                f"Rate limit exceeded for '{caller}': {self.limiter.rate:g} requests/s "
                f"(bursts of {self.limiter.burst}). Retry after {retry} s.",
                headers={"Retry-After": str(retry)},
            )


def _token_from_authorization(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() in ("apikey", "bearer") and credentials.strip():
        return credentials.strip()
    return None


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """FastAPI dependency: the authenticated caller, holding at least ``role``."""

    async def dependency(
        request: Request,
        header_key: str | None = Security(api_key_header),
        cookie: str | None = Security(session_cookie),
    ) -> Principal:
        # Async, so a request with a cached key costs no thread hop; a key not verified
        # recently is looked up in the database on a worker thread, off the event loop.
        guard: Guard = request.app.state.guard
        if guard.is_cached(request, header_key, cookie):
            principal = guard.authenticate(request, header_key, cookie)
        else:
            principal = await run_in_threadpool(guard.authenticate, request, header_key, cookie)
        guard.check(request, principal, role)
        request.state.principal = principal
        return principal

    dependency.__name__ = f"require_{role.value}"
    return dependency


def audit(request: Request, endpoint: str, query: dict[str, Any], results: int) -> None:
    """Record a screening request in the audit log (no-op when the log is off)."""
    principal: Principal = getattr(request.state, "principal", LOCAL_PRINCIPAL)
    request.app.state.audit.record(
        principal, endpoint, query, results, getattr(request.state, "request_id", None)
    )
