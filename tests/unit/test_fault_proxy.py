"""The fault proxy the reliability scenarios put in front of services."""

import socket
import threading

import testtools

from tests.fixtures import fault_proxy


class _Echo:
    """An echo server on 127.0.0.1, one thread per connection."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,),
                             daemon=True).start()

    @staticmethod
    def _echo(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(4096):
                conn.sendall(data)


class FaultProxyTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        echo = _Echo()
        self.addCleanup(echo.server.close)
        self.proxy = self.useFixture(fault_proxy.FaultProxy(echo.port))

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.proxy.port),
                                        timeout=10)
        self.addCleanup(sock.close)
        return sock

    def _round_trip(self, sock: socket.socket, data: bytes) -> bytes:
        sock.sendall(data)
        got = b""
        while len(got) < len(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
        return got

    def test_up_forwards_both_ways(self) -> None:
        sock = self._connect()
        data = bytes(range(256)) * 1000
        self.assertEqual(data, self._round_trip(sock, data))

    def test_down_resets_open_and_new_connections(self) -> None:
        sock = self._connect()
        self.assertEqual(b"a", self._round_trip(sock, b"a"))
        self.proxy.set_mode("down")
        self.assertEqual(b"", self._read_or_reset(sock))
        # A new connection is reset as soon as the proxy accepts it: the
        # reset may reach the client while it connects or when it reads.
        try:
            late = self._connect()
        except ConnectionResetError:
            pass
        else:
            self.assertEqual(b"", self._read_or_reset(late))
        self.proxy.set_mode("up")
        self.assertEqual(b"b", self._round_trip(self._connect(), b"b"))

    def test_blackhole_carries_nothing_then_resumes(self) -> None:
        sock = self._connect()
        self.assertEqual(b"a", self._round_trip(sock, b"a"))
        self.proxy.set_mode("blackhole")
        sock.sendall(b"held")
        sock.settimeout(0.5)
        self.assertRaises(TimeoutError, sock.recv, 10)
        late = self._connect()
        late.settimeout(0.5)
        late.sendall(b"never")
        self.assertRaises(TimeoutError, late.recv, 10)
        self.proxy.set_mode("up")
        sock.settimeout(10)
        self.assertEqual(b"held", sock.recv(10))
        self.assertEqual(b"", self._read_or_reset(late))
        self.assertEqual(b"c", self._round_trip(self._connect(), b"c"))

    def test_unknown_mode_is_refused(self) -> None:
        self.assertRaises(ValueError, self.proxy.set_mode, "slow")

    @staticmethod
    def _read_or_reset(sock: socket.socket) -> bytes:
        try:
            return sock.recv(10)
        except ConnectionResetError:
            return b""
