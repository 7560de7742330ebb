"""Latency and throughput of a 100-item vmoves page from a big history.

Fills a MariaDB database with ``--rows`` vmoves (one million by default,
made by the database in ``INSERT ... SELECT`` chunks, see
``bench.vmoves_fill``; kept for the next run), then for each MySQL driver
(PyMySQL, and mysqlclient when installed) starts ``vmotiond-api`` (noauth,
``--workers`` processes, the shipped ``[api] threads``) on a loopback port
and measures:

- p50/p99 latency of ``GET /v1/vmoves?limit=100`` one request at a time,
  half of them from the newest page and half deep pages by marker;
- requests per second over ``--connections`` keep-alive connections from
  ``--clients`` processes, sending pre-built requests on plain sockets so
  the load generator takes little of the machine's CPU;
- the server's CPU time per page (its processes' user + system time from
  /proc, before and after each run, over the pages served): the figure
  that does not depend on what else the machine runs. The database
  server's is printed too, but it serves whoever else uses it.

It records the figures with their ratios to the goals (p99 <= 20 ms,
>= 500 req/s, <= 2 ms server CPU per page; ratio = value / goal), prints
the database server's share and the load average, and exits 1 when the
recommended driver (mysqlclient, else the best one measured) misses one.

    python -m bench api_latency --rows 20000      # quick
    python -m bench api_latency                   # one million rows
"""

import argparse
import concurrent.futures
import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import typing

import requests
import sqlalchemy as sa

from bench import results
from bench import vmoves_fill

ADMIN_URL = os.environ.get("VMOTIOND_TEST_MYSQL_URL",
                           "mysql+pymysql://root@127.0.0.1:3306")
GOAL_P99_MS = 20.0
GOAL_RPS = 500.0
GOAL_CPU_MS = 2.0  # server CPU per page
RECOMMENDED = "mysqldb"  # the driver doc/operator-guide.md recommends
PAGE = 100
HEADERS = {"OpenStack-API-Version": "instance-ha latest"}
# SQLAlchemy driver name -> the module it needs.
DRIVERS = {"pymysql": "pymysql", "mysqldb": "MySQLdb"}


def _database_url(name: str, driver: str = "pymysql") -> str:
    url = sa.engine.make_url(ADMIN_URL).set(database=name)
    return str(url.set(drivername="mysql+" + driver))


def fill(name: str, rows: int) -> str:
    """Create database ``name`` holding ``rows`` vmoves; reuse if it does."""
    url = _database_url(name)
    vmoves_fill.fill(url, name, ADMIN_URL, rows)
    return url


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


def _client_process(port: int, paths: list[str], stop_at: float,
                    connections: int) -> tuple[int, float]:
    """``_client``, and the CPU seconds its process spent on it."""
    began = time.process_time()
    done = _client(port, paths, stop_at, connections)
    return done, time.process_time() - began


def throughput(port: int, paths: list[str], seconds: float,
               clients: int, connections: int
               ) -> tuple[int, float, float]:
    """Requests served, per second, and the load generator's CPU seconds,
    over ``connections`` spread on ``clients``.

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
        futures = [pool.submit(_client_process, port,
                               paths[index * 7:] + paths[:index * 7],
                               stop_at, count)
                   for index, count in enumerate(per_client) if count]
        results = [f.result() for f in futures]
        elapsed = time.monotonic() - began
    total = sum(done for done, _ in results)
    return total, total / elapsed, sum(cpu for _, cpu in results)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (/proc)."""
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _database_pid() -> int | None:
    """The local MariaDB/MySQL server's pid, if it runs here."""
    for entry in os.listdir("/proc"):
        try:
            with open("/proc/%s/comm" % entry) as comm:
                if comm.read().strip() in ("mariadbd", "mysqld"):
                    return int(entry)
        except (OSError, ValueError):
            continue
    return None


class CpuMeter:
    """CPU time the API's processes (supervisor and workers) and the
    database server used between two readings."""

    def __init__(self, server: int) -> None:
        self._pids = [server, *_children(server)]
        self._database = _database_pid()

    def read(self) -> tuple[float, float]:
        database = (_cpu_seconds(self._database)
                    if self._database is not None else float("nan"))
        return sum(_cpu_seconds(pid) for pid in self._pids), database


class Figures(typing.NamedTuple):
    p50: float  # ms
    p99: float  # ms
    rps: float
    cpu_sequential: float  # server ms per page, one request at a time
    cpu_loaded: float  # server ms per page during the throughput run
    db_loaded: float  # database server ms per page (shared with others)
    client_loaded: float  # load generator ms per page

    def idle_rps(self, cores: int) -> float:
        """Pages per second the machine's cores would serve with nothing
        else running: the cores over the CPU all three take per page."""
        return cores * 1000 / (self.cpu_loaded + self.db_loaded
                               + self.client_loaded)


def measure(url: str, args: argparse.Namespace, paths: list[str]
            ) -> Figures:
    """Latency, req/s and CPU per page of the API over ``url``.

    The server's CPU is read from /proc before and after each run: its
    time per page does not depend on what else the machine runs, unlike
    latency and req/s.
    """
    process, port = start_api(url, args.workers, args.threads)
    try:
        meter = CpuMeter(process.pid)
        latency(port, paths[:20])
        server, _ = meter.read()
        samples = sorted(latency(port, paths[:args.requests]))
        cpu_sequential = (meter.read()[0] - server) / len(samples)
        server, database = meter.read()
        total, rps, client = throughput(port, paths, args.seconds,
                                        args.clients, args.connections)
        server_after, database_after = meter.read()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return Figures(
        statistics.median(samples) * 1000,
        samples[int(len(samples) * 0.99) - 1] * 1000, rps,
        cpu_sequential * 1000, (server_after - server) / total * 1000,
        (database_after - database) / total * 1000, client / total * 1000)


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
    cores = os.cpu_count() or 1
    url = fill(args.database, args.rows)
    paths = _paths(vmoves_fill.markers(url, 200, PAGE),
                   max(args.requests, 400))
    print("vmoves stored: %d; page: %d items; %d sequential requests; "
          "throughput: %d connections from %d processes, %d server "
          "processes, %.0f s; %d cores" % (
              args.rows, PAGE, args.requests, args.connections,
              args.clients, args.workers, args.seconds, cores))
    judged: dict[str, bool] = {}
    for driver in args.drivers.split(","):
        if importlib.util.find_spec(DRIVERS[driver]) is None:
            print("%-8s not installed (pip install 'vmotiond[mysqlclient]'"
                  ", which needs libmariadb-dev and pkg-config)" % driver)
            continue
        load = os.getloadavg()[0]
        got = measure(_database_url(args.database, driver), args, paths)
        figures = [results.record(results.Figure(
            "api_latency", "%s: p99 of a %d-vmove page" % (driver, PAGE),
            got.p99, "ms", goal=GOAL_P99_MS,
            detail="p50 %.2f ms" % got.p50)), results.record(results.Figure(
                "api_latency", "%s: pages per second" % driver, got.rps,
                "req/s", goal=GOAL_RPS, better="higher",
                detail="%d connections" % args.connections)),
            results.record(results.Figure(
                "api_latency", "%s: server CPU per page under load"
                % driver, got.cpu_loaded, "ms", goal=GOAL_CPU_MS,
                detail="%.2f ms one at a time" % got.cpu_sequential))]
        judged[driver] = all(f.passed for f in figures)
        print("%-8s per page: database server %.2f ms, load generator "
              "%.2f ms; %.0f req/s on %d idle cores (ratio %.2f); load "
              "average %.2f before" % (
                  driver, got.db_loaded, got.client_loaded,
                  got.idle_rps(cores), cores, got.idle_rps(cores) / GOAL_RPS,
                  load), flush=True)
    # The goals are those of the recommended driver, else the best one.
    met = judged.get(RECOMMENDED, any(judged.values()))
    if args.drop:
        admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE %s" % args.database))
        admin.dispose()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
