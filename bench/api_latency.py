"""Latency and throughput of a 100-item vmoves page from a big history.

Fills a MariaDB database with ``--rows`` vmoves (one million by default;
bulk ``executemany``), starts ``vmotiond-api`` (noauth) on a loopback
port in its own process, then measures:

- p50/p99 latency of ``GET /v1/vmoves?limit=100`` one request at a time,
  half of them from the newest page and half deep pages by marker;
- requests per second with ``--concurrency`` clients in parallel.

It prints the figures and their ratios to the goals (p99 <= 20 ms,
>= 500 req/s): a ratio of 1.0 or better meets the goal.

    python -m bench.api_latency --rows 20000      # quick
    python -m bench.api_latency                   # one million rows
"""

import argparse
import concurrent.futures
import datetime
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

import requests
import sqlalchemy as sa

from vmotiond.db import migration
from vmotiond.db import models

ADMIN_URL = os.environ.get("VMOTIOND_TEST_MYSQL_URL",
                           "mysql+pymysql://root@127.0.0.1:3306")
GOAL_P99_MS = 20.0
GOAL_RPS = 500.0
PAGE = 100
HEADERS = {"OpenStack-API-Version": "instance-ha latest"}


def _database_url(name: str) -> str:
    return str(sa.engine.make_url(ADMIN_URL).set(database=name))


def _count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(
                "SELECT COUNT(*) FROM vmoves")).scalar_one())
    except sa.exc.SQLAlchemyError:
        return -1
    finally:
        engine.dispose()


def fill(name: str, rows: int) -> str:
    """Create database ``name`` holding ``rows`` vmoves; reuse if it does."""
    url = _database_url(name)
    if _count(url) == rows:
        print("reusing %s with %d vmoves" % (name, rows))
        return url
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS %s" % name))
        conn.execute(sa.text("CREATE DATABASE %s" % name))
    admin.dispose()
    engine = sa.create_engine(url)
    migration.upgrade(engine)
    started = time.monotonic()
    per_notification = 100
    start = datetime.datetime(2025, 1, 1)
    statuses = ("succeeded",) * 8 + ("failed", "ignored")
    notifications, moves = [], []
    with engine.begin() as conn:
        for index in range(rows):
            if index % per_notification == 0:
                notification = str(uuid.uuid4())
                when = start + datetime.timedelta(minutes=index // 10)
                notifications.append({
                    "uuid": notification, "type": "COMPUTE_HOST",
                    "host": "node%d" % (index // per_notification % 500),
                    "payload": {}, "generated_time": when,
                    "status": "finished", "dedup_key": notification,
                    "created_at": when, "deleted": False})
            when = start + datetime.timedelta(seconds=index * 6)
            moves.append({
                "uuid": str(uuid.uuid4()), "notification_uuid": notification,
                "instance_uuid": str(uuid.uuid4()),
                "instance_name": "vm-%d" % index,
                "source_host": "node%d" % (index // per_notification % 500),
                "dest_host": "spare%d" % (index % 20),
                "start_time": when,
                "end_time": when + datetime.timedelta(seconds=20),
                "type": "evacuation", "status": statuses[index % 10],
                "message": None, "priority": index % 3, "attempts": 1,
                "created_at": when, "deleted": False})
            if len(moves) == 20000:
                conn.execute(models.Notification.__table__.insert(),
                             notifications)
                conn.execute(models.VMove.__table__.insert(), moves)
                notifications, moves = [], []
                print("  %d vmoves written" % (index + 1), end="\r")
        if notifications:
            conn.execute(models.Notification.__table__.insert(),
                         notifications)
        if moves:
            conn.execute(models.VMove.__table__.insert(), moves)
        conn.execute(sa.text("ANALYZE TABLE vmoves"))
    engine.dispose()
    print("filled %s with %d vmoves in %.1f s"
          % (name, rows, time.monotonic() - started))
    return url


def _markers(url: str, count: int) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        total = int(conn.execute(sa.text(
            "SELECT COUNT(*) FROM vmoves")).scalar_one())
        picks = []
        for _ in range(count):
            offset = random.randrange(max(1, total - PAGE))
            picks.append(str(conn.execute(sa.text(
                "SELECT uuid FROM vmoves ORDER BY id LIMIT 1 OFFSET :skip"
            ).bindparams(skip=offset)).scalar_one()))
    engine.dispose()
    return picks


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_api(url: str, threads: int, workers: int
              ) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    config = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
    config.write("[DEFAULT]\nuse_stderr = false\n"
                 "[database]\nconnection = %s\nmax_pool_size = %d\n"
                 "[api]\nauth_strategy = noauth\nbind_host = 127.0.0.1\n"
                 "bind_port = %d\nthreads = %d\nworkers = %d\n"
                 % (url, threads, port, threads, workers))
    config.close()
    process = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from vmotiond.cmd.api import main; sys.exit(main())",
         "--config-file", config.name],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = "http://127.0.0.1:%d" % port
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("vmotiond-api failed: %s"
                             % process.stderr.read().decode())  # type: ignore
        try:
            requests.get(base + "/", timeout=1)
            os.unlink(config.name)
            return process, base
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("vmotiond-api did not start within 30 s")


def _get(session: requests.Session, url: str) -> float:
    began = time.perf_counter()
    response = session.get(url, headers=HEADERS, timeout=30)
    elapsed = time.perf_counter() - began
    if response.status_code != 200 or \
            len(response.json()["vmoves"]) != PAGE:
        raise SystemExit("bad answer %s: %s" % (response.status_code,
                                                response.text[:200]))
    return elapsed


def latency(base: str, markers: list[str], count: int) -> list[float]:
    session = requests.Session()
    urls = []
    for index in range(count):
        url = base + "/v1/vmoves?limit=%d" % PAGE
        if index % 2:
            url += "&marker=" + markers[index % len(markers)]
        urls.append(url)
    for url in urls[:20]:
        _get(session, url)
    return [_get(session, url) for url in urls]


def _client(base: str, markers: list[str], stop_at: float,
            offset: int) -> int:
    """One client process: keep-alive GETs with http.client until stop."""
    parsed = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port,
                                      timeout=30)
    done = 0
    while time.time() < stop_at:
        path = "/v1/vmoves?limit=%d" % PAGE
        if done % 2:
            path += "&marker=" + markers[(offset + done) % len(markers)]
        conn.request("GET", path, headers=HEADERS)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200 or body.count(b'"uuid":') != PAGE:
            raise SystemExit("bad answer %s: %r" % (response.status,
                                                    body[:200]))
        done += 1
    conn.close()
    return done


def throughput(base: str, markers: list[str], seconds: float,
               concurrency: int) -> float:
    """Requests per second from ``concurrency`` client processes.

    Clients are separate processes with keep-alive connections so the
    load generator's own CPU use stays small next to the server's.
    """
    stop_at = time.time() + seconds
    began = time.monotonic()
    with concurrent.futures.ProcessPoolExecutor(concurrency) as pool:
        futures = [pool.submit(_client, base, markers, stop_at, offset)
                   for offset in range(concurrency)]
        total = sum(f.result() for f in futures)
    return total / (time.monotonic() - began)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="vmotiond_bench_api")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=4,
                        help="client processes for the throughput run")
    parser.add_argument("--threads", type=int, default=16,
                        help="[api] threads of the server")
    parser.add_argument("--workers", type=int, default=2,
                        help="[api] workers: server processes")
    parser.add_argument("--drop", action="store_true",
                        help="drop the database at the end")
    args = parser.parse_args(argv)
    url = fill(args.database, args.rows)
    markers = _markers(url, 200)
    process, base = start_api(url, args.threads, args.workers)
    try:
        samples = sorted(latency(base, markers, args.requests))
        rps = throughput(base, markers, args.seconds, args.concurrency)
    finally:
        process.terminate()
        process.wait(timeout=30)
    p50 = statistics.median(samples) * 1000
    p99 = samples[int(len(samples) * 0.99) - 1] * 1000
    print("vmoves stored: %d; page: %d items; %d sequential requests"
          % (args.rows, PAGE, len(samples)))
    print("p50 latency  %7.2f ms" % p50)
    print("p99 latency  %7.2f ms   goal <= %.0f ms   ratio goal/p99 = %.2f"
          % (p99, GOAL_P99_MS, GOAL_P99_MS / p99))
    print("throughput   %7.1f req/s (%d clients, %d server processes)   "
          "goal >= %.0f   ratio = %.2f" % (rps, args.concurrency,
                                           args.workers, GOAL_RPS,
                                           rps / GOAL_RPS))
    if args.drop:
        admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE %s" % args.database))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
