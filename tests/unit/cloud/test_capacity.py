import testtools

from tests.unit.cloud import fakes
from vmotiond import clock
from vmotiond.cloud import capacity
from vmotiond.cloud import http
from vmotiond.cloud import retry

HYPERVISORS = {"hypervisors": [
    {"id": "h1", "hypervisor_hostname": "node1", "host_ip": "10.0.0.1",
     "running_vms": 2, "service": {"host": "host1", "id": "s1"}},
    {"id": "h2", "hypervisor_hostname": "node2", "host_ip": "10.0.0.2",
     "running_vms": 9, "service": {"host": "host2", "id": "s2"}},
    {"id": "h3", "hypervisor_hostname": "node3", "host_ip": "10.0.0.3",
     "running_vms": 0, "service": {"host": "host3", "id": "s3"}},
]}
PROVIDERS = {"resource_providers": [
    {"uuid": "rp1", "name": "node1", "parent_provider_uuid": None},
    {"uuid": "rp2", "name": "node2", "parent_provider_uuid": None},
    {"uuid": "rp2-gpu", "name": "node2_gpu", "parent_provider_uuid": "rp2"},
]}
SUMMARIES = {"provider_summaries": {
    "rp1": {"resources": {
        "VCPU": {"capacity": 64, "used": 4},
        "MEMORY_MB": {"capacity": 15872, "used": 4096},
        "DISK_GB": {"capacity": 100, "used": 40}}}}}
INVENTORIES = {"inventories": {
    "VCPU": {"total": 16, "reserved": 0, "allocation_ratio": 4.0},
    "MEMORY_MB": {"total": 16384, "reserved": 512, "allocation_ratio": 1.5},
    "DISK_GB": {"total": 100, "reserved": 10, "allocation_ratio": 1.0}}}
USAGES = {"usages": {"VCPU": 64, "MEMORY_MB": 23808, "DISK_GB": 90}}


def _reader(mode=capacity.BULK, placement_routes=None):
    compute = fakes.FakeAdapter(fakes.routes(
        {("GET", "os-hypervisors/detail"): HYPERVISORS}))
    table = {
        ("GET", "resource_providers"): PROVIDERS,
        ("GET", "allocation_candidates"): SUMMARIES,
        ("GET", "resource_providers/rp1/inventories"): INVENTORIES,
        ("GET", "resource_providers/rp1/usages"): USAGES,
        ("GET", "resource_providers/rp2/inventories"): INVENTORIES,
        ("GET", "resource_providers/rp2/usages"): USAGES,
    }
    table.update(placement_routes or {})
    placement = fakes.FakeAdapter(fakes.routes(table))
    retrier = retry.Retrier(clock.FakeClock(), 0, 0, 0)
    reader = capacity.CapacityReader(
        http.ApiClient(compute, "compute", retrier, 5, "2.94"),
        http.ApiClient(placement, "placement", retrier, 5, "1.29"),
        "2.87", mode, 500)
    return compute, placement, reader


class CapacityReaderTest(testtools.TestCase):

    def test_bulk(self):
        compute, placement, reader = _reader()
        caps = {c.host: c for c in reader.read()}
        # node3 has no resource provider yet: not reported.
        self.assertEqual({"host1", "host2"}, set(caps))
        one = caps["host1"]
        self.assertEqual(("h1", "10.0.0.1", 2), (one.hypervisor_id,
                                                  one.host_ip,
                                                  one.running_vms))
        self.assertEqual((64, 0, 1.0, 4), (
            one.vcpus_total, one.vcpus_reserved, one.cpu_allocation_ratio,
            one.vcpus_used))
        self.assertEqual((60, 11776, 60), (
            one.vcpus_free, one.memory_mb_free, one.disk_gb_free))
        # host2 is full: absent from the candidates, read alone, exactly.
        two = caps["host2"]
        self.assertEqual((16, 0, 4.0, 64), (
            two.vcpus_total, two.vcpus_reserved, two.cpu_allocation_ratio,
            two.vcpus_used))
        self.assertEqual((0, 0.0, 0), (
            two.vcpus_free, two.memory_mb_free, two.disk_gb_free))
        self.assertEqual(["os-hypervisors/detail"],
                         [c[1] for c in compute.calls])
        self.assertEqual("2.87", compute.calls[0][2]["microversion"])
        self.assertEqual(500, compute.calls[0][2]["params"]["limit"])
        self.assertEqual(
            ["resource_providers", "allocation_candidates",
             "resource_providers/rp2/inventories",
             "resource_providers/rp2/usages"],
            [c[1] for c in placement.calls])
        self.assertEqual({"resources": "VCPU:1"},
                         placement.calls[1][2]["params"])

    def test_exact(self):
        _, placement, reader = _reader(capacity.EXACT)
        caps = {c.host: c for c in reader.read()}
        one = caps["host1"]
        self.assertEqual((16384, 512, 1.5, 23808), (
            one.memory_mb_total, one.memory_mb_reserved,
            one.ram_allocation_ratio, one.memory_mb_used))
        self.assertNotIn("allocation_candidates",
                         [c[1] for c in placement.calls])
        self.assertEqual(5, len(placement.calls))

    def test_no_candidates_endpoint(self):
        _, placement, reader = _reader(placement_routes={
            ("GET", "allocation_candidates"): fakes.response(404)})
        caps = {c.host: c for c in reader.read()}
        self.assertEqual(16, caps["host1"].vcpus_total)

    def test_provider_gone_between_calls(self):
        _, _, reader = _reader(placement_routes={
            ("GET", "resource_providers/rp2/usages"): fakes.response(404)})
        self.assertEqual(["host1"], [c.host for c in reader.read()])
