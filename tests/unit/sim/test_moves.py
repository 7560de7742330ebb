from tests.unit.sim import base
from vmotiond.sim import errors
from vmotiond.sim import moves
from vmotiond.sim import power
from vmotiond.sim import services


class MovesTestCase(base.CloudTestCase):
    def evacuate(self, server_id, host=None, **kw):
        with self.cloud.lock:
            return moves.evacuate(self.cloud, server_id, host, **kw)

    def migrations(self, server_id):
        return self.cloud.state.migrations_by_server.get(server_id, [])


class TestEvacuate(MovesTestCase):
    def test_phases_active_before_host_changes(self) -> None:
        srv = self.boot("h1")
        self.kill("h1")
        self.evacuate(srv.id)
        (mig,) = self.migrations(srv.id)
        self.assertEqual(("REBUILD", "h1", "accepted"),
                         (srv.status, srv.host, mig.status))
        self.cloud.advance(0.2)                 # scheduled
        self.assertEqual("pre-migrating", mig.status)
        self.assertEqual(2, self.cloud.state.usage(mig.dest_compute)["VCPU"])
        self.cloud.advance(1.8)                 # rebuilt, host not yet
        self.assertEqual(("ACTIVE", None, "h1"),
                         (srv.status, srv.task_state, srv.host))
        self.cloud.advance(0.5)
        self.assertEqual(("ACTIVE", "done"), (srv.status, mig.status))
        self.assertEqual(mig.dest_compute, srv.host)
        self.assertNotEqual("h1", srv.host)
        # The dead source keeps its allocation until nova-compute starts.
        self.assertEqual(2, self.cloud.state.usage("h1")["VCPU"])

    def test_stop_at_target_and_stopped_servers(self) -> None:
        a = self.boot("h1")
        b = self.boot("h1", vm_state="stopped")
        self.kill("h1")
        self.evacuate(a.id, stop_at_target=True)
        self.evacuate(b.id)
        self.cloud.settle()
        self.assertEqual(("SHUTOFF", "SHUTOFF"), (a.status, b.status))

    def test_refused_while_source_up_400(self) -> None:
        srv = self.boot("h1")
        exc = self.assertRaises(errors.BadRequest, self.evacuate, srv.id)
        self.assertEqual("Compute service of h1 is still in use.",
                         exc.message)
        self.cloud.state.hosts["h1"].forced_down = True
        self.evacuate(srv.id)                 # forced down is down

    def test_refused_states_409(self) -> None:
        for vm_state in ("rescued", "paused", "suspended", "shelved"):
            srv = self.boot("h2", vm_state=vm_state)
            self.cloud.state.hosts["h2"].forced_down = True
            exc = self.assertRaises(errors.Conflict, self.evacuate, srv.id)
            self.assertIn("vm_state %s" % vm_state, exc.message)

    def test_target_checks(self) -> None:
        srv = self.boot("h1")
        self.kill("h1")
        self.assertRaises(errors.NotFound, self.evacuate, srv.id, "nope")
        self.assertRaises(errors.BadRequest, self.evacuate, srv.id, "h1")

    def test_second_evacuate_while_rebuilding_is_a_500(self) -> None:
        srv = self.boot("h1")
        self.kill("h1")
        self.evacuate(srv.id)
        exc = self.assertRaises(errors.Unexpected, self.evacuate, srv.id)
        self.assertEqual(500, exc.code)

    def test_no_valid_host_ends_in_error(self) -> None:
        srv = self.boot("h1")
        for name in ("h2", "h3"):
            self.cloud.state.hosts[name].disabled = True
        self.kill("h1")
        self.evacuate(srv.id)
        self.cloud.settle()
        (mig,) = self.migrations(srv.id)
        self.assertEqual(("ERROR", "error", "h1"),
                         (srv.status, mig.status, srv.host))
        self.assertIn("No valid host", srv.fault["message"])

    def test_standby_target_must_be_enabled_unless_forced(self) -> None:
        srv = self.boot("h1")
        self.kill("h1")
        self.evacuate(srv.id, "sb1")
        self.cloud.settle()
        self.assertEqual("ERROR", srv.status)
        with self.cloud.lock:
            srv.vm_state = "active"
        self.evacuate(srv.id, "sb1", force=True)
        self.cloud.settle()
        self.assertEqual(("ACTIVE", "sb1"), (srv.status, srv.host))

    def test_injected_error_and_unbound_floating_ip(self) -> None:
        a = self.boot("h1")
        b = self.boot("h1", floating_ip=True)
        self.cloud.add_fault("evacuate", "error_state", server_id=a.id)
        self.cloud.add_fault("evacuate", "fip_unbound", server_id=b.id)
        self.kill("h1")
        self.evacuate(a.id)
        self.evacuate(b.id)
        self.cloud.settle()
        self.assertEqual("ERROR", a.status)
        # As Nova: a failed rebuild leaves the server on its old host and
        # frees what it held on the destination.
        self.assertEqual("h1", a.host)
        (migration,) = self.cloud.state.migrations_by_server[a.id]
        self.assertEqual("failed", migration.status)
        self.assertEqual(["h1"], list(a.allocs))
        self.assertEqual("ACTIVE", b.status)
        (port,) = self.cloud.state.ports_by_device[b.id]
        self.assertEqual([], self.cloud.state.fips_by_port.get(port.id, []))
        self.assertEqual(b.host, port.binding_host)

    def test_dead_destination_leaves_it_stuck(self) -> None:
        srv = self.boot("h1")
        self.kill("h1")
        self.evacuate(srv.id, "h2")
        self.cloud.advance(0.5)
        self.cloud.kill_host("h2")
        self.cloud.settle()
        self.assertEqual("REBUILD", srv.status)

    def test_revived_source_completes_evacuations(self) -> None:
        srv = self.boot("h1")
        self.kill("h1")
        self.evacuate(srv.id)
        self.cloud.settle()
        with self.cloud.lock:
            exc = self.assertRaises(
                errors.BadRequest, services.check_no_done_evacuations,
                self.cloud, "h1")
        self.assertIn("`done` evacuation", exc.message)
        self.cloud.revive_host("h1")
        (mig,) = self.migrations(srv.id)
        self.assertEqual("completed", mig.status)
        self.assertEqual(0, self.cloud.state.usage("h1")["VCPU"])


class TestColdMigration(MovesTestCase):
    def test_migrate_confirm(self) -> None:
        srv = self.boot("h1", vm_state="stopped")
        with self.cloud.lock:
            moves.migrate(self.cloud, srv.id, "h2")
        self.assertEqual("RESIZE", srv.status)
        self.cloud.advance(3)
        (mig,) = self.migrations(srv.id)
        self.assertEqual(("VERIFY_RESIZE", "h2", "finished"),
                         (srv.status, srv.host, mig.status))
        self.assertEqual(2, self.cloud.state.usage("h1")["VCPU"])
        self.cloud.advance(3600)
        self.assertEqual("VERIFY_RESIZE", srv.status)
        with self.cloud.lock:
            moves.confirm_resize(self.cloud, srv.id)
            self.assertRaises(errors.BadRequest, moves.confirm_resize,
                              self.cloud, srv.id)
        self.cloud.settle()
        self.assertEqual(("SHUTOFF", "confirmed"), (srv.status, mig.status))
        self.assertEqual(0, self.cloud.state.usage("h1")["VCPU"])

    def test_migrate_revert(self) -> None:
        srv = self.boot("h1")
        with self.cloud.lock:
            moves.migrate(self.cloud, srv.id)
        self.cloud.settle()
        with self.cloud.lock:
            moves.revert_resize(self.cloud, srv.id)
        self.assertEqual("REVERT_RESIZE", srv.status)
        self.cloud.settle()
        self.assertEqual(("ACTIVE", "h1", "reverted"),
                         (srv.status, srv.host,
                          self.migrations(srv.id)[0].status))
        self.assertEqual(0, self.cloud.state.usage("h3")["VCPU"])

    def test_refusals(self) -> None:
        srv = self.boot("h1")
        with self.cloud.lock:
            exc = self.assertRaises(errors.BadRequest, moves.migrate,
                                    self.cloud, srv.id, "h1")
            self.assertIn("Cannot migrate to the host", exc.message)
            self.assertRaises(errors.BadRequest, moves.migrate, self.cloud,
                              srv.id, "nope")
            self.assertRaises(errors.Conflict, moves.confirm_resize,
                              self.cloud, srv.id)
        self.kill("h1")
        with self.cloud.lock:
            exc = self.assertRaises(errors.Conflict, moves.migrate,
                                    self.cloud, srv.id)
        self.assertEqual("Service is unavailable at this time.", exc.message)

    def test_no_valid_host_keeps_state(self) -> None:
        srv = self.boot("h1")
        with self.cloud.lock:
            moves.migrate(self.cloud, srv.id, "sb1")
        self.cloud.settle()
        self.assertEqual(("ACTIVE", "h1", "error"),
                         (srv.status, srv.host,
                          self.migrations(srv.id)[0].status))


class TestLiveMigration(MovesTestCase):
    def test_live_migrate(self) -> None:
        srv = self.boot("h1")
        with self.cloud.lock:
            moves.live_migrate(self.cloud, srv.id, "h3")
        self.assertEqual("MIGRATING", srv.status)
        self.cloud.advance(3)
        self.assertEqual(("ACTIVE", "h1"), (srv.status, srv.host))
        self.cloud.advance(1)
        self.assertEqual(("ACTIVE", "h3", "completed"),
                         (srv.status, srv.host,
                          self.migrations(srv.id)[0].status))
        self.assertEqual(0, self.cloud.state.usage("h1")["VCPU"])

    def test_rescued_refused_and_down_source_async_error(self) -> None:
        rescued = self.boot("h1", vm_state="rescued")
        with self.cloud.lock:
            self.assertRaises(errors.Conflict, moves.live_migrate,
                              self.cloud, rescued.id)
        srv = self.boot("h2")
        self.kill("h2")
        with self.cloud.lock:
            moves.live_migrate(self.cloud, srv.id)
            self.assertRaises(errors.BadRequest, moves.live_migrate,
                              self.cloud, self.boot("h2").id, None, False,
                              False)
        self.cloud.settle()
        self.assertEqual(("ACTIVE", "h2", "error"),
                         (srv.status, srv.host,
                          self.migrations(srv.id)[0].status))


class TestPowerAndServices(MovesTestCase):
    def test_stop_start_and_stuck_on_dead_host(self) -> None:
        srv = self.boot("h1")
        with self.cloud.lock:
            power.power_action(self.cloud, srv.id, "os-stop")
        self.cloud.settle()
        self.assertEqual("SHUTOFF", srv.status)
        self.cloud.kill_compute("h1")
        with self.cloud.lock:
            power.power_action(self.cloud, srv.id, "os-start")
        self.cloud.settle()
        self.assertEqual(("SHUTOFF", "powering-on"),
                         (srv.status, srv.task_state))

    def test_reset_state(self) -> None:
        srv = self.boot("h1")
        with self.cloud.lock:
            power.reset_state(self.cloud, srv.id, "error")
            self.assertRaises(errors.BadRequest, power.reset_state,
                              self.cloud, srv.id, "stopped")
        self.assertEqual("ERROR", srv.status)

    def test_disable_of_dead_but_up_service_hangs(self) -> None:
        self.cloud.kill_host("h1")
        host = self.cloud.state.hosts["h1"]
        with self.cloud.lock:
            hang = services.update(self.cloud, host, {"status": "disabled"})
        self.assertEqual(self.cloud.rpc_timeout, hang)
        with self.cloud.lock:
            hang = services.update(self.cloud, host, {"forced_down": True})
            self.assertEqual(0.0, hang)
            hang = services.update(self.cloud, host, {"status": "enabled"})
        self.assertEqual(0.0, hang)     # Nova no longer calls a down host
        with self.cloud.lock:
            self.assertRaises(errors.BadRequest, services.update,
                              self.cloud, host, {})
