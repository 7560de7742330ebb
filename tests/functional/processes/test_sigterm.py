"""SIGTERM during a recovery: the all-in-one ``vmotiond`` exits 0 in time;
the next start resumes the vmoves left ``ongoing`` and Nova is asked to
evacuate each instance once."""

import signal
import time

from tests.functional.processes import cases

EVACUATE_S = 5          # simulated duration of one evacuation
SHUTDOWN_TIMEOUT = 10   # [DEFAULT] shutdown_timeout of Deployment
MARGIN = 10


class SigtermDuringRecoveryTest(cases.CloudTestCase):

    def ongoing_and_accepted(self):
        """The ongoing vmoves once Nova accepted the evacuation of one."""
        ongoing = self.dep.api("/v1/vmoves?status=ongoing")["vmoves"]
        counts = self.sim.control("GET", "/counts")
        if any(counts.get(v["instance_uuid"], {}).get("evacuate", {})
               .get("accepted") for v in ongoing):
            return ongoing
        return None

    def test_sigterm_mid_recovery_then_restart_resumes(self):
        first = self.dep.start("vmotiond")
        self.wait_started(first)
        self.dep.manage("host", "set", cases.STANDBY, "--role", "standby")
        self.sim.ctl("latency", "evacuate", str(EVACUATE_S))
        servers = self.sim.servers()
        victim = self.choose_victim(servers)
        moved = {sid: s.status for sid, s in servers.items()
                 if s.compute_host == victim}
        self.sim.ctl("kill", victim)

        ongoing = self.wait(self.ongoing_and_accepted, 60,
                            "a vmove ongoing, its evacuation accepted")
        first.signal(signal.SIGTERM)
        asked = time.monotonic()
        self.assertEqual(0, first.wait(SHUTDOWN_TIMEOUT + MARGIN),
                         first.tail())
        stop_s = time.monotonic() - asked
        self.assertNotIn("Traceback", first.out() + first.err())
        left = [v for v in self.dep.db.database.vmove_list()
                if v.status == "ongoing"]
        self.assertTrue(left, "SIGTERM came too late to test a resume: %s"
                        % [(v.status, v.message) for v in
                           self.dep.db.database.vmove_list()])
        # Nova already runs the evacuation of (at least) one of them: the
        # next start must wait for it, not ask again.
        counts = self.sim.control("GET", "/counts")
        self.assertTrue(any(
            counts.get(v.instance_uuid, {}).get("evacuate", {})
            .get("accepted") == 1 for v in left),
            "no vmove left ongoing had its evacuation accepted by Nova")

        second = self.dep.start("vmotiond")
        self.wait_started(second)
        note = self.wait_notification_done(victim, 60)
        self.assertEqual("finished", note["status"], note["message"])
        # The monitor started again may report the host once more: the
        # engine records that as a duplicate and moves nothing for it.
        for other in self.dep.api("/v1/notifications")["notifications"]:
            if other["notification_uuid"] != note["notification_uuid"]:
                self.assertEqual("ignored", other["status"], other)
                self.assertEqual([], self.vmoves(
                    other["notification_uuid"]))
        vmoves = self.vmoves(note["notification_uuid"])
        self.assertEqual(sorted(moved),
                         sorted(v["instance_uuid"] for v in vmoves))
        self.assertEqual([], [v for v in vmoves
                              if v["status"] != "succeeded"])
        self.assertEqual([], self.dep.api("/v1/vmoves?status=ongoing")
                         ["vmoves"])
        self.assertTrue({v["uuid"] for v in ongoing}
                        <= {v["uuid"] for v in vmoves})
        counts = self.sim.control("GET", "/counts")
        self.assertEqual({sid: 1 for sid in moved},
                         {sid: counts.get(sid, {}).get("evacuate", {})
                          .get("accepted") for sid in moved})
        after = self.sim.servers()
        for sid, status in moved.items():
            self.assertNotEqual(victim, after[sid].compute_host)
            self.assertEqual(status, after[sid].status, sid)
        self.assertLess(stop_s, SHUTDOWN_TIMEOUT + MARGIN)

        second.signal(signal.SIGTERM)
        self.assertEqual(0, second.wait(SHUTDOWN_TIMEOUT + MARGIN),
                         second.tail())
