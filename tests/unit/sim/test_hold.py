"""Held long operations stay in progress, as Nova shows them, until
released; then they take the rest of their latency."""

import json

import webob

from tests.unit.sim import base
from vmotiond.sim import control
from vmotiond.sim import errors
from vmotiond.sim import moves
from vmotiond.sim import power


class TestHold(base.CloudTestCase):
    def migration(self, server_id):
        (migration,) = self.cloud.state.migrations_by_server[server_id]
        return migration

    def test_held_live_migration_runs_until_released(self) -> None:
        srv = self.boot("h1")
        self.cloud.hold("live_migrate")
        with self.cloud.lock:
            moves.live_migrate(self.cloud, srv.id, "h3")
        self.cloud.advance(3600)
        mig = self.migration(srv.id)
        self.assertEqual(("MIGRATING", "migrating", "h1", "running", "h3"),
                         (srv.status, srv.task_state, srv.host, mig.status,
                          mig.dest_compute))
        self.assertEqual(2, self.cloud.state.usage("h3")["VCPU"])
        self.assertEqual({"live_migrate": 1}, self.cloud.held())
        self.assertEqual(1, self.cloud.release("live_migrate"))
        self.assertEqual({}, self.cloud.held())
        self.cloud.advance(2.6)                 # 90% of its 3 s left
        self.assertEqual("MIGRATING", srv.status)
        self.cloud.advance(0.6)
        self.assertEqual(("ACTIVE", "h3", "completed"),
                         (srv.status, srv.host, mig.status))

    def test_held_cold_migration_and_evacuation(self) -> None:
        cold = self.boot("h2", vm_state="stopped")
        lost = self.boot("h1")
        self.cloud.hold("migrate")
        self.cloud.hold("evacuate")
        self.kill("h1")
        with self.cloud.lock:
            moves.migrate(self.cloud, cold.id)
            moves.evacuate(self.cloud, lost.id)
        self.cloud.advance(3600)
        self.assertEqual(("RESIZE", "resize_migrating", "migrating"),
                         (cold.status, cold.task_state,
                          self.migration(cold.id).status))
        self.assertEqual(("REBUILD", "rebuild_spawning", "pre-migrating"),
                         (lost.status, lost.task_state,
                          self.migration(lost.id).status))
        self.assertEqual(1, self.cloud.release("migrate"))
        self.cloud.settle()
        self.assertEqual("VERIFY_RESIZE", cold.status)
        self.assertEqual("REBUILD", lost.status)
        self.cloud.release("evacuate")
        self.cloud.settle()
        self.assertEqual(("ACTIVE", "done"),
                         (lost.status, self.migration(lost.id).status))

    def test_held_stop_keeps_its_task_state(self) -> None:
        srv = self.boot("h1")
        self.cloud.hold("stop")
        with self.cloud.lock:
            power.power_action(self.cloud, srv.id, "os-stop")
        self.cloud.settle()
        self.assertEqual(("ACTIVE", "powering-off"),
                         (srv.status, srv.task_state))
        self.cloud.release("stop")
        self.cloud.settle()
        self.assertEqual(("SHUTOFF", None), (srv.status, srv.task_state))

    def test_a_move_in_its_long_phase_before_the_hold_goes_on(self) -> None:
        srv = self.boot("h1")
        with self.cloud.lock:
            moves.live_migrate(self.cloud, srv.id, "h3")
        self.cloud.advance(0.5)                 # scheduled, running
        self.cloud.hold("live_migrate")
        self.cloud.settle()
        self.assertEqual(("ACTIVE", "h3"), (srv.status, srv.host))
        self.assertEqual({"live_migrate": 0}, self.cloud.held())

    def test_only_long_operations(self) -> None:
        for op in ("host_update_lag", "nope"):
            self.assertRaises(errors.BadRequest, self.cloud.hold, op)
            self.assertRaises(errors.BadRequest, self.cloud.release, op)


class TestHoldControl(base.CloudTestCase):
    def call(self, method: str, path: str) -> tuple[int, dict]:
        app = control.ControlApp(self.cloud)
        response = webob.Request.blank(path, method=method).get_response(
            app)
        return response.status_int, json.loads(response.body)

    def test_hold_and_release_routes(self) -> None:
        srv = self.boot("h1")
        self.assertEqual((200, {"op": "live_migrate"}),
                         self.call("PUT", "/hold/live_migrate"))
        with self.cloud.lock:
            moves.live_migrate(self.cloud, srv.id, "h3")
        self.cloud.advance(60)
        self.assertEqual({"live_migrate": 1}, self.call("GET", "")[1]["held"])
        self.assertEqual((200, {"op": "live_migrate", "released": 1}),
                         self.call("DELETE", "/hold/live_migrate"))
        self.assertEqual({}, self.call("GET", "")[1]["held"])
        self.cloud.settle()
        self.assertEqual("h3", srv.host)
        status, body = self.call("PUT", "/hold/nope")
        self.assertEqual(400, status)
        self.assertIn("not a long operation", body["error"])
