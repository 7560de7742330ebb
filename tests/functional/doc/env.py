"""The prepared environment the documentation's commands run in.

``DocEnv`` is one vmotiond installation in a temp dir, made for one
document: a simulated cloud served in-process over HTTP (4 compute hosts
``compute-0001``..``compute-0004`` and one standby ``standby-01``, heart
beats every second), a config file (SQLite under the temp dir, the real
RabbitMQ with an exchange and topics of its own, a ``file://`` tooz
backend, the REST API behind keystonemiddleware against the simulator's
Keystone, one move at a time (``[engine] workers``) so that an aborted
drain has moves not started) and, once a document asks for it, the
all-in-one ``vmotiond`` as a real process.

A service that is not there (RabbitMQ) fails the test; nothing is skipped.
"""

import os
import subprocess
import sys
import time
from typing import Any
import uuid

import fixtures
import openstack
import requests

from tests.fixtures import ports
from tests.fixtures import rabbit
from vmotiond import constants
from vmotiond.db import api as db_api
from vmotiond.sim import builder
from vmotiond.sim import cloud as sim_cloud
from vmotiond.sim import server as sim_server
from vmotiond.sim import states

CLOUD = "vmotiond"          # the [cloud] cloud default, as the docs use it
DONE = ("finished", "failed", "ignored", "aborted")
BIN = os.path.dirname(sys.executable)



def wait_for(predicate: Any, timeout: float, what: str,
             check: Any = None) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        if check is not None:
            check()
        found = predicate()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("%s: not within %.0f s" % (what, timeout))
        time.sleep(0.2)


class DocEnv(fixtures.Fixture):
    """Everything a document's commands need; see the module docstring."""

    def _setUp(self) -> None:
        self.id = uuid.uuid4().hex[:10]
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.names = rabbit.unique_names("vmotiond_doc", self.id)
        self._check_rabbit()
        self.addCleanup(self._delete_rabbit_objects)
        self.api_port = ports.free_port()
        self.api_url = "http://127.0.0.1:%d" % self.api_port
        self.cloud = sim_cloud.SimCloud(seed=3, report_interval=1.0,
                                        service_down_time=4.0)
        builder.build(self.cloud, builder.Scenario(
            hosts=4, standby=1, servers=16, anti_affinity_groups=0,
            floating_ip_ratio=0.5,
            state_mix={states.ACTIVE: 75, states.STOPPED: 25}))
        for op in ("evacuate", "migrate", "live_migrate"):
            self.cloud.set_latency(op, 0.3)
        self.sim = sim_server.SimServer(
            self.cloud, instance_ha_url=self.api_url + "/v1")
        self.sim_url = self.sim.start()
        self.addCleanup(self.sim.stop)
        self.clouds_yaml = self.sim.write_clouds_yaml(
            os.path.join(self.dir, "clouds.yaml"), name=CLOUD)
        self.log_file = os.path.join(self.dir, "vmotiond.log")
        self.config_path = os.path.join(self.dir, "vmotiond.conf")
        self.write_config()
        self.db_url = "sqlite:///%s/vmotiond.sqlite" % self.dir
        self.instance_uuid = self._pick_instance("compute-0002")
        self.token = self._token("admin")
        self.daemon: subprocess.Popen[bytes] | None = None
        self.addCleanup(self._stop_daemon)
        self._db: db_api.Database | None = None

    # -- configuration -----------------------------------------------------

    def options(self) -> dict[str, dict[str, Any]]:
        n = self.names
        auth = self.sim.auth_url
        return {
            "DEFAULT": {
                "host": n["host"], "state_path": self.dir,
                "log_file": self.log_file,
                "transport_url": rabbit.RABBIT_URL,
                "control_exchange": n["exchange"],
                "shutdown_timeout": 10},
            "oslo_messaging_rabbit": {"rabbit_transient_queues_ttl": 10},
            "database": {
                "connection": "sqlite:///%s/vmotiond.sqlite" % self.dir},
            "coordination": {
                "backend_url": "file://%s/coordination" % self.dir},
            "cloud": {"cloud": CLOUD, "clouds_file": self.clouds_yaml,
                      "interface": "public", "api_retries": 0},
            "api": {"bind_host": "127.0.0.1", "bind_port": self.api_port,
                    "auth_strategy": "keystone"},
            "keystone_authtoken": {
                "www_authenticate_uri": auth, "auth_url": auth,
                "auth_type": "password", "username": "vmotiond",
                "password": "vmotiond", "project_name": "service",
                "user_domain_name": "Default",
                "project_domain_name": "Default",
                "service_token_roles_required": False,
                "include_service_catalog": False},
            # Heartbeats every second here, not every 10 s as in Nova.
            "monitor": {
                "probe_driver": "none",
                "notification_topic": n["topic"],
                "listener_topic": n["claims"],
                "listener_pool": n["pool"],
                "poll_interval": 0.5,
                "heartbeat_threshold": 2.5,
                "lagging_threshold": 2.0,
                "down_grace": 1.0,
                "down_observations": 2,
                "recovery_soak": 2.0,
                "failure_window": 10.0,
                "guard_hold_down": 5.0},
            "engine": {
                "rpc_topic": n["rpc_topic"],
                "workers": 1,
                "rpc_ping_timeout": 3.0,
                "poll_interval": 0.1,
                "step_retries": 1,
                "step_retry_backoff": 0.1,
                "resume_interval": 1.0,
                "unfence_timeout": 30.0},
        }

    def write_config(self) -> None:
        with open(self.config_path, "w") as f:
            for group, values in self.options().items():
                f.write("[%s]\n" % group)
                for name, value in values.items():
                    f.write("%s = %s\n" % (name, value))

    def environ(self) -> dict[str, str]:
        """The environment of every command: the virtualenv's scripts
        first on PATH, a token in $TOKEN, clouds.yaml for openstacksdk."""
        env = dict(os.environ)
        env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
        env["TOKEN"] = self.token
        env["OS_CLIENT_CONFIG_FILE"] = self.clouds_yaml
        env["PYTHONWARNINGS"] = "ignore"
        return env

    # -- the cloud -----------------------------------------------------------

    def _pick_instance(self, host: str) -> str:
        servers = sorted((s for s in self.cloud.state.servers.values()
                          if s.host == host
                          and s.vm_state == states.ACTIVE),
                         key=lambda s: s.name)
        if not servers:
            raise AssertionError("the simulated cloud has no ACTIVE "
                                 "instance on %s" % host)
        return str(servers[0].id)

    def _token(self, user: str) -> str:
        conn = openstack.connect(**self.sim.cloud_config(user))
        try:
            return str(conn.session.get_token())
        finally:
            conn.close()

    # -- the database --------------------------------------------------------

    @property
    def db(self) -> db_api.Database:
        if self._db is None:
            from oslo_config import cfg

            from vmotiond import config
            conf = config.load(["--config-file", self.config_path],
                               cfg.ConfigOpts(), setup_logging=False)
            self._db = db_api.Database(conf, max_retries=1,
                                       retry_interval=0)
            self.addCleanup(self._db.dispose)
        return self._db

    def latest_notification(self, type_: str | None = None) -> Any:
        rows = self.db.notification_list(type=type_) if type_ else \
            self.db.notification_list()
        rows = [r for r in rows if "#dup-" not in (r.dedup_key or "")]
        if not rows:
            raise AssertionError("no %s notification yet"
                                 % (type_ or "any"))
        return max(rows, key=lambda r: (r.created_at, r.id))

    def vmove_for_docs(self) -> str:
        """The most recently updated failed vmove, else the most recently
        updated one."""
        rows = self.db.vmove_list(sort_key="updated_at")
        if not rows:
            raise AssertionError("no vmove yet")
        failed = [r for r in rows if r.status == constants.FAILED]
        return str((failed or rows)[0].uuid)

    # -- the daemon ----------------------------------------------------------

    def start_daemon(self) -> None:
        """Start the all-in-one ``vmotiond`` and wait until it serves."""
        out = open(os.path.join(self.dir, "vmotiond.out"), "ab")
        self.addCleanup(out.close)
        self.daemon = subprocess.Popen(
            [os.path.join(BIN, "vmotiond"), "--config-file",
             self.config_path], stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=self.environ())
        wait_for(self._serving, 60, "vmotiond serving", self.check_daemon)
        wait_for(lambda: len(self.db.host_list()) >= 5, 30,
                 "the inventory synced", self.check_daemon)

    def _serving(self) -> bool:
        try:
            return requests.get(self.api_url + "/", timeout=5).ok
        except requests.ConnectionError:
            return False

    def check_daemon(self) -> None:
        if self.daemon is not None and self.daemon.poll() is not None:
            raise AssertionError("vmotiond exited %s:\n%s" % (
                self.daemon.returncode, self.daemon_output()))

    def daemon_output(self, lines: int = 40) -> str:
        text = ""
        for name in ("vmotiond.out", "vmotiond.log"):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f.read()
        return "\n".join(text.splitlines()[-lines:])

    def _stop_daemon(self) -> None:
        if self.daemon is None or self.daemon.poll() is not None:
            return
        self.daemon.terminate()
        try:
            self.daemon.wait(30)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            self.daemon.wait(10)

    # -- clean-up ------------------------------------------------------------

    def _check_rabbit(self) -> None:
        rabbit.check()

    def _delete_rabbit_objects(self) -> None:
        rabbit.delete_objects(self.names)
