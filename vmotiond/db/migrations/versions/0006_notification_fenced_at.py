"""notifications.fenced_at: when the engine's recovery fenced the host.

Written once by the recovery (``COMPUTE_HOST``) when its fencing step
succeeds; the task detail page's timeline draws it. Older rows keep null:
their fencing time was never recorded.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from vmotiond.db import types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications",
                  sa.Column("fenced_at", types.PreciseDateTime))
