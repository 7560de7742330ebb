"""``vmotiond-manage`` against an engine over real RabbitMQ, the simulator
over HTTP and MariaDB: drain, custom batch, move-back, release, no
engine.

Each test has its own RPC topic (and notification topic), so tests running
in parallel never take each other's requests.
"""

import contextlib
import io
import json
import os
import time
import uuid

import fixtures
from oslo_config import cfg
import oslo_messaging
import testtools

from tests.fixtures import rabbit
from tests.functional.engine import env as env_mod
from vmotiond import constants
from vmotiond.cmd import manage
from vmotiond.engine import manager
from vmotiond.sim import states


class ManageOverRabbitTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(env_mod.EngineEnv(latency={
            "evacuate": 0.2, "live_migrate": 0.2, "migrate": 0.2,
            "host_update_lag": 0.05, "start": 0.05, "stop": 0.05,
            "pause": 0.05, "suspend": 0.05, "resume": 0.05}))
        self.topic = "vmotiond_rpc_%s" % uuid.uuid4().hex[:8]
        self.env.conf_fixture.set("rpc_topic", self.topic, "engine")
        self.env.conf_fixture.set("rpc_ping_timeout", 2.0, "engine")
        self.addCleanup(rabbit.delete_rpc_queues, self.topic,
                        self.env.conf.host)
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        for name in ("compute-a", "compute-b"):
            cloud.add_host(name)
        cloud.add_host("standby-1", role="standby")
        self.host = self.env.failed_host
        cloud.add_host(self.host)
        tmp = self.useFixture(fixtures.TempDir()).path
        self.conf_file = os.path.join(tmp, "manage.conf")
        with open(self.conf_file, "w") as f:
            f.write("[DEFAULT]\ntransport_url = %s\nstate_path = %s\n"
                    "[database]\nconnection = %s\n[engine]\nrpc_topic = %s\n"
                    "rpc_ping_timeout = 2\n"
                    % (rabbit.RABBIT_URL, tmp, self.env.db.url, self.topic))
        self.useFixture(fixtures.MonkeyPatch(
            "vmotiond.cmd.manage.common.cloud_factory",
            lambda conf: self.env.cloud()))

    def engine(self):
        rpc_transport = oslo_messaging.get_rpc_transport(
            self.env.conf, url=rabbit.RABBIT_URL)
        self.addCleanup(rpc_transport.cleanup)
        mgr = manager.EngineManager(self.env.conf, self.env.db,
                                    self.env.cloud(),
                                    transport=self.env.transport,
                                    rpc_transport=rpc_transport)
        mgr.start()
        self.addCleanup(mgr.stop)
        return mgr

    def manage(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = manage.run(["--config-file", self.conf_file]
                                  + list(argv), cfg.ConfigOpts())
            except Exception as exc:     # what main() turns into one line
                return 1, out.getvalue(), str(exc)
        return code, out.getvalue(), err.getvalue()

    def boot(self, name, host=None, vm_state=states.ACTIVE):
        return self.env.sim.cloud.add_server(
            host or self.host, "m1.small", name=name, vm_state=vm_state,
            floating_ip=True).id

    def where(self, server_id):
        return self.env.sim.cloud.state.servers[server_id].host

    def test_drain_empties_host_standby_first(self):
        ids = [self.boot("run-%d" % i) for i in range(2)]
        ids.append(self.boot("stopped", vm_state=states.STOPPED))
        self.env.sync_hosts()
        self.engine()
        code, out, err = self.manage("host", "drain", self.host, "--wait",
                                     "--wait-timeout", "60")
        self.assertEqual(0, code, out + err)
        self.assertIn("finished", out)
        self.assertEqual([], [s for s in self.env.sim.cloud.state.servers
                              .values() if s.host == self.host])
        # standby-1 (32 vCPUs, 128 GB) takes all three.
        self.assertEqual({"standby-1"}, {self.where(i) for i in ids})
        sim = self.env.sim.cloud
        self.assertEqual(states.STOPPED, sim.state.servers[ids[2]].vm_state)
        self.assertEqual(1, sim.action_count(ids[0], "os-migrateLive"))
        self.assertEqual(1, sim.action_count(ids[2], "migrate"))
        note = self.env.db.notification_list(type=constants.HOST_DRAIN)[0]
        moves = self.env.db.vmove_list(notification_uuid=note.uuid)
        self.assertEqual({constants.SUCCEEDED}, {m.status for m in moves})

    def test_custom_batch_lands_where_asked(self):
        ids = [self.boot("a"), self.boot("b", host="compute-a"),
               self.boot("stopped", vm_state=states.STOPPED)]
        rescued = self.boot("rescued", vm_state=states.RESCUED)
        self.env.sync_hosts()
        self.engine()
        code, out, err = self.manage(
            "instance", "migrate", *(ids + [rescued]), "--to", "compute-b",
            "--wait", "--format", "json")
        self.assertEqual(0, code, out + err)
        data = json.loads(out)
        self.assertEqual("finished", data["notification"]["status"])
        moves = {m["instance_name"]: m for m in data["vmoves"]}
        for sid in ids:
            self.assertEqual("compute-b", self.where(sid))
        self.assertEqual(constants.IGNORED, moves["rescued"]["status"])
        self.assertIn("RESCUE", moves["rescued"]["message"])
        self.assertEqual(self.host, self.where(rescued))
        self.assertEqual(0, self.env.sim.cloud.action_count(
            rescued, "migrate"))
        # Validation before acting: an unknown target starts nothing.
        before = len(self.env.db.notification_list())
        code, out, err = self.manage("instance", "migrate", ids[0], "--to",
                                     "no-such-host")
        self.assertEqual(1, code)
        self.assertIn("unknown to Nova", err)
        self.assertEqual(before, len(self.env.db.notification_list()))

    def test_move_back_returns_exactly_the_ones_still_there(self):
        names = ("stay-run", "stay-stopped", "moved", "deleted", "changed")
        ids = {n: self.boot(n, vm_state=states.STOPPED if n.endswith(
            "stopped") else states.ACTIVE) for n in names}
        self.env.sync_hosts()
        self.engine()
        sim = self.env.sim.cloud
        sim.kill_host(self.host)
        self.env.send_host_down(self.host)
        note = self.env.wait_notification(self.host)
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        sim.revive_host(self.host)
        # Since the evacuation: one moved elsewhere, one deleted, one
        # stopped (by the operator, through Nova).
        code, out, err = self.manage("instance", "migrate", ids["moved"],
                                     "--to", "compute-b", "--wait")
        self.assertEqual(0, code, out + err)
        cloud = self.env.cloud()
        cloud.conn.compute.delete_server(ids["deleted"])
        cloud.stop_server(ids["changed"])
        self.env.db.host_update(self.host, {"monitor_state":
                                            constants.HOST_RECOVERED})
        code, out, err = self.manage("host", "move-back", self.host,
                                     "--dry-run", "--format", "json")
        self.assertEqual(0, code, err)
        plan = json.loads(out)
        self.assertEqual({"stay-run", "stay-stopped"},
                         {m["instance_name"] for m in plan["moves"]})
        code, out, err = self.manage("host", "move-back", self.host,
                                     "--wait", "--format", "json")
        data = json.loads(out)
        self.assertEqual("finished", data["notification"]["status"],
                         data["notification"]["message"])
        moves = {m["instance_name"]: m for m in data["vmoves"]}
        for name in ("stay-run", "stay-stopped"):
            self.assertEqual(constants.SUCCEEDED, moves[name]["status"])
            self.assertEqual(self.host, self.where(ids[name]))
        self.assertEqual(constants.LIVE_MIGRATION, moves["stay-run"]["type"])
        self.assertEqual(constants.MIGRATION, moves["stay-stopped"]["type"])
        for name, text in (("moved", "moved since"), ("deleted", "deleted"),
                           ("changed", "changed state")):
            self.assertEqual(constants.IGNORED, moves[name]["status"], name)
            self.assertIn(text, moves[name]["message"])
        self.assertEqual("compute-b", self.where(ids["moved"]))
        view = sim.host_view(self.host)
        self.assertFalse(view["forced_down"])
        self.assertEqual("enabled", view["status"])

    def test_paused_and_suspended_through_evacuation_and_move_back(self):
        ids = {name: self.boot(name, vm_state=vm_state)
               for name, vm_state in (("paused", states.PAUSED),
                                      ("suspended", states.SUSPENDED))}
        self.env.sync_hosts()
        self.engine()
        sim = self.env.sim.cloud
        sim.kill_host(self.host)
        self.env.send_host_down(self.host)
        note = self.env.wait_notification(self.host)
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        for name, sid in ids.items():
            server = sim.state.servers[sid]
            self.assertEqual(("standby-1", name),
                             (server.host, server.vm_state))
        sim.revive_host(self.host)
        self.env.db.host_update(self.host, {"monitor_state":
                                            constants.HOST_RECOVERED})
        code, out, err = self.manage("host", "move-back", self.host,
                                     "--wait", "--format", "json")
        data = json.loads(out)
        self.assertEqual("finished", data["notification"]["status"],
                         data["notification"]["message"])
        for name, sid in ids.items():
            server = sim.state.servers[sid]
            self.assertEqual((self.host, name),
                             (server.host, server.vm_state))
        self.assertEqual(1, sim.action_count(ids["suspended"], "resume"))
        self.assertEqual(2, sim.action_count(ids["suspended"], "suspend"))

    def test_failed_recovery_then_release(self):
        server_id = self.boot("a")
        self.env.sync_hosts()
        self.env.conf_fixture.set("api_retries", 0, "cloud")
        self.env.conf_fixture.set("step_retries", 0, "engine")
        self.engine()
        sim = self.env.sim.cloud
        sim.add_fault("compute.action.evacuate", "http_500")
        sim.kill_host(self.host)
        self.env.send_host_down(self.host)
        note = self.env.wait_notification(self.host)
        self.assertEqual(constants.NOTIFICATION_FAILED, note.status,
                         note.message)
        db = self.env.db
        # The standby host received nothing: it is a standby host again.
        self.assertEqual("disabled", sim.host_view("standby-1")["status"])
        self.assertEqual(constants.ROLE_STANDBY,
                         db.host_get("standby-1").role)
        # The hosts table shows the fence as soon as it is made.
        row = db.host_get(self.host)
        self.assertEqual((True, "disabled"),
                         (row.forced_down, row.service_status))
        # Nothing to move back, so only a release lifts the fence.
        code, out, err = self.manage("host", "move-back", self.host)
        self.assertEqual(1, code)
        self.assertIn("no ended evacuation", err)
        code, out, err = self.manage("host", "release", self.host, "--wait",
                                     "--format", "json")
        self.assertEqual(0, code, out + err)
        data = json.loads(out)
        self.assertEqual((constants.HOST_RELEASE, "finished"),
                         (data["notification"]["type"],
                          data["notification"]["status"]),
                         data["notification"]["message"])
        self.assertIn("compute service enabled",
                      data["notification"]["message"])
        view = sim.host_view(self.host)
        self.assertEqual((False, "enabled"),
                         (view["forced_down"], view["status"]))
        row = db.host_get(self.host)
        self.assertEqual((False, "enabled", None),
                         (row.forced_down, row.service_status,
                          row.disabled_reason))
        self.assertEqual(self.host, self.where(server_id))
        # Recorded, and not repeated: a released host has no fence.
        self.assertEqual(1, len(db.notification_list(
            type=constants.HOST_RELEASE)))
        code, out, err = self.manage("host", "release", self.host)
        self.assertEqual(1, code)
        self.assertIn("not fenced by vmotiond", err)

    def wait_vmove(self, uuid, statuses=constants.VMOVE_DONE_STATUSES,
                   timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.env.db.vmove_get(uuid)
            if row.status in statuses:
                return row
            time.sleep(0.05)
        raise AssertionError("vmove %s is still %s" % (uuid, row.status))

    def plan_of(self, vmove_uuid):
        """The steps of the vmove's plan (data API)."""
        return self.env.db.vmove_get(vmove_uuid).plan["steps"]

    def test_redo_runs_the_steps_of_todays_configuration(self):
        # Issue 15, point 2: the step list is not frozen at planning time.
        server_id = self.boot("a")
        self.env.sync_hosts()
        self.env.conf_fixture.set("api_retries", 0, "cloud")
        self.env.conf_fixture.set("step_retries", 0, "engine")
        self.env.conf_fixture.set("floating_ip_steps", False, "engine")
        first = self.engine()
        sim = self.env.sim.cloud
        sim.add_fault("compute.action.evacuate", "http_500")
        sim.kill_host(self.host)
        self.env.send_host_down(self.host)
        note = self.env.wait_notification(self.host)
        self.assertEqual(constants.NOTIFICATION_FAILED, note.status,
                         note.message)
        move, = self.env.db.vmove_list(notification_uuid=note.uuid)
        self.assertEqual(constants.FAILED, move.status)
        self.assertEqual(["evacuate", "wait_moved", "start"],
                         self.plan_of(move.uuid))
        # The operator turns the floating-IP steps on and restarts.
        first.stop()
        sim.clear_faults()
        self.env.conf_fixture.set("floating_ip_steps", True, "engine")
        self.engine()
        code, out, err = self.manage("task", "redo", move.uuid)
        self.assertEqual(0, code, out + err)
        move = self.wait_vmove(move.uuid)
        self.assertEqual(constants.SUCCEEDED, move.status, move.message)
        full = ["record_floating_ips", "evacuate", "wait_moved", "start",
                "rebind_floating_ips", "check_floating_ips"]
        self.assertEqual(full, self.plan_of(move.uuid))
        ran = {s.name: s.status for s in self.env.db.step_list(move.uuid)}
        for step in full:
            self.assertEqual(constants.SUCCEEDED, ran.get(step), step)
        self.assertEqual("standby-1", self.where(server_id))
        ports = sim.state.ports_by_device[server_id]
        self.assertTrue(any(sim.state.fips_by_port.get(p.id)
                            for p in ports))
        self.assertEqual(constants.NOTIFICATION_FINISHED,
                         self.env.wait_notification(self.host).status)

    def test_failed_evacuations_leave_the_standby_host_standby(self):
        # Issue 15, point 8: every evacuation to the standby host it
        # opened ends in ERROR (the rebuild fails there, as in Nova the
        # instances stay on the failed host): it is closed again.
        ids = [self.boot("a"), self.boot("b")]
        self.env.sync_hosts()
        self.env.conf_fixture.set("step_retries", 0, "engine")
        self.engine()
        sim = self.env.sim.cloud
        sim.add_fault("evacuate", "error_state")
        sim.kill_host(self.host)
        self.env.send_host_down(self.host)
        note = self.env.wait_notification(self.host)
        self.assertEqual(constants.NOTIFICATION_FAILED, note.status,
                         note.message)
        moves = self.env.db.vmove_list(notification_uuid=note.uuid)
        self.assertEqual({constants.FAILED}, {m.status for m in moves})
        for server_id in ids:
            # Sent to the standby host, which was opened for it.
            migration, = sim.state.migrations_by_server[server_id]
            self.assertEqual(("standby-1", "failed"),
                             (migration.dest_compute, migration.status))
            server = sim.state.servers[server_id]
            self.assertEqual((self.host, states.ERROR),
                             (server.host, server.vm_state))
        view = sim.host_view("standby-1")
        self.assertEqual("disabled", view["status"])
        self.assertEqual(constants.ROLE_STANDBY,
                         self.env.db.host_get("standby-1").role)

    def test_no_engine_fails_with_one_line_and_does_nothing(self):
        self.boot("a")
        self.env.sync_hosts()
        code, out, err = self.manage("host", "drain", self.host)
        self.assertEqual(1, code)
        self.assertIn("no vmotiond engine answered", err)
        self.assertIn("nothing was done", err)
        self.assertEqual([], self.env.db.notification_list())
        # Reads work without an engine.
        code, out, err = self.manage("host", "plan", self.host)
        self.assertEqual(0, code, err)
        self.assertIn("standby-1", out)
