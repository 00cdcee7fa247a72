"""Server settings: one frozen object, passed to ``create_app`` or through the environment.

``clearance serve --workers N`` starts N processes via uvicorn's app-factory import string, so
settings travel to the workers as JSON in ``$CLEARANCE_API_SETTINGS`` rather than as arguments.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from clearance import config

SETTINGS_ENV = "CLEARANCE_API_SETTINGS"
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """How the HTTP server behaves. Defaults are the safe ones: keys required, CORS closed."""

    #: Require an API key (or a web session) on every endpoint except health checks and docs.
    auth: bool = True
    #: Origins allowed to call the API from a browser; empty = CORS closed.
    cors_origins: tuple[str, ...] = ()
    #: Largest JSON / form request body.
    max_body_bytes: int = 1 * MIB
    #: Largest file upload (batch files, list imports, documents, payment messages).
    max_upload_bytes: int = 200 * MIB
    #: Token-bucket rate limit per API key (or per client address when auth is off).
    rate_per_second: float = 100.0
    rate_burst: int = 200
    #: JSON-lines log of who screened what; ``None`` turns it off.
    audit_log: str | None = None
    #: Where batch jobs keep their inputs, progress and results (shared by all workers).
    jobs_dir: str | None = None
    #: Database holding lists and API keys; ``None`` = ``clearance.config.database_url()``.
    database_url: str | None = None
    #: Seconds between checks whether another process activated new list versions.
    refresh_seconds: float = 5.0
    #: Seconds a verified API key is trusted before it is looked up again (revocation delay).
    key_cache_seconds: float = 30.0
    #: Public base URL used in the reconciliation manifest (``None`` = from the request).
    public_url: str | None = None

    def resolved_database_url(self) -> str:
        return self.database_url or config.database_url()

    def resolved_jobs_dir(self) -> Path:
        path = Path(self.jobs_dir) if self.jobs_dir else config.home() / "jobs"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def with_changes(self, **changes: Any) -> ApiSettings:
        return replace(self, **changes)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ApiSettings:
        """Settings a worker process was started with (defaults when none were exported)."""
        raw = os.environ.get(SETTINGS_ENV)
        if not raw:
            return cls()
        data = json.loads(raw)
        data["cors_origins"] = tuple(data.get("cors_origins", ()))
        return cls(**data)
