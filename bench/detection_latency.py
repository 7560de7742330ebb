"""Detection latency of the host monitor, as a ratio to the 30 s bound.

Serves the simulator (Nova report_interval 10 s) over HTTP on loopback,
runs the monitor with the shipped defaults against it on the simulator's
FakeClock, kills one host per trial at a random moment, and measures the
simulated time from the host's last heartbeat to the ``vmotiond.host.down``
decision (its ``detected_at``). Prints each latency and the ratio of the
worst, the median and the best to the bound; a ratio above 1.0 fails.

    python bench/detection_latency.py [--trials 20] [--hosts 10] [--seed 1]
        [--bound 30] [--rabbit rabbit://guest:guest@127.0.0.1:5672/]

Notifications go to an in-memory recorder unless ``--rabbit`` is given.
"""

import argparse
import logging
import random
import statistics
import sys
import tempfile

from oslo_config import cfg

from bench import config
from bench import results
from vmotiond import clock as clock_mod
from vmotiond.cloud import openstack as os_cloud
from vmotiond.monitor import emitter
from vmotiond.monitor import manager
from vmotiond.monitor import probe
from vmotiond.monitor import store as store_mod
from vmotiond.sim import builder
from vmotiond.sim import cloud as sim_cloud
from vmotiond.sim import server as sim_server
from vmotiond.verdict import payload


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def info(self, ctxt: dict, event_type: str, body: dict) -> None:
        self.sent.append((event_type, body))

    warn = info


def one_trial(hosts: int, rng: random.Random, conf: cfg.ConfigOpts,
              rabbit: str | None) -> float:
    """Kill one host; return seconds from its last heartbeat to down."""
    clock = clock_mod.FakeClock()
    cloud = sim_cloud.SimCloud(clock=clock, seed=rng.randrange(1 << 30))
    builder.build(cloud, builder.Scenario(hosts=hosts, standby=0, servers=0,
                                          anti_affinity_groups=0))
    server = sim_server.SimServer(cloud)
    server.start()
    transport = None
    try:
        import openstack
        conn = openstack.connect(**server.cloud_config())
        adapter = os_cloud.OpenStackCloud(conn, conf, clock=clock_mod.Clock())
        if rabbit:
            import oslo_messaging
            transport = oslo_messaging.get_notification_transport(
                conf, url=rabbit)
            notifier = emitter.make_notifier(conf, transport)
            recorder = _Recorder()
            notifier = _Tee(notifier, recorder)
        else:
            recorder = notifier = _Recorder()
        monitor = manager.Monitor(conf, adapter, store_mod.MemoryStore(),
                                  notifier, clock=clock,
                                  probe=probe.CallableProbe(cloud.probe))
        poll = conf.monitor.poll_interval

        def run(seconds: float) -> None:
            for _ in range(int(round(seconds / poll))):
                cloud.advance(poll)
                monitor.tick()

        run(30 + rng.uniform(0, 10))
        cloud.advance(rng.uniform(0, poll))
        victim = rng.choice(sorted(cloud.state.hosts))
        cloud.kill_host(victim)
        last = payload.parse_time(cloud.host_view(victim)["updated_at"])
        run(90)
        conn.close()
        downs = [payload.parse(b) for t, b in recorder.sent
                 if t == payload.EVENT_HOST_DOWN]
        if [d["host"] for d in downs] != [victim]:
            raise RuntimeError("expected one down of %s, got %s"
                               % (victim, downs))
        return (downs[0]["detected_at"] - last).total_seconds()
    finally:
        server.stop()
        if transport is not None:
            transport.cleanup()


class _Tee:
    def __init__(self, *targets: object) -> None:
        self.targets = targets

    def info(self, *args: object) -> None:
        for t in self.targets:
            t.info(*args)

    def warn(self, *args: object) -> None:
        for t in self.targets:
            t.warn(*args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bound", type=float, default=30.0)
    parser.add_argument("--rabbit", default=None)
    args = parser.parse_args(argv)
    logging.getLogger("vmotiond").setLevel(logging.ERROR)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as state:
        conf = config.bench_conf(state)
        latencies = []
        for i in range(args.trials):
            latency = one_trial(args.hosts, rng, conf, args.rabbit)
            latencies.append(latency)
            print("trial %2d: %5.1f s  ratio %.2f" % (
                i + 1, latency, latency / args.bound))
    worst, best = max(latencies), min(latencies)
    median = statistics.median(latencies)
    print("detection latency vs bound %.0f s (report_interval 10 s, "
          "%d hosts, %d trials):" % (args.bound, args.hosts, args.trials))
    print("  worst  %5.1f s  ratio %.2f" % (worst, worst / args.bound))
    print("  median %5.1f s  ratio %.2f" % (median, median / args.bound))
    print("  best   %5.1f s  ratio %.2f" % (best, best / args.bound))
    results.record(results.Figure(
        "detection_latency", "worst detection latency, %d hosts, %d trials"
        % (args.hosts, args.trials), worst, "s", goal=args.bound,
        detail="from the last heartbeat to the host-down decision; median "
               "%.1f s, best %.1f s" % (median, best)))
    return 0 if worst <= args.bound else 1


if __name__ == "__main__":
    sys.exit(main())
