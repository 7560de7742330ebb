"""notifications.owner and .generation: the claim that fences engines.

An engine that takes up a notification (``new -> running``, or a
``running`` one whose engine stopped) bumps ``generation`` and writes
itself as ``owner``; every later write of its vmoves' journal is
conditional on both being still its own, so an engine another one took
the notification from has its writes refused. Older rows start at
generation 0 with no owner: the next engine to take them up owns them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("owner", sa.String(255)))
    op.add_column("notifications",
                  sa.Column("generation", sa.Integer(), nullable=False,
                            server_default="0"))
