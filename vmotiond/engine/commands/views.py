"""Plain dicts of notifications, vmoves, steps, instances and target
hosts, for RPC replies and the command line (JSON-safe: times as ISO 8601
strings)."""

import datetime
from typing import Any

from vmotiond.cloud import records
from vmotiond.db import models
from vmotiond.engine.deciding.records import TargetHost


def _time(value: datetime.datetime | None) -> str | None:
    return value.isoformat(sep=" ", timespec="seconds") if value else None


def notification(row: models.Notification) -> dict[str, Any]:
    return {"uuid": row.uuid, "type": row.type, "host": row.host,
            "status": row.status, "message": row.message,
            "created_at": _time(row.created_at),
            "updated_at": _time(row.updated_at),
            "payload": row.payload}


def vmove(row: models.VMove) -> dict[str, Any]:
    return {"uuid": row.uuid, "notification_uuid": row.notification_uuid,
            "instance_uuid": row.instance_uuid,
            "instance_name": row.instance_name,
            "source_host": row.source_host, "dest_host": row.dest_host,
            "type": row.type, "status": row.status,
            "current_step": row.current_step, "attempts": row.attempts,
            "priority": row.priority, "message": row.message,
            "created_at": _time(row.created_at),
            "updated_at": _time(row.updated_at or row.created_at),
            "start_time": _time(row.start_time),
            "end_time": _time(row.end_time)}


def step(row: models.VMoveStep) -> dict[str, Any]:
    return {"name": row.name, "attempt": row.attempt, "status": row.status,
            "started_at": _time(row.started_at),
            "ended_at": _time(row.ended_at), "result": row.result,
            "context": row.context,
            "request_ids": list(row.request_ids or ())}


def server(row: records.Server) -> dict[str, Any]:
    return {"uuid": row.id, "name": row.name, "project_id": row.project_id,
            "flavor": row.flavor_name, "vcpus": row.vcpus,
            "memory_mb": row.memory_mb, "disk_gb": row.disk_gb,
            "host": row.host, "availability_zone": row.availability_zone,
            "addresses": [{"network": a.network, "address": a.address,
                           "kind": a.kind} for a in row.addresses],
            "status": row.status, "task_state": row.task_state}


def target(host: TargetHost) -> dict[str, Any]:
    """An accepted target host with its free capacity (Placement's)."""
    free = host.capacity
    return {"host": host.name, "zone": host.zone, "role": host.role,
            "memory_mb_free": free.memory_mb_free if free else None,
            "vcpus_free": free.vcpus_free if free else None,
            "disk_gb_free": free.disk_gb_free if free else None}
