"""The split deployment recovers a host.

``vmotiond-sim`` serves a cloud; ``vmotiond-monitor``, ``vmotiond-engine``
and ``vmotiond-api`` run as three processes on one config file, against
real MariaDB, RabbitMQ and Redis. A host is killed with ``vmotiond-sim
ctl``; the REST API and Nova's API show every instance of it moved, in its
old power state, the standby host first.
"""

import signal
import time

from tests.functional.processes import cases

STANDBY = cases.STANDBY


class SplitDeploymentTest(cases.CloudTestCase):

    def test_split_processes_recover_a_killed_host(self):
        procs = {name: self.dep.start(name) for name in (
            "vmotiond-monitor", "vmotiond-engine", "vmotiond-api")}
        self.wait_started(procs["vmotiond-engine"])
        self.wait_started(procs["vmotiond-monitor"])
        # A write of vmotiond-manage goes to the engine over RabbitMQ.
        self.dep.manage("host", "set", STANDBY, "--role", "standby")
        self.assertEqual("standby", self.dep.api(
            "/v1/hosts/%s" % STANDBY)["host"]["role"])

        before = self.sim.servers()
        victim = self.choose_victim(before)
        moved = {sid: s.status for sid, s in before.items()
                 if s.compute_host == victim}
        self.assertIn("SHUTOFF", moved.values(), "the seed changed?")
        killed_at = time.monotonic()
        self.assertFalse(self.sim.ctl("kill", victim)["probe_reachable"])

        note = self.wait_notification_done(victim, 60)
        recovery_s = time.monotonic() - killed_at
        self.assertEqual("finished", note["status"], note["message"])

        uuid = note["notification_uuid"]
        masakari = self.dep.api("/v1/notifications/%s/vmoves" % uuid,
                                version="instance-ha 1.3")["vmoves"]
        ours = self.vmoves(uuid)
        self.assertEqual(sorted(v["uuid"] for v in masakari),
                         sorted(v["uuid"] for v in ours))
        by_instance = {v["instance_uuid"]: v for v in ours}
        self.assertEqual(sorted(moved), sorted(by_instance))
        after = self.sim.servers()
        for sid, status in moved.items():
            vmove = by_instance[sid]
            self.assertEqual(("evacuation", "succeeded", victim),
                             (vmove["type"], vmove["status"],
                              vmove["source_host"]), vmove)
            self.assertNotEqual(victim, vmove["dest_host"])
            self.assertEqual((vmove["dest_host"], status),
                             (after[sid].compute_host, after[sid].status),
                             "instance %s" % sid)
        # Standby first: the first vmove planned went to the standby host.
        first = min(ours, key=lambda v: v["id"])
        self.assertEqual(STANDBY, first["dest_host"], ours)
        self.assertLess(recovery_s, 60)

        # Each process stops on SIGTERM within shutdown_timeout, exit 0.
        for proc in procs.values():
            proc.signal(signal.SIGTERM)
        for name, proc in procs.items():
            self.assertEqual(0, proc.wait(10 + 15), proc.tail())
            self.assertNotIn("Traceback", proc.err() + proc.out(), name)
