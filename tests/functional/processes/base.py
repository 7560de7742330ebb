"""vmotiond's console commands as real processes, on loopback only.

``Deployment`` is one vmotiond installation made for one test: a temp
dir, a throwaway database (MariaDB by default), a config file whose
RabbitMQ exchange, topics, pools and Redis namespace are unique to the
test (parallel runs never take each other's messages or locks), and the
processes started from it. ``SimProcess`` runs ``vmotiond-sim``. Every
process is killed at clean-up if still running, and the RabbitMQ queues
and exchanges the test's names made are deleted after that.

A service that is not there fails the test; nothing is skipped.
"""

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any
import uuid

import fixtures
import openstack
import requests
import yaml

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from tests.fixtures import ports
from tests.fixtures import rabbit

REDIS_URL = "redis://127.0.0.1:6379"
API_VERSION = "instance-ha 1.4"
# Written by oslo.service when it loads its eventlet backend (at the import
# of oslo_messaging); not vmotiond's output.
LIBRARY_WARNING = "EventletDeprecationWarning"


def command(name: str) -> str:
    """The installed console script ``name`` of this virtualenv."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    if not os.path.exists(path):
        raise AssertionError("console script %s is not installed next to "
                             "%s (pip install -e .)" % (name, sys.executable))
    return path



def own_stderr_lines(text: str) -> list[str]:
    """stderr's non-blank lines without the library's eventlet deprecation
    warning (its header, its message and the echoed source line)."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if LIBRARY_WARNING in line:
            end = start + 1
            while end < len(lines) and not lines[end].startswith(" "):
                end += 1
            lines = lines[:start] + lines[end + 1:]
            break
    return [line for line in lines if line.strip()]


def _prctl() -> Any:
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()      # looked up before any fork: the child only calls it


def _die_with_parent() -> None:
    """In the child: SIGKILL when the test process dies (Linux), so a
    killed test run leaves no daemon behind."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)        # PR_SET_PDEATHSIG


class Process:
    """A started command; its stdout and stderr go to files."""

    def __init__(self, name: str, argv: list[str], directory: str,
                 env: dict[str, str] | None = None) -> None:
        self.name = name
        self.out_path = os.path.join(directory, "%s.out" % name)
        self.err_path = os.path.join(directory, "%s.err" % name)
        with open(self.out_path, "ab") as out, \
                open(self.err_path, "ab") as err:
            self.popen = subprocess.Popen(
                argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                env=dict(os.environ, **(env or {})),
                preexec_fn=_die_with_parent)
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, signum: int) -> None:
        self.popen.send_signal(signum)

    def wait(self, timeout: float) -> int:
        """The exit code; fails the test when the process is still up."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("%s (pid %d) still runs after %.0f s:\n%s"
                                 % (self.name, self.pid, timeout,
                                    self.tail())) from None

    def out(self) -> str:
        with open(self.out_path, errors="replace") as f:
            return f.read()

    def err(self) -> str:
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def tail(self, lines: int = 25) -> str:
        text = (self.out() + self.err()).splitlines()
        return "\n".join("  %s| %s" % (self.name, line)
                         for line in text[-lines:])

    def kill(self) -> None:
        if self.alive():
            self.popen.kill()
        self.popen.wait(30)


class Processes(fixtures.Fixture):
    """Starts processes; kills those still running at clean-up."""

    def __init__(self, directory: str) -> None:
        super().__init__()
        self.directory = directory
        self.started: list[Process] = []

    def _setUp(self) -> None:
        self.addCleanup(self._kill_all)

    def start(self, name: str, argv: list[str],
              env: dict[str, str] | None = None) -> Process:
        process = Process(name, argv, self.directory, env)
        self.started.append(process)
        return process

    def check_alive(self) -> None:
        for process in self.started:
            if process.name.startswith("vmotiond") and not process.alive() \
                    and process.popen.returncode not in (0, None):
                raise AssertionError("%s exited with %s:\n%s" % (
                    process.name, process.popen.returncode, process.tail()))

    def _kill_all(self) -> None:
        for process in reversed(self.started):
            process.kill()


def wait_for(predicate: Any, timeout: float, what: str,
             processes: Processes | None = None,
             interval: float = 0.2) -> Any:
    """Poll ``predicate`` until it returns something true; fail after
    ``timeout`` seconds, or as soon as a watched process died."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        if processes is not None:
            processes.check_alive()
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            tails = "\n".join(p.tail() for p in processes.started) \
                if processes is not None else ""
            raise AssertionError("%s: not within %.0f s (last: %r)\n%s"
                                 % (what, timeout, last, tails))
        time.sleep(interval)


class SimProcess(fixtures.Fixture):
    """``vmotiond-sim`` serving a cloud; ``ctl(...)`` controls it."""

    def __init__(self, processes: Processes, directory: str,
                 *args: str) -> None:
        super().__init__()
        self.processes = processes
        self.directory = directory
        self.args = list(args)

    def _setUp(self) -> None:
        self.clouds_yaml = os.path.join(self.directory, "clouds.yaml")
        self.process = self.processes.start("vmotiond-sim", [
            command("vmotiond-sim"), *self.args, "--clouds-yaml",
            self.clouds_yaml])
        self.addCleanup(self._stop)
        wait_for(lambda: "wrote " in self.process.out(), 30,
                 "vmotiond-sim serving", self.processes)
        control = [line for line in self.process.out().splitlines()
                   if line.startswith("control:")][0]
        self.url = control.split()[-1][:-len("/sim")]
        with open(self.clouds_yaml) as f:
            self.cloud_name, self.cloud_config = next(iter(
                yaml.safe_load(f)["clouds"].items()))
        self.conn = openstack.connect(**self.cloud_config)
        self.addCleanup(self.conn.close)

    def _stop(self) -> None:
        if self.process.alive():
            self.process.signal(signal.SIGTERM)
            try:
                self.process.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def ctl(self, *args: str) -> Any:
        """Run ``vmotiond-sim ctl --url URL ARGS``; its JSON answer."""
        done = subprocess.run(
            [command("vmotiond-sim"), "ctl", "--url", self.url, *args],
            capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise AssertionError("vmotiond-sim ctl %s: %s%s" % (
                " ".join(args), done.stdout, done.stderr))
        return json.loads(done.stdout)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """The control API over HTTP (quicker than ``ctl`` for reads)."""
        response = requests.request(method, self.url + "/sim" + path,
                                    json=body, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def servers(self) -> dict[str, Any]:
        """Every server, by id, as Nova's API shows it."""
        return {s.id: s for s in self.conn.compute.servers(
            details=True, all_projects=True)}


class Deployment(fixtures.Fixture):
    """One vmotiond installation: config, database, bus names, processes.

    ``backend`` is a database backend of ``tests.fixtures.database``;
    ``transport_url`` None means the real RabbitMQ.
    """

    def __init__(self, backend: str = "mysql",
                 transport_url: str | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.transport_url = transport_url or rabbit.RABBIT_URL

    def _setUp(self) -> None:
        self.id = uuid.uuid4().hex[:10]
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.names = rabbit.unique_names("vmt", self.id)
        if self.transport_url.startswith("rabbit:"):
            # Runs after the processes are killed (clean-ups are LIFO).
            self.addCleanup(self._delete_rabbit_objects)
        conf = self.useFixture(conf_fixture.Conf()).conf
        self.db = self.useFixture(db_fixture.Database(self.backend, conf,
                                                      synced=False))
        self.processes = self.useFixture(Processes(self.dir))
        self.api_port = ports.free_port()
        self.config_path = os.path.join(self.dir, "vmotiond.conf")

    def options(self, clouds_yaml: str = "",
                cloud: str = "vmotiond-sim") -> dict[str, dict[str, Any]]:
        """The test's configuration, by group; fast detection thresholds
        for a cloud whose nova-compute reports every 2 s and is 'down'
        after 6 s."""
        n = self.names
        coordination = ("%s?namespace=%s" % (REDIS_URL, n["exchange"])
                        if self.transport_url.startswith("rabbit:")
                        else "file://%s/coordination" % self.dir)
        return {
            "DEFAULT": {
                "host": n["host"], "state_path": self.dir, "debug": False,
                "transport_url": self.transport_url,
                "control_exchange": n["exchange"],
                "shutdown_timeout": 10},
            # Fanout and reply queues have random names: let them expire.
            "oslo_messaging_rabbit": {"rabbit_transient_queues_ttl": 10},
            "database": {"connection": self.db.url},
            "coordination": {"backend_url": coordination,
                             "lease_timeout": 3},
            "cloud": {"cloud": cloud, "clouds_file": clouds_yaml,
                      "interface": "public"},
            "monitor": {
                "probe_driver": "none",
                "notification_topic": n["topic"],
                "listener_topic": n["claims"],
                "listener_pool": n["pool"],
                "poll_interval": 0.5,
                "heartbeat_threshold": 3.0,
                "lagging_threshold": 2.5,
                "down_grace": 1.5,
                "down_observations": 2,
                "recovery_soak": 5.0,
                "flap_window": 30.0,
                "failure_window": 10.0,
                "guard_hold_down": 5.0,
                "verdict_key": "processes-verdict-key"},
            "engine": {
                "rpc_topic": n["rpc_topic"],
                "poll_interval": 0.2,
                "step_retry_backoff": 0.2,
                "resume_interval": 1.0},
            "api": {"auth_strategy": "noauth", "bind_host": "127.0.0.1",
                    "bind_port": self.api_port},
        }

    def write_config(self, options: dict[str, dict[str, Any]],
                     path: str | None = None) -> str:
        path = path or self.config_path
        with open(path, "w") as f:
            for group, values in options.items():
                f.write("[%s]\n" % group)
                for name, value in values.items():
                    f.write("%s = %s\n" % (name, value))
        return path

    def manage(self, *args: str, timeout: float = 60) -> str:
        """Run ``vmotiond-manage``; its stdout (fails on non-zero)."""
        done = subprocess.run(
            [command("vmotiond-manage"), "--config-file", self.config_path,
             *args], capture_output=True, text=True, timeout=timeout,
            check=False)
        if done.returncode != 0:
            raise AssertionError("vmotiond-manage %s exited %d: %s%s" % (
                " ".join(args), done.returncode, done.stdout, done.stderr))
        return done.stdout

    def start(self, name: str, *extra: str, config: str | None = None,
              env: dict[str, str] | None = None) -> Process:
        """Start console script ``name`` on the config file."""
        return self.processes.start(name, [
            command(name), "--config-file", config or self.config_path,
            *extra], env)

    def api(self, path: str, version: str = API_VERSION) -> Any:
        """GET ``path`` of the REST API; the JSON body."""
        response = requests.get(
            "http://127.0.0.1:%d%s" % (self.api_port, path),
            headers={"OpenStack-API-Version": version}, timeout=10)
        response.raise_for_status()
        return response.json()

    def api_up(self) -> bool:
        try:
            self.api("/v1/notifications")
        except requests.ConnectionError:
            return False
        return True

    def _delete_rabbit_objects(self) -> None:
        rabbit.delete_objects(self.names)
