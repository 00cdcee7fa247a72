"""Database fixtures of the monitoring tests: a migrated SQLite file and a throwaway PostgreSQL
database (uniquely named, dropped afterwards) so every test runs on both."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from clearance.store.engine import make_engine, upgrade

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def _pg_available() -> bool:
    try:
        engine = create_engine(f"{PG_SERVER}/postgres", connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except OperationalError:
        return False


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'monitoring.sqlite'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    if not _pg_available():
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")
    name = f"clearance_test_mon_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{PG_SERVER}/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
