"""``[cloud] clouds_file`` wins over ``OS_CLIENT_CONFIG_FILE`` (issue 15,
point 14).

``vmotiond-monitor`` runs as a process with ``OS_CLIENT_CONFIG_FILE``
naming the clouds.yaml of another simulated cloud under the same cloud
name: it reads the hosts of the cloud its configuration names, and its
start-up log names that clouds.yaml and its endpoint, and the ignored one.
"""

import os

from tests.functional.processes import cases
from vmotiond import sim as sim_mod


class CloudsFileWinsTest(cases.CloudTestCase):

    def decoy(self):
        """Another cloud, "vmotiond-sim" in a clouds.yaml of its own."""
        other = sim_mod.SimServer(seed=2)
        other.cloud.add_flavor("m1.small", 1, 2048, 20)
        for name in ("decoy-1", "decoy-2"):
            other.cloud.add_host(name)
        other.start()
        self.addCleanup(other.stop)
        path = other.write_clouds_yaml(
            os.path.join(self.dep.dir, "decoy", "clouds.yaml"),
            name=self.sim.cloud_name)
        return other, path

    def test_monitor_talks_to_the_cloud_of_its_configuration(self):
        _other, decoy = self.decoy()
        monitor = self.dep.start("vmotiond-monitor",
                                 env={"OS_CLIENT_CONFIG_FILE": decoy})
        ours = {s.host for s in self.sim.conn.compute.services()}
        self.assertEqual(5, len(ours))
        hosts = self.wait(lambda: {h.name for h in
                                   self.dep.db.database.host_list()}, 30,
                          "the monitor's inventory sync")
        self.assertEqual(ours, hosts)
        log = monitor.out() + monitor.err()
        self.assertIn("OS_CLIENT_CONFIG_FILE=%s is ignored: [cloud] "
                      "clouds_file names %s" % (decoy, self.sim.clouds_yaml),
                      log)
        started = [line for line in log.splitlines()
                   if "Cloud %s from %s" % (self.sim.cloud_name,
                                           self.sim.clouds_yaml) in line]
        self.assertEqual(1, len(started), log)
        self.assertIn("Keystone at %s"
                      % self.sim.cloud_config["auth"]["auth_url"],
                      started[0])
        self.assertNotIn(decoy, started[0])
