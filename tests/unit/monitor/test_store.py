"""DbStore on a real SQLite database: inventory, records, ignored rows."""

import datetime
import typing

import sqlalchemy as sa
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from tests.unit.monitor.fakes import T0
from tests.unit.monitor.fakes import svc
from vmotiond import constants as c
from vmotiond.cloud import records as cloud_records
from vmotiond.db import api as db_api
from vmotiond.db import models
from vmotiond.monitor import inventory
from vmotiond.monitor import records as r
from vmotiond.monitor import store as store_mod

T1 = T0 + datetime.timedelta(seconds=5)


def cap(host: str, ip: str) -> cloud_records.HostCapacity:
    return cloud_records.HostCapacity(
        host=host, hypervisor_id="hv-" + host, host_ip=ip, vcpus_total=16,
        vcpus_reserved=0, vcpus_used=4, cpu_allocation_ratio=1.0,
        memory_mb_total=8192, memory_mb_reserved=0, memory_mb_used=2048,
        ram_allocation_ratio=1.0, disk_gb_total=200, disk_gb_reserved=0,
        disk_gb_used=20, disk_allocation_ratio=1.0, running_vms=3)


class FakeCloud:
    def __init__(self, services: list, capacities: list) -> None:
        self.services, self.capacities = services, capacities

    def list_compute_services(self) -> list:
        return self.services

    def list_aggregates(self) -> list:
        return []

    def list_host_capacities(self) -> list:
        return self.capacities

    def list_servers(self, host=None) -> list:
        return []

    def list_network_agents(self) -> list:
        return []


class DbStoreTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        fx = self.useFixture(conf_fixture.Conf())
        self.db = self.useFixture(db_fixture.Database(
            getattr(self, "backend", "sqlite"), fx.conf)).database
        self.store = store_mod.DbStore(self.db)

    def test_typed_against_the_data_api(self) -> None:
        self.assertIs(db_api.Database, typing.get_type_hints(
            store_mod.DbStore.__init__)["database"])

    def test_sync_creates_updates_and_soft_deletes(self) -> None:
        cloud = FakeCloud([svc("a", T0), svc("b", T0, status="disabled",
                                             reason="broken")],
                          [cap("a", "10.0.0.1")])
        self.assertEqual({"created": 2, "updated": 0, "deleted": 0},
                         inventory.sync(cloud, self.store))
        row = self.db.host_get("a")
        self.assertEqual("10.0.0.1", row.management_ip)
        self.assertEqual((16, 4, 8192, 2048, 200, 20, 3),
                         (row.vcpus_total, row.vcpus_used,
                          row.memory_mb_total, row.memory_mb_used,
                          row.disk_gb_total, row.disk_gb_used,
                          row.running_instances))
        self.assertEqual(("up", "enabled", "nova"),
                         (row.service_state, row.service_status,
                          row.availability_zone))
        b = self.db.host_get("b")
        self.assertEqual(("disabled", "broken", 0),
                         (b.service_status, b.disabled_reason, b.vcpus_total))
        cloud.services = [svc("a", T0)]
        self.assertEqual({"created": 0, "updated": 1, "deleted": 1},
                         inventory.sync(cloud, self.store))
        self.assertEqual(["a"], sorted(self.store.hosts()))

    def test_records_round_trip_through_the_table(self) -> None:
        inventory.sync(FakeCloud([svc("a", T0)], [cap("a", "10.0.0.1")]),
                       self.store)
        rec = r.HostRecord("a", state=c.HOST_DOWN, since=T0, generation=2,
                           stale_since=T0, stale_count=6,
                           suspect_entries=(T0,),
                           reported=frozenset({"process_failure"}),
                           written_at=T0,
                           service_fields=("disabled", True, "vmotiond: x"))
        self.store.save_records([rec, r.HostRecord("unknown")])
        view = self.store.hosts()["a"]
        self.assertEqual(rec, view.record)
        self.assertEqual("10.0.0.1", view.management_ip)
        self.assertTrue(view.auto_evacuate)
        self.assertFalse(view.maintenance)

    def test_records_saved_in_one_go_and_missing_hosts_skipped(self) -> None:
        inventory.sync(FakeCloud([svc("a", T0), svc("b", T0)], []),
                       self.store)
        recs = [r.HostRecord("a", state=c.HOST_SUSPECT, since=T0),
                r.HostRecord("b", state=c.HOST_DOWN, since=T0,
                             generation=1),
                r.HostRecord("gone", state=c.HOST_DOWN)]
        self.assertEqual(["gone"], self.db.hosts_update_monitor(
            {rec.host: store_mod.monitor_columns(rec) for rec in recs}))
        self.store.save_records(recs)
        self.assertEqual({"a": recs[0], "b": recs[1]},
                         self.store.host_records())
        self.assertEqual([], self.db.hosts_update_monitor({}))

    def test_switches_and_their_mark(self) -> None:
        inventory.sync(FakeCloud([svc("a", T0), svc("b", T0)],
                                 [cap("a", "10.0.0.1")]), self.store)
        self.assertEqual({"a": (True, "10.0.0.1", False),
                          "b": (True, None, False)}, self.store.switches())
        mark = self.store.switches_mark()
        self.assertEqual(mark, self.store.switches_mark())
        self.store.save_records([r.HostRecord("a", state=c.HOST_SUSPECT)])
        mark = self.store.switches_mark()
        for values in ({"maintenance": True}, {"auto_evacuate": False},
                       {"maintenance": False}):
            self.db.host_update("b", values)
            self.assertNotEqual(mark, self.store.switches_mark(), values)
            mark = self.store.switches_mark()
        self.assertEqual((False, None, False), self.store.switches()["b"])
        # The monitor's own writes and the instance counts do not move
        # it; a sync does (addresses, hosts come and gone).
        self.store.save_records([r.HostRecord("b", state=c.HOST_SUSPECT)])
        self.store.set_instance_counts({"a": (2, 1)})
        self.assertEqual(mark, self.store.switches_mark())
        inventory.sync(FakeCloud([svc("a", T0)], []), self.store)
        self.assertNotEqual(mark, self.store.switches_mark())
        self.assertEqual({"a": (True, "10.0.0.1", False)},
                         self.store.switches())
        # A write behind the data API's back does not: the monitor reads
        # the switches in full now and then (``SwitchesReader``).
        mark = self.store.switches_mark()
        with self.db._writer() as session:
            session.execute(sa.update(models.Host).where(
                models.Host.name == "a").values(maintenance=True))
        self.assertEqual(mark, self.store.switches_mark())

    def test_worth_saving(self) -> None:
        rec = r.HostRecord("a", since=T0)
        self.assertFalse(store_mod.worth_saving(rec, rec))
        self.assertTrue(store_mod.worth_saving(rec, None))
        # Heartbeats are not worth a write; every persisted field is.
        self.assertFalse(store_mod.worth_saving(
            r.evolve(rec, heartbeat=T0, heartbeat_seen_at=T0,
                     stale_count=2, probe_failures=1), rec))
        for name, value in store_mod.persisted_fields(
                r.HostRecord("b", state=c.HOST_DOWN, since=T1,
                             generation=3, stale_since=T1,
                             suspect_entries=(T1,), damped_until=T1,
                             healthy_since=T1, reported=frozenset("x"),
                             written_at=T1,
                             service_fields=("disabled", True, None))
                ).items():
            if name == "reported":
                value = frozenset(value)
            changed = r.evolve(rec, **{name: value})
            self.assertTrue(store_mod.worth_saving(changed, rec), name)
            self.assertNotEqual(store_mod.persisted_fields(changed),
                                store_mod.persisted_fields(rec), name)

    def test_operator_maintenance_and_auto_evacuate(self) -> None:
        inventory.sync(FakeCloud([svc("a", T0)], []), self.store)
        self.db.host_update("a", {"maintenance": True,
                                  "auto_evacuate": False})
        view = self.store.hosts()["a"]
        self.assertTrue(view.maintenance)
        self.assertFalse(view.auto_evacuate)

    def test_failure_row_once(self) -> None:
        for _ in range(2):
            self.store.record_failure(
                "a", "COMPUTE_HOST:a:1", {"x": 1}, T0,
                c.NOTIFICATION_IGNORED, "auto_evacuate off")
        row = self.db.notification_get_by_key("COMPUTE_HOST:a:1")
        self.assertEqual((c.COMPUTE_HOST, "a", c.NOTIFICATION_IGNORED),
                         (row.type, row.host, row.status))
        self.assertEqual("auto_evacuate off", row.message)

    def test_host_uuid_from_the_compute_node_onto_its_failures(self) -> None:
        cloud = FakeCloud([svc("a", T0), svc("b", T0)],
                          [cap("a", "10.0.0.1")])
        inventory.sync(cloud, self.store)
        self.assertEqual(("hv-a", None), (self.db.host_get("a").uuid,
                                          self.db.host_get("b").uuid))
        for host in ("a", "b", "unknown"):
            self.store.record_failure(host, "COMPUTE_HOST:%s:1" % host, {},
                                      T0, c.NOTIFICATION_NEW)
        self.assertEqual(
            {"a": "hv-a", "b": None, "unknown": None},
            {n.host: n.source_host_uuid
             for n in self.db.notification_list()})
        # A hypervisor seen later gives its host the uuid; one no longer
        # reported leaves it; a failure keeps the uuid it was written with.
        cloud.capacities = [cap("b", "10.0.0.2")]
        inventory.sync(cloud, self.store)
        self.assertEqual(("hv-a", "hv-b"), (self.db.host_get("a").uuid,
                                            self.db.host_get("b").uuid))
        self.store.record_failure("b", "COMPUTE_HOST:b:2", {}, T0,
                                  c.NOTIFICATION_NEW)
        self.assertEqual(
            [("b", "hv-b"), ("b", None)],
            [(n.host, n.source_host_uuid) for n in
             self.db.notification_list(host="b", sort_key="id")])

    def test_alert_row_with_hosts_and_evidence(self) -> None:
        store = store_mod.DbStore(self.db, "vmotiond-monitor.ctl-1")
        store.record_alert("mass_failure", "mass failure on a, b", None,
                           ["a", "b"], {"watched": 3})
        alert, = self.db.alert_list()
        self.assertEqual(("mass_failure", "vmotiond-monitor.ctl-1", None,
                          ["a", "b"], {"watched": 3}),
                         (alert.type, alert.source, alert.host, alert.hosts,
                          alert.evidence))
