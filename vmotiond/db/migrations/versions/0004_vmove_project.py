"""vmoves.project_id: the instance's project, what project readers see.

The previous code kept the project only in a vmove's stored plan (the
``plan`` pseudo-step's context); vmoves whose plan names one take it from
there, the others stay without one (admins still see them).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import json

from alembic import op
import sqlalchemy as sa

from vmotiond.db import types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("vmoves", sa.Column("project_id", types.exact_string(255)))
    op.create_index("vmoves_project_id_created_at_idx", "vmoves",
                    ["project_id", "created_at"])
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    """Copy the project of each stored plan onto its vmove."""
    steps = sa.table("vmove_steps", sa.column("vmove_uuid", sa.String),
                     sa.column("name", sa.String),
                     sa.column("context", sa.Text),
                     sa.column("deleted", sa.Boolean))
    vmoves = sa.table("vmoves", sa.column("uuid", sa.String),
                      sa.column("project_id", sa.String))
    plans = connection.execute(sa.select(
        steps.c.vmove_uuid, steps.c.context).where(
            steps.c.name == "plan", steps.c.deleted.is_(False),
            steps.c.context.like('%"project_id"%')))
    found: dict[str, str] = {}
    for vmove_uuid, context in plans:
        project = json.loads(context).get("project_id")
        if isinstance(project, str) and project:
            found[vmove_uuid] = project
    update = sa.update(vmoves).where(
        vmoves.c.uuid == sa.bindparam("vmove")).values(
            project_id=sa.bindparam("project"))
    if found:
        connection.execute(update, [{"vmove": uuid, "project": project}
                                    for uuid, project in found.items()])
