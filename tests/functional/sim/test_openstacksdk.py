"""Drive the simulator over HTTP with openstacksdk, as the adapter will."""

import openstack
from openstack import exceptions as sdk_exc
import requests
import testtools

from tests.fixtures import sim as sim_fixture
from vmotiond.sim import builder


class SimTestCase(testtools.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sim = self.useFixture(sim_fixture.SimFixture(builder.Scenario(
            hosts=3, standby=1, servers=0, anti_affinity_groups=0)))
        self.cloud = self.sim.cloud
        self.conn = self.sim.connect()
        self.addCleanup(self.conn.close)

    def boot(self, host: str = "compute-0001", vm_state: str = "active",
             **kw):
        return self.cloud.add_server(host, "m1.small", vm_state=vm_state,
                                     **kw)

    def action(self, server_id: str, body: dict, microversion: str):
        resp = self.conn.compute.post(
            "/servers/%s/action" % server_id, json=body,
            microversion=microversion)
        sdk_exc.raise_from_response(resp)
        return resp

    def service(self, host: str):
        return next(s for s in self.conn.compute.services() if
                    s.host == host)

    def server(self, server_id: str):
        return self.conn.compute.get_server(server_id)


class TestListing(SimTestCase):
    def test_services_hypervisors_servers(self) -> None:
        self.boot()
        self.boot("compute-0002", "stopped")
        services = {s.host: s for s in self.conn.compute.services()}
        self.assertEqual({"compute-0001", "compute-0002", "compute-0003",
                          "standby-01"}, set(services))
        self.assertEqual("disabled", services["standby-01"].status)
        self.assertTrue(all(s.state == "up" for s in services.values()))
        self.assertFalse(services["compute-0001"].is_forced_down)
        hypervisors = list(self.conn.compute.hypervisors(details=True))
        self.assertEqual(4, len(hypervisors))
        self.assertIsNone(hypervisors[0].vcpus)   # >= 2.88: no usage
        servers = list(self.conn.compute.servers(all_projects=True))
        self.assertEqual({"ACTIVE", "SHUTOFF"}, {s.status for s in servers})
        self.assertEqual([], list(self.conn.compute.servers()))  # admin prj
        on_host = list(self.conn.compute.servers(
            all_projects=True, compute_host="compute-0002"))
        self.assertEqual(["SHUTOFF"], [s.status for s in on_host])
        self.assertEqual(2048, servers[0].flavor.ram)

    def test_pagination_follows_links(self) -> None:
        self.cloud.max_limit = 3
        for _ in range(7):
            self.boot()
        servers = list(self.conn.compute.servers(all_projects=True))
        self.assertEqual(7, len({s.id for s in servers}))

    def test_placement_and_network(self) -> None:
        srv = self.boot(floating_ip=True)
        rp = next(r for r in self.conn.placement.resource_providers()
                  if r.name == "compute-0001")
        inv = {i.resource_class: i for i in
               self.conn.placement.resource_provider_inventories(rp)}
        self.assertEqual(4.0, inv["VCPU"].allocation_ratio)
        usages = self.conn.placement.get(
            "/resource_providers/%s/usages" % rp.id).json()["usages"]
        self.assertEqual({"VCPU": 1, "MEMORY_MB": 2048, "DISK_GB": 20},
                         usages)
        ports = list(self.conn.network.ports(device_id=srv.id))
        self.assertEqual(1, len(ports))
        fips = list(self.conn.network.ips(port_id=ports[0].id))
        self.assertEqual(ports[0].id, fips[0].port_id)
        self.conn.network.update_ip(fips[0], port_id=None)
        self.assertIsNone(self.conn.network.get_ip(fips[0].id).port_id)
        self.conn.network.update_ip(fips[0], port_id=ports[0].id)
        self.assertEqual(ports[0].id,
                         self.conn.network.get_ip(fips[0].id).port_id)


class TestHostFailure(SimTestCase):
    def test_kill_host_goes_down_servers_stay_active(self) -> None:
        srv = self.boot()
        self.cloud.kill_host("compute-0001")
        self.assertEqual("up", self.service("compute-0001").state)
        self.sim.advance(61)
        svc = self.service("compute-0001")
        self.assertEqual("down", svc.state)
        self.assertEqual("ACTIVE", self.server(srv.id).status)
        self.assertFalse(self.cloud.probe("compute-0001"))
        self.assertEqual("up", self.service("compute-0002").state)

    def test_kill_compute_only_still_answers_probe(self) -> None:
        self.cloud.kill_compute("compute-0002")
        self.sim.advance(61)
        self.assertEqual("down", self.service("compute-0002").state)
        self.assertTrue(self.cloud.probe("compute-0002"))

    def test_force_down_and_disable(self) -> None:
        svc = self.service("compute-0001")
        self.conn.compute.update_service_forced_down(svc, forced=True)
        self.conn.compute.disable_service(svc, disabled_reason="fenced")
        svc = self.service("compute-0001")
        self.assertEqual(("down", "disabled", True, "fenced"),
                         (svc.state, svc.status, svc.is_forced_down,
                          svc.disabled_reason))
        self.cloud.revive_host("compute-0001")
        self.assertEqual("disabled", self.service("compute-0001").status)

    def test_old_microversion_force_down(self) -> None:
        self.conn.compute.put("/os-services/force-down", json={
            "host": "compute-0003", "binary": "nova-compute",
            "forced_down": True}, microversion="2.11")
        self.assertTrue(self.service("compute-0003").is_forced_down)


class TestMoves(SimTestCase):
    def _evacuate_after_failure(self, microversion: str, vm_state: str):
        srv = self.boot(vm_state=vm_state)
        self.cloud.kill_host("compute-0001")
        self.sim.advance(61)
        self.action(srv.id, {"evacuate": {}}, microversion)
        self.assertEqual("REBUILD", self.server(srv.id).status)
        self.sim.advance(30)
        return self.server(srv.id)

    def test_evacuate_294_keeps_active(self) -> None:
        after = self._evacuate_after_failure("2.94", "active")
        self.assertEqual("ACTIVE", after.status)
        self.assertNotEqual("compute-0001", after.compute_host)
        migrations = list(self.conn.compute.migrations(
            migration_type="evacuation"))
        self.assertEqual(["done"], [m.status for m in migrations])

    def test_evacuate_295_lands_shutoff(self) -> None:
        after = self._evacuate_after_failure("2.95", "active")
        self.assertEqual("SHUTOFF", after.status)

    def test_evacuate_stopped_stays_shutoff(self) -> None:
        after = self._evacuate_after_failure("2.94", "stopped")
        self.assertEqual("SHUTOFF", after.status)

    def test_evacuate_refused_while_source_up(self) -> None:
        srv = self.boot()
        exc = self.assertRaises(sdk_exc.BadRequestException, self.action,
                                srv.id, {"evacuate": {}}, "2.94")
        self.assertIn("Compute service of compute-0001 is still in use",
                      str(exc))

    def test_evacuate_refused_rescued(self) -> None:
        srv = self.boot(vm_state="rescued")
        self.cloud.kill_host("compute-0001")
        self.sim.advance(61)
        exc = self.assertRaises(sdk_exc.ConflictException, self.action,
                                srv.id, {"evacuate": {}}, "2.94")
        self.assertIn("Cannot 'evacuate' instance %s while it is in "
                      "vm_state rescued" % srv.id, str(exc))
        self.assertEqual(1, self.cloud.action_count(srv.id, "evacuate"))
        self.assertEqual(0, self.cloud.action_count(srv.id, "evacuate",
                                                    accepted=True))

    def test_cold_migrate_and_confirm(self) -> None:
        srv = self.boot()
        self.conn.compute.migrate_server(srv.id, host="compute-0002")
        self.assertEqual("RESIZE", self.server(srv.id).status)
        self.sim.advance(10)
        resized = self.server(srv.id)
        self.assertEqual(("VERIFY_RESIZE", "compute-0002"),
                         (resized.status, resized.compute_host))
        self.sim.advance(600)
        self.assertEqual("VERIFY_RESIZE", self.server(srv.id).status)
        self.conn.compute.confirm_server_resize(srv.id)
        self.sim.advance(5)
        self.assertEqual("ACTIVE", self.server(srv.id).status)
        (mig,) = self.conn.compute.migrations(server_id=srv.id)
        self.assertEqual(("confirmed", "migration"),
                         (mig.status, mig.migration_type))

    def test_live_migrate(self) -> None:
        srv = self.boot()
        self.conn.compute.live_migrate_server(srv.id, host="compute-0003",
                                              block_migration="auto")
        self.assertEqual("MIGRATING", self.server(srv.id).status)
        self.sim.advance(10)
        moved = self.server(srv.id)
        self.assertEqual(("ACTIVE", "compute-0003"),
                         (moved.status, moved.compute_host))
        (mig,) = self.conn.compute.migrations(server_id=srv.id)
        self.assertEqual("completed", mig.status)

    def test_live_migrate_rescued_refused(self) -> None:
        srv = self.boot(vm_state="rescued")
        exc = self.assertRaises(
            sdk_exc.ConflictException, self.conn.compute.live_migrate_server,
            srv.id, block_migration="auto")
        self.assertEqual(409, exc.status_code)

    def test_migrate_from_down_host_refused(self) -> None:
        srv = self.boot()
        self.cloud.kill_host("compute-0001")
        self.sim.advance(61)
        exc = self.assertRaises(sdk_exc.ConflictException,
                                self.conn.compute.migrate_server, srv.id)
        self.assertIn("Service is unavailable at this time", str(exc))

    def test_reset_state(self) -> None:
        srv = self.boot()
        self.conn.compute.reset_server_state(srv.id, "error")
        self.assertEqual("ERROR", self.server(srv.id).status)
        self.conn.compute.reset_server_state(srv.id, "active")
        self.assertEqual("ACTIVE", self.server(srv.id).status)

    def test_stop_start(self) -> None:
        srv = self.boot()
        self.conn.compute.stop_server(srv.id)
        self.sim.advance(5)
        self.assertEqual("SHUTOFF", self.server(srv.id).status)
        self.assertRaises(sdk_exc.ConflictException,
                          self.conn.compute.stop_server, srv.id)
        self.conn.compute.start_server(srv.id)
        self.sim.advance(5)
        self.assertEqual("ACTIVE", self.server(srv.id).status)


class TestBadInput(SimTestCase):
    def test_errors_like_nova_and_keystone(self) -> None:
        base = self.sim.url + "/compute/v2.1"
        token = self.conn.session.get_token()
        headers = {"X-Auth-Token": token}
        resp = requests.get(base + "/servers/detail", timeout=10)
        self.assertEqual(401, resp.status_code)
        self.assertEqual(401, resp.json()["error"]["code"])
        resp = requests.get(base + "/no-such-thing", headers=headers,
                            timeout=10)
        # No route: Nova answers webob's page, not an API error.
        self.assertEqual(404, resp.status_code)
        self.assertIn("text/html", resp.headers["Content-Type"])
        self.assertIn("The resource could not be found.", resp.text)
        srv = self.boot()
        resp = requests.post(base + "/servers/%s/action" % srv.id,
                             data=b"{not json", headers=headers, timeout=10)
        self.assertEqual(400, resp.status_code)
        self.assertEqual({"badRequest": {"code": 400, "message":
                                         "Malformed request body"}},
                         resp.json())
        resp = requests.get(base + "/os-services", timeout=10, headers={
            "X-Auth-Token": token, "OpenStack-API-Version": "compute 2.999"})
        self.assertEqual(406, resp.status_code)
        self.assertIn("computeFault", resp.json())
        resp = requests.get(base + "/os-services", timeout=10, headers={
            "X-Auth-Token": token, "OpenStack-API-Version": "compute 2.53"})
        self.assertEqual("compute 2.53",
                         resp.headers["OpenStack-API-Version"])

    def test_keystone_validates_tokens_for_a_service(self) -> None:
        user_token = self.sim.connect("reader").session.get_token()
        service_token = self.conn.session.get_token()
        resp = requests.get(self.sim.auth_url + "/v3/auth/tokens", headers={
            "X-Auth-Token": service_token, "X-Subject-Token": user_token},
            timeout=10)
        self.assertEqual(200, resp.status_code)
        self.assertEqual(["reader"], [r["name"] for r in
                                      resp.json()["token"]["roles"]])
        resp = requests.get(self.sim.auth_url + "/v3/auth/tokens", headers={
            "X-Auth-Token": service_token, "X-Subject-Token": "bogus"},
            timeout=10)
        self.assertEqual(404, resp.status_code)

    def test_user_without_roles_cannot_get_a_project_token(self) -> None:
        self.assertRaises(openstack.exceptions.SDKException,
                          lambda: self.sim.connect("noroles").authorize())

    def test_non_admin_forbidden_on_services(self) -> None:
        reader = self.sim.connect("reader")
        self.assertRaises(sdk_exc.ForbiddenException,
                          lambda: list(reader.compute.services()))
