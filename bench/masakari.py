"""Benchmark: vmotiond against the real Masakari on the same failed host.

Masakari 22.0.0 is installed from PyPI into a virtualenv of its own
(``.venv-masakari``, or ``$VMOTIOND_MASAKARI_VENV``; made once, reused)
and ``bench/masakari_driver.py`` runs its host-failure flow there, in
process: Masakari's taskflow driver, as masakari-engine runs it for a
segment with the ``auto`` recovery method, its Nova and Keystone settings
pointed at the simulator served on 127.0.0.1. The cloud is the one of
``recovery_time`` (same N, L; ``populate``): the host dies, the flow
starts, and the makespan is the time to the last instance landed on
another host, read from the simulator's evacuation records as for
vmotiond. Masakari runs twice: with its defaults (180 s wait after
disabling the service, 3 threads) and with its sleeps at 0 and 10
threads (C). vmotiond's figures come from ``recovery_time`` run in the
same process with the same N, C and L, or are measured here first.

Printed for each: the makespan, vmotiond / Masakari makespan, and the
Nova API requests per instance (every request the simulator answered
under /compute, from the start of the recovery; Keystone's apart).

    python -m bench masakari [--instances 100] [--latency 2.0]
        [--workers 10] [--modes defaults,tuned] [--quick]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from bench import recovery_time
from bench import results
from bench import simcloud
from vmotiond.sim import cloud as cloud_mod
from vmotiond.sim import server as server_mod

VERSION = "22.0.0"
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DRIVER = os.path.join(TOP, "bench", "masakari_driver.py")
# Masakari's settings per mode: its defaults, and its sleeps at 0 with C
# threads (verify_interval, its poll, stays at its 1 s: an IntOpt).
MODES = ("defaults", "tuned")
FLOW_TIMEOUT = 1800.0


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--latency", type=float, default=2.0,
                        help="L: seconds one evacuation takes in Nova")
    parser.add_argument("--workers", type=int, default=10,
                        help="C: vmotiond's pool; Masakari's threads when "
                             "tuned")
    parser.add_argument("--modes", default=",".join(MODES),
                        help="Masakari's settings to run: defaults, tuned")
    parser.add_argument("--quick", action="store_true",
                        help="N = %d, tuned only unless --modes is given"
                             % recovery_time.QUICK_INSTANCES)
    parser.add_argument("--venv", default=os.environ.get(
        "VMOTIOND_MASAKARI_VENV", os.path.join(TOP, ".venv-masakari")))
    args = parser.parse_args(argv)
    if args.quick:
        args.instances = min(args.instances, recovery_time.QUICK_INSTANCES)
        if "--modes" not in " ".join(argv):
            args.modes = "tuned"
    return args


def ensure_venv(venv):
    """Masakari VERSION in ``venv``, installed once; its python."""
    python = os.path.join(venv, "bin", "python")
    check = [python, "-c", "from importlib import metadata; "
             "print(metadata.version('masakari'))"]
    if os.path.exists(python):
        found = subprocess.run(check, capture_output=True, text=True,
                               check=False).stdout.strip()
        if found == VERSION:
            return python
    print("installing masakari %s into %s ..." % (VERSION, venv),
          flush=True)
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q",
                    "--disable-pip-version-check", "masakari==" + VERSION],
                   check=True)
    subprocess.run(check, check=True, capture_output=True)
    return python


def cloud_args(args):
    """recovery_time's arguments for the same cloud."""
    return recovery_time.parse_known([
        "--instances", str(args.instances), "--latency", str(args.latency),
        "--workers", str(args.workers)])


def run_masakari(python, args, mode):
    """One run of Masakari's flow on a fresh simulated cloud."""
    cloud = cloud_mod.SimCloud(seed=1)
    cloud.set_latency("evacuate", args.latency)
    cloud.set_latency("host_update_lag", 0.0)
    failed = "failed-host"
    ids = recovery_time.populate(cloud, cloud_args(args), failed)
    sim = server_mod.SimServer(cloud)
    sim.start()
    state = tempfile.mkdtemp(prefix="masakari-bench-")
    try:
        counter = simcloud.count_requests(sim)
        admin = sim.identity.users["admin"]
        spec = {"auth_url": sim.auth_url, "user": "admin",
                "password": admin.password, "project": admin.project,
                "region": "RegionOne", "host": failed, "state": state,
                "wait": 180 if mode == "defaults" else 0,
                "threads": 3 if mode == "defaults" else args.workers}
        log_path = os.path.join(state, "masakari.log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [python, "-P", DRIVER, json.dumps(spec)], cwd=state,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                text=True)
            try:
                line = proc.stdout.readline().strip()
                if line != "ready":
                    raise RuntimeError("masakari driver did not start "
                                       "(%r); see %s" % (line, log_path))
                cloud.kill_host(failed)
                before = counter.snapshot()
                wall0 = cloud.clock.now()
                t0 = time.monotonic()
                proc.stdin.write("go\n")
                proc.stdin.flush()
                line = "-"
                while line and not line.startswith("{"):
                    line = proc.stdout.readline()
                took = time.monotonic() - t0
                proc.wait(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        if not line:
            raise RuntimeError("masakari driver ended without a result; "
                               "see %s" % log_path)
        out = json.loads(line)
        after = counter.snapshot()
        out["requests"] = {k: after.get(k, 0) - before.get(k, 0)
                           for k in after}
        landed = simcloud.landed_at(cloud, ids, failed, wall0)
        out["landed"] = len(landed)
        out["first"] = simcloud.first_evacuation(cloud, ids, failed, wall0)
        out["makespan"] = (max(landed.values()) if len(landed) == len(ids)
                           else float("nan"))
        out["wall"] = took
        out["spec"] = {"wait_period_after_service_update": spec["wait"],
                       "host_failure_recovery_threads": spec["threads"]}
        return out
    finally:
        sim.stop()


def vmotiond_outcome(args):
    key = (args.instances, args.workers, args.latency)
    if key not in recovery_time.OUTCOMES:
        print("-- vmotiond on the same cloud (recovery_time)", flush=True)
        recovery_time.run(cloud_args(args))
    return recovery_time.OUTCOMES[key]


def report(args, mode, ours, theirs):
    n = args.instances
    settings = ", ".join("%s = %s" % kv for kv in theirs["spec"].items())
    print("Masakari %s (%s), %s: %s (%s); vmoves %s; landed %d/%d; flow "
          "took %.2f s; requests %s" % (
              theirs["version"], mode, settings, theirs["status"],
              theirs["message"] or "-", theirs["vmoves"], theirs["landed"],
              n, theirs["took"], theirs["requests"]))
    nova = theirs["requests"].get("compute", 0)
    every = sum(theirs["requests"].values())
    where = "N=%d, L=%g s" % (n, args.latency)
    figures = [
        results.record(results.Figure(
            "masakari", "Masakari makespan (%s), %s" % (mode, where),
            theirs["makespan"], "s",
            detail="Masakari %s host-failure flow (taskflow driver, auto "
                   "recovery method) with %s: its first evacuation %.1f s "
                   "after the failure, the flow %s after %.1f s, %d/%d "
                   "instances landed" % (
                       theirs["version"], settings, theirs["first"],
                       theirs["status"], theirs["took"], theirs["landed"],
                       n))),
        results.record(results.Figure(
            "masakari", "vmotiond / Masakari makespan (%s), %s, C=%d"
            % (mode, where, args.workers),
            ours.makespan / theirs["makespan"], "x", goal=1.0,
            detail="vmotiond %.2f s (first evacuation after %.2f s) "
                   "against Masakari %.2f s (after %.2f s): vmotiond %.1f "
                   "times faster" % (
                       ours.makespan, ours.first_evacuation,
                       theirs["makespan"], theirs["first"],
                       theirs["makespan"] / ours.makespan))),
        results.record(results.Figure(
            "masakari", "Masakari Nova API requests per instance (%s), N=%d"
            % (mode, n), nova / n, "requests",
            detail="%d Nova requests for %d instances (%d with Keystone's "
                   "tokens and discovery: %.1f per instance); vmotiond "
                   "made %.1f Nova requests per instance" % (
                       nova, n, every, every / n, ours.per_instance()))),
    ]
    ok = (theirs["landed"] == n and ours.succeeded == n
          and not results.missed(figures))
    return ok


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown:
        print("unknown mode(s) %s; of %s" % (", ".join(sorted(unknown)),
                                             ", ".join(MODES)),
              file=sys.stderr)
        return 2
    python = ensure_venv(args.venv)
    results.note_version("Masakari", VERSION + " (PyPI, " + args.venv + ")")
    ours = vmotiond_outcome(args)
    ok = True
    for mode in modes:
        print("-- Masakari, %s" % mode, flush=True)
        theirs = run_masakari(python, args, mode)
        ok = report(args, mode, ours, theirs) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
