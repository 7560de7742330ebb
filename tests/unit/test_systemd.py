"""Readiness notification over a real datagram socket."""

import os
import socket

import fixtures
import testtools

from vmotiond import systemd


class NotifyTest(testtools.TestCase):

    def _listen(self, name: str) -> socket.socket:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind(name)
        sock.settimeout(2)
        return sock

    def test_ready_reaches_the_socket(self) -> None:
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "n")
        sock = self._listen(path)
        self.useFixture(fixtures.EnvironmentVariable("NOTIFY_SOCKET", path))
        self.assertTrue(systemd.ready("monitoring 3 hosts"))
        self.assertEqual(b"READY=1\nSTATUS=monitoring 3 hosts",
                         sock.recv(100))
        self.assertTrue(systemd.stopping())
        self.assertEqual(b"STOPPING=1", sock.recv(100))

    def test_abstract_socket_name(self) -> None:
        name = "vmotiond-test-%d" % os.getpid()
        sock = self._listen("\0" + name)
        self.useFixture(fixtures.EnvironmentVariable("NOTIFY_SOCKET",
                                                     "@" + name))
        self.assertTrue(systemd.ready())
        self.assertEqual(b"READY=1", sock.recv(100))

    def test_without_systemd_nothing_is_sent(self) -> None:
        self.useFixture(fixtures.EnvironmentVariable("NOTIFY_SOCKET"))
        self.assertFalse(systemd.ready())

    def test_dead_socket_is_reported_not_raised(self) -> None:
        path = os.path.join(self.useFixture(fixtures.TempDir()).path, "gone")
        self.useFixture(fixtures.EnvironmentVariable("NOTIFY_SOCKET", path))
        self.assertFalse(systemd.ready())
