"""Benchmark: time to recover a failed host, against the ideal ⌈N/C⌉·L.

A host with N instances fails in the simulator (served over HTTP); two
standby hosts and a few normal hosts wait. Each evacuation takes L seconds
in the simulated Nova and the engine moves C at a time. The engine hears
the notification over RabbitMQ, records everything in MariaDB, fences,
plans and evacuates. Printed: the time from the notification to the last
instance ACTIVE on its new host, as a ratio to ⌈N/C⌉·L (goal ≤ 1.10), the
placement (standby first), and the evacuate calls the simulator counted.
With the engine in its own process (the default) it also prints what the
engine spent on each vmove, figures that do not depend on the machine's
load: its CPU time (goal <= 5 ms) and database transactions, and the
Nova API requests per recovered instance the simulator answered (goal
<= 3); and the load average the makespan was measured under.

    python bench/recovery_time.py [--instances 100] [--latency 2.0]
        [--workers 10] [--backend mysql|postgresql|sqlite]
        [--profile engine.prof]
"""

import argparse
import json
import math
import os
import signal
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
CPU_GOAL = 0.005            # engine CPU seconds per vmove
REQUESTS_GOAL = 3.0         # Nova API requests per recovered instance


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
    parser.add_argument("--profile", metavar="PATH",
                        help="write the engine's cProfile statistics "
                             "(every thread) to PATH")
    return parser.parse_args(argv)


def watch(sim, ids, failed, done, out):
    """Record when each instance is ACTIVE on a host other than ``failed``."""
    landed = {}
    waiting = list(ids)
    while not done.is_set() and waiting:
        now = time.monotonic()
        with sim.lock:
            sim.tick()
            for sid in waiting:
                server = sim.state.servers[sid]
                if server.host not in (failed, None) \
                        and server.vm_state == states.ACTIVE \
                        and server.task_state is None:
                    landed[sid] = now
        waiting = [sid for sid in waiting if sid not in landed]
        time.sleep(0.005)
    out.update(landed)


def spent(proc):
    """The engine process's CPU seconds and commits so far (SIGUSR1)."""
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
        failed = fixture.failed_host
        sim.add_host(failed, memory_mb=2048 * (args.instances + 1))
        ids = [sim.add_server(failed, "m1.small", name="vm-%03d" % i,
                              floating_ip=i % 3 == 0).id
               for i in range(args.instances)]
        fixture.sync_hosts()
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
        landed: dict[str, float] = {}
        done = threading.Event()
        watcher = threading.Thread(target=watch, args=(sim, ids, failed,
                                                       done, landed))
        watcher.start()
        t0 = time.monotonic()
        wall0 = clock_mod.utcnow()
        before = spent(proc) if proc else None
        requests0 = sim.request_counts()
        fixture.send_host_down(failed)
        note = fixture.wait_notification(failed, timeout=3600)
        t_end = time.monotonic()
        load = os.getloadavg()
        after = spent(proc) if proc else None
        requests = sim.request_counts()
        done.set()
        watcher.join()
        if proc and args.profile:
            proc.terminate()
            proc.wait(timeout=60)
        if args.backend != "mysql":     # MariaDB DATETIME keeps seconds
            phases(fixture, note, wall0)
        status = report(args, fixture, sim, ids, note, landed, t0, t_end)
        print("load average during the run (1, 5, 15 min): %.2f %.2f %.2f"
              % load)
        return status | costs(args.instances, before, after, requests0,
                              requests)
    finally:
        fixture.cleanUp()


def costs(n, before, after, requests0, requests):
    """Print the engine's cost per vmove; 1 when a goal is missed."""
    by_service = {name: sum(ops.values()) - sum(
        requests0.get(name, {}).values()) for name, ops in requests.items()}
    nova = {op: count - requests0.get("compute", {}).get(op, 0)
            for op, count in requests.get("compute", {}).items()}
    per_instance = by_service.get("compute", 0) / n
    print("Nova requests: %s" % ", ".join(
        "%s=%d" % kv for kv in sorted(nova.items()) if kv[1]))
    print("requests per instance: %s" % ", ".join(
        "%s=%.2f" % (name, count / n)
        for name, count in sorted(by_service.items())))
    print("Nova API requests per instance: %.2f (goal <= %.1f), ratio %.3f"
          " %s" % (per_instance, REQUESTS_GOAL, per_instance / REQUESTS_GOAL,
                   "PASS" if per_instance <= REQUESTS_GOAL else "FAIL"))
    if before is None:
        return 0 if per_instance <= REQUESTS_GOAL else 1
    cpu = (after["cpu"] - before["cpu"]) / n
    commits = (after["commits"] - before["commits"]) / n
    print("engine database transactions per vmove: %.2f" % commits)
    print("engine CPU per vmove: %.2f ms (goal <= %.1f ms), ratio %.3f %s"
          % (cpu * 1000, CPU_GOAL * 1000, cpu / CPU_GOAL,
             "PASS" if cpu <= CPU_GOAL else "FAIL"))
    return 0 if cpu <= CPU_GOAL and per_instance <= REQUESTS_GOAL else 1


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
        dest = move.dest_host or "none"
        by_host[dest] = by_host.get(dest, 0) + 1
    calls = [sim.action_count(sid, "evacuate") for sid in ids]
    order = sorted(moves, key=lambda m: landed.get(m.instance_uuid, 0))
    standby_first = all(not (m.dest_host or "").startswith("compute-")
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
