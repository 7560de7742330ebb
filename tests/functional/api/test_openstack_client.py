"""``openstack notification ...`` (python-openstackclient with
python-masakariclient, as an operator runs them) and ``openstack vmotiond
...`` (the plugin of vmotiond/osc) against the API behind
keystonemiddleware, found through the simulator's Keystone catalog; every
field they print is compared with the database.

The clients come from PyPI into a virtualenv of their own
(tools/clients-venv.sh, pinned in tools/clients-requirements.txt), with
vmotiond installed there without its dependencies: the plugin runs on
what OSC brings. The virtualenv is built on first use; if it cannot be,
every test here fails (never skips).
"""

import datetime
import json
import os
import pathlib
import subprocess
from typing import Any

import fixtures

from tests.functional.api import base
from tests.functional.api import test_keystone_sdk
from vmotiond import constants
from vmotiond.api import util
from vmotiond.demo import report
from vmotiond.sim import server as sim_server

TOP = pathlib.Path(__file__).resolve().parents[3]
# The fields of the REST API's resources (doc/rest-api.md): each must be
# printed; a field added to the API is printed too (and compared).
HOST_FIELDS = {
    "name", "role", "auto_evacuate", "maintenance", "monitor_state",
    "monitor_state_since", "monitor_detail", "management_ip",
    "availability_zone", "service_id", "hypervisor_id", "service_state",
    "service_status", "forced_down", "disabled_reason", "last_heartbeat",
    "vcpus_total", "vcpus_used", "memory_mb_total", "memory_mb_used",
    "disk_gb_total", "disk_gb_used", "running_instances", "synced_at",
    "created_at", "updated_at"}
VMOVE_FIELDS = {
    "id", "uuid", "notification_uuid", "instance_uuid", "instance_name",
    "source_host", "dest_host", "start_time", "end_time", "type", "status",
    "message", "created_at", "updated_at", "deleted_at", "deleted",
    "priority", "attempts", "current_step"}
STEP_FIELDS = {"id", "vmove_uuid", "name", "status", "attempt",
               "started_at", "ended_at", "result", "context"}


def clients_venv() -> str:
    """The `openstack` of the clients' virtualenv, built if needed."""
    result = subprocess.run(
        ["bash", str(TOP / "tools" / "clients-venv.sh")],
        capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0 or not result.stdout.strip():
        raise AssertionError(
            "tools/clients-venv.sh could not build the clients' "
            "virtualenv (exit %d):\n%s%s"
            % (result.returncode, result.stdout, result.stderr))
    return result.stdout.strip().splitlines()[-1]


def stored_fields(row: Any) -> dict[str, Any]:
    """A database row's columns as the API prints them."""
    return {name: util.timestamp(value)
            if isinstance(value, datetime.datetime) else value
            for name, value in row.as_dict().items()}


class TestOpenstackClient(test_keystone_sdk.SdkTestBase):

    def setUp(self) -> None:
        super().setUp()
        self.openstack = clients_venv()
        self.assertTrue(os.access(self.openstack, os.X_OK), self.openstack)
        home = self.useFixture(fixtures.TempDir()).path
        self.clouds = self.sim.write_clouds_yaml(home)
        self.home = home
        for move in self.seeded["moves"][1:4]:
            for name in ("plan", "EvacuateInstance"):
                step = self.database.step_start(move.uuid, name)
                self.database.step_finish(step.id, constants.SUCCEEDED,
                                          "%s done" % name)

    def osc(self, *args: str) -> subprocess.CompletedProcess[str]:
        # Nothing of this process's environment: no PYTHONPATH, no
        # project virtualenv on PATH.
        env = {"PATH": "/usr/bin:/bin", "HOME": self.home,
               "OS_CLIENT_CONFIG_FILE": self.clouds,
               "OS_CLOUD": sim_server.CLOUD_NAME}
        return subprocess.run([self.openstack, *args], env=env,
                              capture_output=True, text=True, timeout=120,
                              check=False)

    def run_osc(self, *args: str, version: str = "1.0",
                option: str = "--os-ha-api-version") -> Any:
        result = self.osc(option, version, *args, "-f", "json")
        self.assertEqual(0, result.returncode,
                         result.stdout + result.stderr)
        return json.loads(result.stdout)

    def vmotiond(self, *args: str, version: str = "1.4") -> Any:
        return self.run_osc("vmotiond", *args, version=version,
                            option="--os-vmotiond-api-version")

    def assertPrinted(self, fields: set[str], row: Any,
                      printed: dict[str, Any]) -> None:
        """Every field of the API printed, each equal to the database."""
        self.assertEqual(set(), fields - set(printed))
        expected = stored_fields(row)
        self.assertEqual({k: expected[k] for k in printed}, printed)

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
        # Every field masakariclient prints, as stored.
        self.assertEqual(
            {"notification_uuid": big.uuid, "type": big.type,
             "status": big.status, "payload": big.payload,
             "source_host_uuid": big.source_host_uuid,
             "generated_time": util.timestamp(big.generated_time),
             "created_at": util.timestamp(big.created_at),
             "updated_at": util.timestamp(big.updated_at)},
            {k: v for k, v in shown.items()
             if k != "recovery_workflow_details"})
        details = shown["recovery_workflow_details"]
        self.assertEqual(["EvacuateInstance", "plan"],
                         [d["name"] for d in details])
        self.assertEqual(["SUCCESS", "SUCCESS"],
                         [d["state"] for d in details])
        self.assertEqual([1.0, 1.0], [d["progress"] for d in details])
        # Started, each of the 4 (3) instances, ended.
        self.assertEqual([6, 5], [len(d["progress_details"])
                                  for d in details])
        # Each task's details are its steps in the database: when the
        # first began, each one's end with its instance, status and
        # result (in the order they ended), when the last ended.
        moves = self.database.vmove_list(notification_uuid=big.uuid)
        for task in details:
            steps = sorted(
                ((step, move.instance_uuid) for move in moves
                 for step in self.database.step_list(move.uuid)
                 if step.name == task["name"]),
                key=lambda found: (found[0].ended_at, found[0].id))
            printed = [(d["timestamp"], d["message"], d["progress"])
                       for d in task["progress_details"]]
            self.assertEqual(
                (util.timestamp(min(s.started_at for s, _ in steps)),
                 "%s started for %d instance(s)" % (task["name"],
                                                    len(steps)), 0.0),
                printed[0])
            self.assertEqual(
                [(util.timestamp(step.ended_at), "instance %s: %s: %s" % (
                    instance, step.status, step.result),
                  round(count / len(steps), 2))
                 for count, (step, instance) in enumerate(steps, 1)],
                printed[1:-1])
            self.assertEqual(
                (util.timestamp(steps[-1][0].ended_at),
                 "%s ended: %d succeeded" % (task["name"], len(steps)), 1.0),
                printed[-1])

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
        self.assertEqual(constants.FAILED, move.status)
        shown = self.run_osc("notification", "vmove", "show", big.uuid,
                             move.uuid, version="1.3")
        # Every field masakariclient prints, as stored (its server_id and
        # server_name are the instance's uuid and name).
        row = stored_fields(move)
        self.assertEqual(
            {"uuid", "server_id", "server_name", "source_host", "dest_host",
             "start_time", "end_time", "type", "status", "message",
             "created_at", "updated_at"}, set(shown))
        row.update(server_id=row["instance_uuid"],
                   server_name=row["instance_name"])
        self.assertEqual({k: row[k] for k in shown}, shown)

    def test_vmotiond_host_list_and_show(self) -> None:
        rows = self.database.host_list()
        self.assertEqual(["compute-0001", "compute-0002"],
                         [h.name for h in rows])
        listed = self.vmotiond("host", "list", "--long", version="1.8")
        self.assertEqual([h.name for h in rows], [h["name"] for h in listed])
        for row, printed in zip(rows, listed, strict=True):
            self.assertPrinted(HOST_FIELDS | {"uuid"}, row, printed)
            self.assertIsNotNone(printed["uuid"])
        short = self.vmotiond("host", "list", "--role", "normal",
                              "--monitor-state", "up", "--monitor-state",
                              "down", version="1.6")
        self.assertEqual(
            [{"name": h.name, "role": h.role,
              "monitor_state": h.monitor_state,
              "availability_zone": h.availability_zone,
              "service_state": h.service_state,
              "service_status": h.service_status,
              "maintenance": h.maintenance,
              "auto_evacuate": h.auto_evacuate,
              "running_instances": h.running_instances}
             for h in rows if h.monitor_state in ("up", "down")], short)
        self.assertEqual([], self.vmotiond("host", "list", "--role",
                                           "standby"))
        shown = self.vmotiond("host", "show", "compute-0002")
        self.assertPrinted(HOST_FIELDS, rows[1], shown)

    def test_vmotiond_vmove_list_every_page(self) -> None:
        # Three to a page: the command follows the next links.
        self.conf_fixture.set("max_limit", 3, "api")
        rows = self.database.vmove_list(sort_key=("created_at",),
                                        sort_dir=("asc",))
        self.assertEqual(8, len(rows))
        listed = self.vmotiond("vmove", "list", "--long", "--sort",
                               "created_at:asc")
        self.assertEqual([m.uuid for m in rows], [m["uuid"] for m in listed])
        for row, printed in zip(rows, listed, strict=True):
            self.assertPrinted(VMOVE_FIELDS, row, printed)
        # With --limit one page only (its next link is not followed), and
        # filters.
        big = self.seeded["big"]
        page = self.vmotiond("vmove", "list", "--notification", big.uuid,
                             "--status", "succeeded", "--status", "failed",
                             "--sort", "status:asc,instance_name:desc",
                             "--limit", "2")
        self.assertEqual(["vm-4", "vm-3"],
                         [m["instance_name"] for m in page])
        self.assertEqual(
            {"uuid", "notification_uuid", "instance_uuid", "instance_name",
             "source_host", "dest_host", "type", "status", "start_time",
             "end_time"}, set(page[0]))
        drained = self.vmotiond("vmove", "list", "--host", "compute-0003",
                                "--type", "live_migration")
        self.assertEqual([self.seeded["small"].uuid],
                         [m["notification_uuid"] for m in drained])

    def test_vmotiond_vmove_show_and_steps(self) -> None:
        move = self.database.vmove_get(self.seeded["moves"][2].uuid)
        shown = self.vmotiond("vmove", "show", move.uuid)
        self.assertPrinted(VMOVE_FIELDS, move, shown)
        self.assertEqual(shown, self.vmotiond("vmove", "show", str(move.id)))
        steps = self.database.step_list(move.uuid)
        self.assertEqual(["plan", "EvacuateInstance"],
                         [s.name for s in steps])
        listed = self.vmotiond("vmove", "step", "list", move.uuid)
        self.assertEqual([s.id for s in steps], [s["id"] for s in listed])
        for row, printed in zip(steps, listed, strict=True):
            self.assertPrinted(STEP_FIELDS, row, printed)

    def test_the_demo_s_commands_work_when_pasted(self) -> None:
        note = self.database.notification_get(self.seeded["big"].uuid)
        lines = report.openstack_commands(self.clouds, note.uuid,
                                          note.source_host_uuid)
        self.assertIn("source_host_uuid=%s" % base.HOST_UUIDS[0], lines[-1])
        bindir = os.path.dirname(self.openstack)

        def paste(commands: list[str]) -> str:
            result = subprocess.run(
                ["bash", "-e", "-c", "\n".join(commands)],
                env={"PATH": "%s:/usr/bin:/bin" % bindir, "HOME": self.home},
                capture_output=True, text=True, timeout=300, check=False)
            self.assertEqual(0, result.returncode,
                             result.stdout + result.stderr)
            return result.stdout

        printed = paste(lines)
        self.assertIn(note.uuid, printed)
        for move in self.database.vmove_list(notification_uuid=note.uuid):
            self.assertIn(move.uuid, printed)
        for host in self.database.host_list():
            self.assertIn(host.name, printed)
            self.assertIn(host.uuid, printed)
        # The filter by the failed host's uuid lists its notifications only.
        filtered = paste([lines[0], lines[-1]])
        self.assertIn(note.uuid, filtered)
        self.assertNotIn(self.seeded["small"].uuid, filtered)

    def test_vmotiond_errors(self) -> None:
        missing = self.osc("vmotiond", "vmove", "show",
                           "083a8474-22c0-407f-b89b-c569134c3bfd")
        self.assertEqual(1, missing.returncode, missing.stderr)
        self.assertIn("083a8474-22c0-407f-b89b-c569134c3bfd",
                      missing.stderr)
        self.assertIn("HTTP 404", missing.stderr)
        old = self.osc("--os-vmotiond-api-version", "1.3", "vmotiond",
                       "host", "list")
        self.assertNotEqual(0, old.returncode)
        self.assertIn("1.4", old.stderr)
        self.assertEqual("", old.stdout)

    def test_plugin_runs_on_what_osc_brings(self) -> None:
        # vmotiond is in the clients' virtualenv without its dependencies.
        python = os.path.join(os.path.dirname(self.openstack), "python")
        probe = subprocess.run(
            [python, "-c", "import importlib.util as u; print(' '.join("
             "m for m in ('sqlalchemy', 'oslo_db', 'oslo_messaging', "
             "'webob', 'cliff', 'osc_lib', 'vmotiond') if u.find_spec(m)))"],
            env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
            timeout=60, check=False)
        self.assertEqual("cliff osc_lib vmotiond", probe.stdout.strip(),
                         probe.stderr)
        commands = self.run_osc("command", "list", "--group", "vmotiond")
        self.assertEqual(
            [{"Command Group": "openstack.vmotiond.v1",
              "Commands": ["vmotiond host list", "vmotiond host show",
                           "vmotiond vmove list", "vmotiond vmove show",
                           "vmotiond vmove step list"]}], commands)
