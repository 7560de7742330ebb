"""The tcp probe against a "host" in its own network namespace."""

import os
import shutil
import subprocess
import sys
import uuid

import testtools

from vmotiond.monitor import records as r

_PROBE_SNIPPET = """
import sys
from vmotiond.monitor import probe
print(probe.TcpProbe([int(sys.argv[2])], float(sys.argv[3])).check(
    "h", sys.argv[1]))
"""

_SERVE_SNIPPET = """
import socket, sys
s = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
print("ready", flush=True)
sys.stdin.read()
"""


class TcpProbeNamespaceTest(testtools.TestCase):
    """A "host" in its own network namespace, probed from another one."""

    def setUp(self) -> None:
        super().setUp()
        if os.geteuid() != 0 or shutil.which("ip") is None:
            self.skipTest("needs root and iproute2 for network namespaces")
        tag = uuid.uuid4().hex[:6]
        self.mon, self.host = "vmdm-%s" % tag, "vmdh-%s" % tag
        self.veth_m, self.veth_h = "vm%s" % tag, "vh%s" % tag
        for ns in (self.mon, self.host):
            self._ip("netns", "add", ns)
            self.addCleanup(self._ip, "netns", "del", ns)
            self._ip("-n", ns, "link", "set", "lo", "up")
        self._ip("link", "add", self.veth_m, "netns", self.mon, "type",
                 "veth", "peer", "name", self.veth_h, "netns", self.host)
        self._ip("-n", self.mon, "addr", "add", "10.250.0.1/30", "dev",
                 self.veth_m)
        self._ip("-n", self.host, "addr", "add", "10.250.0.2/30", "dev",
                 self.veth_h)
        self._ip("-n", self.mon, "link", "set", self.veth_m, "up")
        self._ip("-n", self.host, "link", "set", self.veth_h, "up")
        server = subprocess.Popen(
            ["ip", "netns", "exec", self.host, sys.executable, "-c",
             _SERVE_SNIPPET, "10.250.0.2", "2222"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(server.wait, 10)
        self.addCleanup(server.stdin.close)
        self.assertEqual("ready", server.stdout.readline().strip())

    def _ip(self, *args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True)

    def _probe(self, port: int = 2222, timeout: float = 0.5) -> str:
        out = subprocess.run(
            ["ip", "netns", "exec", self.mon, sys.executable, "-c",
             _PROBE_SNIPPET, "10.250.0.2", str(port), str(timeout)],
            check=True, capture_output=True, text=True,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(
                os.path.dirname(os.path.abspath(__file__))))))
        return out.stdout.strip()

    def test_host_that_answers(self) -> None:
        self.assertEqual(r.PROBE_ALIVE, self._probe())
        self.assertEqual(r.PROBE_ALIVE, self._probe(port=2223))  # refused

    def test_host_whose_link_is_down_is_dead(self) -> None:
        self._ip("-n", self.host, "link", "set", self.veth_h, "down")
        self.assertEqual(r.PROBE_DEAD, self._probe())

    def test_host_dropping_everything_is_dead(self) -> None:
        # The machine hangs: the address is there but nothing answers.
        self._ip("-n", self.host, "link", "set", self.veth_h, "down")
        self._ip("-n", self.mon, "neigh", "add", "10.250.0.2", "lladdr",
                 "02:00:00:00:00:01", "dev", self.veth_m, "nud",
                 "permanent")
        self.assertEqual(r.PROBE_DEAD, self._probe(timeout=0.3))
