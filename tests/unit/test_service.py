"""The launcher starts parts in order, stops them in reverse, reloads."""

import os
import signal
import threading

import fixtures
import testtools

from tests.fixtures import conf as conf_fixture
from vmotiond import service


class _Part:
    def __init__(self, name: str, log: list[str],
                 fail_start: bool = False) -> None:
        self.name = name
        self._log = log
        self._fail_start = fail_start

    def start(self) -> None:
        if self._fail_start:
            raise RuntimeError("cannot start " + self.name)
        self._log.append("start " + self.name)

    def stop(self, timeout: float) -> None:
        self._log.append("stop %s %s" % (self.name, timeout))


class _InterruptiblePart(_Part):
    def interrupt(self) -> None:
        self._log.append("interrupt " + self.name)


class LauncherTest(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.conf = self.useFixture(conf_fixture.Conf()).conf
        self.log: list[str] = []
        self.useFixture(fixtures.EnvironmentVariable("NOTIFY_SOCKET"))

    def _run_in_thread(self, launcher: service.Launcher) -> threading.Thread:
        thread = threading.Thread(target=launcher.run)
        thread.start()
        self.addCleanup(thread.join, 5)
        return thread

    def test_start_in_order_stop_in_reverse(self) -> None:
        launcher = service.Launcher(
            self.conf, [_Part("a", self.log), _Part("b", self.log)],
            stop_timeout=7)
        thread = self._run_in_thread(launcher)
        launcher.request_stop()
        thread.join(5)
        self.assertFalse(thread.is_alive())
        self.assertEqual(["start a", "start b", "stop b 7", "stop a 7"],
                         self.log)

    def test_every_part_is_interrupted_before_any_stops(self) -> None:
        launcher = service.Launcher(
            self.conf, [_InterruptiblePart("engine", self.log),
                        _Part("monitor", self.log),
                        _InterruptiblePart("api", self.log)], stop_timeout=3)
        thread = self._run_in_thread(launcher)
        launcher.request_stop()
        thread.join(5)
        self.assertEqual(["start engine", "start monitor", "start api",
                          "interrupt api", "interrupt engine", "stop api 3",
                          "stop monitor 3", "stop engine 3"], self.log)

    def test_a_failed_start_stops_what_started(self) -> None:
        launcher = service.Launcher(
            self.conf, [_Part("a", self.log),
                        _Part("b", self.log, fail_start=True)])
        self.assertRaises(RuntimeError, launcher.run)
        self.assertEqual(["start a", "stop a 60.0"], self.log)

    def test_sigterm_stops_and_sighup_reloads(self) -> None:
        launcher = service.Launcher(self.conf, [_Part("a", self.log)])
        previous = {s: signal.getsignal(s) for s in
                    (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
        for signum, handler in previous.items():
            self.addCleanup(signal.signal, signum, handler)
        launcher.install_signal_handlers()
        reloaded = threading.Event()
        self.conf.mutate_config_files = reloaded.set
        thread = self._run_in_thread(launcher)
        os.kill(os.getpid(), signal.SIGHUP)
        self.assertTrue(reloaded.wait(5))
        self.assertTrue(thread.is_alive())
        os.kill(os.getpid(), signal.SIGTERM)
        thread.join(5)
        self.assertFalse(thread.is_alive())
        self.assertEqual(["start a", "stop a 60.0"], self.log)
