"""hosts.uuid and notifications.source_host_uuid: each host's UUID.

A host's UUID is the UUID of its Nova compute node (the hypervisor's
``id`` from compute API 2.53 on, also its Placement resource provider),
which Nova keeps on the compute host's disk from 2023.1 on. A host row
takes it from ``hypervisor_id``, the same value the inventory sync has
stored since schema 0001; a host without one keeps NULL until the sync
reads its hypervisor. Notifications written before this schema keep
NULL: which compute node a host name stood for back then is not known.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hosts") as batch:
        batch.add_column(sa.Column("uuid", sa.String(36)))
        batch.create_index("hosts_uuid_idx", ["uuid"])
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("source_host_uuid", sa.String(36)))
        batch.create_index("notifications_source_host_uuid_idx",
                           ["source_host_uuid"])
    hosts = sa.table("hosts", sa.column("uuid", sa.String),
                     sa.column("hypervisor_id", sa.String))
    op.get_bind().execute(sa.update(hosts).where(
        hosts.c.hypervisor_id.is_not(None)).values(
            uuid=hosts.c.hypervisor_id))
