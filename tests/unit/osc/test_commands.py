"""The commands' arguments, queries and columns, on a fake OSC app (the
functional test runs them in the real `openstack`)."""

from typing import Any

import testtools

from tests.unit.osc import test_client
from vmotiond.osc import client
from vmotiond.osc.v1 import common
from vmotiond.osc.v1 import hosts
from vmotiond.osc.v1 import vmoves

ROOT = test_client.ROOT


class FakeManager:

    def __init__(self, session: Any, version: str) -> None:
        self._api_version = {"vmotiond": version}
        self.vmotiond = client.Client(session, version)


class FakeApp:

    def __init__(self, session: Any, version: str = "1.4") -> None:
        self.client_manager = FakeManager(session, version)


def run(command_class: Any, session: Any, *argv: str,
        version: str = "1.4") -> Any:
    cmd = command_class(FakeApp(session, version), None)
    parsed = cmd.get_parser("openstack test").parse_args(list(argv))
    return cmd.take_action(parsed)


HOST = {"name": "h1", "role": "normal", "monitor_state": "up",
        "monitor_detail": {"age": 3}, "maintenance": False,
        "uuid": "u-1", "future_field": "new"}


class HostCommandsTest(testtools.TestCase):

    def test_list_short_with_filters(self) -> None:
        session = test_client.FakeSession(ROOT, {
            ROOT + "/hosts": {"hosts": [HOST]}})
        columns, rows = run(hosts.ListHost, session, "--role", "normal",
                            "--role", "standby", "--monitor-state", "down",
                            "--availability-zone", "az1")
        self.assertEqual(hosts.SHORT, columns)
        self.assertEqual([("h1", "normal", "up", None, None, None, False,
                           None, None)], list(rows))
        self.assertEqual([("role", "normal"), ("role", "standby"),
                          ("monitor_state", "down"),
                          ("availability_zone", "az1")],
                         session.calls[0][1])

    def test_long_and_show_print_every_field(self) -> None:
        session = test_client.FakeSession(ROOT, {
            ROOT + "/hosts": {"hosts": [HOST]},
            ROOT + "/hosts/h1": {"host": HOST}})
        columns, rows = run(hosts.ListHost, session, "--long")
        # The known fields the API answered, then its newer one.
        answered = tuple(f for f in hosts.FIELDS if f in HOST)
        self.assertEqual(answered + ("future_field",), columns)
        (row,) = list(rows)
        detail = row[columns.index("monitor_detail")]
        self.assertEqual({"age": 3}, detail.machine_readable())
        self.assertEqual('{"age": 3}', detail.human_readable())
        columns, values = run(hosts.ShowHost, session, "h1")
        self.assertEqual(answered + ("future_field",), columns)
        self.assertEqual("new", values[-1])
        self.assertEqual("u-1", values[columns.index("uuid")])

    def test_refused_below_1_4(self) -> None:
        session = test_client.FakeSession(ROOT, {})
        error = self.assertRaises(client.ClientError, run, hosts.ListHost,
                                  session, version="1.3")
        self.assertIn("vmotiond host list needs", str(error))
        self.assertEqual([], session.calls)


class VMoveCommandsTest(testtools.TestCase):

    def test_list_query(self) -> None:
        session = test_client.FakeSession(ROOT, {
            ROOT + "/vmoves": {"vmoves": [{"uuid": "u1"}]}})
        columns, rows = run(
            vmoves.ListVMove, session, "--notification", "n1", "--instance",
            "i1", "--host", "h1", "--type", "evacuation", "--status",
            "failed", "--since", "2026-01-01T00:00:00Z", "--until",
            "2026-02-01T00:00:00Z", "--sort", "status:asc,priority",
            "--limit", "5", "--marker", "m1")
        self.assertEqual(vmoves.SHORT, columns)
        self.assertEqual("u1", list(rows)[0][0])
        self.assertEqual(
            [("notification_uuid", "n1"), ("instance_uuid", "i1"),
             ("host", "h1"), ("type", "evacuation"), ("status", "failed"),
             ("since", "2026-01-01T00:00:00Z"),
             ("until", "2026-02-01T00:00:00Z"), ("sort_key", "status"),
             ("sort_key", "priority"), ("sort_dir", "asc"),
             ("sort_dir", "desc"), ("limit", "5"), ("marker", "m1")],
            session.calls[0][1])

    def test_show_and_steps(self) -> None:
        step = {f: None for f in vmoves.STEP_FIELDS}
        step.update(id=7, name="plan")
        session = test_client.FakeSession(ROOT, {
            ROOT + "/vmoves/12": {"vmove": {"uuid": "u", "id": 12}},
            ROOT + "/vmoves/12/steps": {"steps": [step]}})
        columns, values = run(vmoves.ShowVMove, session, "12")
        # A field the API did not answer (an older microversion) is left
        # out, not shown empty.
        self.assertEqual(("uuid", "id"), columns)
        self.assertEqual(("u", 12), values)
        columns, rows = run(vmoves.ListStep, session, "12")
        self.assertEqual(vmoves.STEP_FIELDS, columns)
        (row,) = list(rows)
        self.assertEqual((7, None, "plan"), row[:3])
        self.assertIsInstance(row[-1], common.JsonColumn)
        self.assertEqual("", row[-1].human_readable())
        self.assertIsNone(row[-1].machine_readable())
