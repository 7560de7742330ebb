"""Initial schema: notifications, vmoves, vmove_steps, hosts.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa

from vmotiond.db import types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _soft_delete_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", types.PreciseDateTime, nullable=False),
        sa.Column("updated_at", types.PreciseDateTime),
        sa.Column("deleted_at", types.PreciseDateTime),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("host", sa.String(255)),
        sa.Column("payload", types.JsonEncoded()),
        sa.Column("source", sa.String(255)),
        sa.Column("generated_time", types.PreciseDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("dedup_key", sa.String(255), nullable=False),
        sa.Column("message", sa.Text()),
        *_soft_delete_columns(),
        sa.UniqueConstraint("uuid", name="uniq_notifications0uuid"),
        sa.UniqueConstraint("dedup_key", name="uniq_notifications0dedup_key"),
    )
    op.create_index("notifications_host_status_idx", "notifications",
                    ["host", "status"])
    op.create_index("notifications_status_idx", "notifications", ["status"])

    op.create_table(
        "vmoves",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("notification_uuid", sa.String(36),
                  sa.ForeignKey("notifications.uuid"), nullable=False),
        sa.Column("instance_uuid", sa.String(36), nullable=False),
        sa.Column("instance_name", sa.String(255)),
        sa.Column("source_host", sa.String(255)),
        sa.Column("dest_host", sa.String(255)),
        sa.Column("start_time", types.PreciseDateTime),
        sa.Column("end_time", types.PreciseDateTime),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.Text()),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("current_step", sa.String(64)),
        *_soft_delete_columns(),
        sa.UniqueConstraint("uuid", name="uniq_vmoves0uuid"),
        sa.UniqueConstraint("notification_uuid", "instance_uuid",
                            name="uniq_vmoves0notification_uuid0instance_uuid"),
    )
    for column in ("instance_uuid", "status", "source_host", "dest_host",
                   "created_at"):
        op.create_index(f"vmoves_{column}_idx", "vmoves", [column])

    op.create_table(
        "vmove_steps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("vmove_uuid", sa.String(36), sa.ForeignKey("vmoves.uuid"),
                  nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", types.PreciseDateTime),
        sa.Column("ended_at", types.PreciseDateTime),
        sa.Column("result", sa.Text()),
        sa.Column("context", types.JsonEncoded()),
        *_soft_delete_columns(),
    )
    op.create_index("vmove_steps_vmove_uuid_idx", "vmove_steps",
                    ["vmove_uuid"])

    op.create_table(
        "hosts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("hypervisor_id", sa.String(36)),
        sa.Column("service_id", sa.String(36)),
        sa.Column("management_ip", sa.String(64)),
        sa.Column("availability_zone", sa.String(255)),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in (
            "vcpus_total", "vcpus_used", "memory_mb_total", "memory_mb_used",
            "disk_gb_total", "disk_gb_used", "running_instances")],
        sa.Column("service_state", sa.String(16)),
        sa.Column("service_status", sa.String(16)),
        sa.Column("forced_down", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(255)),
        sa.Column("last_heartbeat", types.PreciseDateTime),
        sa.Column("synced_at", types.PreciseDateTime),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("auto_evacuate", sa.Boolean(), nullable=False),
        sa.Column("monitor_state", sa.String(16), nullable=False),
        sa.Column("monitor_state_since", types.PreciseDateTime),
        sa.Column("monitor_generation", sa.Integer(), nullable=False),
        sa.Column("monitor_detail", types.JsonEncoded()),
        *_soft_delete_columns(),
        sa.UniqueConstraint("name", name="uniq_hosts0name"),
    )
