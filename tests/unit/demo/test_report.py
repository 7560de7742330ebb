"""What the demo says: its verdict, the roles at the end, the commands."""

import testtools

from vmotiond import constants
from vmotiond.db import models
from vmotiond.demo import report


class TestReport(testtools.TestCase):

    def test_verdict(self) -> None:
        self.assertEqual("demo succeeded in 65 s", report.verdict(0, 64.6))
        self.assertEqual("demo FAILED in 3 s", report.verdict(1, 3.0))

    def test_standby_hosts_that_became_normal(self) -> None:
        hosts = [models.Host(name="standby-01", role=constants.ROLE_NORMAL),
                 models.Host(name="standby-02", role=constants.ROLE_STANDBY),
                 models.Host(name="compute-0001",
                             role=constants.ROLE_NORMAL)]
        self.assertEqual(["standby-01"], report.now_normal(
            ["standby-02", "standby-01"], hosts))
        self.assertEqual([], report.now_normal([], hosts))

    def test_openstack_commands_name_the_clouds_file(self) -> None:
        lines = report.openstack_commands("/tmp/d/clouds.yaml", "U")
        self.assertEqual("export OS_CLIENT_CONFIG_FILE=/tmp/d/clouds.yaml "
                         "OS_CLOUD=vmotiond-sim", lines[0])
        self.assertIn("openstack --os-ha-api-version 1.1 notification "
                      "show U", lines)
        self.assertIn("openstack --os-ha-api-version 1.3 notification "
                      "vmove list U", lines)
        self.assertIn("openstack vmotiond vmove list --notification U",
                      lines)
        self.assertIn("openstack --os-vmotiond-api-version 1.8 vmotiond "
                      "host list --long -c name -c uuid -c role "
                      "-c monitor_state", lines)
        self.assertFalse([line for line in lines if "--filters" in line])

    def test_openstack_commands_filter_by_the_host_s_uuid(self) -> None:
        lines = report.openstack_commands("/tmp/d/clouds.yaml", "U", "H")
        self.assertEqual("openstack notification list --filters "
                         "source_host_uuid=H", lines[-1])
