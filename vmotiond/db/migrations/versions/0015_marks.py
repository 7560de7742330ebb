"""marks: change counters, the first of the hosts' switches.

The monitor read a fingerprint of every live host's switches (a scan of
the hosts table) each poll; it now reads the ``host_switches`` row,
which every data API write of a host's auto-evacuate, maintenance or
management address (the operator's update, the inventory sync) bumps in
its own transaction.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    marks = op.create_table(
        "marks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(marks, [{"name": "host_switches", "value": 0}])
