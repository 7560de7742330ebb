"""The engine's periodic failover-headroom check and its alert."""

import threading

from tests.unit.engine import test_operations
from vmotiond.engine import headroom_watch


class HeadroomWatchTest(test_operations.OperationsTestCase):

    def alerts(self):
        return self.db.alert_list(type=[headroom_watch.ALERT_HEADROOM])

    def test_alerts_once_when_the_largest_host_stops_fitting(self):
        watch = self.mgr.headroom
        self.add("vm0")
        self.assertTrue(watch.check_once().survives_largest)
        self.assertEqual([], self.alerts())
        huge = self.add("huge", memory_mb=10 ** 6)
        found = watch.check_once()
        self.assertFalse(found.survives_largest)
        [alert] = self.alerts()
        self.assertEqual("src", alert.host)
        self.assertEqual(list(found.unabsorbable), alert.hosts)
        self.assertIn("cannot survive losing its largest host src",
                      alert.message)
        self.assertEqual([huge.id], [i["instance_uuid"] for i in
                                     alert.evidence["unplaced"]])
        # A lasting shortage is one alert, not one per check.
        watch.check_once()
        self.assertEqual(1, len(self.alerts()))
        # Headroom back, then lost again: a new alert.
        self.cloud.servers.pop(huge.id)
        self.assertTrue(watch.check_once().survives_largest)
        self.add("huge2", memory_mb=10 ** 6)
        watch.check_once()
        self.assertEqual(2, len(self.alerts()))

    def test_periodic_thread_checks_until_stopped(self):
        self.add("huge", memory_mb=10 ** 6)
        stop = threading.Event()
        checked = threading.Event()
        services = self.mgr.recovery.s
        watch = headroom_watch.HeadroomWatch(
            services.__class__(**{**services.__dict__, "stop": stop}),
            300.0, "test")
        real = watch.check_once

        def once():
            found = real()
            checked.set()
            stop.set()         # one pass is enough
            return found

        watch.check_once = once
        watch.start()
        self.assertTrue(checked.wait(30))
        watch.join()
        self.assertFalse(watch.survives)
        self.assertEqual(1, len(self.alerts()))

    def test_interval_zero_never_starts(self):
        watch = headroom_watch.HeadroomWatch(self.mgr.recovery.s, 0, "t")
        watch.start()
        self.assertIsNone(watch._thread)
