"""Benchmark: time to recover a failed host, against the ideal ⌈N/C⌉·L.

A host with N instances fails in the simulator (served over HTTP); two
standby hosts and a few normal hosts wait. Each evacuation takes L seconds
in the simulated Nova and the engine moves C at a time. The engine hears
the notification over RabbitMQ, records everything in MariaDB, fences,
plans and evacuates. Printed: the time from the notification to the last
instance ACTIVE on its new host, as a ratio to ⌈N/C⌉·L (goal ≤ 1.10), the
placement (standby first), and the evacuate calls the simulator counted.

    python bench/recovery_time.py [--instances 100] [--latency 2.0]
        [--workers 10] [--backend mysql|postgresql|sqlite]
"""

import argparse
import math
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tests.functional.engine import env  # noqa: E402
from vmotiond import clock as clock_mod  # noqa: E402
from vmotiond import constants  # noqa: E402
from vmotiond.sim import states  # noqa: E402

GOAL = 1.10


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
    parser.add_argument("--backend", default="mysql",
                        choices=("mysql", "postgresql", "sqlite"))
    return parser.parse_args(argv)


def watch(sim, ids, failed, done, out):
    """Record when each instance is ACTIVE on a host other than ``failed``."""
    landed = {}
    while not done.is_set() and len(landed) < len(ids):
        now = time.monotonic()
        with sim.lock:
            sim.tick()
            for sid in ids:
                server = sim.state.servers[sid]
                if sid not in landed and server.host not in (failed, None) \
                        and server.vm_state == states.ACTIVE \
                        and server.task_state is None:
                    landed[sid] = now
        time.sleep(0.005)
    out.update(landed)


def run(args):
    fixture = env.EngineEnv(backend=args.backend, latency={
        "evacuate": args.latency, "host_update_lag": 0.0})
    fixture.setUp()
    try:
        fixture.conf_fixture.set("workers", args.workers, "engine")
        fixture.conf_fixture.set("poll_interval", args.poll, "engine")
        sim = fixture.sim.cloud
        sim.add_flavor("m1.small", 1, 2048, 20)
        for i in range(args.normal):
            sim.add_host("compute-%02d" % i)
        for i in range(args.standby):
            sim.add_host("standby-%02d" % i, role="standby",
                         memory_mb=2048 * args.standby_slots)
        failed = fixture.failed_host
        sim.add_host(failed, memory_mb=2048 * (args.instances + 1))
        ids = [sim.add_server(failed, "m1.small", name="vm-%03d" % i,
                              floating_ip=i % 3 == 0).id
               for i in range(args.instances)]
        fixture.sync_hosts()
        if args.in_process:
            fixture.engine()
        else:
            fixture.spawn_engine(**{"engine.workers": args.workers,
                                    "engine.poll_interval": args.poll})
        sim.kill_host(failed)
        landed: dict[str, float] = {}
        done = threading.Event()
        watcher = threading.Thread(target=watch, args=(sim, ids, failed,
                                                       done, landed))
        watcher.start()
        t0 = time.monotonic()
        wall0 = clock_mod.utcnow()
        fixture.send_host_down(failed)
        note = fixture.wait_notification(failed, timeout=600)
        t_end = time.monotonic()
        done.set()
        watcher.join()
        if args.backend != "mysql":     # MariaDB DATETIME keeps seconds
            phases(fixture, note, wall0)
        return report(args, fixture, sim, ids, note, landed, t0, t_end)
    finally:
        fixture.cleanUp()


def phases(fixture, note, wall0):
    """Print when the notification was stored and the first move began."""
    moves = fixture.db.vmove_list(notification_uuid=note.uuid)
    starts = [m.start_time for m in moves if m.start_time]
    print("notification stored after %.3f s; vmoves written after %.3f s; "
          "first move started after %.3f s" % (
              (note.created_at - wall0).total_seconds(),
              (min(m.created_at for m in moves) - wall0).total_seconds(),
              (min(starts) - wall0).total_seconds()))


def report(args, fixture, sim, ids, note, landed, t0, t_end):
    n, c, lat = args.instances, args.workers, args.latency
    bound = math.ceil(n / c) * lat
    last = max(landed.values()) if landed else float("nan")
    elapsed = last - t0
    ratio = elapsed / bound
    moves = fixture.db.vmove_list(notification_uuid=note.uuid)
    by_host: dict[str, int] = {}
    for move in moves:
        by_host[move.dest_host] = by_host.get(move.dest_host, 0) + 1
    calls = [sim.action_count(sid, "evacuate") for sid in ids]
    order = sorted(moves, key=lambda m: landed.get(m.instance_uuid, 0))
    standby_first = all(not m.dest_host.startswith("compute-")
                        for m in order[:min(n, args.standby *
                                            args.standby_slots) // 2])
    succeeded = sum(m.status == constants.SUCCEEDED for m in moves)
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
    print("time to last ACTIVE: %.2f s; notification end: %.2f s"
          % (elapsed, t_end - t0))
    print("bound ceil(N/C)*L: %.2f s" % bound)
    durations: dict[str, list[float]] = {}
    for move in moves:
        for step in fixture.db.step_list(move.uuid):
            if step.started_at and step.ended_at:
                durations.setdefault(step.name, []).append(
                    (step.ended_at - step.started_at).total_seconds())
    print("mean step times (s): %s" % ", ".join(
        "%s=%.3f" % (name, sum(v) / len(v))
        for name, v in durations.items()))
    print("ratio: %.3f (goal <= %.2f) %s" % (
        ratio, GOAL, "PASS" if ratio <= GOAL else "FAIL"))
    return 0 if ratio <= GOAL and succeeded == n else 1


def main(argv=None):
    return run(parse(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
