"""A host fails in the simulator: the engine hears it over RabbitMQ,
records it in MariaDB, fences the host and evacuates it over HTTP."""

import testtools

from tests.functional.engine import env
from vmotiond import constants
from vmotiond.sim import states


class HostFailureTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(env.EngineEnv(latency={
            "evacuate": 0.3, "host_update_lag": 0.05, "start": 0.1,
            "stop": 0.1}))
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        cloud.add_flavor("m1.large", 4, 8192, 80)
        for name in ("compute-a", "compute-b"):
            cloud.add_host(name)
        for name in ("standby-1", "standby-2"):
            cloud.add_host(name, role="standby")
        cloud.add_host(self.env.failed_host)
        self.servers = {}
        mix = [("active-%d" % i, states.ACTIVE) for i in range(6)] + [
            ("stopped", states.STOPPED), ("error", states.ERROR),
            ("paused", states.PAUSED), ("suspended", states.SUSPENDED),
            ("rescued", states.RESCUED), ("shelved", states.SHELVED)]
        for name, vm_state in mix:
            self.servers[name] = cloud.add_server(
                self.env.failed_host, "m1.small", name=name, vm_state=vm_state,
                floating_ip=True).id
        self.servers["opted-out"] = cloud.add_server(
            self.env.failed_host, "m1.small", name="opted-out",
            metadata={"vmotion:evacuate": "false"}).id
        self.servers["vip"] = cloud.add_server(
            self.env.failed_host, "m1.large", name="vip",
            metadata={"vmotion:priority": "10"}).id
        self.env.sync_hosts()

    def test_mixed_states_evacuated_standby_first(self):
        self.env.conf_fixture.set("workers", 4, "engine")
        engine = self.env.engine()
        self.env.sim.cloud.kill_host(self.env.failed_host)
        self.env.send_host_down(self.env.failed_host)
        note = self.env.wait_notification(self.env.failed_host)
        # The rescued instance runs, but not rescued: the recovery says so.
        self.assertEqual(constants.NOTIFICATION_FAILED, note.status,
                         note.message)
        self.assertEqual("10 succeeded, 1 failed, 3 ignored", note.message)
        moves = {v.instance_name: v for v in
                 self.env.db.vmove_list(notification_uuid=note.uuid)}
        moved = ["active-%d" % i for i in range(6)] + [
            "stopped", "paused", "suspended", "vip"]
        sim = self.env.sim.cloud
        for name in moved:
            move = moves[name]
            self.assertEqual(constants.SUCCEEDED, move.status,
                             "%s: %s" % (name, move.message))
            server = sim.state.servers[self.servers[name]]
            self.assertEqual(server.host, move.dest_host)
            self.assertTrue(move.dest_host.startswith("standby-"), name)
            self.assertEqual(1, sim.action_count(server.id, "evacuate"),
                             name)
            steps = self.env.db.step_list(move.uuid)
            self.assertIn("wait_moved", [s.name for s in steps])
            self.assertTrue(all(s.status == constants.SUCCEEDED
                                for s in steps), name)
        # Paused and suspended instances are put back in their state.
        for name, vm_state in (("paused", states.PAUSED),
                               ("suspended", states.SUSPENDED)):
            server = sim.state.servers[self.servers[name]]
            self.assertEqual(vm_state, server.vm_state, name)
            self.assertIn("status %s" % vm_state.upper(),
                          moves[name].message)
        rescued = moves["rescued"]
        self.assertEqual(constants.FAILED, rescued.status)
        self.assertIn("restore_state:RESCUE", rescued.message)
        self.assertIn("cannot put it back", rescued.message)
        server = sim.state.servers[self.servers["rescued"]]
        self.assertEqual((rescued.dest_host, states.ACTIVE),
                         (server.host, server.vm_state))
        # Power states kept: running ones run, the stopped one is stopped.
        self.assertEqual(states.ACTIVE,
                         sim.state.servers[self.servers["active-0"]].vm_state)
        self.assertEqual(states.STOPPED,
                         sim.state.servers[self.servers["stopped"]].vm_state)
        for name, text in (("error", "evacuate_error_instances"),
                           ("shelved", "shelved"),
                           ("opted-out", "opted out")):
            self.assertEqual(constants.IGNORED, moves[name].status)
            self.assertIn(text, moves[name].message)
        # Every vmove, ignored ones too, names its instance's project.
        self.assertEqual(
            {name: sim.state.servers[sid].project_id
             for name, sid in self.servers.items()},
            {name: move.project_id for name, move in moves.items()})
        self.assertNotIn(None, {move.project_id for move in moves.values()})
        # Fenced: forced down and disabled with a reason naming vmotiond.
        view = sim.host_view(self.env.failed_host)
        self.assertTrue(view["forced_down"])
        self.assertEqual("disabled", view["status"])
        self.assertIn("vmotiond", view["disabled_reason"])
        # The important instance is first in the plan, so dispatched first.
        self.assertEqual(0, moves["vip"].plan["order"])
        self.assertEqual(10, moves["vip"].priority)
        # Floating IPs still bound to the instances' ports.
        for name in moved[:-1] + ["rescued"]:     # vip has no floating IP
            ports = sim.state.ports_by_device[self.servers[name]]
            self.assertTrue(any(sim.state.fips_by_port.get(p.id)
                                for p in ports), name)
        engine.stop()

    def test_duplicate_notification_starts_nothing(self):
        self.env.engine()
        self.env.sim.cloud.kill_host(self.env.failed_host)
        self.env.send_host_down(self.env.failed_host)
        note = self.env.wait_notification(self.env.failed_host)
        self.env.send_host_down(self.env.failed_host)
        self.env.send_host_down(self.env.failed_host)
        for _ in range(100):
            rows = self.env.db.notification_list(host=self.env.failed_host)
            if len(rows) == 3:
                break
            import time
            time.sleep(0.05)
        dups = [r for r in rows if r.uuid != note.uuid]
        self.assertEqual(2, len(dups))
        for dup in dups:
            self.assertEqual(constants.NOTIFICATION_IGNORED, dup.status)
            self.assertIn(note.uuid, dup.message)
        for sid in self.servers.values():
            self.assertLessEqual(
                self.env.sim.cloud.action_count(sid, "evacuate"), 1)
