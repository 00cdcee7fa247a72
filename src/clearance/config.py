"""Where Clearance keeps its data, from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def home() -> Path:
    """The data directory: ``$CLEARANCE_HOME``, else the per-user data directory."""
    path = Path(os.environ.get("CLEARANCE_HOME") or user_data_dir("clearance", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """``$CLEARANCE_DATABASE_URL`` (e.g. ``postgresql+psycopg://...``), else SQLite in :func:`home`."""
    url = os.environ.get("CLEARANCE_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{home() / 'clearance.sqlite'}"
