"""SQLAlchemy models of vmotiond's tables.

``vmoves`` carries exactly the columns of Masakari's vmoves spec plus what
the engine needs (priority, attempts, current_step, plan) and the
instance's project (what the API's project readers see).
"""

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from vmotiond import clock
from vmotiond import constants
from vmotiond.db import types


class Base(orm.DeclarativeBase):
    pass


class _SoftDeleteMixin:
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        types.PreciseDateTime, default=clock.utcnow, nullable=False)
    updated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        types.PreciseDateTime, onupdate=clock.utcnow)
    deleted_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        types.PreciseDateTime)
    deleted: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, default=False, nullable=False)

    def as_dict(self) -> dict[str, Any]:
        """Return the row's columns as a plain dict."""
        table: sa.Table = self.__table__  # type: ignore[attr-defined]
        return {c.name: getattr(self, c.name) for c in table.columns}


class Notification(_SoftDeleteMixin, Base):
    """One reason to move instances: a failure, a drain, a move-back..."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("uuid", name="uniq_notifications0uuid"),
        sa.UniqueConstraint("dedup_key",
                            name="uniq_notifications0dedup_key"),
        sa.Index("notifications_host_status_idx", "host", "status"),
        sa.Index("notifications_status_idx", "status"),
        # The counts of /metrics (db/stats.py), read from the index only.
        sa.Index("notifications_type_status_deleted_idx", "type", "status",
                 "deleted"),
        sa.Index("notifications_source_host_uuid_idx", "source_host_uuid"),
    )

    id: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, primary_key=True, autoincrement=True)
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), nullable=False)
    type: orm.Mapped[str] = orm.mapped_column(sa.String(32), nullable=False)
    host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    # The host's uuid (``Host.uuid``) when the notification was written;
    # None if unknown then (and for rows written before schema 0007).
    source_host_uuid: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(36))
    payload: orm.Mapped[Any] = orm.mapped_column(
        types.JsonEncoded, nullable=True)
    source: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    generated_time: orm.Mapped[datetime.datetime] = orm.mapped_column(
        types.PreciseDateTime, nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), nullable=False, default=constants.NOTIFICATION_NEW)
    dedup_key: orm.Mapped[str] = orm.mapped_column(
        sa.String(255), nullable=False)
    message: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    # When a recovery fenced the host (set once; null otherwise).
    fenced_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        types.PreciseDateTime)
    # The claim (schema 0009): the engine running it and how many times
    # an engine took it up; a journal write of another engine or an older
    # generation is refused.
    owner: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    generation: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0")
    # When an operator confirmed the host powered off, standing in for a
    # power fencing that failed (``host confirm-fenced``; null otherwise).
    fence_confirmed_at: orm.Mapped[datetime.datetime | None] = \
        orm.mapped_column(types.PreciseDateTime)


class VMove(_SoftDeleteMixin, Base):
    """One instance's move within a notification."""

    __tablename__ = "vmoves"
    __table_args__ = (
        sa.UniqueConstraint("uuid", name="uniq_vmoves0uuid"),
        sa.UniqueConstraint("notification_uuid", "instance_uuid",
                            name="uniq_vmoves0notification_uuid0instance_uuid"),
        sa.Index("vmoves_instance_uuid_idx", "instance_uuid"),
        sa.Index("vmoves_status_idx", "status"),
        sa.Index("vmoves_type_status_deleted_idx", "type", "status",
                 "deleted"),
        sa.Index("vmoves_source_host_idx", "source_host"),
        sa.Index("vmoves_dest_host_idx", "dest_host"),
        sa.Index("vmoves_created_at_idx", "created_at"),
        sa.Index("vmoves_project_id_created_at_idx", "project_id",
                 "created_at"),
    )

    id: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, primary_key=True, autoincrement=True)
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), nullable=False)
    notification_uuid: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), sa.ForeignKey("notifications.uuid"), nullable=False)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), nullable=False)
    instance_name: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(255))
    source_host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    dest_host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    start_time: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        types.PreciseDateTime)
    end_time: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        types.PreciseDateTime)
    type: orm.Mapped[str] = orm.mapped_column(sa.String(32), nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), nullable=False, default=constants.PENDING)
    message: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    priority: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    attempts: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    current_step: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    # What the engine runs: step keys, order, final status (the JSON of
    # ``engine.store.MoveSpec``); written with the vmove. None for an
    # ignored instance that had a target, and for a vmove planned before
    # schema 0005 that never stored its plan.
    plan: orm.Mapped[Any] = orm.mapped_column(types.JsonEncoded,
                                              nullable=True)
    # The instance's project when the vmove was written; None if unknown.
    project_id: orm.Mapped[str | None] = orm.mapped_column(
        types.exact_string(255))


class VMoveStep(_SoftDeleteMixin, Base):
    """One stage of a vmove: its name, outcome, times and context."""

    __tablename__ = "vmove_steps"
    __table_args__ = (
        sa.Index("vmove_steps_vmove_uuid_idx", "vmove_uuid"),
    )

    id: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, primary_key=True, autoincrement=True)
    vmove_uuid: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), sa.ForeignKey("vmoves.uuid"), nullable=False)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(64), nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), nullable=False, default=constants.ONGOING)
    attempt: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=1)
    started_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        types.PreciseDateTime)
    ended_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        types.PreciseDateTime)
    result: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    context: orm.Mapped[Any] = orm.mapped_column(
        types.JsonEncoded, nullable=True)
    # The ids (``x-openstack-request-id``) of the requests the step made
    # that change something, in order; None when it made none.
    request_ids: orm.Mapped[Any] = orm.mapped_column(
        types.JsonEncoded, nullable=True)


class Host(_SoftDeleteMixin, Base):
    """A compute host: synced inventory, operator choices, monitor state."""

    __tablename__ = "hosts"
    __table_args__ = (
        sa.UniqueConstraint("name", name="uniq_hosts0name"),
        sa.Index("hosts_uuid_idx", "uuid"),
    )

    id: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, primary_key=True, autoincrement=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), nullable=False)
    # Inventory, copied from the cloud by the sync.
    # The host's UUID: its Nova compute node's (``hypervisor_id``), which
    # Nova keeps stable; None until the sync has read the hypervisor.
    uuid: orm.Mapped[str | None] = orm.mapped_column(sa.String(36))
    hypervisor_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(36))
    service_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(36))
    management_ip: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    availability_zone: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(255))
    vcpus_total: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    vcpus_used: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    memory_mb_total: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    memory_mb_used: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    disk_gb_total: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    disk_gb_used: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    # The hypervisor's running_vms (every instance, whatever its state):
    # GET /v1/hosts before 1.11.
    running_instances: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    # Counted from Nova's servers (vmotiond.cloud.inventory): all of the
    # host's, and those ACTIVE.
    instances_total: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0")
    instances_running: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0")
    # Neutron agents' networks on the host: [{"agent_type", "tunneling_ip",
    # "bridge_mappings", "interface_mappings"}]; None until read.
    networks: orm.Mapped[Any] = orm.mapped_column(
        types.JsonEncoded, nullable=True)
    service_state: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    service_status: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(16))
    forced_down: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False, default=False)
    disabled_reason: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(255))
    last_heartbeat: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        types.PreciseDateTime)
    synced_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        types.PreciseDateTime)
    # The operator's choices.
    role: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), nullable=False, default=constants.ROLE_NORMAL)
    auto_evacuate: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False, default=True)
    maintenance: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false())
    # The monitor's state machine.
    monitor_state: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), nullable=False, default=constants.HOST_UP)
    monitor_state_since: orm.Mapped[datetime.datetime | None] = (
        orm.mapped_column(types.PreciseDateTime))
    monitor_generation: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    monitor_detail: orm.Mapped[Any] = orm.mapped_column(
        types.JsonEncoded, nullable=True)


class Alert(_SoftDeleteMixin, Base):
    """Something an operator must look at: a monitor's alert (mass
    failure, flapping...) or a host-down message the engine refused."""

    __tablename__ = "alerts"
    __table_args__ = (
        sa.UniqueConstraint("uuid", name="uniq_alerts0uuid"),
        sa.Index("alerts_created_at_idx", "created_at"),
        sa.Index("alerts_host_idx", "host"),
        sa.Index("alerts_type_deleted_idx", "type", "deleted"),
    )

    id: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, primary_key=True, autoincrement=True)
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), nullable=False)
    type: orm.Mapped[str] = orm.mapped_column(sa.String(64), nullable=False)
    source: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                nullable=False)
    # The one host the alert is about, if one; ``hosts`` names them all.
    host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    hosts: orm.Mapped[Any] = orm.mapped_column(types.JsonEncoded,
                                               nullable=True)
    message: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)
    evidence: orm.Mapped[Any] = orm.mapped_column(types.JsonEncoded,
                                                  nullable=True)


class HaPause(Base):
    """HA paused by an operator over a scope: ``*`` (every host) or one
    host aggregate's name. The row is the pause; resuming deletes it."""

    __tablename__ = "ha_pauses"

    scope: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                               primary_key=True)
    reason: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        types.PreciseDateTime, nullable=False)


class MonitorHold(Base):
    """A cool-down of the monitor after a storm: no recovery starts in
    ``scope`` (``*``: the global guard; ``zone:NAME``, ``aggregate:NAME``)
    before ``until``. Kept so that the next monitor honours it."""

    __tablename__ = "monitor_holds"

    scope: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                               primary_key=True)
    until: orm.Mapped[datetime.datetime] = orm.mapped_column(
        types.PreciseDateTime, nullable=False)


class Mark(Base):
    """A counter bumped in the transaction of every data API write of what
    it marks, so that a reader compares one row instead of reading the
    marked ones. ``host_switches``: the live hosts' auto-evacuate,
    maintenance and management address switches (``Hosts``)."""

    __tablename__ = "marks"

    name: orm.Mapped[str] = orm.mapped_column(sa.String(64),
                                              primary_key=True)
    value: orm.Mapped[int] = orm.mapped_column(sa.BigInteger,
                                               nullable=False, default=0)
