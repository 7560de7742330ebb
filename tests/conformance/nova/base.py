"""A real Nova in one process: API, conductor, scheduler, Placement and
fake compute hosts, from Nova's own functional-test fixtures.

Only importable in the Nova virtualenv (tools/nova-conformance.sh). See
/work/shared/REAL_NOVA.md for the recipe this follows.
"""

import os
import sys

import fixtures
from keystoneauth1 import session as ksa_session
from keystoneauth1 import token_endpoint
from nova.tests.functional import integrated_helpers
import openstack
from openstack import connection
import openstack.proxy

from tests.conformance import target

# nova.test.TestCase mocks get_endpoint; keep the real one for our proxies.
_REAL_GET_ENDPOINT = openstack.proxy.Proxy.get_endpoint

HOSTS = ("host1", "host2", "host3")
# Nova's heartbeats come every second; a compute is down after 10 s
# without one. Under load (two test runs on two cores) a heartbeat was
# seen more than 3 s late: the scheduler then found no valid host.
SERVICE_DOWN_TIME = 10
ADMIN_HEADERS = {
    # Nova's stubbed keystone context reads these ...
    "X-Auth-User": "admin",
    "X-Auth-Project-Id": "6f70656e737461636b20342065766572",
    "X-Roles": "reader,member,admin",
}
# Placement's noauth middleware takes this token as the admin user.
ADMIN_TOKEN = "admin"


class NovaTarget(target.Target):
    """The levers of ``target.Target`` pulled through Nova's fixtures."""

    hosts = HOSTS
    service_down_time = SERVICE_DOWN_TIME
    zone = "nova"

    def __init__(self, test: "NovaTestCase") -> None:
        self.test = test

    def connection(self) -> connection.Connection:
        session = ksa_session.Session(
            auth=token_endpoint.Token(None, ADMIN_TOKEN),
            additional_headers=ADMIN_HEADERS)
        return connection.Connection(
            session=session,
            compute_endpoint_override=self.test.api_fixture.base_url,
            placement_endpoint_override=self.test.placement_endpoint)

    def connection_without_network(self) -> "connection.Connection":
        base_url = self.test.api_fixture.base_url
        conn = openstack.connect(
            load_yaml_config=False, load_envvars=False, auth_type="none",
            auth={"endpoint": base_url}, compute_endpoint_override=base_url,
            placement_endpoint_override=self.test.placement_endpoint)
        conn.session.additional_headers.update(ADMIN_HEADERS)
        return conn

    def boot(self, host: str, name: str = "conformance",
             state: str | None = None) -> str:
        server = self.test._create_server(name=name, host=host,
                                          networks="none")
        if state:
            self._make_state(server, state)
        return server["id"]

    def boot_special(self, host: str, extra_specs: dict[str, str],
                     volume_backed: bool) -> str:
        test = self.test
        flavor_id = test._create_flavor(memory_mb=512, vcpu=1, disk=5,
                                        ephemeral=0, extra_spec=extra_specs)
        body = test._build_server(flavor_id=flavor_id, networks="none",
                                  host=host)
        if volume_backed:
            body["block_device_mapping_v2"] = [{
                "source_type": "image", "destination_type": "volume",
                "boot_index": 0, "uuid": body.pop("imageRef"),
                "volume_size": 5}]
        server = test.admin_api.post_server({"server": body})
        return test._wait_for_state_change(server, "ACTIVE")["id"]

    def _make_state(self, server: dict, state: str) -> None:
        test = self.test
        server_id = server["id"]
        if state == "stopped":
            test._stop_server(server)
        elif state == "rescued":
            test._rescue_server(server)
        elif state == "paused":
            test.api.post_server_action(server_id, {"pause": None})
            test._wait_for_state_change(server, "PAUSED")
        elif state == "suspended":
            test._suspend_server(server)
        elif state == "shelved":
            test._shelve_server(server)
        else:
            raise ValueError(state)

    def kill(self, host: str) -> None:
        self.test.computes[host].stop()

    def revive(self, host: str) -> None:
        test = self.test
        test.computes[host] = test.restart_compute_service(test.computes[host])

    def fail_evacuations(self) -> None:
        # The fake driver has no rebuild: Nova spawns on the destination.
        self.test.useFixture(fixtures.MockPatch(
            "nova.virt.fake.FakeDriver.spawn",
            side_effect=RuntimeError("injected: spawn failed")))


class NovaTestCase(integrated_helpers.ProviderUsageBaseTestCase):
    """Nova with three fake compute hosts and fast heartbeats."""

    compute_driver = "fake.MediumFakeDriver"
    microversion = "2.94"

    def setUp(self) -> None:
        self.flags(api_paste_config=os.path.join(
            sys.prefix, "etc", "nova", "api-paste.ini"), group="wsgi")
        self.useFixture(fixtures.MonkeyPatch(
            "nova.servicegroup.api.INITIAL_REPORTING_DELAY", 0))
        # Before setUp: the service group driver reads them when built.
        self.flags(report_interval=1, service_down_time=SERVICE_DOWN_TIME,
                   long_rpc_timeout=3)
        super().setUp()
        self.flags(rpc_response_timeout=3)
        nova_get_endpoint = openstack.proxy.Proxy.get_endpoint

        def get_endpoint(proxy, *args, **kwargs):
            # Ours (endpoint overridden) is real; Nova's own keep its mock.
            if proxy.endpoint_override:
                return _REAL_GET_ENDPOINT(proxy, *args, **kwargs)
            return nova_get_endpoint(proxy, *args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch(
            "openstack.proxy.Proxy.get_endpoint", get_endpoint))
        self.placement_endpoint = self.placement.fixture.endpoint
        for host in HOSTS:
            self._start_compute(host)
        self.target = NovaTarget(self)
