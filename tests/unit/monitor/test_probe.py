"""Probe drivers, for real on loopback."""

from concurrent import futures
import socket

import testtools

from tests.fixtures import conf as conf_fixture
from vmotiond import exception
from vmotiond.monitor import probe
from vmotiond.monitor import records as r


def _listener() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return int(port)


class TcpProbeLoopbackTest(testtools.TestCase):

    def test_listening_port_is_alive(self) -> None:
        sock = _listener()
        self.addCleanup(sock.close)
        tcp = probe.TcpProbe([sock.getsockname()[1]], timeout=1.0)
        self.assertEqual(r.PROBE_ALIVE, tcp.check("h", "127.0.0.1"))

    def test_refusing_port_is_alive_too(self) -> None:
        # An RST comes from a running kernel: the host is up.
        tcp = probe.TcpProbe([_closed_port()], timeout=1.0)
        self.assertEqual(r.PROBE_ALIVE, tcp.check("h", "127.0.0.1"))

    def test_any_port_answering_is_enough(self) -> None:
        sock = _listener()
        self.addCleanup(sock.close)
        tcp = probe.TcpProbe([_closed_port(), sock.getsockname()[1]], 1.0)
        self.assertEqual(r.PROBE_ALIVE, tcp.check("h", "127.0.0.1"))

    def test_no_address_is_unknown(self) -> None:
        tcp = probe.TcpProbe([22], timeout=1.0)
        self.assertEqual(r.PROBE_UNKNOWN, tcp.check("h", None))
        self.assertEqual(r.PROBE_UNKNOWN, tcp.check("h", ""))

    def test_unresolvable_address_is_unknown(self) -> None:
        tcp = probe.TcpProbe([22], timeout=0.2)
        self.assertEqual(r.PROBE_UNKNOWN,
                         tcp.check("h", "no-such-host.invalid"))

    def test_empty_port_list_is_a_config_error(self) -> None:
        self.assertRaises(exception.ConfigError, probe.TcpProbe, [], 1.0)


class OtherDriversTest(testtools.TestCase):

    def test_from_conf(self) -> None:
        fx = self.useFixture(conf_fixture.Conf())
        fx.set("probe_ports", [2222, 16509], group="monitor")
        fx.set("probe_timeout", 0.5, group="monitor")
        tcp = probe.from_conf(fx.conf)
        self.assertIsInstance(tcp, probe.TcpProbe)
        self.assertEqual((2222, 16509), tcp.ports)
        self.assertEqual(0.5, tcp.timeout)
        fx.set("probe_driver", "none", group="monitor")
        self.assertIsInstance(probe.from_conf(fx.conf), probe.NoProbe)
        self.assertEqual(r.PROBE_UNKNOWN,
                         probe.NoProbe().check("h", "127.0.0.1"))

    def test_callable_probe(self) -> None:
        answers = {"a": True, "b": False}
        cp = probe.CallableProbe(answers.__getitem__)
        self.assertEqual(r.PROBE_ALIVE, cp.check("a", None))
        self.assertEqual(r.PROBE_DEAD, cp.check("b", None))
        self.assertEqual(r.PROBE_UNKNOWN, cp.check("c", None))

    def test_probe_all_in_parallel(self) -> None:
        sock = _listener()
        self.addCleanup(sock.close)
        tcp = probe.TcpProbe([sock.getsockname()[1]], timeout=1.0)
        with futures.ThreadPoolExecutor(max_workers=4) as pool:
            out = probe.probe_all(tcp, {"a": "127.0.0.1", "b": None}, pool)
        self.assertEqual({"a": r.PROBE_ALIVE, "b": r.PROBE_UNKNOWN}, out)
        self.assertEqual({}, probe.probe_all(tcp, {}))
        self.assertEqual({"a": r.PROBE_ALIVE},
                         probe.probe_all(tcp, {"a": "127.0.0.1"}))
