"""hosts: instances_total, instances_running and networks.

Counted from Nova's servers and read from Neutron's agents at each
inventory sync (``vmotiond.cloud.inventory``). Existing hosts get 0 and 0
and null networks until the next sync.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

from vmotiond.db import types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hosts") as batch:
        batch.add_column(sa.Column("instances_total", sa.Integer(),
                                   nullable=False, server_default="0"))
        batch.add_column(sa.Column("instances_running", sa.Integer(),
                                   nullable=False, server_default="0"))
        batch.add_column(sa.Column("networks", types.JsonEncoded))
