"""Migrations build exactly the models' schema, and sync is repeatable."""

import datetime

from oslo_db.sqlalchemy import test_migrations
import sqlalchemy as sa
import testscenarios
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond import exception
from vmotiond.db import migration
from vmotiond.db import models
from vmotiond.db import vmoves as vmoves_db

OTHER = "9e4c1d2a-7b6f-4a21-b0c3-5f7e8d9a0b21"


class MigrationsTestBase(test_migrations.ModelsMigrationsSync,
                         testscenarios.WithScenarios, testtools.TestCase):
    """Run on every backend named by ``scenarios``."""

    scenarios = [("sqlite", {"backend": "sqlite"})]

    def setUp(self) -> None:
        super().setUp()
        conf = self.useFixture(conf_fixture.Conf()).conf
        self.db = self.useFixture(
            db_fixture.Database(self.backend, conf, synced=False))

    # ModelsMigrationsSync's hooks.
    def get_engine(self) -> sa.Engine:
        return self.db.database.engine

    def get_metadata(self) -> sa.MetaData:
        return models.Base.metadata

    def db_sync(self, engine: sa.Engine) -> None:
        migration.upgrade(engine)

    def _old_notification(self, host: str | None, key: str,
                          uuid: str | None = None) -> str:
        """Write a notification as the schema of 0001 to 0006 holds it
        (the data API writes today's); return its uuid."""
        uuid = uuid or "n-" + key
        with self.get_engine().begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO notifications (uuid, type, host, payload, "
                "generated_time, status, dedup_key, created_at, deleted) "
                "VALUES (:u, 'COMPUTE_HOST', :h, '{}', :now, 'new', :k, "
                ":now, :f)"),
                {"u": uuid, "h": host, "k": key, "f": False,
                 "now": "2026-01-01 00:00:00"})
        return uuid

    def _old_host(self, name: str, hypervisor_id: str | None) -> None:
        """Write a host as the schema of 0002 to 0006 holds it."""
        with self.get_engine().begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO hosts (name, hypervisor_id, vcpus_total, "
                "vcpus_used, memory_mb_total, memory_mb_used, "
                "disk_gb_total, disk_gb_used, running_instances, "
                "forced_down, role, auto_evacuate, maintenance, "
                "monitor_state, monitor_generation, created_at, deleted) "
                "VALUES (:name, :hv, 0, 0, 0, 0, 0, 0, 0, :f, 'normal', :t, "
                ":f, 'up', 0, :now, :f)"),
                {"name": name, "hv": hypervisor_id, "f": False, "t": True,
                 "now": "2026-01-01 00:00:00"})

    def test_0007_takes_host_uuids_from_hypervisors(self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0006")
        hv = "1b0b6cf2-3f0c-4d3e-8f55-0d8f3a7c2e10"
        self._old_host("node1", hv)
        self._old_host("node2", None)
        old = self._old_notification("node1", "key-1")
        migration.upgrade(engine)
        database = self.db.database
        self.assertEqual((hv, None), (database.host_get("node1").uuid,
                                      database.host_get("node2").uuid))
        # Written before: unknown. Written after: the host's.
        new = database.notification_create("COMPUTE_HOST", "node1",
                                           "key-2", {}).uuid
        self.assertEqual(
            {old: None, new: hv},
            {n.uuid: n.source_host_uuid
             for n in database.notification_list()})
        self.assertEqual([new], [n.uuid for n in database.notification_list(
            source_host_uuid=hv)])
        # The next inventory sync fills a uuid the migration left null.
        database.hosts_sync([{"name": "node1", "uuid": hv},
                             {"name": "node2", "uuid": OTHER}])
        self.assertEqual(OTHER, database.host_get("node2").uuid)

    def test_0009_claims_start_unowned_at_generation_0(self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0008")
        old = self._old_notification("node1", "key-1")
        migration.upgrade(engine)
        database = self.db.database
        row = database.notification_get(old)
        self.assertEqual((None, 0), (row.owner, row.generation))
        # The next engine to take it up owns it, at generation 1.
        fence = database.notification_take(old, "engine-a")
        self.assertIsNotNone(fence)
        self.assertTrue(fence.holds(database.notification_get(old)))
        self.assertEqual(1, fence.generation)
        new = database.notification_create("COMPUTE_HOST", "node1",
                                           "key-2", {}).uuid
        self.assertEqual((None, 0), (database.notification_get(new).owner,
                                     database.notification_get(new)
                                     .generation))

    def test_sync_from_empty_reaches_head(self) -> None:
        engine = self.get_engine()
        self.assertIsNone(migration.current_revision(engine))
        self.db.database.sync()
        self.assertEqual(migration.head_revision(),
                         migration.current_revision(engine))
        self.assertEqual(
            {"notifications", "vmoves", "vmove_steps", "hosts", "alerts",
             "ha_pauses", "monitor_holds", "marks", "alembic_version"},
            set(sa.inspect(engine).get_table_names()))

    def test_sync_twice_is_harmless(self) -> None:
        self.db.database.sync()
        self.db.database.notification_create(
            "COMPUTE_HOST", "node1", "key-1", {"host": "node1"})
        self.db.database.sync()
        self.assertEqual(1, len(self.db.database.notification_list()))
        self.db.database.check_schema()

    def test_check_schema_refuses_an_empty_database(self) -> None:
        error = self.assertRaises(exception.SchemaOutOfDate,
                                  self.db.database.check_schema)
        self.assertIn("vmotiond-manage db sync", str(error))

    def test_0002_adds_maintenance_off_to_existing_hosts(self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0001")
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO hosts (name, vcpus_total, vcpus_used, "
                "memory_mb_total, memory_mb_used, disk_gb_total, "
                "disk_gb_used, running_instances, forced_down, role, "
                "auto_evacuate, monitor_state, monitor_generation, "
                "created_at, deleted) VALUES ('node1', 0, 0, 0, 0, 0, 0, 0, "
                ":f, 'normal', :t, 'up', 0, :now, :f)"),
                {"f": False, "t": True, "now": "2026-01-01 00:00:00"})
        migration.upgrade(engine)
        self.assertFalse(self.db.database.host_get("node1").maintenance)

    def test_0003_adds_alerts_to_a_database_in_use(self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0002")
        self._old_notification("node1", "key-1")
        migration.upgrade(engine)
        alert = self.db.database.alert_create(
            "mass_failure", "vmotiond-monitor.ctl", "2 of 3 hosts failing",
            hosts=["node1", "node2"], evidence={"failing": 2})
        self.assertEqual([alert.uuid],
                         [a.uuid for a in self.db.database.alert_list()])
        self.assertEqual(1, len(self.db.database.notification_list()))

    def test_0004_takes_the_project_of_each_stored_plan(self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0003")
        note_uuid = self._old_notification("node1", "key-1")
        plans = {"v-1": '{"order": 0, "project_id": "P_1", "steps": []}',
                 "v-2": '{"order": 0, "steps": []}', "v-3": None}
        with engine.begin() as connection:
            for n, (vmove, context) in enumerate(plans.items()):
                connection.execute(sa.text(
                    "INSERT INTO vmoves (uuid, notification_uuid, "
                    "instance_uuid, type, status, priority, attempts, "
                    "created_at, deleted) VALUES (:v, :n, :i, 'evacuation', "
                    "'pending', 0, 0, :now, :f)"),
                    {"v": vmove, "n": note_uuid, "i": "i-%d" % n,
                     "now": "2026-01-01 00:00:00", "f": False})
                if context is not None:
                    connection.execute(sa.text(
                        "INSERT INTO vmove_steps (vmove_uuid, name, status, "
                        "attempt, context, created_at, deleted) VALUES "
                        "(:v, 'plan', 'succeeded', 1, :c, :now, :f)"),
                        {"v": vmove, "c": context,
                         "now": "2026-01-01 00:00:00", "f": False})
        migration.upgrade(engine)
        self.assertEqual(
            {"v-1": "P_1", "v-2": None, "v-3": None},
            {r.uuid: r.project_id for r in self.db.database.vmove_list()})
        self.assertEqual(["v-1"], [
            r.uuid for r in self.db.database.vmove_list(project_id="P_1")])
        self.assertEqual([], self.db.database.vmove_list(project_id="p_1"))

    def test_0005_moves_each_plan_step_into_its_vmove(self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0004")
        note_uuid = self._old_notification("node1", "key-1")
        first = '{"order": 0, "steps": ["evacuate", "start"]}'
        redone = '{"order": 0, "steps": ["evacuate"]}'
        unplaced = '{"ignored_reason": "no_capacity", "order": -1, ' \
            '"steps": []}'
        # vmove: its current step, then its steps (name, status, context).
        vmoves = {
            "v-1": ("evacuate", [("plan", "succeeded", first),
                                 ("evacuate", "failed", None),
                                 ("plan", "succeeded", redone),
                                 ("evacuate", "ongoing", None)]),
            "v-2": ("plan", [("plan", "succeeded", unplaced)]),
            "v-3": ("plan", [("plan", "ongoing", first)]),
            "v-4": (None, []),
        }
        with engine.begin() as connection:
            for n, (vmove, (current, steps)) in enumerate(vmoves.items()):
                connection.execute(sa.text(
                    "INSERT INTO vmoves (uuid, notification_uuid, "
                    "instance_uuid, type, status, priority, attempts, "
                    "current_step, created_at, deleted) VALUES (:v, :n, :i, "
                    "'evacuation', 'ongoing', 0, 0, :s, :now, :f)"),
                    {"v": vmove, "n": note_uuid, "i": "i-%d" % n,
                     "s": current, "now": "2026-01-01 00:00:00", "f": False})
                for name, status, context in steps:
                    connection.execute(sa.text(
                        "INSERT INTO vmove_steps (vmove_uuid, name, status, "
                        "attempt, context, created_at, deleted) VALUES "
                        "(:v, :name, :status, 1, :c, :now, :f)"),
                        {"v": vmove, "name": name, "status": status,
                         "c": context, "now": "2026-01-01 00:00:00",
                         "f": False})
        migration.upgrade(engine)
        database = self.db.database
        rows = {r.uuid: r for r in database.vmove_list()}
        self.assertEqual(
            {"v-1": {"order": 0, "steps": ["evacuate"]},
             "v-2": {"ignored_reason": "no_capacity", "order": -1,
                     "steps": []},
             "v-3": None, "v-4": None},
            {uuid: row.plan for uuid, row in rows.items()})
        self.assertEqual(
            {"v-1": "evacuate", "v-2": None, "v-3": None, "v-4": None},
            {uuid: row.current_step for uuid, row in rows.items()})
        self.assertEqual(
            {"v-1": [("evacuate", "failed"), ("evacuate", "ongoing")],
             "v-2": [], "v-3": [], "v-4": []},
            {uuid: [(s.name, s.status) for s in database.step_list(uuid)]
             for uuid in rows})

    def test_0006_adds_fenced_at_null_to_existing_notifications(
            self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0005")
        note = self._old_notification("node1", "key-1")
        migration.upgrade(engine)
        self.assertIsNone(self.db.database.notification_get(note).fenced_at)

    def test_0010_adds_ha_pauses_to_a_database_in_use(self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0009")
        self._old_notification("node1", "key-1")
        self.assertNotIn("ha_pauses", sa.inspect(engine).get_table_names())
        migration.upgrade(engine)
        db = self.db.database
        self.assertTrue(db.ha_pause("*", "planned power-off"))
        self.assertTrue(db.ha_pause("rack-a"))
        self.assertFalse(db.ha_pause("rack-a", "again"))
        self.assertEqual([("*", "planned power-off"), ("rack-a", None)],
                         [(p.scope, p.reason) for p in db.ha_pauses()])
        self.assertTrue(db.ha_resume("*"))
        self.assertFalse(db.ha_resume("*"))
        self.assertEqual(["rack-a"], [p.scope for p in db.ha_pauses()])
        self.assertEqual(1, len(db.notification_list()))

    def test_0011_adds_fence_confirmed_at_null_to_existing_notifications(
            self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0010")
        note = self._old_notification("node1", "key-1")
        migration.upgrade(engine)
        database = self.db.database
        self.assertIsNone(database.notification_get(note).fence_confirmed_at)
        when = database._clock.now()
        self.assertTrue(database.notification_set_fence_confirmed(note, when))
        self.assertFalse(database.notification_set_fence_confirmed(note,
                                                                   when))
        self.assertIsNotNone(
            database.notification_get(note).fence_confirmed_at)

    def test_0012_adds_request_ids_null_to_existing_steps(self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0011")
        note = self._old_notification("node1", "key-1")
        with engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO vmoves (uuid, notification_uuid, instance_uuid, "
                "type, status, priority, attempts, created_at, deleted) "
                "VALUES ('v-1', :n, 'i-1', 'evacuation', 'ongoing', 0, 0, "
                ":now, :f)"), {"n": note, "now": "2026-01-01 00:00:00",
                               "f": False})
            connection.execute(sa.text(
                "INSERT INTO vmove_steps (vmove_uuid, name, status, attempt, "
                "created_at, deleted) VALUES ('v-1', 'evacuate', "
                "'succeeded', 1, :now, :f)"),
                {"now": "2026-01-01 00:00:00", "f": False})
        migration.upgrade(engine)
        database = self.db.database
        old, = database.step_list("v-1")
        self.assertIsNone(old.request_ids)
        written, _ = database.step_journal("v-1", [vmoves_db.StepWrite(
            "start", 1, "succeeded", datetime.datetime(2026, 1, 1),
            request_ids=("req-1", "req-2"))])
        self.assertTrue(written)
        self.assertEqual([None, ["req-1", "req-2"]],
                         [s.request_ids for s in database.step_list("v-1")])

    def test_0013_adds_monitor_holds_to_a_database_in_use(self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0012")
        self._old_notification("node1", "key-1")
        self.assertNotIn("monitor_holds",
                         sa.inspect(engine).get_table_names())
        migration.upgrade(engine)
        db = self.db.database
        self.assertEqual({}, db.monitor_holds())
        # Sub-second precision kept; each set replaces the whole.
        first = datetime.datetime(2026, 1, 1, 0, 10, 0, 250000)
        holds = {"*": first, "aggregate:rack-a": first,
                 "zone:az1": datetime.datetime(2026, 1, 1, 0, 11)}
        db.monitor_holds_set(holds)
        self.assertEqual(holds, db.monitor_holds())
        db.monitor_holds_set({"zone:az1": first})
        self.assertEqual({"zone:az1": first}, db.monitor_holds())
        db.monitor_holds_set({})
        self.assertEqual({}, db.monitor_holds())
        self.assertEqual(1, len(db.notification_list()))

    def test_0015_marks_the_hosts_switches(self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0014")
        self._old_host("node1", "hv-1")
        migration.upgrade(engine)
        database = self.db.database
        mark = database.host_switches_mark()
        self.assertEqual(0, mark)
        database.host_update("node1", {"maintenance": True})
        self.assertEqual(1, database.host_switches_mark())
        database.hosts_sync([{"name": "node1"}, {"name": "node2"}])
        self.assertEqual(2, database.host_switches_mark())
        database.hosts_update_monitor({"node1": {"monitor_state": "down"}})
        self.assertEqual(2, database.host_switches_mark())

    def test_0014_adds_zero_counts_and_null_networks_to_existing_hosts(
            self) -> None:
        engine = self.get_engine()
        migration.upgrade(engine, "0012")
        self._old_host("node1", "hv-1")
        migration.upgrade(engine)
        database = self.db.database
        host = database.host_get("node1")
        self.assertEqual((0, 0, None), (host.instances_total,
                                        host.instances_running,
                                        host.networks))
        networks = [{"agent_type": "Open vSwitch agent",
                     "tunneling_ip": "10.1.0.1",
                     "bridge_mappings": {"physnet1": "br-ex"}}]
        database.hosts_sync([{"name": "node1", "instances_total": 3,
                              "instances_running": 2,
                              "networks": networks}])
        [row] = database.host_list(rows=True)
        self.assertEqual((3, 2, networks), (row["instances_total"],
                                            row["instances_running"],
                                            row["networks"]))
        # A sync that could not read the agents keeps them.
        database.hosts_sync([{"name": "node1", "instances_total": 4,
                              "instances_running": 4}])
        host = database.host_get("node1")
        self.assertEqual((4, 4, networks), (host.instances_total,
                                            host.instances_running,
                                            host.networks))
