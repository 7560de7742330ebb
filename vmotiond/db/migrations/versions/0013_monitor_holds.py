"""monitor_holds: the monitor's cool-downs after a storm, by scope.

The global guard's hold-down (scope ``*``) and each zone's or aggregate's
cool-down after its storm (``zone:NAME``, ``aggregate:NAME``), until when,
so that a restarted or newly elected monitor keeps them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

from vmotiond.db import types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_holds",
        sa.Column("scope", sa.String(255), primary_key=True),
        sa.Column("until", types.PreciseDateTime, nullable=False),
    )
