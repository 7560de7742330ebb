"""The monitor against the simulator over HTTP, notifications over RabbitMQ.

The simulator runs on a FakeClock shared with the monitor: each ``run``
step advances both by ``poll_interval`` and ticks the monitor once, so a
10-minute scenario takes seconds. RabbitMQ (127.0.0.1:5672, guest/guest)
must be running; a missing server fails the tests.
"""

import os
import socket
import threading
import time
import uuid

import oslo_messaging
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from tests.fixtures import rabbit
from tests.fixtures import sim as sim_fixture
from vmotiond import clock as clock_mod
from vmotiond.cloud import openstack as os_cloud
from vmotiond.monitor import emitter
from vmotiond.monitor import manager
from vmotiond.monitor import probe
from vmotiond.monitor import store as store_mod
from vmotiond.sim import builder
from vmotiond.verdict import payload

RABBIT_URL = os.environ.get("VMOTIOND_TEST_RABBIT_URL",
                            "rabbit://guest:guest@127.0.0.1:5672/")


def require_rabbit() -> None:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
    except OSError as exc:
        raise AssertionError("RabbitMQ is not reachable on 127.0.0.1:5672: "
                             "%s" % exc) from exc


class Recorder:
    """A notification endpoint that keeps everything it hears."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, str, dict]] = []
        self._lock = threading.Lock()

    def _keep(self, priority: str, event_type: str, body: dict) -> None:
        with self._lock:
            self.heard.append((priority, event_type, body))

    def info(self, ctxt, publisher_id, event_type, body, metadata):
        self._keep("info", event_type, body)

    def warn(self, ctxt, publisher_id, event_type, body, metadata):
        self._keep("warn", event_type, body)

    def of(self, event_type: str) -> list[dict]:
        with self._lock:
            return [b for _p, t, b in self.heard if t == event_type]

    def reasons(self) -> list[str]:
        return [b.get("reason") for b in self.of(payload.EVENT_HOST_ALERT)]


class MonitorSimTestCase(testtools.TestCase):
    """A simulated cloud of ``HOSTS`` compute hosts and one monitor, with
    the shipped defaults (only topics differ)."""

    HOSTS = 10
    STANDBY = 1                 # disabled by vmotiond: watched
    SIM_KW: dict = {}           # for SimCloud
    BACKEND = "sqlite"          # the database's

    def setUp(self) -> None:
        super().setUp()
        require_rabbit()
        self.fx = self.useFixture(conf_fixture.Conf())
        self.fx.set("host", "ctl-test")
        self.topic = "vmotiond_test_%s" % uuid.uuid4().hex[:10]
        self.fx.set("notification_topic", self.topic, group="monitor")
        self.fx.set("listener_topic", self.topic + "_claims",
                    group="monitor")
        self.fx.set("listener_pool", self.topic, group="monitor")
        self.addCleanup(rabbit.delete_queues, self.topic,
                        self.topic + "_claims")
        self.POLL = self.fx.conf.monitor.poll_interval
        self.clock = clock_mod.FakeClock()
        self.sim = self.useFixture(sim_fixture.SimFixture(
            builder.Scenario(hosts=self.HOSTS, standby=self.STANDBY, servers=0,
                             anti_affinity_groups=0),
            clock=self.clock, **self.SIM_KW))
        conn = self.sim.connect()
        self.addCleanup(conn.close)
        self.cloud = os_cloud.OpenStackCloud(conn, self.fx.conf,
                                             clock=clock_mod.Clock())
        self.db = self.useFixture(db_fixture.Database(
            self.BACKEND, self.fx.conf)).database
        self.store = store_mod.DbStore(self.db)
        self.transport = oslo_messaging.get_notification_transport(
            self.fx.conf, url=RABBIT_URL)
        self.addCleanup(self.transport.cleanup)
        self.recorder = Recorder()
        listener = oslo_messaging.get_notification_listener(
            self.transport, [oslo_messaging.Target(topic=self.topic)],
            [self.recorder], executor="threading")
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)
        self.monitor = manager.Monitor(
            self.fx.conf, self.cloud, self.store,
            emitter.make_notifier(self.fx.conf, self.transport),
            clock=self.clock, probe=probe.CallableProbe(self.sim.cloud.probe))
        self.addCleanup(self.monitor.stop)
        self.compute_hosts = sorted(
            h for h in self.sim.cloud.state.hosts if h.startswith("compute"))

    def run_for(self, seconds: float) -> None:
        """Advance simulated time, ticking the monitor every poll."""
        for _ in range(int(round(seconds / self.POLL))):
            self.sim.advance(self.POLL)
            self.monitor.tick()

    def fence(self, host: str, reason: str = "vmotiond: host failed"
              ) -> None:
        """Force the service down, then disable it, as the engine does."""
        service_id = self.sim.cloud.host_view(host)["service_id"]
        self.cloud.force_down_service(service_id, host)
        self.cloud.disable_service(service_id, host, reason)

    def last_heartbeat(self, host: str):
        return payload.parse_time(self.sim.cloud.host_view(host)["updated_at"])

    def settle(self, seconds: float = 2.0) -> None:
        """Give RabbitMQ real time to deliver what was sent."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            threading.Event().wait(0.05)

    def wait_heard(self, event_type: str, count: int = 1,
                   timeout: float = 15.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            heard = self.recorder.of(event_type)
            if len(heard) >= count:
                return heard
            threading.Event().wait(0.05)
        raise AssertionError("%d x %s not heard within %.0f s; heard %s"
                             % (count, event_type, timeout,
                                [t for _p, t, _b in self.recorder.heard]))
