import os

import fixtures
from keystoneauth1 import exceptions as ksa_exc
from oslo_config import cfg
import testtools

from tests.unit.cloud import fakes
from vmotiond import clock
from vmotiond import exception
from vmotiond.cloud import base
from vmotiond.cloud import openstack
from vmotiond.conf import cloud as cloud_conf

SERVICE = {"id": "u1", "binary": "nova-compute", "host": "host1",
           "zone": "nova", "status": "enabled", "state": "up",
           "updated_at": "2026-01-02T03:04:05.000000",
           "disabled_reason": None, "forced_down": False}


def _conf(**overrides):
    conf = cfg.ConfigOpts()
    cloud_conf.register_opts(conf)
    conf([], project="vmotiond", default_config_files=[])
    for name, value in overrides.items():
        conf.set_override(name, value, group="cloud")
    return conf


class OpenStackCloudTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.compute_routes = {
            ("GET", "os-services"): {"services": [SERVICE]},
        }
        self.network_routes = {}
        self.compute = fakes.FakeAdapter(fakes.routes(self.compute_routes))
        self.network = fakes.FakeAdapter(fakes.routes(self.network_routes))
        self.placement = fakes.FakeAdapter(fakes.routes({}))
        self.clock = clock.FakeClock()
        self.cloud = openstack.OpenStackCloud(
            fakes.FakeConnection(self.compute, self.placement, self.network),
            _conf(api_retries=2), self.clock)

    def _answer(self, status=202, body=None):
        def handler(kwargs):
            return fakes.response(status, body)
        return handler

    def test_is_a_cloud(self):
        cloud: base.Cloud = self.cloud
        self.assertIsNotNone(cloud)

    def test_list_compute_services(self):
        [svc] = self.cloud.list_compute_services()
        self.assertEqual(("u1", "host1", "up"), (svc.id, svc.host,
                                                 svc.state))
        _, url, kwargs = self.compute.calls[0]
        self.assertEqual({"binary": "nova-compute"}, kwargs["params"])
        self.assertEqual("2.94", kwargs["microversion"])

    def test_evacuate_microversion_and_body(self):
        self.compute_routes[("POST", "servers/s1/action")] = self._answer(200)
        self.cloud.evacuate_server("s1", "host2", microversion="2.95")
        self.cloud.evacuate_server("s1")
        first, second = self.compute.calls
        self.assertEqual({"evacuate": {"host": "host2"}}, first[2]["json"])
        self.assertEqual("2.95", first[2]["microversion"])
        self.assertEqual({"evacuate": {}}, second[2]["json"])
        self.assertEqual("2.94", second[2]["microversion"])

    def test_actions(self):
        self.compute_routes[("POST", "servers/s1/action")] = self._answer()
        self.cloud.migrate_server("s1")
        self.cloud.migrate_server("s1", "host2")
        self.cloud.confirm_resize("s1")
        self.cloud.live_migrate_server("s1")
        self.cloud.reset_server_state("s1", "error")
        self.cloud.start_server("s1")
        self.cloud.stop_server("s1")
        self.cloud.pause_server("s1")
        self.cloud.suspend_server("s1")
        self.cloud.resume_server("s1")
        self.assertEqual([
            {"migrate": None}, {"migrate": {"host": "host2"}},
            {"confirmResize": None},
            {"os-migrateLive": {"host": None, "block_migration": "auto"}},
            {"os-resetState": {"state": "error"}},
            {"os-start": None}, {"os-stop": None}, {"pause": None},
            {"suspend": None}, {"resume": None}],
            [c[2]["json"] for c in self.compute.calls])

    def test_service_switches_by_uuid(self):
        self.compute_routes[("PUT", "os-services/u1")] = {"service": SERVICE}
        self.cloud.force_down_service("u1", "host1")
        self.cloud.disable_service("u1", "host1", "fenced")
        self.cloud.force_down_service("u1", "host1", forced_down=False)
        self.cloud.enable_service("u1", "host1")
        self.assertEqual([
            {"forced_down": True},
            {"status": "disabled", "disabled_reason": "fenced"},
            {"forced_down": False}, {"status": "enabled"}],
            [c[2]["json"] for c in self.compute.calls])

    def test_conflict_is_not_retried(self):
        self.compute_routes[("POST", "servers/s1/action")] = self._answer(
            409, {"conflictingRequest": {
                "code": 409,
                "message": "Cannot 'evacuate' instance s1 while it is in "
                           "vm_state rescued"}})
        error = self.assertRaises(exception.CloudConflict,
                                  self.cloud.evacuate_server, "s1")
        self.assertIn("vm_state rescued", str(error))
        self.assertEqual(1, len(self.compute.calls))

    def test_reads_retry_on_the_clock(self):
        answers = [fakes.response(503), fakes.response(504),
                   fakes.response(200, {"services": [SERVICE]})]
        self.compute_routes[("GET", "os-services")] = (
            lambda kwargs: answers.pop(0))
        self.assertEqual(1, len(self.cloud.list_compute_services()))
        self.assertEqual(0.5 + 1.0, self.clock.monotonic())

    def test_a_client_without_retries_shares_the_connection(self):
        def timed_out(kwargs):
            raise ksa_exc.ConnectTimeout("timed out")
        self.compute_routes[("GET", "os-services")] = timed_out
        polling = self.cloud.with_retries(0)
        self.assertIs(self.cloud.conn, polling.conn)
        self.assertEqual((2, 0), (self.cloud.retrier.retries,
                                  polling.retrier.retries))
        self.assertRaises(exception.CloudUnavailable,
                          polling.list_compute_services)
        self.assertEqual((1, 0.0), (len(self.compute.calls),
                                    self.clock.monotonic()))
        # The client it came from still retries, with its back-off.
        self.assertRaises(exception.CloudUnavailable,
                          self.cloud.list_compute_services)
        self.assertEqual((4, 0.5 + 1.0), (len(self.compute.calls),
                                          self.clock.monotonic()))

    def test_without_retries(self):
        self.assertEqual(0, base.without_retries(self.cloud).retrier.retries)
        other = object()
        self.assertIs(other, base.without_retries(other))

    def test_get_server(self):
        self.compute_routes[("GET", "servers/s1")] = {"server": {
            "id": "s1", "status": "SHUTOFF", "OS-EXT-SRV-ATTR:host": "h"}}
        self.assertEqual("SHUTOFF", self.cloud.get_server("s1").status)
        self.assertRaises(exception.CloudNotFound, self.cloud.get_server,
                          "nope")

    def test_list_servers_of_a_host(self):
        self.compute_routes[("GET", "servers/detail")] = {"servers": [
            {"id": "s1"}]}
        self.assertEqual(["s1"], [s.id for s in
                                  self.cloud.list_servers("host1")])
        self.assertEqual({"all_tenants": "True", "host": "host1",
                          "limit": 1000}, self.compute.calls[0][2]["params"])

    def test_list_servers_page_and_the_next_marker(self):
        self.compute_routes[("GET", "servers/detail")] = {
            "servers": [{"id": "s2"}, {"id": "s1"}],
            "servers_links": [{"rel": "next", "href":
                               "http://nova/v2.1/servers/detail?limit=2&"
                               "marker=s1"}]}
        page, following = self.cloud.list_servers_page(2, "s3")
        self.assertEqual(["s2", "s1"], [s.id for s in page])
        self.assertEqual("s1", following)
        self.assertEqual({"all_tenants": "True", "limit": 2, "marker": "s3"},
                         self.compute.calls[0][2]["params"])
        self.compute_routes[("GET", "servers/detail")] = {"servers": []}
        self.assertEqual(([], None), self.cloud.list_servers_page(2))
        self.assertEqual({"all_tenants": "True", "limit": 2},
                         self.compute.calls[1][2]["params"])

    def test_list_server_groups_pages_by_offset(self):
        groups = [{"id": "g%d" % i, "name": "n", "policy": "anti-affinity",
                   "members": ["s%d" % i]} for i in range(3)]
        old = {"id": "old", "name": "o", "policies": ["affinity"],
               "members": []}
        cloud = openstack.OpenStackCloud(
            fakes.FakeConnection(self.compute, self.placement,
                                 self.network),
            _conf(page_size=2), self.clock)

        def page(kwargs):
            offset = kwargs["params"]["offset"]
            return {"server_groups": (groups + [old])[offset:offset + 2]}

        self.compute_routes[("GET", "os-server-groups")] = page
        found = cloud.list_server_groups()
        self.assertEqual(["g0", "g1", "g2", "old"], [g.id for g in found])
        self.assertEqual(("anti-affinity", ("s0",)),
                         (found[0].policy, found[0].members))
        self.assertEqual("affinity", found[3].policy)
        self.assertEqual([0, 2, 4], [c[2]["params"]["offset"]
                                     for c in self.compute.calls])
        self.assertEqual("True", self.compute.calls[0][2]["params"][
            "all_projects"])

    def test_list_migrations(self):
        self.compute_routes[("GET", "os-migrations")] = {"migrations": [
            {"id": 1, "uuid": "m1", "instance_uuid": "s1",
             "status": "done", "migration_type": "evacuation"}]}
        [mig] = self.cloud.list_migrations("s1", "evacuation")
        self.assertEqual("m1", mig.id)
        params = self.compute.calls[0][2]["params"]
        self.assertEqual(("s1", "evacuation"), (params["instance_uuid"],
                                                params["migration_type"]))

    def test_floating_ips(self):
        self.network_routes[("GET", "floatingips")] = {"floatingips": [
            {"id": "f1", "floating_ip_address": "1.2.3.4",
             "port_id": "p1", "fixed_ip_address": "10.0.0.5"}]}
        self.network_routes[("PUT", "floatingips/f1")] = {"floatingip": {}}
        self.network_routes[("GET", "ports")] = {"ports": [
            {"id": "p1", "device_id": "s1", "fixed_ips": []}]}
        self.assertEqual([], self.cloud.list_floating_ips([]))
        self.assertEqual(0, len(self.network.calls))
        [fip] = self.cloud.list_floating_ips(["p1", "p2"])
        self.assertEqual("p1", fip.port_id)
        self.assertEqual({"port_id": ["p1", "p2"], "limit": 1000},
                         self.network.calls[0][2]["params"])
        self.cloud.associate_floating_ip("f1", "p9")
        self.cloud.disassociate_floating_ip("f1")
        self.assertEqual([{"floatingip": {"port_id": "p9"}},
                          {"floatingip": {"port_id": None}}],
                         [c[2]["json"] for c in self.network.calls[1:]])
        self.assertEqual(["p1"], [p.id for p in self.cloud.list_ports("s1")])

    def test_network_agents_with_the_fields_read(self):
        self.network_routes[("GET", "agents")] = {"agents": [
            {"host": "host1", "agent_type": "Open vSwitch agent",
             "configurations": {"tunneling_ip": "10.1.0.1"}}]}
        [agent] = self.cloud.list_network_agents()
        self.assertEqual(("host1", "Open vSwitch agent", "10.1.0.1"),
                         (agent.host, agent.agent_type,
                          agent.configurations["tunneling_ip"]))
        self.assertEqual({"fields": ["host", "agent_type", "configurations"]},
                         self.network.calls[0][2]["params"])

    def test_no_network_service_found_once_and_remembered(self):
        logger = self.useFixture(fixtures.FakeLogger())
        page = fakes.response(404, "<html><head><title>404 Not Found"
                                   "</title></head><body>The resource "
                                   "could not be found.</body></html>")
        self.network_routes[("GET", "ports")] = page
        for _ in range(3):
            error = self.assertRaises(exception.CloudServiceMissing,
                                      self.cloud.list_ports, "s1")
            self.assertNotIn("<", str(error))
            self.assertIn("the cloud has no network service", str(error))
        error = self.assertRaises(exception.CloudServiceMissing,
                                  self.cloud.associate_floating_ip, "f", "p")
        self.assertIn("associate floating IP", str(error))
        # Asked once, not retried, not asked again; said once in the log.
        self.assertEqual(1, len(self.network.calls))
        self.assertEqual(1, logger.output.count("has no network service"))
        # Nova is still asked: only the missing service is remembered.
        self.cloud.list_compute_services()
        self.cloud.list_compute_services()
        self.assertEqual(2, len(self.compute.calls))

    def test_a_client_without_retries_shares_what_was_found(self):
        # Found missing through the client without retries, known to the
        # one it came from, said once (the all-in-one process: the
        # monitor's client and the engine's).
        logger = self.useFixture(fixtures.FakeLogger())
        self.network_routes[("GET", "ports")] = fakes.response(
            404, "<html><body>The resource could not be found.</body>"
                 "</html>")
        polling = self.cloud.with_retries(0)
        self.assertRaises(exception.CloudServiceMissing,
                          polling.list_ports, "s1")
        self.assertRaises(exception.CloudServiceMissing,
                          self.cloud.list_ports, "s1")
        self.assertEqual(self.cloud.network.missing, polling.network.missing)
        self.assertEqual(1, len(self.network.calls))
        self.assertEqual(1, logger.output.count("has no network service"))
        # A client made after it was found knows it too.
        later = self.cloud.with_retries(0)
        self.assertRaises(exception.CloudServiceMissing,
                          later.list_floating_ips, ["p1"])
        self.assertEqual(1, len(self.network.calls))

    def test_no_network_endpoint_in_the_catalog(self):
        taken = []

        class Connection:
            compute, placement = self.compute, self.placement

            @property
            def network(self):
                taken.append(1)
                raise ksa_exc.EndpointNotFound("Could not find requested "
                                               "endpoint in Service Catalog.")

        cloud = openstack.OpenStackCloud(Connection(), _conf(api_retries=2),
                                         self.clock)
        for _ in range(2):
            self.assertRaises(exception.CloudServiceMissing,
                              cloud.list_floating_ips, ["p1"])
        self.assertEqual(1, len(taken))

    def test_compute_404_page_is_not_remembered(self):
        page = fakes.response(404, "<html><body>nope</body></html>")
        self.compute_routes[("GET", "servers/s1")] = page
        for _ in range(2):
            self.assertRaises(exception.CloudServiceMissing,
                              self.cloud.get_server, "s1")
        self.assertEqual(2, len(self.compute.calls))

    def test_old_microversion_refused(self):
        self.assertRaises(
            exception.ConfigError, openstack.OpenStackCloud,
            fakes.FakeConnection(self.compute, self.placement, self.network),
            _conf(compute_api_version="2.52"))

    def test_default_conf(self):
        cloud = openstack.OpenStackCloud(
            fakes.FakeConnection(self.compute, self.placement, self.network))
        self.assertEqual(3, cloud.retrier.retries)

    def test_from_config_unknown_cloud(self):
        conf = _conf(cloud="no-such-cloud-anywhere")
        self.useFixture_env = None
        self.assertRaises(exception.ConfigError,
                          openstack.OpenStackCloud.from_config, conf)


CLOUDS_YAML = """clouds:
  vmotiond:
    auth:
      auth_url: %s
      username: admin
      password: secret
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
"""


class ConnectTest(testtools.TestCase):
    """``[cloud] clouds_file`` wins over openstacksdk's environment."""

    def _clouds(self, directory, auth_url):
        path = os.path.join(directory, "clouds.yaml")
        with open(path, "w") as f:
            f.write(CLOUDS_YAML % auth_url)
        return path

    def test_clouds_file_wins_over_os_client_config_file(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        ours = self._clouds(os.path.join(tmp), "http://ours.example:5000/v3")
        other_dir = os.path.join(tmp, "other")
        os.mkdir(other_dir)
        other = self._clouds(other_dir, "http://other.example:5000/v3")
        self.useFixture(fixtures.EnvironmentVariable(
            "OS_CLIENT_CONFIG_FILE", other))
        self.useFixture(fixtures.EnvironmentVariable("OS_CLOUD", "envvars"))
        self.useFixture(fixtures.EnvironmentVariable(
            "OS_AUTH_URL", "http://env.example:5000/v3"))
        logger = self.useFixture(fixtures.FakeLogger())
        conn = openstack.connect(_conf(clouds_file=ours, interface="public"))
        self.assertEqual("http://ours.example:5000/v3",
                         conn.config.config["auth"]["auth_url"])
        self.assertIn("OS_CLIENT_CONFIG_FILE=%s is ignored: [cloud] "
                      "clouds_file names %s" % (other, ours), logger.output)
        self.assertIn("Cloud vmotiond from %s (region RegionOne, public "
                      "endpoints): Keystone at http://ours.example:5000/v3"
                      % ours, logger.output)

    def test_no_keystone_described_with_its_endpoints(self):
        self.assertEqual(
            "no Keystone (auth_type none, endpoint http://nova/v2.1), "
            "compute http://nova/v2.1, placement http://placement",
            openstack.describe({
                "auth_type": "none", "auth": {"endpoint": "http://nova/v2.1"},
                "compute_endpoint_override": "http://nova/v2.1",
                "placement_endpoint_override": "http://placement",
                "network_endpoint_override": None}))

    def test_without_clouds_file_openstacksdk_searches(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        found = self._clouds(tmp, "http://found.example:5000/v3")
        self.useFixture(fixtures.EnvironmentVariable(
            "OS_CLIENT_CONFIG_FILE", found))
        logger = self.useFixture(fixtures.FakeLogger())
        conn = openstack.connect(_conf())
        self.assertEqual("http://found.example:5000/v3",
                         conn.config.config["auth"]["auth_url"])
        self.assertIn("Cloud vmotiond from %s" % found, logger.output)

    def test_endpoint_logged_once_when_first_answered(self):
        logger = self.useFixture(fixtures.FakeLogger())
        # Requests go to the endpoint found once, not placed by
        # keystoneauth each time.
        compute = fakes.FakeAdapter(fakes.routes({
            ("GET", "http://nova.example/v2.1/os-services"): {
                "services": [SERVICE]}}))
        looked_up = []
        compute.get_endpoint = lambda: looked_up.append(1) or \
            "http://nova.example/v2.1/"
        cloud = openstack.OpenStackCloud(
            fakes.FakeConnection(compute, compute, compute), _conf())
        cloud.list_compute_services()
        cloud.list_compute_services()
        self.assertEqual(1, logger.output.count(
            "compute endpoint in use: http://nova.example/v2.1"))
        # Once for the requests, once for the log.
        self.assertEqual(2, len(looked_up))
