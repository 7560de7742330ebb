"""Benchmark: time to recover a failed host, against the ideal ⌈N/C⌉·L.

A host with N instances fails in the simulator (served over HTTP); two
standby hosts and a few normal hosts wait. Each evacuation takes L seconds
in the simulated Nova and the engine moves C at a time. The engine hears
the notification over RabbitMQ, records everything in MariaDB (through
mysqlclient, the driver the operator guide recommends), fences,
plans and evacuates. Printed: the time from the notification to the last
instance ACTIVE on its new host, as a ratio to ⌈N/C⌉·L (goal ≤ 1.10), the
Nova API requests per instance (goal ≤ 3), the placement (standby first),
and the evacuate calls the simulator counted. The landing times are read
after the run from the simulator's evacuation records (``bench/simcloud``):
nothing watches the servers while the engine works. With the engine in its
own process (the default) it also records what the engine spent on each
vmove, figures that do not depend on the machine's load: its CPU time
(goal <= 5 ms, all its threads) and its database transactions; and the
load average the makespan was measured under.

With ``--scale`` (``python -m bench`` runs it so) the same is measured
again on the larger clouds of ``SCALE`` with a short L, so the whole run
stays within minutes.

    python bench/recovery_time.py [--instances 100] [--latency 2.0]
        [--workers 10] [--backend mysqldb|mysql|postgresql|sqlite]
        [--quick]
        [--profile engine.prof] [--scale]
"""

import argparse
import copy
import dataclasses
import json
import math
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from bench import results  # noqa: E402
from bench import simcloud  # noqa: E402
from tests.functional.engine import env  # noqa: E402
from vmotiond import constants  # noqa: E402

GOAL = 1.10
REQUESTS_GOAL = 3.0     # Nova API requests per recovered instance
CPU_GOAL = 5.0          # ms of engine CPU per vmove
QUICK_INSTANCES = 20
# (N, L) measured after the first run with --scale.
SCALE = ((1000, 0.5), (2000, 0.5))


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--standby", type=int, default=2)
    parser.add_argument("--normal", type=int, default=3)
    parser.add_argument("--standby-slots", type=int, default=30,
                        help="instances one standby host can take")
    parser.add_argument("--latency", type=float, default=2.0,
                        help="L: seconds one evacuation takes in Nova")
    parser.add_argument("--workers", type=int, default=10,
                        help="C: the engine's pool size")
    parser.add_argument("--poll", type=float, default=0.05,
                        help="[engine] poll_interval")
    parser.add_argument("--in-process", action="store_true",
                        help="run the engine in the benchmark's process "
                             "(it then shares the GIL with the simulator)")
    parser.add_argument("--backend", default="mysqldb",
                        choices=("mysql", "mysqldb", "postgresql", "sqlite"),
                        help="mysql: PyMySQL; mysqldb: mysqlclient, the C "
                             "driver the operator guide recommends")
    parser.add_argument("--quick", action="store_true",
                        help="N = %d at most" % QUICK_INSTANCES)
    parser.add_argument("--profile", metavar="PATH",
                        help="write the engine's cProfile statistics "
                             "(CPU time of every thread) to PATH")
    parser.add_argument("--scale", action="store_true",
                        help="then again with (N, L) = %s" % ", ".join(
                            "(%d, %g s)" % size for size in SCALE))
    return parser.parse_args(argv)


def populate(sim, args, failed):
    """The cloud of this benchmark on ``sim`` (a SimCloud): normal and
    standby hosts, and ``failed`` with N instances; their ids."""
    sim.add_flavor("m1.small", 1, 2048, 20)
    # Room on the normal hosts for what the standby hosts cannot take.
    share = math.ceil(args.instances / max(args.normal, 1))
    for i in range(args.normal):
        sim.add_host("compute-%02d" % i, vcpus=max(32, share),
                     memory_mb=max(131072, 2048 * share),
                     disk_gb=max(2000, 20 * share))
    for i in range(args.standby):
        sim.add_host("standby-%02d" % i, role="standby",
                     memory_mb=2048 * args.standby_slots)
    sim.add_host(failed, memory_mb=2048 * (args.instances + 1))
    return [sim.add_server(failed, "m1.small", name="vm-%03d" % i,
                           floating_ip=i % 3 == 0).id
            for i in range(args.instances)]


def spent(proc):
    """The engine process's CPU seconds and commits so far (SIGUSR1)."""
    if proc is None:
        return None
    proc.send_signal(signal.SIGUSR1)
    while True:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("the engine process exited")
        if line.startswith("{"):
            return json.loads(line)


def run(args):
    fixture = env.EngineEnv(backend=args.backend, latency={
        "evacuate": args.latency, "host_update_lag": 0.0})
    fixture.setUp()
    try:
        fixture.conf_fixture.set("workers", args.workers, "engine")
        fixture.conf_fixture.set("poll_interval", args.poll, "engine")
        sim = fixture.sim.cloud
        failed = fixture.failed_host
        ids = populate(sim, args, failed)
        fixture.sync_hosts()
        counter = simcloud.count_requests(fixture.sim)
        proc = None
        if args.in_process:
            fixture.engine()
        else:
            settings = {"engine.workers": args.workers,
                        "engine.poll_interval": args.poll}
            if args.profile:
                settings["profile"] = os.path.abspath(args.profile)
            proc = fixture.spawn_engine(**settings)
        sim.kill_host(failed)
        engine0 = spent(proc)
        before = counter.snapshot()
        t0 = time.monotonic()
        wall0 = sim.clock.now()
        fixture.send_host_down(failed)
        note = fixture.wait_notification(failed, timeout=3600)
        t_end = time.monotonic()
        load = os.getloadavg()
        engine = spent(proc)
        if proc is not None and args.profile:
            proc.terminate()
            proc.wait(timeout=60)
        landed = simcloud.landed_at(sim, ids, failed, wall0)
        first = simcloud.first_evacuation(sim, ids, failed, wall0)
        after = counter.snapshot()
        requests = {k: after.get(k, 0) - before.get(k, 0) for k in after}
        if not args.backend.startswith("mysql"):  # DATETIME keeps seconds
            phases(fixture, note, wall0)
        status = report(args, fixture, sim, ids, note, landed, t_end - t0,
                        requests, first)
        print("load average at the end (1, 5, 15 min): %.2f %.2f %.2f"
              % load)
        return status | costs(args.instances, engine0, engine, args.backend)
    finally:
        fixture.cleanUp()


DRIVERS = {"mysql": "MariaDB through PyMySQL",
           "mysqldb": "MariaDB through mysqlclient",
           "postgresql": "PostgreSQL", "sqlite": "SQLite"}


def costs(n, before, after, backend):
    """Record the engine's CPU and transactions per vmove; 1 when the CPU
    misses its goal."""
    if before is None:
        return 0
    cpu = (after["cpu"] - before["cpu"]) * 1000.0 / n
    commits = (after["commits"] - before["commits"]) / n
    figures = [
        results.record(results.Figure(
            "recovery_time", "engine CPU per vmove, N=%d" % n, cpu, "ms",
            goal=CPU_GOAL,
            detail="CPU time of the engine process, every thread, from "
                   "the notification to its end, over N; %s"
                   % DRIVERS[backend])),
        results.record(results.Figure(
            "recovery_time", "engine database transactions per vmove, "
            "N=%d" % n, commits, "transactions",
            detail="commits of the engine process over N")),
    ]
    return 1 if results.missed(figures) else 0


def phases(fixture, note, wall0):
    """Print when the notification was stored and the first move began."""
    moves = fixture.db.vmove_list(notification_uuid=note.uuid)
    starts = [m.start_time for m in moves if m.start_time]
    print("notification stored after %.3f s; vmoves written after %.3f s; "
          "first move started after %.3f s" % (
              (note.created_at - wall0).total_seconds(),
              (min(m.created_at for m in moves) - wall0).total_seconds(),
              (min(starts) - wall0).total_seconds()))


@dataclasses.dataclass
class Outcome:
    """What one run measured: the makespan and the requests it made."""

    instances: int
    workers: int
    latency: float
    makespan: float             # s from the notification to the last landing
    notification_end: float     # s from the notification to its end
    succeeded: int
    requests: dict[str, int]    # by service, from the notification on
    first_evacuation: float     # s from the notification to the first

    @property
    def bound(self) -> float:
        return math.ceil(self.instances / self.workers) * self.latency

    def per_instance(self, service: str | None = "compute") -> float:
        count = (self.requests.get(service, 0) if service
                 else sum(self.requests.values()))
        return count / self.instances


# The last outcome of each (N, C, L): bench/masakari.py compares with it
# when this benchmark ran in the same process with the same cloud.
OUTCOMES: dict[tuple[int, int, float], Outcome] = {}


def report(args, fixture, sim, ids, note, landed, took, requests, first):
    n, c, lat = args.instances, args.workers, args.latency
    moves = fixture.db.vmove_list(notification_uuid=note.uuid)
    succeeded = sum(m.status == constants.SUCCEEDED for m in moves)
    out = Outcome(n, c, lat, max(landed.values()) if len(landed) == n
                  else float("nan"), took, succeeded, requests, first)
    OUTCOMES[(n, c, lat)] = out
    by_host: dict[str, int] = {}
    for move in moves:
        dest = move.dest_host or "none"
        by_host[dest] = by_host.get(dest, 0) + 1
    calls = [sim.action_count(sid, "evacuate") for sid in ids]
    order = sorted(moves, key=lambda m: landed.get(m.instance_uuid, 0))
    standby_first = all(not (m.dest_host or "").startswith("compute-")
                        for m in order[:min(n, args.standby *
                                            args.standby_slots) // 2])
    print("instances N=%d, pool C=%d, evacuate latency L=%.2f s, engine %s"
          % (n, c, lat, "in process" if args.in_process
             else "in its own process"))
    print("notification: %s (%s)" % (note.status, note.message))
    print("vmoves succeeded: %d/%d; landed: %d" % (succeeded, n,
                                                   len(landed)))
    print("placement: %s" % ", ".join("%s=%d" % kv for kv in
                                       sorted(by_host.items())))
    print("standby hosts filled first: %s" % standby_first)
    print("evacuate calls: %d (duplicates: %d)"
          % (sum(calls), sum(max(0, k - 1) for k in calls)))
    print("requests from the notification on: %s" % ", ".join(
        "%s=%d" % kv for kv in sorted(requests.items())))
    durations: dict[str, list[float]] = {}
    for move in moves:
        for step in fixture.db.step_list(move.uuid):
            if step.started_at and step.ended_at:
                durations.setdefault(step.name, []).append(
                    (step.ended_at - step.started_at).total_seconds())
    print("mean step times (s): %s" % ", ".join(
        "%s=%.3f" % (name, sum(v) / len(v))
        for name, v in durations.items()))
    figures = [
        results.record(results.Figure(
            "recovery_time", "makespan / ceil(N/C)*L, N=%d, C=%d, L=%g s"
            % (n, c, lat), out.makespan / out.bound, "x", goal=GOAL,
            detail="%.2f s from the notification to the last instance "
                   "ACTIVE on its new host (first evacuation after %.2f s, "
                   "notification ended after %.2f s), against ceil(N/C)*L "
                   "= %.2f s; %d/%d vmoves succeeded" % (
                       out.makespan, first, took, out.bound, succeeded,
                       n))),
        results.record(results.Figure(
            "recovery_time", "Nova API requests per recovered instance, "
            "N=%d" % n, out.per_instance(), "requests", goal=REQUESTS_GOAL,
            detail="%d Nova requests for %d instances, %d with Keystone, "
                   "Placement and Neutron (%.1f per instance), with "
                   "[engine] poll_interval = %g s" % (
                       requests.get("compute", 0), n,
                       sum(requests.values()), out.per_instance(None),
                       args.poll))),
    ]
    ok = succeeded == n and not results.missed(figures)
    return 0 if ok else 1


def parse_known(argv):
    """The arguments, with ``--quick`` applied (a small N)."""
    args = parse(argv)
    if args.quick:
        args.instances = min(args.instances, QUICK_INSTANCES)
    return args


def main(argv=None):
    args = parse_known(sys.argv[1:] if argv is None else argv)
    status = run(args)
    if args.scale and not args.quick:
        for instances, latency in SCALE:
            larger = copy.copy(args)
            larger.instances, larger.latency = instances, latency
            print("-- N=%d, L=%g s" % (instances, latency), flush=True)
            status |= run(larger)
    return status


if __name__ == "__main__":
    sys.exit(main())
