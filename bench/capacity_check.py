"""CPU time of one failover-headroom check (``capacity check``).

Builds a cloud of ``--hosts`` compute hosts (three availability zones, one
host in fifty a standby host) and ``--instances`` instances of mixed
flavors spread over the normal hosts, a tenth of them in anti-affinity
groups of three, then runs ``deciding.headroom.check`` (the planner plans
every host's evacuation in turn) and records its CPU time (``time.
process_time``, so a busy machine does not count) against the bound
(``--bound`` seconds; ratio = CPU / bound, at most 1 meets it). Exits 1
when missed.
The check runs in the engine's periodic task, so the bound is a share of
its interval, not an interactive latency.

    python -m bench capacity_check                       # 1,000 / 20,000
    python -m bench capacity_check --hosts 200 --instances 4000
"""

import argparse
import random
import sys
import time

from bench import results
from vmotiond import constants
from vmotiond.cloud import records
from vmotiond.engine.deciding import eligibility
from vmotiond.engine.deciding import headroom
from vmotiond.engine.deciding.records import PlanOptions

FLAVORS = ((1024, 1, 10), (2048, 2, 20), (4096, 2, 40), (8192, 4, 80))
ZONES = ("az1", "az2", "az3")


def cloud(hosts: int, instances: int, seed: int = 20):
    rng = random.Random(seed)
    names = ["compute-%04d" % i for i in range(hosts)]
    zone = {n: ZONES[i % len(ZONES)] for i, n in enumerate(names)}
    standby = {n for i, n in enumerate(names) if i % 50 == 49}
    normal = [n for n in names if n not in standby]
    servers, used = [], {n: [0, 0, 0] for n in names}
    for i in range(instances):
        host = rng.choice(normal)
        ram, vcpus, disk = rng.choice(FLAVORS)
        for k, v in enumerate((ram, vcpus, disk)):
            used[host][k] += v
        servers.append(records.Server(
            id="srv-%06d" % i, name="vm-%06d" % i, status="ACTIVE",
            vm_state="active", task_state=None, host=host,
            availability_zone=zone[host], project_id="p", vcpus=vcpus,
            memory_mb=ram, disk_gb=disk, metadata={}))
    facts = []
    for n in names:
        role = constants.ROLE_STANDBY if n in standby else \
            constants.ROLE_NORMAL
        facts.append(eligibility.HostFacts(
            records.ComputeService(
                id="svc-" + n, host=n, zone=zone[n], state="up",
                status="disabled" if n in standby else "enabled",
                forced_down=False, updated_at=None,
                disabled_reason=(constants.FENCE_REASON_PREFIX + ":standby"
                                 if n in standby else None)),
            role, capacity=records.HostCapacity(
                host=n, hypervisor_id="hv-" + n, host_ip=None,
                vcpus_total=64, vcpus_reserved=0, vcpus_used=used[n][1],
                cpu_allocation_ratio=4.0, memory_mb_total=262144,
                memory_mb_reserved=4096, memory_mb_used=used[n][0],
                ram_allocation_ratio=1.0, disk_gb_total=4000,
                disk_gb_reserved=0, disk_gb_used=used[n][2],
                disk_allocation_ratio=1.0, running_vms=0)))
    grouped = rng.sample(servers, instances // 10)
    groups = [records.ServerGroup(
        "g%d" % i, "g%d" % i, "anti-affinity",
        tuple(s.id for s in grouped[i:i + 3]))
        for i in range(0, len(grouped) - 2, 3)]
    return facts, servers, groups


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench capacity_check")
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=20000)
    parser.add_argument("--bound", type=float, default=30.0,
                        help="CPU seconds one check may take")
    args = parser.parse_args(argv)
    facts, servers, groups = cloud(args.hosts, args.instances)
    start = time.process_time()
    found = headroom.check(facts, servers, groups, PlanOptions())
    spent = time.process_time() - start
    figure = results.record(results.Figure(
        "capacity_check", "CPU of one capacity check, %d hosts, %d "
        "instances" % (args.hosts, args.instances), spent, "s",
        goal=args.bound, detail="%d groups; %d host(s) not absorbable, "
        "largest %s %s" % (len(groups), len(found.unabsorbable),
                           found.largest, "survives" if found.survives_largest
                           else "does NOT survive")))
    return 0 if figure.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
