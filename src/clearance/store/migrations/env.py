"""Alembic environment: runs on the connection :func:`clearance.store.engine.upgrade` passes in,
or, for developers running ``alembic`` by hand, on ``sqlalchemy.url`` / the configured database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from clearance.config import database_url
from clearance.store.engine import make_engine
from clearance.store.tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


_given = context.config.attributes.get("connection")
if _given is not None:
    _run(_given)
else:
    _engine = make_engine(context.config.get_main_option("sqlalchemy.url") or database_url())
    with _engine.connect() as _connection:
        _run(_connection)
    _engine.dispose()
