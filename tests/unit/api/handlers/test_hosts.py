"""GET /v1/hosts[/{name}]."""

from tests.unit.api import base
from vmotiond.api import errors

# A host's members up to 1.10.
OLD_KEYS = {
    "uuid", "name", "role", "auto_evacuate", "maintenance", "monitor_state",
    "monitor_state_since", "monitor_detail", "management_ip",
    "availability_zone", "service_id", "hypervisor_id", "service_state",
    "service_status", "forced_down", "disabled_reason", "last_heartbeat",
    "vcpus_total", "vcpus_used", "memory_mb_total", "memory_mb_used",
    "disk_gb_total", "disk_gb_used", "running_instances", "synced_at",
    "created_at", "updated_at"}


class TestHosts(base.ApiTestCase):

    def test_list_sorted_by_name(self) -> None:
        hosts = self.get_json("/v1/hosts")["hosts"]
        self.assertEqual(["node1", "spare"], [h["name"] for h in hosts])
        self.assertEqual(["normal", "standby"], [h["role"] for h in hosts])
        self.assertEqual("up", hosts[0]["monitor_state"])
        self.assertIs(True, hosts[0]["auto_evacuate"])
        self.assertIs(False, hosts[0]["maintenance"])
        self.assertEqual(8, hosts[0]["vcpus_total"])
        self.assertEqual("192.0.2.11", hosts[0]["management_ip"])
        self.assertIsNone(hosts[1]["management_ip"])

    def test_uuid_from_1_8(self) -> None:
        for path, key in (("/v1/hosts", "hosts"), ("/v1/hosts/node1", "host")):
            body = self.get_json(path)[key]
            hosts = body if isinstance(body, list) else [body]
            self.assertEqual(base.NODE1_UUID, hosts[0]["uuid"], path)
            old = self.get_json(path, version="instance-ha 1.7")[key]
            for host in old if isinstance(old, list) else [old]:
                self.assertNotIn("uuid", host)
        self.assertIsNone(self.get_json("/v1/hosts/spare")["host"]["uuid"])

    def test_filters(self) -> None:
        hosts = self.get_json("/v1/hosts?role=standby")["hosts"]
        self.assertEqual(["spare"], [h["name"] for h in hosts])
        hosts = self.get_json("/v1/hosts?availability_zone=az1&"
                              "monitor_state=up,down")["hosts"]
        self.assertEqual(["node1"], [h["name"] for h in hosts])
        self.assertEqual([], self.get_json("/v1/hosts?monitor_state=down")[
            "hosts"])

    def test_bad_filters_are_400(self) -> None:
        for query in ("role=spare", "monitor_state=dead", "zone=az1"):
            self.assertEqual(400, self.request("/v1/hosts?" + query)
                             .status_int, query)

    def test_show(self) -> None:
        host = self.get_json("/v1/hosts/spare")["host"]
        self.assertEqual("az2", host["availability_zone"])
        self.assertError(self.request("/v1/hosts/nowhere"), 404,
                         errors.NOT_FOUND, "nowhere")
        self.assertError(self.request("/v1/hosts/%F0%9F%92%A5"), 404,
                         errors.NOT_FOUND)

    def test_needs_1_4_and_reader(self) -> None:
        self.assertError(self.request("/v1/hosts", version=None), 404,
                         errors.VERSION_TOO_LOW)
        self.assertError(self.request("/v1/hosts", roles="member"), 403,
                         errors.FORBIDDEN)
        self.assertError(self.request("/v1/hosts/spare", roles="member"),
                         403, errors.FORBIDDEN)


NETWORKS = [{"agent_type": "Open vSwitch agent", "tunneling_ip": "10.1.0.1",
             "bridge_mappings": {"physnet1": "br-ex"}}]


class TestHostInstances(base.ApiTestCase):
    """On a database of its own: the sync's counts and networks."""

    def test_instances_and_networks_from_1_11(self) -> None:
        self.database.hosts_sync([
            {"name": "node1", "instances_total": 5, "instances_running": 3,
             "networks": NETWORKS},
            {"name": "spare", "instances_total": 0, "instances_running": 0,
             "networks": []}])
        hosts = self.get_json("/v1/hosts", version="instance-ha 1.11")[
            "hosts"]
        self.assertEqual([(5, 3, NETWORKS), (0, 0, [])],
                         [(h["instances_total"], h["instances_running"],
                           h["networks"]) for h in hosts])
        host = self.get_json("/v1/hosts/node1")["host"]
        self.assertEqual((5, 3), (host["instances_total"],
                                  host["instances_running"]))
        # 1.10 answers the body it always did.
        for path, key in (("/v1/hosts", "hosts"), ("/v1/hosts/node1", "host")):
            old = self.get_json(path, version="instance-ha 1.10")[key]
            for body in old if isinstance(old, list) else [old]:
                self.assertEqual(OLD_KEYS, set(body), path)
