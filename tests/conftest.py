"""Shared test fixtures. Real list files are read from ``../shared`` beside the checkout."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LISTS = SHARED / "data" / "lists"
DESIGNATIONS = SHARED / "data" / "designations"


@pytest.fixture(scope="session", autouse=True)
def _audit_key_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One audit key file for the session (created 0600 on first use), so databases built by
    module-scoped fixtures verify in every test and no test writes a key into a user's home;
    and a session CLEARANCE_HOME, so a module-scoped fixture that opens a store, an index or
    the app before a test's own home is set writes into a temporary folder too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLEARANCE_AUDIT_KEY_FILE", str(tmp_path_factory.mktemp("keys") / "audit.keys"))
        patch.delenv("CLEARANCE_AUDIT_KEY", raising=False)
        patch.setenv("CLEARANCE_HOME", str(tmp_path_factory.mktemp("session-home")))
        patch.delenv("CLEARANCE_DATABASE_URL", raising=False)
        yield


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own CLEARANCE_HOME so no test touches a user's data."""
    monkeypatch.setenv("CLEARANCE_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("CLEARANCE_DATABASE_URL", raising=False)
