"""SIGHUP re-reads the mutable options without restarting anything."""

import signal

from tests.functional.processes import cases


class SighupTest(cases.LocalTestCase):

    def test_sighup_turns_debug_logging_on_in_place(self):
        proc = self.dep.start("vmotiond")
        self.wait(lambda: "vmotiond is running" in proc.out(), 30,
                  "vmotiond started")
        self.wait(lambda: "Inventory sync" in proc.out(), 30,
                  "the first inventory sync")
        self.assertNotIn(" DEBUG ", proc.out())

        self.options["DEFAULT"]["debug"] = True
        self.dep.write_config(self.options)
        proc.signal(signal.SIGHUP)
        self.wait(lambda: "SIGHUP: re-reading mutable options" in proc.out(),
                  15, "the reload logged")
        # The monitor polls Nova every 0.5 s: its requests log at DEBUG now.
        self.wait(lambda: " DEBUG " in proc.out().split(
            "SIGHUP: re-reading mutable options", 1)[1], 15,
            "DEBUG lines after the reload")
        self.assertTrue(proc.alive())
        self.assertTrue(self.dep.api_up())
        out = proc.out()
        for once in ("Starting engine", "Starting monitor", "Starting api",
                     "vmotiond is running"):
            self.assertEqual(1, out.count(once), once)
        self.assertNotIn("Stopping", out)

        proc.signal(signal.SIGTERM)
        self.assertEqual(0, proc.wait(25), proc.tail())
        self.assertNotIn("Traceback", proc.out() + proc.err())
