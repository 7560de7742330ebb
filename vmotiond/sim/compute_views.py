"""Nova's JSON views of services, hypervisors, servers, migrations.

Field names and formats follow ``nova/api/openstack/compute/views`` at the
microversion of the request.
"""

import datetime
import hashlib
from typing import Any

from vmotiond.sim import model
from vmotiond.sim import wsgi


def iso(when: datetime.datetime | None) -> str | None:
    """Nova's serialisation of a naive datetime (microseconds, no Z)."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") if when else None


def isotime(when: datetime.datetime) -> str:
    """``utils.isotime``: seconds and a Z (servers' created/updated)."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def service(cloud: Any, host: model.Host, now: datetime.datetime,
            ctx: wsgi.Context) -> dict[str, Any]:
    body = {
        "binary": "nova-compute", "host": host.name,
        "id": host.service_uuid if ctx.at_least("2.53") else host.service_id,
        "zone": host.zone,
        "status": "disabled" if host.disabled else "enabled",
        "state": "up" if cloud.is_up(host, now) else "down",
        "updated_at": iso(cloud.updated_at(host, now)),
        "disabled_reason": host.disabled_reason,
    }
    if ctx.at_least("2.11"):
        body["forced_down"] = host.forced_down
    return body


def hypervisor(cloud: Any, host: model.Host, now: datetime.datetime,
               ctx: wsgi.Context, detail: bool,
               servers: list[model.Server] | None = None) -> dict[str, Any]:
    uuids = ctx.at_least("2.53")
    body: dict[str, Any] = {
        "id": host.node_uuid if uuids else host.hypervisor_id,
        "hypervisor_hostname": host.name,
        "state": "up" if cloud.is_up(host, now) else "down",
        "status": "disabled" if host.disabled else "enabled",
    }
    if detail:
        body.update({
            "hypervisor_type": "QEMU", "hypervisor_version": 8002000,
            "host_ip": host.host_ip,
            "service": {"id": host.service_uuid if uuids else
                        host.service_id, "host": host.name,
                        "disabled_reason": host.disabled_reason}})
        if not ctx.at_least("2.88"):
            used = cloud.state.usage(host.name)
            running = len(cloud.state.by_host.get(host.name, {}))
            body.update({
                "vcpus": host.vcpus, "memory_mb": host.memory_mb,
                "local_gb": host.disk_gb, "vcpus_used": used["VCPU"],
                "memory_mb_used": used["MEMORY_MB"] + host.memory_mb_reserved,
                "local_gb_used": used["DISK_GB"],
                "free_ram_mb": host.memory_mb - used["MEMORY_MB"]
                - host.memory_mb_reserved,
                "free_disk_gb": host.disk_gb - used["DISK_GB"],
                "current_workload": 0, "running_vms": running,
                "disk_available_least": host.disk_gb - used["DISK_GB"],
                "cpu_info": {} if ctx.at_least("2.28") else "{}"})
        else:
            up = (now - host.booted_at).total_seconds()
            body["uptime"] = (" %s up %d min,  load average: 0.10, 0.05, "
                              "0.01" % (now.strftime("%H:%M:%S"), up // 60)
                              if host.probe_reachable else None)
    if servers:
        body["servers"] = [{"name": "instance-%08x" % s.seq, "uuid": s.id}
                           for s in servers]
    return body


def server(cloud: Any, srv: model.Server, now: datetime.datetime,
           ctx: wsgi.Context) -> dict[str, Any]:
    host = cloud.state.hosts.get(srv.host) if srv.host else None
    link = "%s/servers/%s" % (ctx.url, srv.id)
    body: dict[str, Any] = {
        "accessIPv4": "", "accessIPv6": "",
        "addresses": _addresses(cloud, srv),
        "created": isotime(srv.created_at),
        "flavor": _flavor(srv.flavor, ctx),
        "hostId": hashlib.sha224((srv.project_id + (srv.host or ""))
                                 .encode()).hexdigest() if srv.host else "",
        "id": srv.id,
        "image": "" if srv.volume_backed else {
            "id": srv.image_id, "links": [{
                "href": "%s/images/%s" % (ctx.url, srv.image_id),
                "rel": "bookmark"}]},
        "links": [{"href": link, "rel": "self"},
                  {"href": link, "rel": "bookmark"}],
        "metadata": dict(srv.metadata),
        "name": srv.name,
        "status": srv.status,
        "tenant_id": srv.project_id,
        "user_id": srv.user_id,
        "updated": isotime(srv.updated_at),
        "OS-DCF:diskConfig": "MANUAL",
        "OS-EXT-AZ:availability_zone": host.zone if host else "",
        "config_drive": "",
        "key_name": srv.key_name,
        "OS-SRV-USG:launched_at": iso(srv.created_at),
        "OS-SRV-USG:terminated_at": None,
        "security_groups": [{"name": "default"}],
        "OS-EXT-STS:task_state": srv.task_state,
        "OS-EXT-STS:vm_state": srv.vm_state,
        "OS-EXT-STS:power_state": srv.power_state,
        "os-extended-volumes:volumes_attached": [],
    }
    if srv.status in ("ERROR", "DELETED") and srv.fault:
        body["fault"] = dict(srv.fault)
    if srv.status in ("BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE",
                      "MIGRATING"):
        body["progress"] = 0
    if ctx.is_admin:
        body.update({
            "OS-EXT-SRV-ATTR:host": srv.host,
            "OS-EXT-SRV-ATTR:instance_name": "instance-%08x" % srv.seq,
            "OS-EXT-SRV-ATTR:hypervisor_hostname": srv.host})
        if ctx.at_least("2.3"):
            body.update({
                "OS-EXT-SRV-ATTR:hostname": srv.name,
                "OS-EXT-SRV-ATTR:kernel_id": "",
                "OS-EXT-SRV-ATTR:launch_index": 0,
                "OS-EXT-SRV-ATTR:ramdisk_id": "",
                "OS-EXT-SRV-ATTR:reservation_id": "r-%08x" % srv.seq,
                "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
                "OS-EXT-SRV-ATTR:user_data": None})
    if ctx.at_least("2.9"):
        body["locked"] = srv.locked
    if ctx.at_least("2.16") and ctx.is_admin:
        body["host_status"] = _host_status(cloud, host, now)
    if ctx.at_least("2.19"):
        body["description"] = None
    if ctx.at_least("2.26"):
        body["tags"] = []
    if ctx.at_least("2.63"):
        body["trusted_image_certificates"] = None
    if ctx.at_least("2.73"):
        body["locked_reason"] = srv.locked_reason
    if ctx.at_least("2.90") and not ctx.is_admin:
        body["OS-EXT-SRV-ATTR:hostname"] = srv.name
    if ctx.at_least("2.96"):
        body["pinned_availability_zone"] = srv.pinned_az
    if ctx.at_least("2.100"):
        hints: dict[str, Any] = {}
        if srv.group_id:
            hints["group"] = srv.group_id
        body["scheduler_hints"] = hints
    return body


def _host_status(cloud: Any, host: model.Host | None,
                 now: datetime.datetime) -> str:
    if host is None:
        return ""
    if host.forced_down:
        return "DOWN"
    if host.disabled:
        return "MAINTENANCE"
    return "UP" if cloud.is_up(host, now) else "UNKNOWN"


def _flavor(flavor: model.Flavor, ctx: wsgi.Context) -> dict[str, Any]:
    if not ctx.at_least("2.47"):
        return {"id": flavor.id, "links": [{
            "href": "%s/flavors/%s" % (ctx.url, flavor.id),
            "rel": "bookmark"}]}
    body: dict[str, Any] = {
        "vcpus": flavor.vcpus, "ram": flavor.ram, "disk": flavor.disk,
        "ephemeral": flavor.ephemeral, "swap": flavor.swap,
        "original_name": flavor.name}
    if ctx.is_admin:
        body["extra_specs"] = dict(flavor.extra_specs)
    return body


def _addresses(cloud: Any, srv: model.Server) -> dict[str, Any]:
    out = []
    for port in cloud.state.ports_by_device.get(srv.id, []):
        out.append({"version": 4, "addr": port.ip_address,
                    "OS-EXT-IPS:type": "fixed",
                    "OS-EXT-IPS-MAC:mac_addr": port.mac_address})
        for fip in cloud.state.fips_by_port.get(port.id, []):
            out.append({"version": 4, "addr": fip.address,
                        "OS-EXT-IPS:type": "floating",
                        "OS-EXT-IPS-MAC:mac_addr": port.mac_address})
    return {"private": out} if out else {}


def flavor(f: model.Flavor, ctx: wsgi.Context, detail: bool
           ) -> dict[str, Any]:
    link = "%s/flavors/%s" % (ctx.url, f.id)
    body: dict[str, Any] = {
        "id": f.id, "name": f.name,
        "links": [{"href": link, "rel": "self"},
                  {"href": link, "rel": "bookmark"}]}
    if ctx.at_least("2.55"):
        body["description"] = None
    if detail:
        body.update({"vcpus": f.vcpus, "ram": f.ram, "disk": f.disk,
                     "swap": f.swap or "", "OS-FLV-EXT-DATA:ephemeral":
                     f.ephemeral, "os-flavor-access:is_public": f.is_public})
        if not ctx.at_least("2.102"):
            body.update({"rxtx_factor": 1.0,
                         "OS-FLV-DISABLED:disabled": False})
        if ctx.at_least("2.61"):
            body["extra_specs"] = dict(f.extra_specs)
    return body


def migration(m: model.Migration, ctx: wsgi.Context) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": m.id, "instance_uuid": m.server_id, "status": m.status,
        "source_compute": m.source_compute, "source_node": m.source_compute,
        "dest_compute": m.dest_compute, "dest_node": m.dest_compute,
        "dest_host": m.dest_host,
        "old_instance_type_id": int(m.flavor_id) if m.flavor_id.isdigit()
        else m.flavor_id,
        "new_instance_type_id": int(m.flavor_id) if m.flavor_id.isdigit()
        else m.flavor_id,
        "created_at": iso(m.created_at), "updated_at": iso(m.updated_at)}
    if ctx.at_least("2.23"):
        body["migration_type"] = m.migration_type
        if (m.migration_type == "live-migration"
                and m.status in ("queued", "preparing", "running",
                                 "post-migrating")):
            link = "%s/servers/%s/migrations/%s" % (ctx.url, m.server_id,
                                                    m.id)
            body["links"] = [{"href": link, "rel": "self"},
                             {"href": link, "rel": "bookmark"}]
    if ctx.at_least("2.59"):
        body["uuid"] = m.uuid
    if ctx.at_least("2.80"):
        body["user_id"] = m.user_id
        body["project_id"] = m.project_id
    return body
