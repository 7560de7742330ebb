"""The split vmotiond-monitor and vmotiond-engine serve their metrics,
each on its own [metrics] port: after a host's recovery they say what the
REST API and the database say happened."""

from tests.fixtures import ports
from tests.functional.observability import scrape
from tests.functional.processes import base
from tests.functional.processes import cases


class ProcessMetricsTest(cases.CloudTestCase):

    def test_monitor_and_engine_metrics_after_a_recovery(self):
        urls = {}
        options = self.dep.options(self.sim.clouds_yaml, self.sim.cloud_name)
        options["metrics"] = {}
        for name in ("monitor", "engine"):
            port = ports.free_port()
            options["metrics"]["%s_port" % name] = port
            urls[name] = "http://127.0.0.1:%d/metrics" % port
        self.dep.write_config(options)
        procs = {name: self.dep.start(name) for name in (
            "vmotiond-monitor", "vmotiond-engine", "vmotiond-api")}
        self.wait_started(procs["vmotiond-engine"])
        self.wait_started(procs["vmotiond-monitor"])
        victim = self.choose_victim(self.sim.servers())
        self.sim.ctl("kill", victim)
        note = self.wait_notification_done(victim, 60)
        self.assertEqual("finished", note["status"], note["message"])
        monitor = scrape.samples(urls["monitor"])
        engine = scrape.samples(urls["engine"])
        self.assertEqual(1.0, monitor[("vmotiond_monitor_verdicts_total",
                                       (("kind", "host_down"),))])
        hosts = self.dep.api("/v1/hosts")["hosts"]

        def monitor_hosts():
            return {state: int(value) for (name, labels), value in
                    scrape.samples(urls["monitor"]).items()
                    if name == "vmotiond_monitor_hosts" and value
                    for _, state in labels}
        base.wait_for(
            lambda: monitor_hosts() == _count(
                h["monitor_state"] for h in self.dep.api(
                    "/v1/hosts")["hosts"]),
            10, "the monitor's hosts as the database has them",
            self.dep.processes)
        self.assertEqual(len(hosts), sum(monitor_hosts().values()))
        self.assertEqual(1.0, engine[("vmotiond_fence_attempts_total",
                                      (("result", "succeeded"),))])
        moves = self.vmoves(note["notification_uuid"])
        self.assertEqual(
            sum(1 for m in moves if m["status"] == "succeeded"),
            engine[("vmotiond_evacuation_duration_seconds_count", ())])
        self.assertEqual(1.0, engine[("vmotiond_recovery_seconds_count",
                                      ())])
        # Each process counts only what happens in it.
        self.assertEqual(0.0, monitor[("vmotiond_recovery_seconds_count",
                                       ())])
        self.assertFalse(any(name == "vmotiond_monitor_hosts"
                             for name, _ in engine))


def _count(states):
    counts = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    return counts


class AllInOneMetricsTest(cases.LocalTestCase):

    def test_one_endpoint_serves_the_monitor_and_the_engine(self):
        port = ports.free_port()
        self.options["metrics"] = {"monitor_port": port}
        self.dep.write_config(self.options)
        proc = self.dep.start("vmotiond")
        self.wait(lambda: "vmotiond is running" in proc.out(), 30,
                  "vmotiond started")
        url = "http://127.0.0.1:%d/metrics" % port
        # One endpoint for the process: on monitor_port, engine_port unset.
        self.assertEqual(1, proc.out().count("Prometheus metrics on"))
        self.assertIn("Prometheus metrics on %s" % url, proc.out())

        def hosts_up():
            found = scrape.samples(url)
            return found if found.get(
                ("vmotiond_monitor_hosts", (("monitor_state", "up"),))) \
                == 2.0 else None
        found = self.wait(hosts_up, 30, "the monitor's two hosts up")
        self.assertEqual(0.0, found[("vmotiond_recovery_seconds_count", ())])
