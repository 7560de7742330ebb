"""The monitor's /metrics against the simulator: its hosts by state are
the database's, and its detections the notifications it wrote."""

from tests.functional.monitor import base
from tests.functional.observability import scrape
from vmotiond import constants
from vmotiond.verdict import payload


class MonitorMetricsTest(base.MonitorSimTestCase):

    def test_states_and_verdicts_match_the_database(self) -> None:
        url = scrape.serve(self)
        self.run_for(60)
        before = scrape.samples(url)
        victim = self.compute_hosts[3]
        self.sim.cloud.kill_host(victim)
        self.run_for(60)
        self.wait_heard(payload.EVENT_HOST_DOWN)
        after = scrape.samples(url)
        self.assertEqual(len(self.db.notification_list(host=victim)),
                         scrape.delta(before, after,
                                      "vmotiond_monitor_verdicts_total",
                                      kind="host_down"))
        rows = self.db.host_list()
        for state in constants.HOST_STATES:
            self.assertEqual(
                sum(1 for row in rows if row.monitor_state == state),
                after[("vmotiond_monitor_hosts",
                       (("monitor_state", state),))], state)
        self.assertEqual(1.0, after[("vmotiond_monitor_hosts",
                                     (("monitor_state", "down"),))])
