"""Base test cases of the process tests: the deployments they run in.

``CloudTestCase``: MariaDB, RabbitMQ and Redis next to a ``vmotiond-sim``
process. ``LocalTestCase``: SQLite and (by default) the embedded
``fake://`` transport next to a simulated cloud served from the test
process. ``NotifySocket`` plays systemd's side of ``NOTIFY_SOCKET``.
"""

import collections
import os
import socket

import testtools

from tests.functional.processes import base
from vmotiond import sim as sim_mod

STANDBY = "standby-01"
RECOVERED_STATES = ("ACTIVE", "SHUTOFF")
NOTIFICATION_DONE = ("finished", "failed", "ignored", "aborted")
SIM_ARGS = ("--hosts", "4", "--standby", "1", "--servers", "20", "--seed",
            "4", "--report-interval", "2", "--service-down-time", "6")


class CloudTestCase(testtools.TestCase):
    """A deployment on MariaDB and RabbitMQ next to a ``vmotiond-sim`` of
    4 hosts and 1 standby (20 instances, heartbeats every 2 s), config
    written and schema synced with ``vmotiond-manage db sync``."""

    def setUp(self):
        super().setUp()
        self.dep = self.useFixture(base.Deployment("mysql"))
        self.sim = self.useFixture(base.SimProcess(self.dep.processes,
                                              self.dep.dir, *SIM_ARGS))
        self.dep.write_config(self.dep.options(self.sim.clouds_yaml,
                                               self.sim.cloud_name))
        self.dep.manage("db", "sync")

    def wait(self, predicate, timeout, what):
        return base.wait_for(predicate, timeout, what, self.dep.processes)

    def wait_started(self, process, hosts=5):
        """Until ``process`` runs, the API answers and the hosts are in."""
        self.wait(lambda: "vmotiond is running" in process.out(), 30,
                  "%s started" % process.name)
        self.wait(self.dep.api_up, 30, "the REST API serving")
        self.wait(lambda: len(self.dep.api("/v1/hosts")["hosts"]) == hosts,
                  30, "the monitor's inventory sync")

    def notification(self, host):
        """The first COMPUTE_HOST notification of ``host`` (REST API), if
        any; a monitor started again may report the host once more, which
        the engine records as an ignored duplicate."""
        found = [item for item in self.dep.api(
            "/v1/notifications?sort_dir=asc")["notifications"]
            if item["hostname"] == host and item["type"] == "COMPUTE_HOST"]
        return min(found, key=lambda item: item["id"]) if found else None

    def wait_notification_done(self, host, timeout):
        def done():
            note = self.notification(host)
            return note if note and note["status"] in NOTIFICATION_DONE \
                else None
        return self.wait(done, timeout, "the COMPUTE_HOST notification of "
                         "%s ends" % host)

    def vmoves(self, notification_uuid):
        return self.dep.api("/v1/vmoves?notification_uuid=%s&sort_dir=asc"
                            % notification_uuid)["vmoves"]

    def choose_victim(self, servers):
        """The normal host with the most instances, all ACTIVE or
        SHUTOFF, preferring one that has both."""
        by_host = collections.defaultdict(list)
        for server in servers.values():
            by_host[server.compute_host].append(server.status)
        eligible = {host: states for host, states in by_host.items()
                    if host and host.startswith("compute-")
                    and set(states) <= set(RECOVERED_STATES)}
        return max(sorted(eligible), key=lambda host: (
            len(set(eligible[host])), len(eligible[host])))


class LocalTestCase(testtools.TestCase):
    """vmotiond on SQLite next to a small simulated cloud served over HTTP
    from this process (heartbeats every 2 s); on the embedded defaults
    (``fake://``, file locks) unless ``transport_url`` is None (RabbitMQ
    and Redis then)."""

    transport_url: str | None = "fake://"

    def setUp(self):
        super().setUp()
        self.dep = self.useFixture(base.Deployment(
            "sqlite", transport_url=self.transport_url))
        # Heartbeats every 2 s, as the thresholds of Deployment.options
        # expect: with Nova's 10 s the hosts would look stale between two
        # beats and the monitor's state of them would depend on timing.
        self.sim = sim_mod.SimServer(sim_mod.SimCloud(seed=1,
                                                      report_interval=2.0))
        self.sim.cloud.add_flavor("m1.small", 1, 2048, 20)
        for name in ("compute-1", "compute-2"):
            self.sim.cloud.add_host(name)
        self.sim.start()
        self.addCleanup(self.sim.stop)
        self.options = self.dep.options(
            self.sim.write_clouds_yaml(os.path.join(self.dep.dir,
                                                    "clouds.yaml")))
        self.dep.write_config(self.options)
        self.dep.db.database.sync()

    def wait(self, predicate, timeout, what):
        return base.wait_for(predicate, timeout, what, self.dep.processes)


class NotifySocket:
    """The datagram socket systemd listens on (``NOTIFY_SOCKET``)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)

    def receive(self, timeout: float) -> dict[str, str]:
        """The fields of the next datagram (fails after ``timeout``)."""
        self.sock.settimeout(timeout)
        try:
            data, _ = self.sock.recvfrom(4096)
        except socket.timeout:
            raise AssertionError("nothing on %s within %.0f s"
                                 % (self.path, timeout)) from None
        return dict(line.split("=", 1)
                    for line in data.decode().splitlines() if "=" in line)

    def close(self) -> None:
        self.sock.close()
