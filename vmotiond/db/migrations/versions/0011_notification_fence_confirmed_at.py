"""notifications.fence_confirmed_at: an operator confirmed the host off.

Written once by ``vmotiond-manage host confirm-fenced HOST`` when the power
fencing of a recovery failed; the recovery, blocked until then (in this
engine or in one started later), goes on without power fencing. Older rows
keep null.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from vmotiond.db import types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications",
                  sa.Column("fence_confirmed_at", types.PreciseDateTime))
