"""``vmotiond-manage`` end to end in one process: the engine behind the
in-process RPC transport, the fake cloud, SQLite."""

import contextlib
import dataclasses
import io
import json
import os

import fixtures
from oslo_config import cfg
import oslo_messaging

from tests.unit.engine import test_operations
from vmotiond import constants
from vmotiond import engine_client
from vmotiond import exception
from vmotiond.cloud import records as cloud_records
from vmotiond.cmd import manage
from vmotiond.cmd.manage import common


class ManageTestCase(test_operations.OperationsTestCase):

    def setUp(self):
        super().setUp()
        self.transport = oslo_messaging.get_rpc_transport(self.conf,
                                                          url="fake:/")
        self.addCleanup(self.transport.cleanup)
        self.mgr = self.make_manager(rpc_transport=self.transport)
        self.api = self.mgr.operations.operator
        self.conf_file = os.path.join(self.conf.state_path, "manage.conf")
        with open(self.conf_file, "w") as f:
            f.write("[DEFAULT]\nstate_path = %s\n[database]\nconnection = "
                    "%s\n[engine]\nrpc_ping_timeout = 0.5\n"
                    % (self.conf.state_path, self.db.url))
        self.useFixture(fixtures.MonkeyPatch(
            "vmotiond.cmd.manage.common.cloud_factory",
            lambda conf: self.cloud))
        self.useFixture(fixtures.MonkeyPatch(
            "vmotiond.cmd.manage.common.client_factory",
            lambda conf: engine_client.EngineClient(
                conf, transport=self.transport)))

    def start_engine(self):
        self.mgr.start()
        self.addCleanup(self.mgr.stop)

    def manage(self, *argv):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = manage.run(["--config-file", self.conf_file]
                              + list(argv), cfg.ConfigOpts())
        return code, out.getvalue()

    def manage_json(self, *argv):
        code, out = self.manage(*argv, "--format", "json")
        self.assertEqual(0, code, out)
        return json.loads(out)


class DbAndHostTest(ManageTestCase):

    def test_db_version_and_sync(self):
        code, out = self.manage("db", "version")
        self.assertEqual(0, code)
        self.assertNotIn("empty", out)
        code, out = self.manage("db", "sync")
        self.assertIn("Database schema is at revision", out)

    def test_host_sync_without_engine(self):
        self.cloud.add_host("new-host")
        counts = self.manage_json("host", "sync")
        self.assertEqual(1, counts["created"])
        self.assertEqual("new-host", self.db.host_get("new-host").name)

    def test_host_set_table_and_json(self):
        self.start_engine()
        code, out = self.manage("host", "set", "n1", "--role", "standby",
                                "--auto-evacuate", "off")
        self.assertEqual(0, code)
        self.assertIn("role normal -> standby", out)
        self.assertEqual("disabled", self.cloud.services["n1"].status)
        self.assertFalse(self.db.host_get("n1").auto_evacuate)
        data = self.manage_json("host", "set", "n1", "--role", "normal")
        self.assertEqual("normal", data["role"])
        self.assertIn("compute service enabled", data["changes"])

    def test_host_plan_matches_the_evacuation(self):
        self.cloud.capacities["sb1"] = dataclasses.replace(
            self.cloud.capacities["sb1"], memory_mb_total=3000)
        for i in range(4):
            self.add("vm%d" % i, metadata={"vmotion:priority": str(i % 2)})
        self.add("shelved", "SHELVED")
        self.add("huge", memory_mb=10 ** 6)
        calls = len(self.cloud.calls)
        plan = self.manage_json("host", "plan", "src")
        # No side effect: only reads.
        self.assertTrue(all(name.startswith("list_")
                            for name, _ in self.cloud.calls[calls:]))
        self.assertFalse(plan["complete"])
        unfit = [i["instance_name"] for i in plan["ignored"]
                 if i["would_not_fit"]]
        self.assertEqual(["huge"], unfit)
        self.assertEqual(["vm1", "vm3", "vm0", "vm2"],
                         [m["instance_name"] for m in plan["moves"]])
        self.assertEqual("standby", plan["moves"][0]["dest_role"])
        # Image-backed, no shared storage: each move says its disk is lost.
        self.assertIn("its disk was local to src", plan["moves"][0]["note"])
        code, text = self.manage("host", "plan", "src")
        self.assertIn("Moved, but (4):", text)
        self.assertIn("Would not fit anywhere (1)", text)
        self.assertIn("Per target:", text)
        # The evacuation then does what the plan said.
        uuid = self.notify(host="src")
        self.mgr.recovery.run(uuid)
        moves = self.vmoves(uuid)
        for move in plan["moves"]:
            self.assertEqual(move["dest_host"],
                             moves[move["instance_name"]].dest_host)
        self.assertEqual(constants.IGNORED, moves["huge"].status)

    def test_host_plan_says_no_image_service_once(self):
        for name in ("a", "b"):
            server = self.add(name)
            self.cloud.servers[server.id] = dataclasses.replace(
                self.cloud.servers[server.id], image_id="i-" + name)
        self.cloud.fail["get_image"] = [exception.CloudServiceMissing(
            service="image", call="get image", reason="no endpoint")]
        plan = self.manage_json("host", "plan", "src")
        note = ("images unread (no image service in the cloud): their "
                "property HA_Enabled and tags are not considered")
        self.assertEqual([note], plan["notes"])
        for move in plan["moves"]:
            self.assertNotIn("image service", move["note"] or "")
        self.cloud.fail["get_image"] = [exception.CloudServiceMissing(
            service="image", call="get image", reason="no endpoint")]
        code, text = self.manage("host", "plan", "src")
        self.assertEqual(1, text.count("no image service"))
        self.assertIn("Note: " + note, text)


class WritesTest(ManageTestCase):

    def test_drain_wait_and_tasks(self):
        self.start_engine()
        server = self.add("a")
        code, out = self.manage("host", "drain", "src", "--wait")
        self.assertEqual(0, code, out)
        self.assertIn("accepted; following it", out)
        self.assertIn("finished", out)
        self.assertEqual("sb1", self.host_of(server))
        tasks = self.manage_json("task", "list")
        self.assertEqual(1, len(tasks))
        self.assertEqual("HOST_DRAIN", tasks[0]["notification_type"])
        shown = self.manage_json("task", "show", tasks[0]["uuid"])
        self.assertEqual(["record_floating_ips", "live_migrate",
                          "wait_moved", "check_floating_ips"],
                         [s["name"] for s in shown["steps"]])
        code, text = self.manage("task", "show", tasks[0]["uuid"])
        self.assertIn("live_migrate", text)
        code, text = self.manage("task", "list", "--status", "succeeded")
        self.assertIn("HOST_DRAIN", text)
        deleted = self.manage_json("task", "delete", tasks[0]["uuid"])
        self.assertTrue(deleted["deleted"])
        self.assertEqual([], self.manage_json("task", "list"))

    def test_migrate_reset_abort_json(self):
        self.start_engine()
        a = self.add("a")
        b = self.add("b", "ERROR")
        note = self.manage_json("instance", "migrate", a.id, "--to", "n2",
                                "--cold")
        self.assertEqual("CUSTOM_MIGRATION", note["type"])
        self.assertEqual("n2", self.host_of(a))
        code, out = self.manage("instance", "reset-state", b.id, "--state",
                                "active", "--wait", "--format", "json")
        self.assertEqual(0, code)
        self.assertEqual("finished", json.loads(out)["notification"][
            "status"])
        self.assertEqual("active", self.cloud.servers[b.id].vm_state)
        new = self.db.notification_create(constants.HOST_DRAIN, "src",
                                          "d-1", {"host": "src"})
        code, out = self.manage("notification", "abort", new.uuid)
        self.assertIn("aborted", out)
        self.assertEqual(constants.NOTIFICATION_ABORTED,
                         self.db.notification_get(new.uuid).status)

    def test_move_back_dry_run_then_real(self):
        self.start_engine()
        a = self.add("a")
        self.mgr.recovery.run(self.notify(host="src"))
        self.db.host_update("src", {"monitor_state": "recovered"})
        calls = len(self.cloud.calls)
        plan = self.manage_json("host", "move-back", "src", "--dry-run")
        self.assertIsNone(plan["blocked"])
        self.assertEqual(["a"], [m["instance_name"] for m in plan["moves"]])
        self.assertTrue(plan["fence"]["forced_down"])
        self.assertFalse(any(n.endswith("_service") or n.startswith("live")
                             for n, _ in self.cloud.calls[calls:]))
        code, out = self.manage("host", "move-back", "src", "--wait")
        self.assertEqual(0, code, out)
        self.assertEqual("src", self.host_of(a))

    def test_no_engine_one_line_and_nothing_done(self):
        self.add("a")
        err = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch(
            "sys.argv", ["vmotiond-manage", "--config-file", self.conf_file,
                         "host", "drain", "src"]))
        with contextlib.redirect_stderr(err):
            code = manage.main()
        self.assertEqual(1, code)
        lines = err.getvalue().strip().splitlines()
        self.assertEqual(1, len(lines), lines)
        self.assertIn("no vmotiond engine answered", lines[0])
        self.assertIn("nothing was done", lines[0])
        self.assertEqual([], self.db.notification_list())
        self.assertEqual("enabled", self.cloud.services["src"].status)

    def test_refusal_is_one_line(self):
        self.start_engine()
        err = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch(
            "sys.argv", ["vmotiond-manage", "--config-file", self.conf_file,
                         "instance", "migrate", "nope", "--to", "n1"]))
        with contextlib.redirect_stderr(err):
            self.assertEqual(1, manage.main())
        self.assertIn("Instance nope could not be found", err.getvalue())


class TableTest(test_operations.base.EngineTestCase):

    def test_table(self):
        text = common.table([("a", None, True), ("long-value", 2, False)],
                            ("x", "y", "z"))
        lines = text.splitlines()
        self.assertEqual("x           y  z", lines[0])
        self.assertEqual("a           -  on", lines[2])
        self.assertEqual("long-value  2  off", lines[3])


class CapacityCheckTest(ManageTestCase):

    def test_names_the_hosts_whose_loss_would_not_fit(self):
        for i in range(3):
            self.add("vm%d" % i)
        self.add("huge", memory_mb=10 ** 6)
        self.add("small", host="n1")
        calls = len(self.cloud.calls)
        code, out = self.manage("capacity", "check", "--format", "json")
        # Only reads, each once, whatever the number of hosts.
        names = [name for name, _ in self.cloud.calls[calls:]]
        self.assertTrue(all(n.startswith("list_") for n in names), names)
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(1, code)
        view = json.loads(out)
        self.assertEqual(["src"], view["unabsorbable"])
        self.assertEqual("src", view["largest_host"])
        self.assertFalse(view["survives_largest"])
        hosts = {h["host"]: h for h in view["hosts"]}
        self.assertEqual(["huge"], [i["instance_name"]
                                    for i in hosts["src"]["unplaced"]])
        # Each verdict is the one of the evacuation plan of that host.
        for name, host in hosts.items():
            plan = self.manage_json("host", "plan", name)
            self.assertEqual(plan["complete"], host["absorbable"], name)
        code, text = self.manage("capacity", "check")
        self.assertEqual(1, code)
        self.assertIn("could not be absorbed: src.", text)
        self.assertIn("its loss could NOT be absorbed", text)
        # The engine answers the same over RPC (the API's source).
        self.start_engine()
        client = common.client_factory(self.conf)
        answer = client.call(engine_client.CAPACITY_CHECK)
        self.assertEqual(view["hosts"], answer["hosts"])

    def test_everything_absorbable_exits_zero(self):
        self.add("vm0")
        code, text = self.manage("capacity", "check")
        self.assertEqual(0, code, text)
        self.assertIn("The loss of any single host could be absorbed.", text)
        self.assertIn("Largest host (most RAM to move): src", text)


class HaTest(ManageTestCase):
    """``ha pause|resume|status``, with no engine running."""

    def test_global_pause_status_resume(self):
        code, out = self.manage("ha", "status")
        self.assertIn("nothing is paused", out)
        code, out = self.manage("ha", "pause", "--reason", "power work")
        self.assertEqual(0, code)
        self.assertIn("HA paused over every host", out)
        self.assertEqual({"scope": "*", "changed": False},
                         self.manage_json("ha", "pause"))
        status = self.manage_json("ha", "status")["paused"]
        self.assertEqual([("global", None, "power work")],
                         [(p["scope"], p["aggregate"], p["reason"])
                          for p in status])
        code, out = self.manage("ha", "resume")
        self.assertIn("HA resumed over every host", out)
        self.assertEqual([], self.db.ha_pauses())
        code, out = self.manage("ha", "resume")
        self.assertIn("was not paused", out)

    def test_aggregate_pause_checked_against_nova(self):
        self.cloud.aggregates = [cloud_records.Aggregate(
            id="1", name="rack-a", hosts=("n1",))]
        self.manage("ha", "pause", "--aggregate", "rack-a")
        code, out = self.manage("ha", "status")
        self.assertIn("rack-a", out)
        self.assertEqual(["rack-a"],
                         [p.scope for p in self.db.ha_pauses()])
        error = self.assertRaises(exception.InvalidInput, self.manage,
                                  "ha", "pause", "--aggregate", "rack-b")
        self.assertIn("no host aggregate rack-b in Nova", str(error))
        self.assertEqual(["rack-a"],
                         [p.scope for p in self.db.ha_pauses()])
        self.assertEqual({"scope": "rack-a", "changed": True},
                         self.manage_json("ha", "resume", "--aggregate",
                                          "rack-a"))
