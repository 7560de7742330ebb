"""Compute hosts as vmotiond knows them: ``GET /v1/hosts[/{name}]``."""

from collections.abc import Mapping
from typing import Any

import webob

from vmotiond import constants
from vmotiond import exception
from vmotiond.api import microversion
from vmotiond.api import params
from vmotiond.api import policies
from vmotiond.api import util


def serialize(row: Mapping[str, Any], uuid: bool = True,
              instances: bool = True) -> dict[str, Any]:
    """Inventory, the operator's choices and the monitor's state; with
    ``uuid`` (from 1.8) the host's uuid, its Nova compute node's (null
    until the inventory sync has read its hypervisor); with ``instances``
    (from 1.11) its instance counts and networks."""
    body = {"uuid": row["uuid"]} if uuid else {}
    if instances:
        body |= {"instances_total": row["instances_total"],
                 "instances_running": row["instances_running"],
                 "networks": row["networks"]}
    return body | {
        "name": row["name"],
        "role": row["role"],
        "auto_evacuate": bool(row["auto_evacuate"]),
        "maintenance": bool(row["maintenance"]),
        "monitor_state": row["monitor_state"],
        "monitor_state_since": util.timestamp(row["monitor_state_since"]),
        "monitor_detail": row["monitor_detail"],
        "management_ip": row["management_ip"],
        "availability_zone": row["availability_zone"],
        "service_id": row["service_id"],
        "hypervisor_id": row["hypervisor_id"],
        "service_state": row["service_state"],
        "service_status": row["service_status"],
        "forced_down": bool(row["forced_down"]),
        "disabled_reason": row["disabled_reason"],
        "last_heartbeat": util.timestamp(row["last_heartbeat"]),
        "vcpus_total": row["vcpus_total"],
        "vcpus_used": row["vcpus_used"],
        "memory_mb_total": row["memory_mb_total"],
        "memory_mb_used": row["memory_mb_used"],
        "disk_gb_total": row["disk_gb_total"],
        "disk_gb_used": row["disk_gb_used"],
        "running_instances": row["running_instances"],
        "synced_at": util.timestamp(row["synced_at"]),
        "created_at": util.timestamp(row["created_at"]),
        "updated_at": util.timestamp(row["updated_at"]),
    }


@microversion.version_handler("1.4")
def list_hosts(req: webob.Request) -> webob.Response:
    """GET /v1/hosts: 200 with ``hosts`` sorted by name; each with its
    ``uuid`` from 1.8 on, its instance counts and networks from 1.11.

    Filters: role, monitor_state, availability_zone.
    """
    util.authorize(req, policies.HOSTS_LIST)
    query = params.Query(req, ("role", "monitor_state",
                               "availability_zone"))
    roles = query.choices("role", constants.HOST_ROLES)
    states = query.choices("monitor_state", constants.HOST_STATES)
    zone = query.one("availability_zone")
    rows = [row for row in util.database(req).host_list(rows=True)
            if (roles is None or row["role"] in roles)
            and (states is None or row["monitor_state"] in states)
            and (zone is None or row["availability_zone"] == zone)]
    uuid = microversion.is_at_least(req, "1.8")
    instances = microversion.is_at_least(req, "1.11")
    return util.json_response({"hosts": [serialize(row, uuid, instances)
                                         for row in rows]})


@microversion.version_handler("1.4")
def show_host(req: webob.Request, host_name: str) -> webob.Response:
    """GET /v1/hosts/{name}: 200 with ``host``."""
    util.authorize(req, policies.HOSTS_SHOW)
    if not params.is_storable(host_name):
        raise exception.NotFound(kind="Host", ident=host_name)
    row = util.database(req).host_get(host_name).as_dict()
    return util.json_response({"host": serialize(
        row, microversion.is_at_least(req, "1.8"),
        microversion.is_at_least(req, "1.11"))})
