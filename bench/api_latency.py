"""Latency and throughput of a 100-item vmoves page from a big history.

Fills a MariaDB database with ``--rows`` vmoves (one million by default;
bulk ``executemany``; kept for the next run), then for each MySQL driver
(PyMySQL, and mysqlclient when installed) starts ``vmotiond-api`` (noauth,
``--workers`` processes, the shipped ``[api] threads``) on a loopback port
and measures:

- p50/p99 latency of ``GET /v1/vmoves?limit=100`` one request at a time,
  half of them from the newest page and half deep pages by marker;
- requests per second over ``--connections`` keep-alive connections from
  ``--clients`` processes, sending pre-built requests on plain sockets so
  the load generator takes little of the machine's CPU.

It prints the figures and their ratios to the goals (p99 <= 20 ms,
>= 500 req/s; 1.0 or better meets the goal) and exits 1 when the best
driver misses one.

    python -m bench api_latency --rows 20000      # quick
    python -m bench api_latency                   # one million rows
"""

import argparse
import concurrent.futures
import datetime
import importlib.util
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
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
# SQLAlchemy driver name -> the module it needs.
DRIVERS = {"pymysql": "pymysql", "mysqldb": "MySQLdb"}


def _database_url(name: str, driver: str = "pymysql") -> str:
    url = sa.engine.make_url(ADMIN_URL).set(database=name)
    return str(url.set(drivername="mysql+" + driver))


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
        engine = sa.create_engine(url)
        migration.upgrade(engine)  # a database kept from an older schema
        engine.dispose()
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
    # As the engine leaves them: the last step run, and why a move failed
    # or was ignored.
    outcomes = ((("succeeded", "check_floating_ips", None),) * 8
                + (("failed", "wait_moved",
                    "Nova set the instance to ERROR during evacuation"),
                   ("ignored", None, "no capacity on any target host")))
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
            status, step, message = outcomes[index % 10]
            moves.append({
                "uuid": str(uuid.uuid4()), "notification_uuid": notification,
                "instance_uuid": str(uuid.uuid4()),
                "instance_name": "vm-%d" % index,
                "source_host": "node%d" % (index // per_notification % 500),
                "dest_host": "spare%d" % (index % 20),
                "start_time": when,
                "end_time": when + datetime.timedelta(seconds=20),
                "type": "evacuation", "status": status,
                "current_step": step, "message": message,
                "priority": index % 3, "attempts": 1, "created_at": when,
                "updated_at": when + datetime.timedelta(seconds=20),
                "deleted": False})
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
            offset = random.randrange(PAGE, max(PAGE + 1, total))
            picks.append(str(conn.execute(sa.text(
                "SELECT uuid FROM vmoves ORDER BY id LIMIT 1 OFFSET :skip"
            ).bindparams(skip=offset)).scalar_one()))
    engine.dispose()
    return picks


def _paths(markers: list[str], count: int) -> list[str]:
    """Half newest pages, half deep pages by marker."""
    paths = []
    for index in range(count):
        path = "/v1/vmoves?limit=%d" % PAGE
        if index % 2:
            path += "&marker=" + markers[index % len(markers)]
        paths.append(path)
    return paths


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_api(url: str, workers: int, threads: int | None
              ) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    api = ("[api]\nauth_strategy = noauth\nbind_host = 127.0.0.1\n"
           "bind_port = %d\nworkers = %d\n" % (port, workers))
    if threads is not None:
        api += "threads = %d\n" % threads
    config = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)
    config.write("[DEFAULT]\nuse_stderr = false\n"
                 "[database]\nconnection = %s\n%s" % (url, api))
    config.close()
    process = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from vmotiond.cmd.api import main; sys.exit(main())",
         "--config-file", config.name],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("vmotiond-api failed: %s"
                             % process.stderr.read().decode())  # type: ignore
        try:
            requests.get("http://127.0.0.1:%d/" % port, timeout=1)
            os.unlink(config.name)
            return process, port
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


def latency(port: int, paths: list[str]) -> list[float]:
    session = requests.Session()
    urls = ["http://127.0.0.1:%d%s" % (port, path) for path in paths]
    for url in urls[:20]:
        _get(session, url)
    return [_get(session, url) for url in urls]


def _connection(port: int, paths: list[str], stop_at: float) -> int:
    """Keep-alive GETs on a plain socket until ``stop_at``; count them.

    Checks the status and that each body holds a full page.
    """
    headers = "".join("%s: %s\r\n" % item for item in HEADERS.items())
    wire = [("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n"
             % (path, headers)).encode() for path in paths]
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    reader = sock.makefile("rb")
    done = 0
    while time.time() < stop_at:
        sock.sendall(wire[done % len(wire)])
        status = reader.readline()
        length = 0
        while (line := reader.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = reader.read(length)
        if not status.startswith(b"HTTP/1.1 200") or \
                body.count(b'"uuid":') != PAGE:
            raise SystemExit("bad answer %r: %r" % (status, body[:200]))
        done += 1
    sock.close()
    return done


def _client(port: int, paths: list[str], stop_at: float,
            connections: int) -> int:
    """One client process: ``connections`` threads, one socket each."""
    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        futures = [pool.submit(_connection, port,
                               paths[index:] + paths[:index], stop_at)
                   for index in range(connections)]
        return sum(f.result() for f in futures)


def throughput(port: int, paths: list[str], seconds: float,
               clients: int, connections: int) -> float:
    """Requests per second over ``connections`` spread on ``clients``.

    The server's processes share the port (SO_REUSEPORT), and the kernel
    hands each connection to one of them for its life: a few keep-alive
    connections may all land on one process, so the run opens several
    per process.
    """
    per_client = [connections // clients + (index < connections % clients)
                  for index in range(clients)]
    with concurrent.futures.ProcessPoolExecutor(clients) as pool:
        stop_at = time.time() + seconds
        began = time.monotonic()
        futures = [pool.submit(_client, port,
                               paths[index * 7:] + paths[:index * 7],
                               stop_at, count)
                   for index, count in enumerate(per_client) if count]
        total = sum(f.result() for f in futures)
        return total / (time.monotonic() - began)


def measure(url: str, args: argparse.Namespace, paths: list[str]
            ) -> tuple[float, float, float]:
    """Return p50 and p99 latency (ms) and req/s of the API over ``url``."""
    process, port = start_api(url, args.workers, args.threads)
    try:
        samples = sorted(latency(port, paths[:args.requests]))
        rps = throughput(port, paths, args.seconds, args.clients,
                         args.connections)
    finally:
        process.terminate()
        process.wait(timeout=30)
    p50 = statistics.median(samples) * 1000
    p99 = samples[int(len(samples) * 0.99) - 1] * 1000
    return p50, p99, rps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="vmotiond_bench_vmoves")
    parser.add_argument("--drivers", default="pymysql,mysqldb",
                        help="MySQL drivers to measure, comma-separated")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4,
                        help="client processes for the throughput run")
    parser.add_argument("--connections", type=int, default=16,
                        help="keep-alive connections, spread on the clients")
    parser.add_argument("--threads", type=int, default=None,
                        help="[api] threads of the server (default: the "
                             "shipped default)")
    parser.add_argument("--workers", type=int, default=2,
                        help="[api] workers: server processes")
    parser.add_argument("--drop", action="store_true",
                        help="drop the database at the end")
    args = parser.parse_args(argv)
    unknown = set(args.drivers.split(",")) - set(DRIVERS)
    if unknown:
        parser.error("unknown driver(s) %s; known: %s"
                     % (", ".join(sorted(unknown)), ", ".join(DRIVERS)))
    paths = _paths(_markers(fill(args.database, args.rows), 200),
                   max(args.requests, 400))
    print("vmoves stored: %d; page: %d items; %d sequential requests; "
          "throughput: %d connections from %d processes, %d server "
          "processes, %.0f s" % (args.rows, PAGE, args.requests,
                                 args.connections, args.clients,
                                 args.workers, args.seconds))
    met = False
    for driver in args.drivers.split(","):
        if importlib.util.find_spec(DRIVERS[driver]) is None:
            print("%-8s not installed (pip install 'vmotiond[mysqlclient]'"
                  ", which needs libmariadb-dev and pkg-config)" % driver)
            continue
        p50, p99, rps = measure(_database_url(args.database, driver), args,
                                paths)
        met = met or (p99 <= GOAL_P99_MS and rps >= GOAL_RPS)
        print("%-8s p50 %6.2f ms  p99 %6.2f ms (goal <= %.0f, ratio "
              "goal/p99 %.2f)  %6.1f req/s (goal >= %.0f, ratio %.2f)"
              % (driver, p50, p99, GOAL_P99_MS, GOAL_P99_MS / p99, rps,
                 GOAL_RPS, rps / GOAL_RPS), flush=True)
    if args.drop:
        admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE %s" % args.database))
        admin.dispose()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
