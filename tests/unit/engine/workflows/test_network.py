"""Floating-IP steps on clouds without a network service, or with one that
fails: the evacuation goes on, and the vmove says what happened."""

from tests.unit.engine import base
from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond import exception

NO_NETWORK = exception.CloudServiceMissing(
    service="network", call="list ports",
    reason="no network endpoint in the service catalog")
UNAVAILABLE = exception.CloudUnavailable(
    service="network", call="list ports", reason="HTTP 503")


class NoNetworkTest(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        # Shared storage: no local-disk note in the messages checked here.
        self.conf.set_override("shared_instance_storage", ["*"], "engine")
        self.add_hosts()
        self.servers = [
            fakes.server(name="vm%d" % i, host="failed",
                         status="SHUTOFF" if i == 2 else "ACTIVE")
            for i in range(3)]
        for server in self.servers:
            self.cloud.add_server(server, fip="fip-" + server.name)

    def recover(self):
        uuid = self.notify()
        status = self.make_manager().recovery.run(uuid)
        return status, self.vmoves(uuid)

    def test_cloud_without_network_service_recovers_every_instance(self):
        self.cloud.fail["list_ports"] = [NO_NETWORK] * 20
        status, moves = self.recover()
        self.assertEqual(constants.NOTIFICATION_FINISHED, status)
        for server in self.servers:
            move = moves[server.name]
            self.assertEqual(constants.SUCCEEDED, move.status, move.message)
            self.assertEqual("sb1", self.cloud.servers[server.id].host)
            self.assertEqual("on host sb1; status %s; floating IPs skipped: "
                             "the cloud has no network service"
                             % server.status, move.message)
            steps = {s.name: s for s in self.db.step_list(move.uuid)}
            self.assertEqual(constants.SUCCEEDED,
                             steps["record_floating_ips"].status)
            self.assertEqual("floating IPs skipped: the cloud has no network "
                             "service (no network endpoint in the service "
                             "catalog)", steps["record_floating_ips"].result)
            for name in ("rebind_floating_ips", "check_floating_ips"):
                self.assertEqual(constants.SUCCEEDED, steps[name].status)
                self.assertEqual("skipped: the cloud has no network service",
                                 steps[name].result)
        self.assertEqual("ACTIVE", self.cloud.servers[
            self.servers[0].id].status)

    def test_network_error_before_the_move_does_not_keep_it(self):
        # The notification's shared read fails first, then each own one.
        self.cloud.fail["list_ports"] = [UNAVAILABLE] * 4
        status, moves = self.recover()
        self.assertEqual(constants.NOTIFICATION_FINISHED, status)
        for server in self.servers:
            move = moves[server.name]
            self.assertEqual("sb1", self.cloud.servers[server.id].host)
            self.assertEqual(constants.SUCCEEDED, move.status)
            self.assertIn("step record_floating_ips failed: network call "
                          "list ports failed: HTTP 503 (the move went on)",
                          move.message)
            steps = [(s.name, s.status, s.result)
                     for s in self.db.step_list(move.uuid)]
            self.assertIn(("record_floating_ips", constants.FAILED,
                           "network call list ports failed: HTTP 503"),
                          steps)
            self.assertIn(("check_floating_ips", constants.SUCCEEDED,
                           "skipped: the floating IPs were not recorded"),
                          steps)
        # Not retried before the move: one call per instance after the
        # shared one.
        self.assertEqual(1, self.cloud.count("list_ports_of"))
        self.assertEqual(3, self.cloud.count("list_ports"))

    def test_network_error_after_the_move_is_said(self):
        self.conf.set_override("step_retries", 0, "engine")
        self.cloud.fip_follows = False
        server = self.servers[0]
        real = self.cloud.list_ports

        def list_ports(device_id):
            if self.cloud.servers[device_id].host != "failed":
                raise UNAVAILABLE
            return real(device_id)

        self.cloud.list_ports = list_ports
        status, moves = self.recover()
        move = moves[server.name]
        self.assertEqual("sb1", self.cloud.servers[server.id].host)
        self.assertEqual("ACTIVE", self.cloud.servers[server.id].status)
        self.assertEqual(constants.SUCCEEDED, move.status)
        for name in ("rebind_floating_ips", "check_floating_ips"):
            self.assertIn("step %s failed: after 1 attempts: network call "
                          "list ports failed: HTTP 503 (the move went on)"
                          % name, move.message)
        self.assertEqual(constants.NOTIFICATION_FINISHED, status)
