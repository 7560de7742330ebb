"""ha_pauses: the operator's HA pause, global or per host aggregate.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from vmotiond.db import types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ha_pauses",
        sa.Column("scope", sa.String(255), primary_key=True),
        sa.Column("reason", sa.String(255)),
        sa.Column("created_at", types.PreciseDateTime, nullable=False),
    )
