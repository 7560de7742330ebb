"""vmove_steps.request_ids: the cloud's ids of the step's requests.

The ``x-openstack-request-id`` of each request a step made that changes
something (an evacuation, a services update...), in order, so that a step
can be found in Nova's logs. Older rows keep null: never recorded.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from vmotiond.db import types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("vmove_steps",
                  sa.Column("request_ids", types.JsonEncoded))
