"""vmotiond runs on native threads: nothing monkey-patches the stdlib.

oslo.messaging imports oslo.service, which imports eventlet; importing is
harmless, patching would not be.
"""

import socket
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
