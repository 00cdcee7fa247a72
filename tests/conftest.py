"""Shared test fixtures. Real list files are read from ``../shared`` beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LISTS = SHARED / "data" / "lists"
DESIGNATIONS = SHARED / "data" / "designations"


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own CLEARANCE_HOME so no test touches a user's data."""
    monkeypatch.setenv("CLEARANCE_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("CLEARANCE_DATABASE_URL", raising=False)
