"""The host monitor at 10,000 hosts: CPU per poll cycle, resident memory,
and the detection bound, as ratios against their goals.

The simulated cloud runs in a child process (so neither its CPU nor its
memory is counted against the monitor); the monitor runs in this process
with its real store on a database (SQLite in this process by default, so
the database's CPU is counted too) and reads Nova's os-services answer
as the JSON text the simulator serves, decoded and converted exactly as
the OpenStack adapter does after the HTTP request. The HTTP transport
itself (keystoneauth, requests, the socket) is left out: it is not the
monitor's code and at 10,000 services it would weigh more than the
monitor.

Two parts:

* **CPU and memory** (FakeClock, in lock-step with the simulator's):
  ``--cycles`` polls of one simulated second each, every host
  heartbeating every 10 s, one host killed a third of the way in and
  detected during the window. CPU per cycle is this process's CPU time
  (``time.process_time``: every thread, the probe pool included), so the
  load of the machine does not change it. Resident memory is this
  process's peak (``ru_maxrss``), inventory sync included.
* **Detection** (real clocks): the monitor runs its own loop on the real
  clock against the simulator on its own real clock; ``--trials`` times
  one host is killed at a random moment and the time from its last
  heartbeat to the monitor's ``host_down`` decision is measured against
  the 30 s bound: here a slow cycle delays detection.

    python -m bench monitor_cycle [--hosts 10000] [--cycles 60]
        [--trials 3] [--seed 1] [--connection URL] [--profile FILE]
"""

import argparse
import cProfile
import importlib
import json
import logging
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from typing import Any

from oslo_config import cfg

from bench import config
from bench import results
from vmotiond import clock as clock_mod
from vmotiond.cloud import convert
from vmotiond.cloud import records as cloud_records
from vmotiond.db import api as db_api
from vmotiond.monitor import manager
from vmotiond.monitor import probe as probe_mod
from vmotiond.monitor import store as store_mod
from vmotiond.verdict import payload

CPU_BOUND = 0.100          # seconds of CPU per poll cycle
RSS_BOUND = 150.0          # MB resident
DETECTION_BOUND = 30.0     # seconds from the last heartbeat to host_down


# -- the simulator, in a child process ----------------------------------

class _Ctx:
    """A request context at the newest microversion."""

    @staticmethod
    def at_least(version: str) -> bool:
        return True


def _serve(conn: Any, hosts: int, seed: int, fake: bool) -> None:
    """Run the simulated cloud and answer ``conn``'s requests."""
    from vmotiond.sim import builder
    from vmotiond.sim import cloud as sim_cloud
    from vmotiond.sim import compute_views as views

    clock = clock_mod.FakeClock() if fake else clock_mod.Clock()
    cloud = sim_cloud.SimCloud(clock=clock, seed=seed)
    builder.build(cloud, builder.Scenario(
        hosts=hosts, standby=0, servers=0, anti_affinity_groups=0))
    ctx = _Ctx()

    def services() -> bytes:
        with cloud.lock:
            now = cloud.tick()
            body = {"services": [views.service(cloud, h, now, ctx)
                                 for h in cloud.state.hosts.values()]}
        return json.dumps(body).encode()

    def capacities() -> list[cloud_records.HostCapacity]:
        return [cloud_records.HostCapacity(
            host=h.name, hypervisor_id=str(h.hypervisor_id),
            host_ip=h.host_ip, vcpus_total=h.vcpus, vcpus_reserved=0,
            vcpus_used=0, cpu_allocation_ratio=1.0,
            memory_mb_total=h.memory_mb, memory_mb_reserved=0,
            memory_mb_used=0, ram_allocation_ratio=1.0,
            disk_gb_total=h.disk_gb, disk_gb_reserved=0, disk_gb_used=0,
            disk_allocation_ratio=1.0, running_vms=0)
            for h in cloud.state.hosts.values()]

    def kill(name: str) -> str:
        cloud.kill_host(name)
        return str(cloud.host_view(name)["updated_at"])

    calls = {
        "advance": lambda s: cloud.advance(s) and None,
        "services": services,
        "capacities": capacities,
        "hosts": lambda: sorted(cloud.state.hosts),
        "kill": kill,
        "probe": cloud.probe,
    }
    conn.send("ready")
    while True:
        try:
            name, args = conn.recv()
        except EOFError:
            return
        if name == "stop":
            return
        try:
            conn.send((True, calls[name](*args)))
        except Exception as exc:   # hand it to the caller
            conn.send((False, repr(exc)))


class SimProcess:
    """The simulator in a child process, called over a pipe."""

    def __init__(self, hosts: int, seed: int, fake: bool) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._lock = threading.Lock()
        self._proc = ctx.Process(target=_serve, daemon=True,
                                 args=(child, hosts, seed, fake))
        self._proc.start()
        if self._conn.recv() != "ready":
            raise RuntimeError("the simulator did not start")

    def call(self, name: str, *args: Any) -> Any:
        with self._lock:
            self._conn.send((name, args))
            ok, value = self._conn.recv()
        if not ok:
            raise RuntimeError("simulator %s failed: %s" % (name, value))
        return value

    def stop(self) -> None:
        with self._lock:
            self._conn.send(("stop", ()))
        self._proc.join(10)


class BenchCloud:
    """The ``Cloud`` the monitor reads: os-services as the adapter reads
    it (JSON decoded, then converted), capacities as records.

    With ``prefetch`` the JSON text is fetched from the simulator by
    ``prefetch()`` (outside the measured window) and only decoded and
    converted inside it.
    """

    def __init__(self, sim: SimProcess, prefetch: bool = False) -> None:
        self.sim = sim
        self._prefetch = prefetch
        self._text: bytes | None = None
        reader = getattr(convert, "ServiceReader", None)
        self._reader = reader() if reader is not None else None

    def prefetch(self) -> None:
        self._text = self.sim.call("services")

    def list_compute_services(self) -> list[cloud_records.ComputeService]:
        text = self._text if self._prefetch else None
        if text is None:
            text = self.sim.call("services")
        self._text = None
        body = json.loads(text)
        if self._reader is not None:     # as OpenStackCloud reads it
            return list(self._reader.read(body["services"]))
        return [convert.compute_service(s) for s in body["services"]]

    def list_host_capacities(self) -> list[cloud_records.HostCapacity]:
        return list(self.sim.call("capacities"))

    def list_aggregates(self) -> list[cloud_records.Aggregate]:
        return []

    def list_servers(self, host: str | None = None
                     ) -> list[cloud_records.Server]:
        return []

    def list_network_agents(self) -> list[cloud_records.NetworkAgent]:
        return []


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.event = threading.Event()

    def info(self, ctxt: dict[str, Any], event_type: str,
             body: dict[str, Any]) -> None:
        self.sent.append((event_type, body))
        self.event.set()

    warn = info

    def downs(self) -> list[dict[str, Any]]:
        return [payload.parse(b) for t, b in self.sent
                if t == payload.EVENT_HOST_DOWN]


def _database(conf: cfg.ConfigOpts, connection: str | None, name: str,
              clock: clock_mod.Clock) -> db_api.Database:
    url = connection or "sqlite:///%s/%s.sqlite" % (conf.state_path, name)
    database = db_api.Database(conf, clock=clock, connection=url)
    database.sync()
    return database


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2 ** 20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- part 1: CPU per cycle and memory -----------------------------------

def cpu_and_memory(conf: cfg.ConfigOpts, args: argparse.Namespace
                   ) -> dict[str, Any]:
    # What a vmotiond-monitor process holds besides: the OpenStack SDK
    # and the composition root, so the resident memory is the process's.
    importlib.import_module("vmotiond.cloud.openstack")
    importlib.import_module("vmotiond.bootstrap")
    sim = SimProcess(args.hosts, args.seed, fake=True)
    try:
        clock = clock_mod.FakeClock()
        cloud = BenchCloud(sim, prefetch=True)
        database = _database(conf, args.connection, "cycle", clock)
        recorder = _Recorder()
        monitor = manager.Monitor(
            conf, cloud, store_mod.DbStore(database), recorder, clock=clock,
            probe=probe_mod.CallableProbe(lambda h: sim.call("probe", h)))
        poll = conf.monitor.poll_interval

        def step() -> float:
            sim.call("advance", poll)
            clock.advance(poll)
            cloud.prefetch()
            started = time.process_time()
            monitor.tick()
            return time.process_time() - started

        sync_started = time.process_time()
        step()                  # the inventory sync and the first load
        first = time.process_time() - sync_started
        for _ in range(20):     # warm up: every heartbeat seen moving
            step()
        victim = random.Random(args.seed).choice(sim.call("hosts"))
        profiler = cProfile.Profile() if args.profile else None
        cycles = []
        for i in range(args.cycles):
            if i == args.cycles // 3:
                sim.call("kill", victim)
            if profiler is not None:
                profiler.enable()
            cycles.append(step())
            if profiler is not None:
                profiler.disable()
        if profiler is not None:
            profiler.dump_stats(args.profile)
        downs = [d["host"] for d in recorder.downs()]
        database.dispose()
        return {"first": first, "cycles": cycles, "downs": downs,
                "victim": victim,
                "rss": _rss_mb(), "peak_rss": _peak_rss_mb()}
    finally:
        sim.stop()


# -- part 2: detection on real clocks -----------------------------------

def detection(conf: cfg.ConfigOpts, args: argparse.Namespace
              ) -> list[float]:
    rng = random.Random(args.seed)
    sim = SimProcess(args.hosts, args.seed, fake=False)
    clock = clock_mod.Clock()
    database = _database(conf, args.connection, "detection", clock)
    recorder = _Recorder()
    monitor = manager.Monitor(
        conf, BenchCloud(sim), store_mod.DbStore(database), recorder,
        clock=clock,
        probe=probe_mod.CallableProbe(lambda h: sim.call("probe", h)))
    latencies = []
    try:
        names = sim.call("hosts")
        monitor.start()
        time.sleep(20)          # every heartbeat seen moving
        for _ in range(args.trials):
            time.sleep(rng.uniform(0, 10))
            victim = rng.choice(names)
            names.remove(victim)
            recorder.event.clear()
            last = payload.parse_time(sim.call("kill", victim))
            deadline = time.monotonic() + 3 * DETECTION_BOUND
            found = None
            while found is None and time.monotonic() < deadline:
                recorder.event.wait(1.0)
                recorder.event.clear()
                found = next((d for d in recorder.downs()
                              if d["host"] == victim), None)
            if found is None:
                latencies.append(float("inf"))
            else:
                latencies.append(
                    (found["detected_at"] - last).total_seconds())
            print("  trial %d: %s down after %.1f s" % (
                len(latencies), victim, latencies[-1]), flush=True)
    finally:
        monitor.stop(10)
        database.dispose()
        sim.stop()
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10000)
    parser.add_argument("--cycles", type=int, default=60,
                        help="measured cycles; a host is killed after a "
                             "third of them (at least 45 to see it down)")
    parser.add_argument("--trials", type=int, default=3,
                        help="detection trials on real clocks (0: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connection", default=None,
                        help="database URL (default: SQLite in a "
                             "temporary directory)")
    parser.add_argument("--profile", default=None,
                        help="write a cProfile of the measured cycles")
    args = parser.parse_args(argv)
    logging.getLogger("vmotiond").setLevel(logging.ERROR)
    failed = False
    with tempfile.TemporaryDirectory() as state:
        conf = config.bench_conf(state)
        print("monitor at %d hosts (simulator in a child process, "
              "os-services as JSON text, no HTTP):" % args.hosts,
              flush=True)
        out = cpu_and_memory(conf, args)
        cycles = out["cycles"]
        mean = statistics.fmean(cycles)
        p95 = sorted(cycles)[int(0.95 * (len(cycles) - 1))]
        worst = max(cycles)
        print("  first cycle (inventory sync + load): %.2f s CPU"
              % out["first"])
        for label, value in (("mean", mean), ("p95", p95),
                             ("worst", worst)):
            print("  CPU per cycle %-5s %7.1f ms  ratio %.2f  (goal "
                  "<= %.0f ms, %d cycles)" % (
                      label, value * 1000, value / CPU_BOUND,
                      CPU_BOUND * 1000, len(cycles)))
        print("  resident memory peak %6.1f MB  ratio %.2f  (goal <= "
              "%.0f MB; now %.1f MB)" % (
                  out["peak_rss"], out["peak_rss"] / RSS_BOUND, RSS_BOUND,
                  out["rss"]))
        failed |= p95 > CPU_BOUND or out["peak_rss"] > RSS_BOUND
        detail = ("%d hosts, %d cycles; the simulator in a child process, "
                  "os-services as JSON text (no HTTP), SQLite in process"
                  % (args.hosts, len(cycles)))
        results.record(results.Figure(
            "monitor_cycle", "monitor CPU per poll cycle (p95), %d hosts"
            % args.hosts, p95 * 1000, "ms", goal=CPU_BOUND * 1000,
            detail="%s; mean %.1f ms, worst %.1f ms" % (
                detail, mean * 1000, worst * 1000)))
        results.record(results.Figure(
            "monitor_cycle", "monitor resident memory (peak), %d hosts"
            % args.hosts, out["peak_rss"], "MB", goal=RSS_BOUND,
            detail=detail + ", inventory sync included"))
        if out["downs"] != [out["victim"]]:
            print("  FAILED: expected one host_down of %s, got %s"
                  % (out["victim"], out["downs"]))
            failed = True
        if args.trials:
            print("detection at %d hosts, real clocks:" % args.hosts,
                  flush=True)
            latencies = detection(conf, args)
            worst_d = max(latencies)
            print("  detection worst %5.1f s  ratio %.2f  (bound %.0f s, "
                  "%d trials)" % (worst_d, worst_d / DETECTION_BOUND,
                                  DETECTION_BOUND, len(latencies)))
            failed |= worst_d > DETECTION_BOUND
            results.record(results.Figure(
                "monitor_cycle", "worst detection latency, %d hosts, "
                "real clocks, %d trials" % (args.hosts, len(latencies)),
                worst_d, "s", goal=DETECTION_BOUND,
                detail="from the last heartbeat to the host-down decision, "
                       "the monitor's own loop"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

