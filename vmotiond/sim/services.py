"""Updating nova-compute services: disable/enable, force down/up.

Both API generations: before 2.53 by host+binary on
``PUT /os-services/{enable,disable,disable-log-reason,force-down}``; from
2.53 by service UUID on ``PUT /os-services/{uuid}``. Call with the cloud's
lock held.
"""

import datetime
from typing import TYPE_CHECKING
from typing import Any

from oslo_utils import strutils
from oslo_utils import uuidutils

from vmotiond.sim import errors
from vmotiond.sim import model

if TYPE_CHECKING:
    from vmotiond.sim.cloud import SimCloud


def by_host(cloud: "SimCloud", host: str, binary: str) -> model.Host:
    if binary != "nova-compute":
        raise errors.BadRequest(
            "Updating a %s service is not supported. Only nova-compute "
            "services can be updated." % binary)
    found = cloud.state.hosts.get(host)
    if found is None:
        raise errors.NotFound(
            "Service %s on host %s not found." % (binary, host))
    return found


def by_uuid(cloud: "SimCloud", service_id: str) -> model.Host:
    if not uuidutils.is_uuid_like(service_id):
        raise errors.BadRequest("Invalid uuid %s" % service_id)
    found = cloud.state.hosts_by_service_uuid.get(service_id)
    if found is None:
        raise errors.NotFound("Service %s could not be found." % service_id)
    return found


def update(cloud: "SimCloud", host: model.Host, body: dict[str, Any]
           ) -> float:
    """Apply a 2.53-style body; return seconds the API call hangs.

    A change stamps the service's ``updated_at`` as a heartbeat does.

    Changing ``status`` of a service Nova believes up makes Nova call the
    compute synchronously: when that compute is in fact dead the call
    hangs for the RPC time-out (then succeeds), as real Nova does.
    """
    now = cloud.tick()
    if "status" not in body and "forced_down" not in body:
        raise errors.BadRequest("No updates were requested. Fields 'status' "
                                "or 'forced_down' should be specified.")
    hang = 0.0
    before = (host.disabled, host.disabled_reason, host.forced_down)
    if "status" in body:
        if body["status"] not in ("enabled", "disabled"):
            raise errors.BadRequest(
                "Invalid input for field/attribute status. Value: %s."
                % body["status"])
        disabled = body["status"] == "disabled"
        reason = body.get("disabled_reason")
        if not disabled and reason:
            raise errors.BadRequest("Specifying 'disabled_reason' with "
                                    "status 'enabled' is invalid.")
        if disabled != host.disabled:
            hang = _rpc_hang(cloud, host, now)
        host.disabled = disabled
        host.disabled_reason = reason if disabled else None
    if "forced_down" in body:
        forced = strutils.bool_from_string(body["forced_down"], strict=True)
        if not forced:
            check_no_done_evacuations(cloud, host.name)
        host.forced_down = forced
    if (host.disabled, host.disabled_reason, host.forced_down) != before:
        host.written_at = now      # Nova stamps updated_at on every write
    return hang


def _rpc_hang(cloud: "SimCloud", host: model.Host,
              now: datetime.datetime) -> float:
    if cloud.is_up(host, now) and not host.compute_running:
        return cloud.rpc_timeout
    return 0.0


def check_no_done_evacuations(cloud: "SimCloud", host: str) -> None:
    for migration in cloud.state.migrations:
        if (migration.source_compute == host
                and migration.migration_type == "evacuation"
                and migration.status == "done"):
            raise errors.BadRequest(
                "Unable to force up host %s as `done` evacuation migration "
                "records remain associated with the host. Ensure the compute "
                "service has been restarted, allowing these records to move "
                "to `completed` before retrying this request." % host)
