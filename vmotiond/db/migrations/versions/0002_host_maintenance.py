"""hosts.maintenance: the operator's switch that keeps a host out of recovery.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hosts") as batch:
        batch.add_column(sa.Column("maintenance", sa.Boolean(),
                                   nullable=False, server_default=sa.false()))
