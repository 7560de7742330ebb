"""Time to serve each operator console page, with its API reads.

Fills a MariaDB database with ``--hosts`` hosts and ``--rows`` vmoves
(1,000 and 100,000 by default; kept for the next run), starts
``vmotiond-api`` (noauth; ``--driver``: mysqlclient, the driver the
operator guide recommends, when installed, else PyMySQL, whose
pure-Python row reading takes most of the Hosts page's CPU) on a
loopback port and, for each page, times
what a browser asks when it opens it: the page's HTML, then every REST
read its script makes on load (static files are left out: the browser
keeps them). The Tasks page's two reads go out together, as its script
sends them; the task detail reads the notification, its moves, and the
steps of the first 5 moves (the ones its script opens).

The instance pages (a host's instances, all instances) read Nova through
the engine over RPC: for them ``vmotiond-sim`` serves ``--sim-hosts``
compute hosts with ``--servers`` instances, and ``vmotiond-engine`` and a
second ``vmotiond-api`` run on the same database over RabbitMQ (the
process fixtures of ``tests/functional/processes``; no monitor, so the
hosts table keeps its hosts). A host's page reads that host's instances,
the all-instances page its first page of 50 (the script's default).

It records the p99 of each page against the 200 ms bound (ratio = p99 /
bound, at most 1 meets it) with its p50, and exits 1 when a page misses
it. For the pages the API serves alone it also prints the API process's
CPU time per page load (user + system, from /proc): unlike the latency,
that figure does not grow with what else the machine runs, so a miss on
a loaded machine can be told from a slow page.

    python -m bench console_pages --requests 20     # quick
    python -m bench console_pages --no-instance-pages   # no sim, no bus
"""

import argparse
import collections
from collections.abc import Callable
import concurrent.futures
import importlib.util
import statistics
import sys
import time
from typing import Any

import requests
import sqlalchemy as sa

from bench import api_latency
from bench import results
from vmotiond.db import models

BOUND_MS = 200.0
API = "/vmotion/api"
HEADERS = {"OpenStack-API-Version": "instance-ha latest"}
STEPS_OPENED = 5
# The all-instances page's first page (instances.js).
INSTANCE_PAGE = 50


def fill_hosts(url: str, count: int) -> None:
    """Make the hosts table hold ``count`` hosts with their inventory."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        # Hosts of an older run without networks are written again.
        stored = conn.execute(sa.text(
            "SELECT COUNT(*), COUNT(networks) FROM hosts")).one()
        if tuple(stored) == (count, count):
            return
        conn.execute(sa.text("DELETE FROM hosts"))
        conn.execute(models.Host.__table__.insert(), [{
            "name": "node%d" % index, "management_ip": "10.0.%d.%d" % (
                index // 250, index % 250 + 1),
            "availability_zone": "az%d" % (index % 4),
            "vcpus_total": 64, "vcpus_used": index % 64,
            "memory_mb_total": 262144, "memory_mb_used": index * 97 % 262144,
            "disk_gb_total": 4000, "disk_gb_used": index * 3 % 4000,
            "running_instances": index % 40, "instances_total": index % 40,
            "instances_running": index % 40 // 2,
            "networks": [{"agent_type": "Open vSwitch agent",
                          "tunneling_ip": "10.1.%d.%d" % (
                              index // 250, index % 250 + 1),
                          "bridge_mappings": {"physnet1": "br-ex"}}],
            "service_state": "up",
            "service_status": "enabled", "role": "standby"
            if index % 50 == 0 else "normal", "auto_evacuate": True,
            "monitor_state": "up", "maintenance": False, "deleted": False}
            for index in range(count)])
    engine.dispose()


class Reader:
    """GETs on one keep-alive session; each checks its status."""

    def __init__(self, port: int) -> None:
        self.base = "http://127.0.0.1:%d" % port
        self.session = requests.Session()

    def get(self, path: str) -> requests.Response:
        response = self.session.get(self.base + path, headers=HEADERS,
                                    timeout=30)
        if response.status_code != 200:
            raise SystemExit("bad answer %s for %s: %s" % (
                response.status_code, path, response.text[:200]))
        return response


def hostinfo(reader: Reader, pool: concurrent.futures.Executor) -> None:
    reader.get("/vmotion/hostinfo")
    reader.get(API + "/v1/hosts")


def migrate_task(reader: Reader, pool: concurrent.futures.Executor) -> None:
    reader.get("/vmotion/migrate_task")
    second = Reader(int(reader.base.rsplit(":", 1)[1]))
    together = [
        pool.submit(reader.get, API + "/v1/notifications?limit=50"),
        pool.submit(second.get, API + "/v1/vmoves?limit=500"
                    "&sort_key=created_at&sort_dir=desc")]
    for future in together:
        future.result()


def task_detail(notification: str) -> Callable[..., None]:
    def read(reader: Reader, pool: concurrent.futures.Executor) -> None:
        reader.get("/vmotion/tasks/" + notification)
        reader.get(API + "/v1/notifications/" + notification)
        moves = reader.get(
            API + "/v1/vmoves?notification_uuid=%s&sort_key=created_at"
            "&sort_dir=asc" % notification).json()["vmoves"]
        for move in moves[:STEPS_OPENED]:
            reader.get(API + "/v1/vmoves/%s/steps" % move["uuid"])
    return read


def host_instances(host: str) -> Callable[..., None]:
    def read(reader: Reader, pool: concurrent.futures.Executor) -> None:
        reader.get("/vmotion/host_desktop_migration/" + host)
        reader.get(API + "/v1/operator/hosts/%s/instances" % host)
    return read


def all_instances(reader: Reader, pool: concurrent.futures.Executor
                  ) -> None:
    reader.get("/vmotion/desktop_migration")
    reader.get(API + "/v1/operator/instances?limit=%d" % INSTANCE_PAGE)


def instance_deployment(url: str, hosts: int, servers: int
                        ) -> tuple[Any, int, str]:
    """``vmotiond-sim``, ``vmotiond-engine`` and ``vmotiond-api`` on the
    database at ``url``; the deployment (``cleanUp()`` stops it), its API
    port and the busiest host of the simulated cloud."""
    from tests.functional.processes import base as processes

    dep = processes.Deployment("mysql")
    dep.setUp()
    try:
        sim = dep.useFixture(processes.SimProcess(
            dep.processes, dep.dir, "--hosts", str(hosts), "--standby", "0",
            "--servers", str(servers), "--seed", "7",
            "--report-interval", "30", "--service-down-time", "120"))
        options = dep.options(sim.clouds_yaml, sim.cloud_name)
        options["database"]["connection"] = url
        dep.write_config(options)
        for name in ("vmotiond-engine", "vmotiond-api"):
            dep.start(name)
        processes.wait_for(dep.api_up, 60, "the API serving", dep.processes)

        def first_page() -> Any:
            response = requests.get(
                "http://127.0.0.1:%d/v1/operator/instances?limit=1000"
                % dep.api_port, headers=HEADERS, timeout=30)
            return response.json() if response.status_code == 200 else None
        page = processes.wait_for(first_page, 60, "the engine answering",
                                  dep.processes)
        counts = collections.Counter(i["host"] for i in page["instances"]
                                     if i["host"])
        return dep, dep.api_port, counts.most_common(1)[0][0]
    except BaseException:
        dep.cleanUp()
        raise


def measure(name: str, load: Callable[..., None], reader: Reader,
            pool: concurrent.futures.Executor, requests_: int,
            meter: api_latency.CpuMeter | None = None) -> bool:
    """Time ``requests_`` loads of a page; print them, with the server's
    CPU time per load when ``meter`` reads it; whether its p99 meets the
    bound."""
    for _ in range(5):
        load(reader, pool)
    samples = []
    cpu = meter.read()[0] if meter is not None else 0.0
    for _ in range(requests_):
        began = time.perf_counter()
        load(reader, pool)
        samples.append((time.perf_counter() - began) * 1000)
    detail = "%d loads" % requests_
    if meter is not None:
        detail += ", API CPU %.1f ms per load" % (
            (meter.read()[0] - cpu) * 1000 / requests_)
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[max(int(len(samples) * 0.99) - 1, 0)]
    figure = results.record(results.Figure(
        "console_pages", "p99 of the page %s" % name, p99, "ms",
        goal=BOUND_MS, detail="p50 %.2f ms, %s" % (p50, detail)))
    return bool(figure.passed)


def newest_notification(url: str) -> str:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = str(conn.execute(sa.text(
            "SELECT uuid FROM notifications ORDER BY created_at DESC "
            "LIMIT 1")).scalar_one())
    engine.dispose()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument("--database", default="vmotiond_bench_console")
    parser.add_argument("--requests", type=int, default=100,
                        help="page loads measured per page")
    parser.add_argument("--sim-hosts", type=int, default=1000,
                        help="compute hosts of the simulated Nova")
    parser.add_argument("--servers", type=int, default=10_000,
                        help="instances of the simulated Nova")
    parser.add_argument(
        "--driver", choices=sorted(api_latency.DRIVERS),
        default=api_latency.RECOMMENDED if importlib.util.find_spec(
            api_latency.DRIVERS[api_latency.RECOMMENDED]) else "pymysql",
        help="MySQL driver of the API (default: mysqlclient, the one the "
             "operator guide recommends, when installed)")
    parser.add_argument("--no-instance-pages", dest="instance_pages",
                        action="store_false",
                        help="skip the pages that need an engine and Nova")
    args = parser.parse_args(argv)
    url = sa.engine.make_url(api_latency.fill(args.database, args.rows)).set(
        drivername="mysql+" + args.driver).render_as_string(
            hide_password=False)
    fill_hosts(url, args.hosts)
    pages = {"hostinfo": hostinfo, "migrate_task": migrate_task,
             "tasks/<id>": task_detail(newest_notification(url))}
    process, port = api_latency.start_api(url, 1, None)
    print("hosts stored: %d; vmoves stored: %d; %d loads per page; "
          "driver %s" % (args.hosts, args.rows, args.requests, args.driver))
    met = True
    try:
        reader = Reader(port)
        meter = api_latency.CpuMeter(process.pid)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for name, load in pages.items():
                met = measure(name, load, reader, pool, args.requests,
                              meter) and met
    finally:
        process.terminate()
        process.wait(timeout=30)
    if not args.instance_pages:
        return 0 if met else 1
    dep, port, host = instance_deployment(url, args.sim_hosts, args.servers)
    print("Nova (simulated): %d hosts, %d instances; through vmotiond-engine"
          " over RabbitMQ" % (args.sim_hosts, args.servers))
    try:
        reader = Reader(port)
        instance_pages = {
            "host_desktop_migration/<host>": host_instances(host),
            "desktop_migration": all_instances}
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for name, load in instance_pages.items():
                met = measure(name, load, reader, pool, args.requests) \
                    and met
    finally:
        dep.cleanUp()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
