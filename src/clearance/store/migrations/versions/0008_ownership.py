"""Ownership datasets (mirrors :mod:`clearance.ownership.tables`).

Revision ID: 0008
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ownership_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(64), nullable=False, index=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("imported_at", TZ, nullable=False),
        sa.Column("party_count", sa.Integer, nullable=False),
        sa.Column("interest_count", sa.Integer, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "ownership_records",
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("ownership_versions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("record_id", sa.String(300), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "ownership_active",
        sa.Column("dataset", sa.String(64), primary_key=True),
        sa.Column(
            "version_id", sa.Integer, sa.ForeignKey("ownership_versions.id"), nullable=False
        ),
        sa.Column("activated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ownership_active")
    op.drop_table("ownership_records")
    op.drop_table("ownership_versions")
