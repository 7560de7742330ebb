"""The data API on SQLite; tests/functional/db runs it on real servers."""

import dataclasses
import datetime
import functools
from typing import Any

from oslo_db import exception as db_exc
import testscenarios
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond import clock as clock_mod
from vmotiond import constants
from vmotiond import exception
from vmotiond.db import models
from vmotiond.db import notifications as notifications_db
from vmotiond.db import step_journal as step_journal_db
from vmotiond.db import vmoves as vmoves_db

# Lower case as Nova writes them; in the order they sort.
HOST_UUIDS = ("1b0b6cf2-3f0c-4d3e-8f55-0d8f3a7c2e10",
              "9e4c1d2a-7b6f-4a21-b0c3-5f7e8d9a0b21")


class DataApiTestBase(testscenarios.WithScenarios, testtools.TestCase):

    scenarios = [("sqlite", {"backend": "sqlite"})]

    def setUp(self) -> None:
        super().setUp()
        self.clock = clock_mod.FakeClock()
        conf = self.useFixture(conf_fixture.Conf()).conf
        self.db = self.useFixture(db_fixture.Database(
            self.backend, conf, clock=self.clock)).database

    def _notification(self, key: str = "k1", host: str = "node1",
                      **kwargs: object) -> str:
        row = self.db.notification_create(
            constants.COMPUTE_HOST, host, key, {"host": host}, **kwargs)
        return row.uuid

    # -- notifications ----------------------------------------------------

    def test_notification_round_trip(self) -> None:
        uuid = self._notification(source="monitor")
        row = self.db.notification_get(uuid)
        self.assertEqual(("COMPUTE_HOST", "node1", "new", "monitor"),
                         (row.type, row.host, row.status, row.source))
        self.assertEqual({"host": "node1"}, row.payload)
        self.assertEqual(self.clock.now(), row.generated_time)

    def test_duplicate_key_is_refused(self) -> None:
        self._notification("same")
        error = self.assertRaises(exception.DuplicateNotification,
                                  self._notification, "same")
        self.assertEqual("same", error.kwargs["dedup_key"])
        self.assertEqual(1, len(self.db.notification_list()))

    def test_unknown_type_is_refused(self) -> None:
        self.assertRaises(exception.InvalidInput,
                          self.db.notification_create, "NOPE", "h", "k", {})

    def test_unknown_notification_is_not_found(self) -> None:
        self.assertRaises(exception.NotFound, self.db.notification_get,
                          "00000000-0000-0000-0000-000000000000")

    def test_status_test_and_set_claims_once(self) -> None:
        uuid = self._notification()
        new = [constants.NOTIFICATION_NEW]
        self.assertTrue(self.db.notification_set_status(
            uuid, constants.NOTIFICATION_RUNNING, expected=new))
        self.assertFalse(self.db.notification_set_status(
            uuid, constants.NOTIFICATION_RUNNING, expected=new))
        self.assertEqual(constants.NOTIFICATION_RUNNING,
                         self.db.notification_get(uuid).status)

    def test_finished_only_once_every_vmove_is_final(self) -> None:
        uuid = self._notification(status=constants.NOTIFICATION_RUNNING)
        rows = self.db.vmoves_create(uuid, [
            {"instance_uuid": "i-%d" % n, "type": constants.EVACUATION}
            for n in range(2)])
        self.db.vmove_update(rows[0].uuid, {"status": constants.SUCCEEDED})
        for status in (constants.PENDING, constants.ONGOING):
            self.db.vmove_update(rows[1].uuid, {"status": status})
            self.assertFalse(self.db.notification_set_status(
                uuid, constants.NOTIFICATION_FINISHED))
        self.db.vmove_update(rows[1].uuid, {"status": constants.FAILED})
        self.assertTrue(self.db.notification_set_status(
            uuid, constants.NOTIFICATION_FINISHED))
        self.assertTrue(self.db.notification_set_status(
            uuid, constants.NOTIFICATION_RUNNING))
        self.assertTrue(self.db.notification_set_status(
            uuid, constants.NOTIFICATION_FAILED))

    def test_vmoves_inserted_without_the_orm_read_back(self) -> None:
        uuid = self._notification()
        uuids = self.db.vmoves_insert(uuid, [
            {"instance_uuid": "i-0", "type": constants.EVACUATION,
             "dest_host": "h1", "plan": {"steps": ["evacuate"]}},
            {"instance_uuid": "i-1", "type": constants.EVACUATION,
             "status": constants.IGNORED, "message": "no room"},
            {"instance_uuid": "i-2", "type": constants.EVACUATION,
             "dest_host": "h2", "plan": {"steps": []}}])
        rows = {r.uuid: r for r in self.db.vmove_list(notification_uuid=uuid)}
        self.assertEqual(3, len(set(uuids)))
        self.assertEqual(
            [("i-0", constants.PENDING, "h1", {"steps": ["evacuate"]}),
             ("i-1", constants.IGNORED, None, None),
             ("i-2", constants.PENDING, "h2", {"steps": []})],
            [(rows[u].instance_uuid, rows[u].status, rows[u].dest_host,
              rows[u].plan) for u in uuids])
        self.assertEqual(
            (0, 0, False), (rows[uuids[0]].attempts, rows[uuids[0]].priority,
                            rows[uuids[0]].deleted))

    def test_vmoves_of_a_project_by_their_column(self) -> None:
        uuid = self._notification()
        rows = self.db.vmoves_create(uuid, [
            {"instance_uuid": "i-%d" % n, "type": constants.EVACUATION,
             "project_id": project}
            for n, project in enumerate(("p_1", "pX1", "P_1", None))])
        self.assertEqual([rows[0].uuid], [
            r["uuid"]
            for r in self.db.vmove_list(rows=True, project_id="p_1")])
        self.assertEqual(rows[1].uuid,
                         self.db.vmove_get(rows[1].uuid,
                                           project_id="pX1").uuid)
        self.assertRaises(exception.NotFound, self.db.vmove_get,
                          rows[1].uuid, project_id="p_1")
        self.assertRaises(exception.NotFound, self.db.vmove_get_by_id,
                          rows[3].id, project_id="p_1")

    def test_notification_list_filters(self) -> None:
        first = self._notification("a", "node1")
        self.clock.advance(1)
        self._notification("b", "node2")
        self.db.notification_set_status(first,
                                        constants.NOTIFICATION_FINISHED)
        self.assertEqual(
            [first], [n.uuid for n in self.db.notification_list(
                status=[constants.NOTIFICATION_FINISHED])])
        self.assertEqual(
            ["node2"], [n.host for n in self.db.notification_list(
                host="node2")])

    def test_every_notification_filter_shape_reads_what_it_names(
            self) -> None:
        """notification_list against a filter written in Python, each
        shape with two sets of values; one type given as a string reads
        what the list of that one type reads."""
        hosts = ("node1", "node2", None)
        self.db.hosts_sync([{"name": "node1", "uuid": HOST_UUIDS[0]},
                            {"name": "node2", "uuid": HOST_UUIDS[1]}])
        for index in range(6):
            self.db.notification_create(
                constants.NOTIFICATION_TYPES[index % 2], hosts[index % 3],
                "k%d" % index, {}, generated_time=self.clock.now(),
                status=constants.NOTIFICATION_STATUSES[index % 3])
            self.clock.advance(60)
        rows = self.db.notification_list(sort_dir="asc")
        start = rows[0].generated_time
        values = [
            {"status": list(constants.NOTIFICATION_STATUSES[:2]),
             "host": "node1", "type": [constants.NOTIFICATION_TYPES[0]],
             "generated_since": start + datetime.timedelta(seconds=60),
             "source_host_uuid": HOST_UUIDS[0]},
            {"status": [constants.NOTIFICATION_STATUSES[2]],
             "host": "node2", "type": list(constants.NOTIFICATION_TYPES),
             "generated_since": start, "source_host_uuid": HOST_UUIDS[1]},
        ]
        tests = {
            "status": lambda r, v: r.status in v,
            "host": lambda r, v: r.host == v,
            "type": lambda r, v: r.type in v,
            "generated_since": lambda r, v: r.generated_time >= v,
            "source_host_uuid": lambda r, v: r.source_host_uuid == v,
        }
        names = sorted(tests)
        for shape in range(2 ** len(names)):
            chosen = [n for bit, n in enumerate(names) if shape >> bit & 1]
            for given in values:
                filters = {name: given[name] for name in chosen}
                expected = [r.uuid for r in rows if all(
                    tests[name](r, given[name]) for name in chosen)]
                self.assertEqual(expected, [r.uuid for r in (
                    self.db.notification_list(sort_dir="asc", **filters))],
                    filters)
                if len(filters.get("type", ())) != 1:
                    continue
                filters["type"] = filters["type"][0]
                self.assertEqual(expected, [r.uuid for r in (
                    self.db.notification_list(sort_dir="asc", **filters))],
                    filters)

    def test_notification_takes_its_host_uuid_when_written(self) -> None:
        self.db.hosts_sync([{"name": "node1", "uuid": HOST_UUIDS[0]},
                            {"name": "node2"}])
        first = self._notification("a", "node1")
        self.assertEqual(HOST_UUIDS[0], self.db.notification_get(
            first).source_host_uuid)
        for key, host in (("b", "node2"), ("c", "node9"), ("d", None)):
            self.assertIsNone(self.db.notification_get(
                self._notification(key, host)).source_host_uuid, host)
        # The row keeps the uuid it was written with; a gone host's row
        # still names its uuid.
        self.db.hosts_sync([{"name": "node2", "uuid": HOST_UUIDS[1]}])
        self.assertEqual(HOST_UUIDS[0], self.db.notification_get(
            first).source_host_uuid)
        self.assertEqual(
            [HOST_UUIDS[0], HOST_UUIDS[1]],
            [self.db.notification_get(self._notification(key, host))
             .source_host_uuid for key, host in (("e", "node1"),
                                                 ("f", "node2"))])
        self.assertEqual(["e", "a"], [
            n.dedup_key for n in self.db.notification_list(
                source_host_uuid=HOST_UUIDS[0])])

    def test_paging_by_source_host_uuid_and_time(self) -> None:
        """Keyset paging on the nullable uuid (null lowest) with ties,
        alone and before generated_time, both ways."""
        self.db.hosts_sync([{"name": "node%d" % n, "uuid": uuid}
                            for n, uuid in enumerate(HOST_UUIDS)])
        hosts = ("node0", "node1", "nodeX", "node0", "node1", "nodeX",
                 "node0")
        for index, host in enumerate(hosts):
            self._notification("k%d" % index, host,
                               generated_time=self.clock.now()
                               - datetime.timedelta(minutes=index % 3))
            self.clock.advance(1)
        rows = self.db.notification_list(sort_key="id", sort_dir="asc")

        def uuid_of(row: Any) -> str:
            return row.source_host_uuid or ""
        by_time = sorted(rows, key=lambda r: (r.generated_time, -r.id))
        cases = [
            ("source_host_uuid", "asc", sorted(
                rows, key=lambda r: (uuid_of(r), r.id))),
            ("source_host_uuid", "desc", sorted(
                rows, key=lambda r: (uuid_of(r), r.id), reverse=True)),
            # Then by time ascending, then by id descending (the first
            # key's direction): a stable sort by uuid keeps that order.
            (("source_host_uuid", "generated_time"), ("desc", "asc"),
             sorted(by_time, key=uuid_of, reverse=True)),
        ]
        for sort_key, sort_dir, ordered in cases:
            expected = [r.uuid for r in ordered]
            for limit in (1, 2, 3):
                seen: list[str] = []
                marker = None
                while True:
                    page = self.db.notification_list(
                        sort_key=sort_key, sort_dir=sort_dir, limit=limit,
                        marker=marker)
                    if not page:
                        break
                    seen.extend(n.uuid for n in page)
                    marker = page[-1].uuid
                self.assertEqual(expected, seen, (sort_key, limit))

    def test_each_resource_reads_through_one_query(self) -> None:
        """Gets and lists of a resource share its one filtering query,
        built once per shape."""
        from vmotiond.db import alerts
        from vmotiond.db import notifications
        from vmotiond.db import vmoves
        uuid = self._notification()
        (vmove,) = self.db.vmoves_create(uuid, [{
            "instance_uuid": "i-1", "type": constants.EVACUATION}])
        alert = self.db.alert_create("mass_failure", "monitor", "m",
                                     host="node1")
        notification = self.db.notification_get(uuid)
        readers = {
            notifications: [
                lambda: self.db.notification_get(uuid),
                lambda: self.db.notification_get_by_id(notification.id),
                lambda: self.db.notification_list(
                    host="node1", type=[constants.COMPUTE_HOST]),
                lambda: self.db.notification_list(
                    host="node1", type=constants.COMPUTE_HOST)],
            vmoves: [
                lambda: self.db.vmove_get(vmove.uuid, uuid),
                lambda: self.db.vmove_get_by_id(vmove.id, uuid),
                lambda: self.db.vmove_list(host="node1"),
                lambda: self.db.vmove_list(rows=True, host="node1")],
            alerts: [
                lambda: self.db.alert_get(alert.uuid),
                lambda: self.db.alert_get_by_id(alert.id),
                lambda: self.db.alert_list(host="node1")],
        }
        for module, calls in readers.items():
            listing = module.LISTING
            listing.cache_clear()
            for call in calls:
                call()
            info = listing.cache_info()
            self.assertEqual(len(calls), info.hits + info.misses, module)
        # One type as a string reads the statement of a list of one type.
        self.assertEqual(1, notifications.LISTING.cache_info().hits)

    # -- vmoves -----------------------------------------------------------

    def _vmoves(self, count: int) -> tuple[str, list[str]]:
        uuid = self._notification()
        rows = []
        for index in range(count):
            rows.extend(self.db.vmoves_create(uuid, [{
                "instance_uuid": "inst-%03d" % index,
                "instance_name": "vm-%d" % index,
                "source_host": "node1", "type": constants.EVACUATION}]))
            self.clock.advance(1)
        return uuid, [row.uuid for row in rows]

    def test_vmoves_created_pending(self) -> None:
        notification, uuids = self._vmoves(3)
        moves = self.db.vmove_list(notification_uuid=notification)
        self.assertEqual(3, len(moves))
        self.assertEqual({constants.PENDING}, {m.status for m in moves})
        self.assertEqual(uuids[::-1], [m.uuid for m in moves])

    def test_one_vmove_per_instance_and_notification(self) -> None:
        notification, _ = self._vmoves(1)
        self.assertRaises(db_exc.DBDuplicateEntry, self.db.vmoves_create,
                          notification, [{"instance_uuid": "inst-000",
                                          "type": constants.EVACUATION}])

    def test_vmove_update_test_and_set(self) -> None:
        _, uuids = self._vmoves(1)
        self.assertTrue(self.db.vmove_update(
            uuids[0], {"status": constants.ONGOING},
            expected=[constants.PENDING]))
        self.assertFalse(self.db.vmove_update(
            uuids[0], {"status": constants.ONGOING},
            expected=[constants.PENDING]))
        self.assertRaises(exception.InvalidInput, self.db.vmove_update,
                          uuids[0], {"status": "bogus"})

    def test_vmove_paging_by_marker_both_directions(self) -> None:
        notification, uuids = self._vmoves(7)
        for sort_dir, expected in (("asc", uuids), ("desc", uuids[::-1])):
            seen: list[str] = []
            marker = None
            while True:
                page = self.db.vmove_list(notification_uuid=notification,
                                          sort_dir=sort_dir, limit=3,
                                          marker=marker)
                if not page:
                    break
                seen.extend(m.uuid for m in page)
                marker = page[-1].uuid
            self.assertEqual(expected, seen)

    def test_paging_on_a_nullable_key_with_ties(self) -> None:
        notification, uuids = self._vmoves(5)
        self.db.vmove_update(uuids[2], {"end_time": datetime.datetime(
            2026, 1, 2)})
        seen = []
        marker = None
        for _ in range(5):
            page = self.db.vmove_list(notification_uuid=notification,
                                      sort_key="end_time", sort_dir="asc",
                                      limit=2, marker=marker)
            seen.extend(m.uuid for m in page)
            if not page:
                break
            marker = page[-1].uuid
        self.assertEqual(uuids[:2] + uuids[3:] + [uuids[2]], seen)

    def test_paging_by_several_keys_with_ties(self) -> None:
        notification, uuids = self._vmoves(6)
        for index, uuid in enumerate(uuids):
            self.db.vmove_update(uuid, {
                "status": constants.SUCCEEDED if index % 2 else
                constants.FAILED,
                "end_time": None if index % 3 == 0 else
                datetime.datetime(2026, 1, 1 + index % 3)})
        rows = self.db.vmove_list(notification_uuid=notification)
        by_uuid = {m.uuid: m for m in rows}

        def order(move: Any) -> tuple[Any, ...]:
            end = move.end_time or datetime.datetime(1970, 1, 1)
            return (move.status, -end.timestamp(), move.id)
        expected = [m.uuid for m in sorted(rows, key=order)]
        for limit in (1, 2, 4):
            seen: list[str] = []
            marker = None
            while True:
                page = self.db.vmove_list(
                    notification_uuid=notification,
                    sort_key=("status", "end_time"),
                    sort_dir=("asc", "desc"), limit=limit, marker=marker)
                if not page:
                    break
                seen.extend(m.uuid for m in page)
                marker = page[-1].uuid
            self.assertEqual(expected, seen, (limit, by_uuid))
        # Keys without a direction take the first one.
        self.assertEqual(
            [m.uuid for m in sorted(rows, key=lambda m: (
                m.status, m.end_time or datetime.datetime(1970, 1, 1),
                m.id))],
            [m.uuid for m in self.db.vmove_list(
                notification_uuid=notification,
                sort_key=("status", "end_time"), sort_dir="asc")])

    def test_bad_several_sort_keys(self) -> None:
        for sort_key, sort_dir in ((("status", "status"), "asc"),
                                   (("status",), ("asc", "desc")),
                                   (("status", "end_time"), ("asc", "up")),
                                   ((), "asc")):
            self.assertRaises(exception.InvalidInput, self.db.vmove_list,
                              sort_key=sort_key, sort_dir=sort_dir)

    def test_bad_sort_and_marker(self) -> None:
        self.assertRaises(exception.InvalidInput, self.db.vmove_list,
                          sort_key="password")
        self.assertRaises(exception.InvalidInput, self.db.vmove_list,
                          sort_dir="sideways")
        self.assertRaises(exception.NotFound, self.db.vmove_list,
                          marker="no-such-vmove")

    def test_vmove_filters(self) -> None:
        notification, uuids = self._vmoves(3)
        self.db.vmove_update(uuids[1], {"status": constants.SUCCEEDED,
                                        "dest_host": "node9"})
        self.assertEqual([uuids[1]], [m.uuid for m in self.db.vmove_list(
            status=[constants.SUCCEEDED])])
        self.assertEqual([uuids[1]], [m.uuid for m in self.db.vmove_list(
            host="node9")])
        self.assertEqual([uuids[0]], [m.uuid for m in self.db.vmove_list(
            instance_uuid="inst-000")])
        self.assertEqual(3, len(self.db.vmove_list(host="node1")))

    def test_rows_leave_the_plan_out(self) -> None:
        """A page's rows hold every column but the engine's plan."""
        _, uuids = self._vmoves(1)
        self.db.vmove_update(uuids[0], {"plan": {"steps": ["evacuate"]}})
        row = self.db.vmove_list(rows=True)[0]
        self.assertNotIn("plan", row)
        self.assertEqual({c.name for c in models.VMove.__table__.c} -
                         {"plan"}, set(row))
        self.assertEqual({"steps": ["evacuate"]},
                         self.db.vmove_list()[0].plan)

    def test_a_string_is_one_value_of_a_many_valued_filter(self) -> None:
        """A lone string is one status or type, never its characters."""
        _, uuids = self._vmoves(2)
        self.db.vmove_update(uuids[1], {"status": constants.SUCCEEDED})
        self.assertEqual([uuids[1]], [m.uuid for m in self.db.vmove_list(
            status=constants.SUCCEEDED)])
        self.assertEqual([uuids[1]], [r["uuid"] for r in self.db.vmove_list(
            rows=True, status=constants.SUCCEEDED)])
        alert = self.db.alert_create("stale", "monitor", "m")
        self.db.alert_create("s", "monitor", "m")
        self.assertEqual([alert.uuid],
                         [a.uuid for a in self.db.alert_list(type="stale")])

    def test_unknown_marker_is_not_found_among_rows(self) -> None:
        self._vmoves(3)
        missing = "00000000-0000-0000-0000-000000000000"
        for lister in (self.db.vmove_list,
                       functools.partial(self.db.vmove_list, rows=True),
                       self.db.notification_list, self.db.alert_list):
            self.assertRaises(exception.NotFound, lister, marker=missing)

    def test_every_filter_shape_reads_what_it_names(self) -> None:
        """vmove_list, of entities and of rows, against a filter written
        in Python.

        Statements are built once per shape and reused with other values,
        so each shape runs with two sets of values.
        """
        first, _ = self._vmoves(0)
        second = self._notification("k2", "node2")
        statuses = (constants.PENDING, constants.SUCCEEDED, constants.FAILED)
        for index in range(6):
            self.db.vmoves_create((first, second)[index % 2], [{
                "instance_uuid": "inst-%d" % (index % 3),
                "source_host": "node%d" % (index % 2),
                "dest_host": "node%d" % (index % 3 + 1),
                "type": (constants.EVACUATION, constants.MIGRATION)[
                    index // 3],
                "status": statuses[index % 3]}])
            self.clock.advance(60)
        rows = self.db.vmove_list(rows=True, sort_dir="asc")
        start = datetime.datetime.fromisoformat(rows[0]["created_at"])
        values = [
            {"notification_uuid": first, "instance_uuid": "inst-1",
             "host": "node1", "type": constants.EVACUATION,
             "status": [constants.PENDING, constants.FAILED],
             "since": start + datetime.timedelta(seconds=60),
             "until": start + datetime.timedelta(seconds=300)},
            {"notification_uuid": second, "instance_uuid": "inst-2",
             "host": "node3", "type": constants.MIGRATION,
             "status": [constants.SUCCEEDED],
             "since": start, "until": start + datetime.timedelta(seconds=200)},
        ]
        tests = {
            "notification_uuid": lambda r, v: r["notification_uuid"] == v,
            "instance_uuid": lambda r, v: r["instance_uuid"] == v,
            "host": lambda r, v: v in (r["source_host"], r["dest_host"]),
            "type": lambda r, v: r["type"] == v,
            "status": lambda r, v: r["status"] in v,
            "since": lambda r, v: r["created_at"] >= v.isoformat(),
            "until": lambda r, v: r["created_at"] < v.isoformat(),
        }
        names = sorted(tests)
        for shape in range(2 ** len(names)):
            chosen = [n for bit, n in enumerate(names) if shape >> bit & 1]
            for given in values:
                filters = {name: given[name] for name in chosen}
                expected = [r["uuid"] for r in rows if all(
                    tests[name](r, given[name]) for name in chosen)]
                self.assertEqual(expected, [r["uuid"] for r in (
                    self.db.vmove_list(rows=True, sort_dir="asc",
                                       **filters))], filters)
                self.assertEqual(expected, [m.uuid for m in (
                    self.db.vmove_list(sort_dir="asc", **filters))], filters)

    def test_soft_delete_only_when_finished(self) -> None:
        _, uuids = self._vmoves(1)
        self.assertFalse(self.db.vmove_soft_delete(
            uuids[0], expected=constants.VMOVE_DONE_STATUSES))
        self.db.vmove_update(uuids[0], {"status": constants.FAILED})
        self.assertTrue(self.db.vmove_soft_delete(
            uuids[0], expected=constants.VMOVE_DONE_STATUSES))
        self.assertRaises(exception.NotFound, self.db.vmove_get, uuids[0])

    # -- steps ------------------------------------------------------------

    def test_steps_record_the_stages(self) -> None:
        _, uuids = self._vmoves(1)
        step = self.db.step_start(uuids[0], "EvacuateInstance",
                                  context={"target": "node2"})
        self.assertEqual("EvacuateInstance",
                         self.db.vmove_get(uuids[0]).current_step)
        self.clock.advance(3)
        self.db.step_finish(step.id, constants.SUCCEEDED, "accepted")
        (row,) = self.db.step_list(uuids[0])
        self.assertEqual((constants.SUCCEEDED, "accepted", {"target":
                                                            "node2"}),
                         (row.status, row.result, row.context))
        self.assertEqual(datetime.timedelta(seconds=3),
                         row.ended_at - row.started_at)

    # -- claims -----------------------------------------------------------

    def _begun(self, name: str = "evacuate") -> vmoves_db.StepWrite:
        return vmoves_db.StepWrite(name, 1, constants.ONGOING,
                                   self.clock.now())

    def test_take_bumps_the_generation_and_names_the_owner(self) -> None:
        uuid = self._notification()
        first = self.db.notification_take(uuid, "engine-a")
        second = self.db.notification_take(uuid, "engine-b")
        self.assertEqual(
            (notifications_db.Fence(uuid, "engine-a", 1),
             notifications_db.Fence(uuid, "engine-b", 2)), (first, second))
        row = self.db.notification_get(uuid)
        self.assertEqual((constants.NOTIFICATION_RUNNING, "engine-b", 2),
                         (row.status, row.owner, row.generation))
        self.assertTrue(second.holds(row))
        self.assertFalse(first.holds(row))
        self.db.notification_set_status(uuid, constants.NOTIFICATION_FAILED)
        self.assertIsNone(self.db.notification_take(uuid, "engine-c"))
        self.assertEqual(2, self.db.notification_get(uuid).generation)

    def test_journal_of_a_superseded_claim_is_refused(self) -> None:
        notification, uuids = self._vmoves(1)
        stale = self.db.notification_take(notification, "engine-a")
        assert stale is not None
        written, _ = self.db.step_journal(
            uuids[0], [self._begun()], {"status": constants.ONGOING},
            expected=(constants.PENDING,), fence=stale)
        self.assertTrue(written)
        self.db.notification_take(notification, "engine-b")
        error = self.assertRaises(
            exception.Superseded, self.db.step_journal, uuids[0],
            [self._begun("wait_moved")], {"message": "stale"}, fence=stale)
        self.assertIn("taken up by engine-b", str(error))
        self.assertEqual(["evacuate"],
                         [s.name for s in self.db.step_list(uuids[0])])
        self.assertIsNone(self.db.vmove_get(uuids[0]).message)

    def test_no_step_begins_on_a_final_vmove(self) -> None:
        _, uuids = self._vmoves(1)
        self.db.vmove_update(uuids[0], {"status": constants.SUCCEEDED})
        self.assertEqual((False, []), self.db.step_journal(
            uuids[0], [self._begun()]))
        ended = dataclasses.replace(self._begun(), status=constants.FAILED)
        self.assertTrue(self.db.step_journal(uuids[0], [ended])[0])
        self.assertEqual([constants.FAILED],
                         [s.status for s in self.db.step_list(uuids[0])])

    def test_journals_of_several_vmoves_in_one_transaction(self) -> None:
        notification, uuids = self._vmoves(3)
        other = self._notification("k2")
        (foreign,) = self.db.vmoves_create(other, [{
            "instance_uuid": "inst-x", "source_host": "node1",
            "type": constants.EVACUATION}])
        fence = self.db.notification_take(notification, "engine-a")
        stale = self.db.notification_take(other, "engine-a")
        assert fence is not None and stale is not None
        self.db.notification_take(other, "engine-b")
        self.db.vmove_update(uuids[1], {"status": constants.SUCCEEDED})
        claim = {"status": constants.ONGOING, "attempts": 1}
        write = step_journal_db.JournalWrite
        outcomes = self.db.step_journals([
            write(uuids[0], (self._begun(),), claim,
                  (constants.PENDING,), fence),
            # Final already: its test-and-set refuses, nothing of it goes.
            write(uuids[1], (self._begun(),), claim,
                  (constants.PENDING,), fence),
            write(foreign.uuid, (self._begun(),), claim,
                  (constants.PENDING,), stale),
            write(uuids[2], (self._begun(),), {"status": "bogus"}),
            write(uuids[2], (dataclasses.replace(
                self._begun("record"), status=constants.SUCCEEDED),
                self._begun()), claim, (constants.PENDING,), fence)])
        self.assertEqual(True, outcomes[0][0])
        self.assertEqual((False, []), outcomes[1])
        self.assertIsInstance(outcomes[2], exception.Superseded)
        self.assertIsInstance(outcomes[3], exception.InvalidInput)
        self.assertEqual(True, outcomes[4][0])
        self.assertIsNone(outcomes[4][1][0])
        self.assertEqual(
            [["evacuate"], [], [], ["record", "evacuate"]],
            [[s.name for s in self.db.step_list(u)]
             for u in (uuids[0], uuids[1], foreign.uuid, uuids[2])])
        self.assertEqual(
            [constants.ONGOING, constants.SUCCEEDED, constants.PENDING,
             constants.ONGOING],
            [self.db.vmove_get(u).status
             for u in (uuids[0], uuids[1], foreign.uuid, uuids[2])])

    def test_orphaned_steps_are_ended_saying_why(self) -> None:
        notification, uuids = self._vmoves(2)
        other, others = self._notification("k2"), []
        others = self.db.vmoves_create(other, [{
            "instance_uuid": "inst-x", "source_host": "node1",
            "type": constants.EVACUATION}])
        for uuid in uuids + [others[0].uuid]:
            self.db.step_journal(uuid, [self._begun()])
        self.db.vmove_update(uuids[0], {"status": constants.SUCCEEDED})
        self.assertEqual(2, self.db.steps_orphaned_close(
            notification, "engine a died"))
        self.assertEqual(
            [(constants.FAILED, "engine a died")] * 2 +
            [(constants.ONGOING, None)],
            [(s.status, s.result) for u in uuids + [others[0].uuid]
             for s in self.db.step_list(u)])

    def test_times_keep_microseconds(self) -> None:
        _, uuids = self._vmoves(1)
        self.clock.advance(0.123456)
        step = self.db.step_start(uuids[0], "EvacuateInstance")
        self.db.vmove_update(uuids[0], {"start_time": self.clock.now()})
        self.assertEqual(123456, self.db.step_list(uuids[0])[0]
                         .started_at.microsecond)
        self.assertEqual(123456, self.db.vmove_get(uuids[0])
                         .start_time.microsecond)
        self.assertIsNotNone(step.id)

    # -- hosts ------------------------------------------------------------

    def test_hosts_sync_creates_updates_deletes_restores(self) -> None:
        inventory = [{"name": "node1", "vcpus_total": 8},
                     {"name": "node2", "vcpus_total": 16}]
        self.assertEqual({"created": 2, "updated": 0, "deleted": 0},
                         self.db.hosts_sync(inventory))
        self.db.host_update("node1", {"role": constants.ROLE_STANDBY,
                                      "auto_evacuate": False})
        self.assertEqual({"created": 0, "updated": 1, "deleted": 1},
                         self.db.hosts_sync([{"name": "node1",
                                              "vcpus_total": 32}]))
        node1 = self.db.host_get("node1")
        self.assertEqual((32, constants.ROLE_STANDBY, False),
                         (node1.vcpus_total, node1.role, node1.auto_evacuate))
        self.assertRaises(exception.NotFound, self.db.host_get, "node2")
        self.db.hosts_sync(inventory)
        self.assertEqual(16, self.db.host_get("node2").vcpus_total)

    def test_instance_counts_set_apart_from_the_sync(self) -> None:
        self.db.hosts_sync([{"name": "node1", "vcpus_total": 8,
                             "instances_total": 5, "instances_running": 5},
                            {"name": "node2"}, {"name": "gone"}])
        self.db.hosts_sync([{"name": "node1", "vcpus_total": 8},
                            {"name": "node2"}])
        # A sync without counts keeps them.
        self.assertEqual(5, self.db.host_get("node1").instances_total)
        self.assertEqual(2, self.db.hosts_set_instance_counts(
            {"node2": (3, 1), "unknown": (9, 9)}))
        self.assertEqual(
            {"node1": (0, 0, 8), "node2": (3, 1, 0)},
            {r["name"]: (r["instances_total"], r["instances_running"],
                         r["vcpus_total"])
             for r in self.db.host_list(rows=True)})

    def test_hosts_sync_keeps_the_uuid_unless_given(self) -> None:
        self.db.hosts_sync([{"name": "node1", "uuid": HOST_UUIDS[0]},
                            {"name": "node2"}])
        self.assertEqual((HOST_UUIDS[0], None),
                         (self.db.host_get("node1").uuid,
                          self.db.host_get("node2").uuid))
        self.db.hosts_sync([{"name": "node1"},
                            {"name": "node2", "uuid": HOST_UUIDS[1]}])
        self.assertEqual(
            {"node1": HOST_UUIDS[0], "node2": HOST_UUIDS[1]},
            {r["name"]: r["uuid"] for r in self.db.host_list(rows=True)})

    def test_host_rows_are_the_live_hosts_columns(self) -> None:
        self.db.hosts_sync([{"name": "node2", "management_ip": "192.0.2.2"},
                            {"name": "node1", "vcpus_total": 8},
                            {"name": "gone"}])
        self.db.hosts_sync([{"name": "node2", "management_ip": "192.0.2.2"},
                            {"name": "node1", "vcpus_total": 8}])
        rows = self.db.host_list(rows=True)
        self.assertEqual(["node1", "node2"], [r["name"] for r in rows])
        self.assertEqual([h.as_dict() for h in self.db.host_list()],
                         [{k: (bool(v) if isinstance(v, int) and
                               k in ("deleted", "auto_evacuate",
                                     "maintenance", "forced_down") else v)
                           for k, v in row.items()} for row in rows])

    def test_host_update_validates(self) -> None:
        self.db.hosts_sync([{"name": "node1"}])
        self.assertRaises(exception.InvalidInput, self.db.host_update,
                          "node1", {"role": "captain"})
        self.assertRaises(exception.NotFound, self.db.host_update,
                          "node7", {"role": constants.ROLE_STANDBY})

    # -- alerts -----------------------------------------------------------

    def test_alerts_round_trip_newest_first_and_paged(self) -> None:
        first = self.db.alert_create(
            "mass_failure", "vmotiond-monitor.ctl", "2 of 3 hosts failing",
            hosts=["node1", "node2"], evidence={"failing": ["node1"]})
        self.clock.advance(1)
        second = self.db.alert_create(
            "notification_refused", "vmotiond-engine.ctl", "unknown host",
            host="node9", evidence={"publisher": "x"})
        rows = self.db.alert_list()
        self.assertEqual([second.uuid, first.uuid], [r.uuid for r in rows])
        self.assertEqual(["node1", "node2"], rows[1].hosts)
        self.assertEqual({"failing": ["node1"]}, rows[1].evidence)
        self.assertEqual(["node9"], rows[0].hosts)
        page = self.db.alert_list(limit=1, marker=second.uuid)
        self.assertEqual([first.uuid], [r.uuid for r in page])
        self.assertEqual([second.uuid],
                         [r.uuid for r in self.db.alert_list(host="node9")])
        self.assertEqual(first.uuid, self.db.alert_get(first.uuid).uuid)

    def test_alert_fields_are_bounded_to_their_columns(self) -> None:
        long = "h" * 5000
        row = self.db.alert_create("notification_refused" * 10, long,
                                   "m" * 70000, host=long,
                                   evidence={"x": long})
        stored = self.db.alert_get(row.uuid)
        self.assertEqual(255, len(stored.host))
        self.assertEqual(255, len(stored.source))
        self.assertLessEqual(len(stored.type), 64)
        self.assertLessEqual(len(stored.message), 1024)
