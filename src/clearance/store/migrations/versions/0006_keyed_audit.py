"""Keyed audit chain, alert review tasks, durable re-screen queue, encrypted webhook secrets.

Mirrors :mod:`clearance.monitoring.tables` and ``RescreenQueue`` in :mod:`clearance.store.tables`.

* ``audit_events.key_id`` / ``audit_head.key_id, mac``: events from now on are HMAC-signed under
  the audit key (kept outside the database). Existing events are *not* re-signed: they keep
  ``key_id`` NULL and are verified under the old SHA-256 rule as a legacy prefix of the chain,
  which this migration seals with keyed events stating the legacy head and each alert's state
  (:func:`clearance.monitoring.audit.seal_legacy`; the key file is created if needed, so set
  ``CLEARANCE_AUDIT_KEY`` first where a team shares the key).
* ``alerts.review_task``: a delisting opens a task for a person instead of closing a decision.
* ``rescreen_queue``: one row per activation still owed a re-screen. Seeded here with what the old
  watermark rule (newest version a finished run reached) still owed per dataset.
* ``webhook_endpoints.secret``: plain-text secrets are encrypted under the audit key ring
  (creating the key file on first use when there are any).

Revision ID: 0006
Revises: 0003
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("key_id", sa.String(40)))
    op.add_column("audit_head", sa.Column("key_id", sa.String(40)))
    op.add_column("audit_head", sa.Column("mac", sa.String(64)))
    op.add_column("alerts", sa.Column("review_task", sa.Text))

    queue = op.create_table(
        "rescreen_queue",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("old_version", sa.Integer),
        sa.Column("new_version", sa.Integer, nullable=False),
        sa.Column("queued_at", TZ, nullable=False),
        sa.Column("done_at", TZ),
    )
    op.create_index("ix_rescreen_queue_done_at", "rescreen_queue", ["done_at"])
    bind = op.get_bind()
    marks = dict(
        bind.execute(
            sa.text(
                "SELECT dataset, MAX(new_version) FROM rescreen_runs "
                "WHERE status = 'done' GROUP BY dataset"
            )
        ).all()
    )
    now = datetime.now(UTC)
    owed = [
        {"dataset": dataset, "old_version": marks.get(dataset), "new_version": version,
         "queued_at": now}
        for dataset, version in bind.execute(
            sa.text("SELECT dataset, version_id FROM active_versions ORDER BY dataset")
        ).all()
        if marks.get(dataset) != version
    ]
    if owed:
        op.bulk_insert(queue, owed)

    from clearance.monitoring import audit, keys

    audit.seal_legacy(bind)

    plain = bind.execute(
        sa.text("SELECT id, secret FROM webhook_endpoints WHERE secret NOT LIKE 'enc:v1:%'")
    ).all()
    if plain:
        ring = keys.require(create=True)
        for endpoint_id, secret in plain:
            bind.execute(
                sa.text("UPDATE webhook_endpoints SET secret = :secret WHERE id = :id"),
                {"secret": ring.encrypt(secret), "id": endpoint_id},
            )


def downgrade() -> None:
    raise NotImplementedError(
        "0006 is not reversible: keyed audit events and encrypted webhook secrets would become "
        "unverifiable and unreadable under 0003; restore a backup taken before the upgrade"
    )
