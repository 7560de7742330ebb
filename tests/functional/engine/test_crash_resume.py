"""Kill the engine process mid-recovery, start another: the job finishes
and no instance is evacuated twice (the simulator counts the calls)."""

import signal
import time

import testtools

from tests.functional.engine import env
from vmotiond import constants

SERVERS = 24


class CrashResumeTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(env.EngineEnv(latency={
            "evacuate": 0.6, "host_update_lag": 0.05}))
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        for name in ("compute-a", "standby-1", "standby-2"):
            cloud.add_host(name, role="standby" if "standby" in name
                           else "normal")
        cloud.add_host(self.env.failed_host)
        failed = self.env.failed_host
        self.ids = [cloud.add_server(failed, "m1.small", name="vm-%02d" % i,
                                     floating_ip=i % 2 == 0).id
                    for i in range(SERVERS)]
        self.env.sync_hosts()

    def spawn(self):
        return self.env.spawn_engine(**{
            "engine.workers": 4, "engine.resume_interval": 1.0})

    def evacuations(self):
        sim = self.env.sim.cloud
        return [sim.action_count(sid, "evacuate", accepted=True)
                for sid in self.ids]

    def test_kill_mid_recovery_and_restart(self):
        first = self.spawn()
        self.env.sim.cloud.kill_host(self.env.failed_host)
        self.env.send_host_down(self.env.failed_host)
        deadline = time.monotonic() + 30
        while sum(self.evacuations()) < 6:
            self.assertLess(time.monotonic(), deadline, "no evacuation")
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait()
        partial = sum(self.evacuations())
        self.assertLess(partial, SERVERS, "killed too late to test resume")
        self.spawn()
        note = self.env.wait_notification(self.env.failed_host, timeout=90)
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        self.assertEqual([1] * SERVERS, self.evacuations())
        moves = self.env.db.vmove_list(notification_uuid=note.uuid)
        self.assertEqual(SERVERS, len(moves))
        for move in moves:
            self.assertEqual(constants.SUCCEEDED, move.status, move.message)
        self.assertTrue(any(m.attempts == 2 for m in moves),
                        "no vmove was resumed")
        sim = self.env.sim.cloud
        for sid in self.ids:
            self.assertNotEqual(self.env.failed_host,
                                sim.state.servers[sid].host)

