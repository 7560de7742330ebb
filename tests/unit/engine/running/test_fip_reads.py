"""Floating IPs of landed instances' ports, read together when they meet."""

import threading

import testtools

from vmotiond import exception
from vmotiond.cloud import records
from vmotiond.engine.running import fip_reads


class SlowCloud:
    """The first list call waits until released."""

    def __init__(self, fail=False):
        self.calls = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail = fail

    def list_floating_ips(self, port_ids=None):
        if not self.entered.is_set():
            self.entered.set()
            self.release.wait(10)
        self.calls.append(list(port_ids))
        if self.fail and len(self.calls) > 1:
            raise exception.CloudError(reason="neutron down")
        return [records.FloatingIp("fip-" + p, "10.0.0.1", p, "192.0.2.1")
                for p in port_ids]


class FipReadsTest(testtools.TestCase):

    def run_together(self, cloud, ports):
        reads = fip_reads.FipReads(cloud)
        results = {}

        def read(port):
            try:
                results[port] = reads.of_ports([port])
            except Exception as exc:
                results[port] = exc

        first = threading.Thread(target=read, args=(ports[0],))
        first.start()
        self.assertTrue(cloud.entered.wait(10))
        others = [threading.Thread(target=read, args=(p,))
                  for p in ports[1:]]
        for thread in others:
            thread.start()
        for _ in range(10000):   # up to 10 s on a loaded machine
            if reads._reads.waiting() == len(others):
                break
            threading.Event().wait(0.001)
        cloud.release.set()
        for thread in [first] + others:
            thread.join(10)
        return results

    def test_reads_that_wait_go_together_each_gets_its_own(self):
        cloud = SlowCloud()
        results = self.run_together(cloud, ["p1", "p2", "p3"])
        self.assertEqual([["p1"], ["p2", "p3"]], cloud.calls)
        self.assertEqual({p: ["fip-" + p] for p in ("p1", "p2", "p3")},
                         {p: [f.id for f in r] for p, r in results.items()})

    def test_a_failed_read_fails_the_reads_it_carried(self):
        cloud = SlowCloud(fail=True)
        results = self.run_together(cloud, ["p1", "p2", "p3"])
        self.assertEqual(["fip-p1"], [f.id for f in results["p1"]])
        self.assertIsInstance(results["p2"], exception.CloudError)
        self.assertIsInstance(results["p3"], exception.CloudError)

    def test_no_port_no_call(self):
        cloud = SlowCloud()
        self.assertEqual([], fip_reads.FipReads(cloud).of_ports([]))
        self.assertEqual([], cloud.calls)
