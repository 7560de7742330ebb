"""Record factories for engine tests."""

import itertools

from vmotiond.cloud import records

_ids = itertools.count(1)


def server(name=None, status="ACTIVE", host="failed", zone="az1",
           memory_mb=1024, vcpus=1, disk_gb=10, metadata=None,
           task_state=None, groups=(), sid=None, vm_state=None):
    num = next(_ids)
    return records.Server(
        id=sid or "srv-%04d" % num, name=name or "vm-%04d" % num,
        status=status, vm_state=vm_state or status.lower(),
        task_state=task_state, host=host, availability_zone=zone,
        project_id="p1", vcpus=vcpus, memory_mb=memory_mb, disk_gb=disk_gb,
        metadata=dict(metadata or {}), server_group_ids=tuple(groups))


def capacity(host, memory_mb=65536, vcpus=32, disk_gb=1000, used_mb=0,
             used_vcpus=0, used_disk=0, ram_ratio=1.0, cpu_ratio=1.0,
             disk_ratio=1.0, reserved_mb=0):
    return records.HostCapacity(
        host=host, hypervisor_id="hv-" + host, host_ip="127.0.0.1",
        vcpus_total=vcpus, vcpus_reserved=0, vcpus_used=used_vcpus,
        cpu_allocation_ratio=cpu_ratio, memory_mb_total=memory_mb,
        memory_mb_reserved=reserved_mb, memory_mb_used=used_mb,
        ram_allocation_ratio=ram_ratio, disk_gb_total=disk_gb,
        disk_gb_reserved=0, disk_gb_used=used_disk,
        disk_allocation_ratio=disk_ratio, running_vms=0)


def service(host, zone="az1", state="up", status="enabled",
            forced_down=False, reason=None):
    return records.ComputeService(
        id="svc-" + host, host=host, zone=zone, state=state, status=status,
        forced_down=forced_down, updated_at=None, disabled_reason=reason)
