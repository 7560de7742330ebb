"""A whole engine against the simulator over HTTP, real MariaDB, RabbitMQ
and Redis. Used by the functional tests and bench/recovery_time.py.

A service that is not there fails the test; nothing is skipped.
"""

import json
import os
import subprocess
import sys
import time
import uuid

import fixtures
import openstack
import oslo_messaging

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database
from tests.fixtures import rabbit
from vmotiond import clock
from vmotiond import sim as sim_mod
from vmotiond.cloud import openstack as os_cloud
from vmotiond.engine import manager
from vmotiond.monitor import emitter
from vmotiond.sim import server as sim_server
from vmotiond.verdict import payload

REDIS_URL = "redis://127.0.0.1:6379"
VERDICT_KEY = "functional-verdict-key"


class EngineEnv(fixtures.Fixture):
    """Simulator + database + transport; ``engine()`` builds an engine."""

    def __init__(self, backend="mysql", seed=1, latency=None, image=True):
        super().__init__()
        self.image = image
        self.backend = backend
        self.seed = seed
        self.latency = latency or {}

    def _setUp(self):
        self.conf_fixture = self.useFixture(conf_fixture.Conf())
        self.conf = self.conf_fixture.conf
        topic = "vmotiond_test_%s" % uuid.uuid4().hex[:8]
        self.conf_fixture.set("notification_topic", topic, "monitor")
        self.conf_fixture.set("backend_url", REDIS_URL, "coordination")
        self.conf_fixture.set("poll_interval", 0.05, "engine")
        self.conf_fixture.set("step_retry_backoff", 0.1, "engine")
        self.conf_fixture.set("resume_interval", 1.0, "engine")
        # The tests send verdicts as the monitor does: signed.
        self.conf_fixture.set("verdict_key", VERDICT_KEY, "monitor")
        self.db = self.useFixture(
            database.Database(self.backend, self.conf)).database
        # Host names are unique per environment: host locks live in the
        # shared Redis, and tests run in parallel.
        self.failed_host = "fail-%s" % uuid.uuid4().hex[:8]
        self.sim = sim_mod.SimServer(seed=self.seed, image=self.image)
        for op, value in self.latency.items():
            self.sim.cloud.set_latency(op, value)
        self.sim.start()
        self.addCleanup(self.sim.stop)
        self.transport = oslo_messaging.get_notification_transport(
            self.conf, url=rabbit.RABBIT_URL)
        self.addCleanup(self.transport.cleanup)
        self.addCleanup(rabbit.delete_queues, topic)

    def cloud(self):
        conn = openstack.connect(**self.sim.cloud_config())
        return os_cloud.OpenStackCloud(conn, self.conf)

    def engine(self, listen=True, start=True):
        mgr = manager.EngineManager(
            self.conf, self.db, self.cloud(),
            transport=self.transport if listen else None)
        if start:
            mgr.start()
        self.addCleanup(mgr.stop)
        return mgr

    def spawn_engine(self, **settings):
        """Start an engine in its own process (``engine_proc``) on this
        environment; ``settings`` override options ("group.name": value).
        Return the process, started; logs go to ``self.engine_log``."""
        tmp = self.useFixture(fixtures.TempDir()).path
        self.engine_log = os.path.join(tmp, "engine.log")
        merged = {
            "clouds_yaml": self.sim.write_clouds_yaml(
                os.path.join(tmp, "clouds.yaml")),
            "transport_url": rabbit.RABBIT_URL,
            "cloud.cloud": sim_server.CLOUD_NAME,
            "cloud.interface": "public",
            "database.connection": self.db.url,
            "coordination.backend_url": REDIS_URL + "?timeout=2",
            "monitor.notification_topic":
                self.conf.monitor.notification_topic,
            "engine.poll_interval": self.conf.engine.poll_interval,
            "engine.step_retry_backoff": 0.1,
            "monitor.verdict_key": VERDICT_KEY,
            "state_path": tmp, "log_file": self.engine_log}
        merged.update(settings)
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(__file__)))))
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.functional.engine.engine_proc",
             json.dumps(merged)], cwd=root, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(_kill, proc)
        line = proc.stdout.readline().strip()
        if line != "started":
            raise AssertionError("engine process did not start: %r" % line)
        return proc

    def sync_hosts(self):
        """Copy the simulator's hosts (and roles) into the hosts table."""
        hosts = self.sim.cloud.state.hosts
        self.db.hosts_sync([{"name": name} for name in hosts])
        for name, host in hosts.items():
            self.db.host_update(name, {"role": host.role})

    def send_host_down(self, host, generation=1, detected_at=None):
        """Send what the monitor sends: its notifier, its payload."""
        sender = emitter.Emitter(
            emitter.make_notifier(self.conf, self.transport), VERDICT_KEY)
        sender.emit(payload.EVENT_HOST_DOWN, payload.build(
            host=host, generation=generation,
            detected_at=detected_at or clock.utcnow(),
            evidence={"test": True}, monitor="test", auto_evacuate=True))

    def wait_notification(self, host, statuses=("finished", "failed",
                                                "ignored", "aborted"),
                          timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = [r for r in self.db.notification_list(host=host)
                    if "#dup-" not in r.dedup_key]
            if rows and rows[0].status in statuses:
                return rows[0]
            time.sleep(0.05)
        raise AssertionError("notification for %s did not end in %.0f s: %s"
                             % (host, timeout, rows and rows[0].status))


def _kill(proc):
    if proc.poll() is None:
        proc.kill()
        proc.wait()
