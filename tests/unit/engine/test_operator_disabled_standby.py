"""A standby host whose service an operator disabled receives nothing, in
every kind of move (issue 16): recovery, ``host plan``, drain and custom
migration, whether the monitor has already seen it disabled or not."""

import dataclasses

from tests.unit.engine import base
from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond import exception
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.workflows import recovery

# The monitor's view: not polled since the operator's disable, or polled.
MONITOR_STATES = (constants.HOST_UP, constants.HOST_DISABLED)


class OperatorDisabledStandbyTest(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.add_hosts(standby=("sb1",), normal=("n1",))
        svc = self.cloud.services["sb1"]
        self.cloud.services["sb1"] = dataclasses.replace(
            svc, disabled_reason="broken disk")

    def monitor(self, state):
        self.db.host_update("sb1", {"monitor_state": state})

    def untouched(self):
        self.assertEqual("disabled", self.cloud.services["sb1"].status)
        self.assertEqual("broken disk",
                         self.cloud.services["sb1"].disabled_reason)
        self.assertEqual([], self.cloud.list_servers("sb1"))

    def test_recovery(self):
        for state in MONITOR_STATES:
            self.monitor(state)
            server = fakes.server(name="a-" + state, host="failed")
            self.cloud.add_server(server)
            uuid = self.notify(generation=MONITOR_STATES.index(state) + 1)
            self.make_manager().recovery.run(uuid)
            self.assertEqual("n1", self.vmoves(uuid)[server.name].dest_host,
                             state)
            self.untouched()

    def test_host_plan(self):
        self.cloud.add_server(fakes.server(name="a", host="failed"))
        for state in MONITOR_STATES:
            self.monitor(state)
            plan = recovery.plan_host(
                self.db, self.cloud, PlanOptions.from_conf(self.conf),
                "failed")
            self.assertEqual(["n1"], [m.dest_host for m in plan.moves],
                             state)

    def test_drain(self):
        for state in MONITOR_STATES:
            self.monitor(state)
            source = "src-" + state
            self.cloud.add_host(source, capacity=fakes.capacity(source))
            self.db.hosts_sync([{"name": h} for h in self.cloud.services])
            server = fakes.server(name="a-" + state, host=source)
            self.cloud.add_server(server)
            mgr = self.make_manager()
            note = mgr.operations.operator.drain(source)
            row = self.db.notification_get(note["uuid"])
            self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                             row.message)
            self.assertNotEqual(source, self.cloud.servers[server.id].host,
                                state)
            self.untouched()

    def test_custom_migration_planner_chooses(self):
        for state in MONITOR_STATES:
            self.monitor(state)
            server = fakes.server(name="a-" + state, host="failed")
            self.cloud.add_server(server)
            note = self.make_manager().operations.operator.migrate(
                [server.id], None)
            row = self.db.notification_get(note["uuid"])
            self.assertEqual(constants.NOTIFICATION_FINISHED, row.status,
                             row.message)
            self.assertEqual("n1", self.cloud.servers[server.id].host, state)
            self.untouched()

    def test_custom_migration_to_the_host(self):
        # Refused when asked, with eligibility's reason; nothing recorded.
        for state in MONITOR_STATES:
            self.monitor(state)
            server = fakes.server(name="a-" + state, host="failed")
            self.cloud.add_server(server)
            error = self.assertRaises(
                exception.Conflict,
                self.make_manager().operations.operator.migrate,
                [server.id], "sb1")
            self.assertEqual(
                "target host sb1 is not usable: its compute service is "
                "disabled (broken disk): an operator's, not vmotiond's",
                error.kwargs["reason"], state)
            self.assertEqual([], self.db.notification_list())
            self.assertEqual("failed", self.cloud.servers[server.id].host)
            self.untouched()
