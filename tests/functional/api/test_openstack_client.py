"""``openstack notification ...`` (python-openstackclient with
python-masakariclient, as an operator runs them) against the API behind
keystonemiddleware, found through the simulator's Keystone catalog; every
field it prints is compared with the database."""

import json
import os
import shutil
import subprocess
import sys
from typing import Any

import fixtures

from tests.functional.api import base
from tests.functional.api import test_keystone_sdk
from vmotiond import constants
from vmotiond.api import util
from vmotiond.sim import server as sim_server


class TestOpenstackClient(test_keystone_sdk.SdkTestBase):

    def setUp(self) -> None:
        super().setUp()
        # The virtualenv's own client first (test-requirements.txt).
        path = os.path.dirname(sys.executable) + os.pathsep + \
            os.environ.get("PATH", "")
        self.openstack = shutil.which("openstack", path=path)
        self.assertIsNotNone(
            self.openstack, "python-openstackclient is not installed")
        home = self.useFixture(fixtures.TempDir()).path
        self.clouds = self.sim.write_clouds_yaml(home)
        self.home = home
        for move in self.seeded["moves"][1:4]:
            for name in ("plan", "EvacuateInstance"):
                step = self.database.step_start(move.uuid, name)
                self.database.step_finish(step.id, constants.SUCCEEDED,
                                          "%s done" % name)

    def run_osc(self, *args: str, version: str = "1.0") -> Any:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": self.home,
               "OS_CLIENT_CONFIG_FILE": self.clouds,
               "OS_CLOUD": sim_server.CLOUD_NAME}
        assert self.openstack is not None
        result = subprocess.run(
            [self.openstack, "--os-ha-api-version", version, *args,
             "-f", "json"], env=env, capture_output=True, text=True,
            timeout=120, check=False)
        self.assertEqual(0, result.returncode,
                         result.stdout + result.stderr)
        return json.loads(result.stdout)

    def test_notification_list_sorted_by_two_keys(self) -> None:
        listed = self.run_osc("notification", "list", "--sort",
                              "type:desc,generated_time:asc")
        stored = self.database.notification_list(
            sort_key=("type", "generated_time"), sort_dir=("desc", "asc"))
        self.assertEqual(["HOST_DRAIN", "COMPUTE_HOST"],
                         [n.type for n in stored])
        self.assertEqual(
            [{"notification_uuid": n.uuid,
              "generated_time": util.timestamp(n.generated_time),
              "status": n.status, "type": n.type,
              "source_host_uuid": n.source_host_uuid, "payload": n.payload}
             for n in stored], listed)
        self.assertEqual([None, base.HOST_UUIDS[0]],
                         [n["source_host_uuid"] for n in listed])

    def test_notification_list_filtered_by_host_uuid(self) -> None:
        # openstacksdk sends source_host_uuid (it drops host=); the
        # listing holds the host's notifications only, as stored.
        for uuid in base.HOST_UUIDS:
            stored = self.database.notification_list(source_host_uuid=uuid)
            listed = self.run_osc(
                "notification", "list", "--filters",
                "source_host_uuid=%s" % uuid, "--sort",
                "source_host_uuid:desc,generated_time:asc")
            self.assertEqual(
                [{"notification_uuid": n.uuid,
                  "generated_time": util.timestamp(n.generated_time),
                  "status": n.status, "type": n.type,
                  "source_host_uuid": uuid, "payload": n.payload}
                 for n in stored], listed)
        self.assertEqual(
            ["compute-0001"],
            [n.host for n in self.database.notification_list(
                source_host_uuid=base.HOST_UUIDS[0])])
        # The show of a notification has the same uuid.
        big = self.seeded["big"]
        shown = self.run_osc("notification", "show", big.uuid)
        self.assertEqual(base.HOST_UUIDS[0], shown["source_host_uuid"])

    def test_notification_show_one_entry_per_task(self) -> None:
        big = self.database.notification_get(self.seeded["big"].uuid)
        shown = self.run_osc("notification", "show", big.uuid,
                             version="1.1")
        for field, value in (("notification_uuid", big.uuid),
                             ("type", big.type), ("status", big.status),
                             ("payload", big.payload),
                             ("generated_time",
                              util.timestamp(big.generated_time)),
                             ("created_at", util.timestamp(big.created_at))):
            self.assertEqual(value, shown[field], field)
        details = shown["recovery_workflow_details"]
        self.assertEqual(["EvacuateInstance", "plan"],
                         [d["name"] for d in details])
        self.assertEqual(["SUCCESS", "SUCCESS"],
                         [d["state"] for d in details])
        self.assertEqual([1.0, 1.0], [d["progress"] for d in details])
        # Started, each of the 4 (3) instances, ended.
        self.assertEqual([6, 5], [len(d["progress_details"])
                                  for d in details])

    def test_notification_vmove_list_and_show(self) -> None:
        big = self.seeded["big"]
        stored = self.database.vmove_list(notification_uuid=big.uuid,
                                          sort_dir="asc")
        listed = self.run_osc("notification", "vmove", "list", big.uuid,
                              "--sort", "created_at:asc", version="1.3")
        self.assertEqual(
            [{"uuid": m.uuid, "server_id": m.instance_uuid,
              "server_name": m.instance_name, "source_host": m.source_host,
              "dest_host": m.dest_host,
              "start_time": util.timestamp(m.start_time),
              "end_time": util.timestamp(m.end_time), "type": m.type,
              "status": m.status} for m in stored], listed)
        move = stored[4]
        shown = self.run_osc("notification", "vmove", "show", big.uuid,
                             move.uuid, version="1.3")
        for field, value in (("uuid", move.uuid),
                             ("server_id", move.instance_uuid),
                             ("server_name", move.instance_name),
                             ("status", constants.FAILED),
                             ("type", move.type),
                             ("source_host", move.source_host),
                             ("dest_host", move.dest_host)):
            self.assertEqual(value, shown[field], field)
