"""alerts: the monitor's alerts and the engine's refused messages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from vmotiond.db import types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("host", sa.String(255)),
        sa.Column("hosts", types.JsonEncoded()),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", types.JsonEncoded()),
        sa.Column("created_at", types.PreciseDateTime, nullable=False),
        sa.Column("updated_at", types.PreciseDateTime),
        sa.Column("deleted_at", types.PreciseDateTime),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("uuid", name="uniq_alerts0uuid"),
    )
    op.create_index("alerts_created_at_idx", "alerts", ["created_at"])
    op.create_index("alerts_host_idx", "alerts", ["host"])
