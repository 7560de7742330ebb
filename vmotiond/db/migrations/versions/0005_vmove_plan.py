"""vmoves.plan: what the engine runs for a vmove, written with it.

The previous code kept a vmove's plan in a pseudo-step named ``plan`` in
``vmove_steps``. Each vmove takes the context of its last succeeded one as
its plan; then every ``plan`` step row goes, and no vmove names ``plan`` as
its current step. A vmove that never stored one keeps no plan.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from alembic import op
import sqlalchemy as sa

from vmotiond.db import types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_PLAN = "plan"


def upgrade() -> None:
    op.add_column("vmoves", sa.Column("plan", types.JsonEncoded()))
    _move_plans(op.get_bind())


def _move_plans(connection: sa.Connection) -> None:
    """Copy each vmove's stored plan step onto it; drop the plan steps."""
    steps = sa.table("vmove_steps", sa.column("id", sa.Integer),
                     sa.column("vmove_uuid", sa.String),
                     sa.column("name", sa.String),
                     sa.column("status", sa.String),
                     sa.column("context", sa.Text),
                     sa.column("deleted", sa.Boolean))
    vmoves = sa.table("vmoves", sa.column("uuid", sa.String),
                      sa.column("plan", sa.Text),
                      sa.column("current_step", sa.String))
    found: dict[str, str] = {}
    for vmove_uuid, context in connection.execute(sa.select(
            steps.c.vmove_uuid, steps.c.context).where(
                steps.c.name == _PLAN, steps.c.status == "succeeded",
                steps.c.deleted.is_(False),
                steps.c.context.is_not(None)).order_by(steps.c.id)):
        found[vmove_uuid] = context
    if found:
        connection.execute(
            sa.update(vmoves).where(
                vmoves.c.uuid == sa.bindparam("vmove")).values(
                    plan=sa.bindparam("context")),
            [{"vmove": uuid, "context": context}
             for uuid, context in found.items()])
    connection.execute(sa.delete(steps).where(steps.c.name == _PLAN))
    connection.execute(sa.update(vmoves).where(
        vmoves.c.current_step == _PLAN).values(current_step=None))
