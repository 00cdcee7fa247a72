"""Engines for the store: SQLite tuned for bulk imports, PostgreSQL as is, and schema upgrades."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
#: Key of the PostgreSQL advisory lock that serialises concurrent schema upgrades.
MIGRATION_LOCK = 0x636C6561  # "clea"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, real transactions and a busy timeout.

    pysqlite's default transaction handling defers ``BEGIN`` until the first write, so a read
    followed by a write is not one transaction; the SQLAlchemy recipe below makes every
    ``connection.begin()`` a real ``BEGIN`` (``BEGIN IMMEDIATE`` for writers that ask for it
    through the ``sqlite_begin`` execution option, which avoids lock-upgrade failures).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def write_connection(engine: Engine) -> Connection:
    """A connection whose transactions take the write lock at once (SQLite ``BEGIN IMMEDIATE``)."""
    return engine.connect().execution_options(sqlite_begin="IMMEDIATE")


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """Alembic configuration for the migrations shipped in this package (no ini file needed)."""
    from alembic.config import Config  # imported when needed: it costs CLI start-up time

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe when several processes start at once."""
    from alembic import command

    with write_connection(engine) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        command.upgrade(alembic_config(connection), "heads")


def redacted_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for display."""
    return make_url(url).render_as_string(hide_password=True)
