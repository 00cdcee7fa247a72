"""Monitoring: monitored records, alerts, hash-chained audit trail, re-screen runs, webhooks.

Mirrors :mod:`clearance.monitoring.tables`. ``audit_events`` is made append-only by triggers that
refuse UPDATE and DELETE (decisions are kept 10 years, 31 CFR 501.601), and the chain head row
starts at the genesis hash.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
LIVE = "status <> 'closed'"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "monitored_records",
        sa.Column("id", sa.String(300), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("schema", sa.String(32), nullable=False),
        sa.Column("birth_date", sa.String(32)),
        sa.Column("country", sa.String(64)),
        sa.Column("id_number", sa.String(128)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("screened_hash", sa.String(64)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("removed_at", TZ),
    )
    op.create_index("ix_monitored_records_screened_hash", "monitored_records", ["screened_hash"])
    op.create_index("ix_monitored_records_active", "monitored_records", ["active"])

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "record_id", sa.String(300), sa.ForeignKey("monitored_records.id"), nullable=False
        ),
        sa.Column("entity_id", sa.String(300), nullable=False),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("entity_caption", sa.Text, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),
        sa.Column("entity_hash", sa.String(64), nullable=False),
        sa.Column("entity_version", sa.Integer, nullable=False),
        sa.Column("decision", sa.String(24)),
        sa.Column("reason_code", sa.String(64)),
        sa.Column("note", sa.Text),
        sa.Column("reviewer", sa.String(128)),
        sa.Column("decided_by", sa.String(128)),
        sa.Column("decided_at", TZ),
        sa.Column("confirmed_by", sa.String(128)),
        sa.Column("confirmed_at", TZ),
        sa.Column("closed_reason", sa.Text),
        sa.Column("closed_at", TZ),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index(
        "uq_alerts_live_pair",
        "alerts",
        ["record_id", "entity_id"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )
    op.create_index("ix_alerts_entity_status", "alerts", ["entity_id", "status"])
    op.create_index("ix_alerts_status", "alerts", ["status"])

    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("alert_id", sa.Integer),
        sa.Column("record_id", sa.String(300)),
        sa.Column("entity_id", sa.String(300)),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_audit_events_action", "audit_events", ["action"])
    op.create_index("ix_audit_events_alert_id", "audit_events", ["alert_id"])
    op.create_index("ix_audit_events_record_id", "audit_events", ["record_id"])

    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])

    op.create_table(
        "rescreen_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_key", sa.String(300), nullable=False, unique=True),
        sa.Column("dataset", sa.String(64), nullable=False),
        sa.Column("old_version", sa.Integer),
        sa.Column("new_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
    )

    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("endpoint_id", sa.Integer, sa.ForeignKey("webhook_endpoints.id"), nullable=False),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ),
    )
    op.create_index("ix_webhook_deliveries_status", "webhook_deliveries", ["status"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "delivery_id", sa.Integer, sa.ForeignKey("webhook_deliveries.id"), nullable=False
        ),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("duration_ms", sa.Float, nullable=False),
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    for table in (
        "webhook_attempts",
        "webhook_deliveries",
        "webhook_endpoints",
        "rescreen_runs",
        "audit_head",
        "audit_events",
        "alerts",
        "monitored_records",
    ):
        op.drop_table(table)
