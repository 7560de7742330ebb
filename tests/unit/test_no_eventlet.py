"""vmotiond runs on native threads: nothing monkey-patches the stdlib,
and its processes do not even import eventlet (vmotiond.native_threads).
"""

import socket
import subprocess
import sys
import threading
import time

import testtools


class NativeThreadsTest(testtools.TestCase):

    def test_daemon_modules_patch_nothing(self) -> None:
        import vmotiond.bootstrap  # noqa: F401
        import vmotiond.cmd.all  # noqa: F401
        import vmotiond.engine.manager  # noqa: F401
        import vmotiond.monitor.manager  # noqa: F401
        eventlet = sys.modules.get("eventlet")
        if eventlet is not None:
            from eventlet import patcher
            for module in ("thread", "socket", "time", "select", "os"):
                self.assertFalse(patcher.is_monkey_patched(module), module)
        # The primitives are the interpreter's own.
        self.assertEqual("_socket", socket.socket.__mro__[1].__module__)
        self.assertEqual("builtin_function_or_method",
                         type(time.sleep).__name__)
        self.assertEqual("_thread", type(threading.Lock()).__module__)

    def test_entry_points_keep_eventlet_out(self) -> None:
        """The console scripts, the WSGI script and the benchmarks import
        neither eventlet nor oslo.service's eventlet backend."""
        modules = ("vmotiond.cmd.all", "vmotiond.cmd.monitor",
                   "vmotiond.cmd.engine", "vmotiond.cmd.api",
                   "vmotiond.cmd.manage", "vmotiond.api.wsgi",
                   "bench.monitor_cycle")
        script = ("import sys, %s\n"
                  "from oslo_service import backend\n"
                  "assert sys.modules['eventlet'] is None\n"
                  "assert not [m for m in sys.modules"
                  " if m.startswith('eventlet.')]\n"
                  "print(backend.get_backend_type().value)" % ", ".join(
                      modules))
        done = subprocess.run([sys.executable, "-c", script],
                              capture_output=True, text=True, check=False)
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertEqual("threading", done.stdout.strip())
