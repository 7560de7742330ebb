"""``Type=notify``: READY=1 once every part runs, STOPPING=1 at SIGTERM.

The test plays systemd: it binds the datagram socket named by
``NOTIFY_SOCKET`` and reads what the daemon sends.
"""

import os
import signal
import time

from tests.functional.processes import cases


class SystemdNotifyTest(cases.LocalTestCase):

    def test_ready_after_start_stopping_at_sigterm(self):
        notify = cases.NotifySocket(os.path.join(self.dep.dir, "notify"))
        self.addCleanup(notify.close)
        proc = self.dep.start("vmotiond", env={"NOTIFY_SOCKET": notify.path})

        ready = notify.receive(30)
        self.assertEqual("1", ready.get("READY"), ready)
        self.assertIn("engine", ready.get("STATUS", ""))
        # Ready means serving: every part started, the REST API answers.
        for logged in ("Engine started", "Starting monitor",
                       "vmotiond-api listening on"):
            self.assertIn(logged, proc.out())
        self.assertTrue(self.dep.api_up())

        proc.signal(signal.SIGTERM)
        asked = time.monotonic()
        self.assertEqual({"STOPPING": "1"}, notify.receive(10))
        self.assertEqual(0, proc.wait(25), proc.tail())
        self.assertLess(time.monotonic() - asked, 25)
        self.assertNotIn("Traceback", proc.out() + proc.err())


class SplitSystemdTest(cases.LocalTestCase):
    """The three split processes on RabbitMQ, as their units run them
    (``Type=notify``, ``ExecReload=kill -HUP``)."""

    transport_url = None

    def test_split_processes_notify_reload_and_stop(self):
        names = ("vmotiond-monitor", "vmotiond-engine", "vmotiond-api")
        sockets, procs = {}, {}
        for name in names:
            sockets[name] = cases.NotifySocket(os.path.join(self.dep.dir,
                                                           name + ".sock"))
            self.addCleanup(sockets[name].close)
            procs[name] = self.dep.start(
                name, env={"NOTIFY_SOCKET": sockets[name].path})
        for name in names:
            self.assertEqual("1", sockets[name].receive(30).get("READY"),
                             name)
        self.assertTrue(self.dep.api_up())

        # systemctl reload: each re-reads its mutable options and runs on.
        self.options["DEFAULT"]["debug"] = True
        self.dep.write_config(self.options)
        for proc in procs.values():
            proc.signal(signal.SIGHUP)
        for name, proc in procs.items():
            self.wait(lambda p=proc: "re-reading mutable options" in p.out(),
                      15, "%s reloaded" % name)
            self.assertTrue(proc.alive(), name)
        self.assertTrue(self.dep.api_up())

        for proc in procs.values():
            proc.signal(signal.SIGTERM)
        for name, proc in procs.items():
            self.assertEqual({"STOPPING": "1"}, sockets[name].receive(10),
                             name)
            self.assertEqual(0, proc.wait(25), proc.tail())
            self.assertNotIn("Traceback", proc.out() + proc.err(), name)


class ApiWorkersSystemdTest(cases.LocalTestCase):

    def test_api_with_workers_notifies_reloads_and_stops(self):
        self.options["api"]["workers"] = 2
        self.dep.write_config(self.options)
        notify = cases.NotifySocket(os.path.join(self.dep.dir, "notify"))
        self.addCleanup(notify.close)
        proc = self.dep.start("vmotiond-api",
                              env={"NOTIFY_SOCKET": notify.path})
        self.assertEqual("1", notify.receive(30).get("READY"))
        self.wait(self.dep.api_up, 30, "the workers serving")
        proc.signal(signal.SIGHUP)
        self.wait(lambda: "re-reading mutable options" in proc.out(), 15,
                  "the reload logged")
        self.assertTrue(proc.alive())
        self.assertTrue(self.dep.api_up())
        proc.signal(signal.SIGTERM)
        self.assertEqual({"STOPPING": "1"}, notify.receive(10))
        self.assertEqual(0, proc.wait(25), proc.tail())
        self.assertEqual(2, proc.out().count("vmotiond-api stopped"))
