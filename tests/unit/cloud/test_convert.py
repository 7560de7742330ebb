import datetime

import testtools

from vmotiond.cloud import convert
from vmotiond.cloud import records

SERVER = {
    "id": "s1", "name": "web", "status": "ACTIVE",
    "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:task_state": None,
    "OS-EXT-SRV-ATTR:host": "host1", "OS-EXT-AZ:availability_zone": "az1",
    "tenant_id": "p1", "metadata": {"ha": "true"}, "locked": True,
    "image": {"id": "i1"},
    "flavor": {"vcpus": 2, "ram": 4096, "disk": 20, "ephemeral": 5,
               "swap": 1536, "original_name": "m1"},
    "server_groups": ["g1"],
    "addresses": {"public": [{"addr": "172.16.0.3",
                              "OS-EXT-IPS:type": "floating"}],
                  "private": [{"addr": "10.0.0.3", "version": 4}]},
}


class ConvertTest(testtools.TestCase):

    def test_server(self):
        self.assertEqual(records.Server(
            id="s1", name="web", status="ACTIVE", vm_state="active",
            task_state=None, host="host1", availability_zone="az1",
            project_id="p1", vcpus=2, memory_mb=4096, disk_gb=27,
            metadata={"ha": "true"}, locked=True, server_group_ids=("g1",),
            flavor_name="m1", addresses=(
                records.Address("private", "10.0.0.3", "fixed"),
                records.Address("public", "172.16.0.3", "floating")),
            image_id="i1"),
            convert.server(SERVER))

    def test_image_of_a_server(self):
        # Nova's "image": {"id": ..., "links": ...}, or "" from a volume.
        self.assertEqual(("i1", None, None), tuple(
            convert.server(dict(SERVER, image=image)).image_id
            for image in ({"id": "i1", "links": []}, "", None)))

    def test_image(self):
        # Glance v2: base properties (null when unset), tags, and the
        # custom properties as top-level string keys.
        image = convert.image({
            "id": "i1", "name": "cirros", "status": "active",
            "visibility": "public", "protected": False, "size": 12,
            "checksum": None, "tags": ["amphora", "x"],
            "min_disk": 0, "HA_Enabled": "false", "os_distro": "cirros"})
        self.assertEqual(records.Image("i1", "cirros", {
            "HA_Enabled": "false", "os_distro": "cirros"},
            ("amphora", "x")), image)
        self.assertEqual(records.Image("i2", ""),
                         convert.image({"id": "i2", "tags": []}))

    def test_volume_backed_server_has_no_root_disk(self):
        body = dict(SERVER, image="", flavor={"vcpus": 1, "ram": 512,
                                              "disk": 20})
        self.assertEqual((1, 512, 0), convert.flavor_resources(body))

    def test_sparse_server(self):
        srv = convert.server({"id": "s2"})
        self.assertEqual(("s2", "UNKNOWN", None, 0, {}, (), None, ()),
                         (srv.id, srv.status, srv.host, srv.vcpus,
                          dict(srv.metadata), srv.server_group_ids,
                          srv.flavor_name, srv.addresses))

    def test_service(self):
        svc = convert.compute_service({
            "id": "u1", "binary": "nova-compute", "host": "host1",
            "zone": "nova", "status": "disabled", "state": "down",
            "updated_at": "2026-01-02T03:04:05.000000",
            "disabled_reason": "fenced", "forced_down": True})
        self.assertEqual(records.ComputeService(
            id="u1", host="host1", zone="nova", state="down",
            status="disabled", forced_down=True,
            updated_at=datetime.datetime(2026, 1, 2, 3, 4, 5),
            disabled_reason="fenced"), svc)

    def test_times_become_naive_utc(self):
        self.assertEqual(datetime.datetime(2026, 1, 2, 1, 4, 5),
                         convert.parse_time("2026-01-02T03:04:05+02:00"))
        self.assertIsNone(convert.parse_time(None))
        self.assertIsNone(convert.parse_time("yesterday"))

    def test_fast_parse_agrees_with_oslo_utils(self):
        from oslo_utils import timeutils
        for text in ("2026-01-02T03:04:05.123456", "2026-01-02T03:04:05",
                     "2026-01-02T03:04:05Z", "2026-01-02T03:04:05.5Z",
                     "2026-01-02T03:04:05.000001+00:00",
                     "2026-01-02T23:59:59.999999-05:30",
                     "2026-01-02T03:04:05+0200", "2026-01-02 03:04:05",
                     "2026-01-02", "20260102T030405Z"):
            expected = timeutils.normalize_time(
                timeutils.parse_isotime(text))
            self.assertEqual(expected, convert.parse_time(text), text)
        self.assertIsNone(convert.parse_time("2026-13-02T03:04:05"))

    def test_service_reader_reuses_unchanged_records(self):
        def item(host, updated, **kw):
            return {"id": "u-" + host, "binary": "nova-compute",
                    "host": host, "zone": "nova", "status": "enabled",
                    "state": "up", "updated_at": updated,
                    "disabled_reason": None, "forced_down": False, **kw}
        reader = convert.ServiceReader()
        t1, t2 = "2026-01-02T03:04:05.000000", "2026-01-02T03:04:15.000000"
        a1, b1 = reader.read([item("a", t1), item("b", t1)])
        self.assertEqual(convert.compute_service(item("a", t1)), a1)
        a2, b2, c2 = reader.read([item("a", t1), item("b", t2),
                                  item("c", t1)])
        self.assertIs(a1, a2)                      # unchanged: the same
        self.assertIsNot(b1, b2)
        self.assertEqual(convert.compute_service(item("b", t2)), b2)
        self.assertEqual(convert.compute_service(item("c", t1)), c2)
        # Any field read changes the record: each is compared.
        for change in ({"status": "disabled"}, {"forced_down": True},
                       {"state": "down"}, {"zone": "az1"},
                       {"disabled_reason": "x"}, {"id": "other"}):
            again, = reader.read([item("a", t1, **change)])
            self.assertEqual(convert.compute_service(item("a", t1,
                                                          **change)),
                             again, change)
            reader.read([item("a", t1)])
        # An item without some of the fields read: their defaults.
        partial = {"id": "u-p", "host": "p", "updated_at": t1}
        first, = reader.read([partial])
        self.assertEqual(convert.compute_service(partial), first)
        self.assertIs(first, reader.read([dict(partial)])[0])
        self.assertIsNot(first, reader.read([{**partial, "zone": "az"}])[0])
        # Only the last answer is kept.
        reader.read([])
        self.assertIsNot(a1, reader.read([item("a", t1)])[0])

    def test_migration(self):
        mig = convert.migration({
            "id": 7, "uuid": "m-uuid", "instance_uuid": "s1",
            "source_compute": "host1", "dest_compute": "host2",
            "status": "done", "migration_type": "evacuation",
            "created_at": "2026-01-02T03:04:05.000000", "updated_at": None})
        self.assertEqual(("m-uuid", "s1", "done", "evacuation", None),
                         (mig.id, mig.server_id, mig.status,
                          mig.migration_type, mig.updated_at))
        self.assertEqual("7", convert.migration({"id": 7}).id)

    def test_port_and_floating_ip(self):
        port = convert.port({"id": "p", "device_id": "s1", "fixed_ips": [
            {"ip_address": "10.0.0.5", "subnet_id": "x"}]})
        self.assertEqual(records.Port("p", "s1", ("10.0.0.5",)), port)
        fip = convert.floating_ip({"id": "f", "floating_ip_address": "1.2.3.4",
                                   "port_id": None, "fixed_ip_address": None})
        self.assertEqual(records.FloatingIp("f", "1.2.3.4", None, None), fip)
