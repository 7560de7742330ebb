import datetime

from tests.unit.sim import base
from vmotiond.sim import cloud as cloud_mod
from vmotiond.sim import model
from vmotiond.sim import services


class TestHeartbeat(base.CloudTestCase):
    def test_updated_at_advances_every_interval_while_alive(self) -> None:
        host = self.cloud.state.hosts["h1"]
        first = model.last_heartbeat(host, 10, self.clock.now())
        self.cloud.advance(25)
        later = model.last_heartbeat(host, 10, self.clock.now())
        self.assertIn((later - first).total_seconds(), (20.0, 30.0))
        self.assertLessEqual(later, self.clock.now())
        self.assertLess((self.clock.now() - later).total_seconds(), 10)

    def test_heartbeat_stops_and_state_turns_down_after_down_time(self
                                                                   ) -> None:
        self.cloud.kill_host("h1")
        host = self.cloud.state.hosts["h1"]
        stopped_at = model.last_heartbeat(host, 10, self.clock.now())
        self.cloud.advance(50)
        self.assertTrue(self.is_up("h1"))
        self.assertEqual(stopped_at,
                         model.last_heartbeat(host, 10, self.clock.now()))
        self.cloud.advance(20)
        self.assertFalse(self.is_up("h1"))
        self.assertTrue(self.is_up("h2"))

    def test_a_service_write_stamps_updated_at(self) -> None:
        host = self.cloud.state.hosts["h1"]
        self.kill("h1")
        with self.cloud.lock:
            beat = model.last_heartbeat(host, 10, self.clock.now())
            services.update(self.cloud, host, {"status": "disabled"})
            written = self.clock.now()
            self.assertEqual(written, self.cloud.updated_at(host, written))
        self.cloud.advance(5)
        with self.cloud.lock:       # a write that changes nothing
            services.update(self.cloud, host, {"status": "disabled"})
            now = self.clock.now()
            self.assertEqual(written, self.cloud.updated_at(host, now))
            # Nova's state follows heartbeats alone.
            self.assertEqual(beat, model.last_heartbeat(host, 10, now))
        self.assertFalse(self.is_up("h1"))
        self.cloud.revive_host("h1")
        self.cloud.advance(10)
        with self.cloud.lock:
            now = self.clock.now()
            self.assertEqual(model.last_heartbeat(host, 10, now),
                             self.cloud.updated_at(host, now))
            self.assertLess(written, self.cloud.updated_at(host, now))

    def test_one_host_ip_for_every_host(self) -> None:
        shared = cloud_mod.SimCloud(clock=self.clock,
                                    shared_host_ip="192.0.2.7")
        for name in ("a", "b"):
            shared.add_host(name)
        self.assertEqual({"192.0.2.7"}, {h.host_ip for h in
                                         shared.state.hosts.values()})
        self.assertEqual(4, len({h.host_ip for h in
                                 self.cloud.state.hosts.values()}))

    def test_forced_down_is_down_at_once(self) -> None:
        self.cloud.state.hosts["h2"].forced_down = True
        self.assertFalse(self.is_up("h2"))

    def test_revive_restarts_heartbeat_but_keeps_flags(self) -> None:
        host = self.cloud.state.hosts["h1"]
        host.disabled, host.forced_down = True, True
        self.kill("h1")
        self.cloud.revive_host("h1")
        self.assertEqual(self.clock.now(),
                         model.last_heartbeat(host, 10, self.clock.now()))
        self.assertTrue(host.disabled)
        self.assertTrue(host.forced_down)
        self.assertFalse(self.is_up("h1"))
        host.forced_down = False
        self.assertTrue(self.is_up("h1"))

    def test_kill_compute_keeps_probe(self) -> None:
        self.cloud.kill_compute("h2")
        self.assertTrue(self.cloud.probe("h2"))
        self.cloud.kill_host("h3")
        self.assertFalse(self.cloud.probe("h3"))
        self.assertEqual(False, self.cloud.host_view("h2")["compute_running"])

    def test_revived_machine_powers_off_its_remaining_guests(self) -> None:
        srv = self.boot("h3")
        self.kill("h3")
        self.assertEqual("ACTIVE", srv.status)      # the API cannot know
        self.cloud.revive_host("h3")
        self.assertEqual("SHUTOFF", srv.status)

    def test_flap(self) -> None:
        self.cloud.flap_host("h2", down_s=100, up_s=100, cycles=2)
        self.assertFalse(self.cloud.probe("h2"))
        self.cloud.advance(90)
        self.assertFalse(self.is_up("h2"))
        self.cloud.advance(20)
        self.assertTrue(self.is_up("h2"))
        self.assertTrue(self.cloud.probe("h2"))
        self.cloud.advance(100)
        self.assertFalse(self.cloud.probe("h2"))
        self.cloud.advance(100)
        self.assertTrue(self.cloud.probe("h2"))


class TestIndexes(base.CloudTestCase):
    def test_usage_follows_allocations(self) -> None:
        srv = self.boot("h1")
        state = self.cloud.state
        self.assertEqual({"VCPU": 2, "MEMORY_MB": 4096, "DISK_GB": 20},
                         state.usage("h1"))
        state.allocate(srv, "h2", "migration-1")
        self.assertEqual(2, state.usage("h2")["VCPU"])
        state.free(srv, "h1")
        self.assertEqual(0, state.usage("h1")["VCPU"])
        state.free(srv, "h1")                      # twice is harmless
        self.assertEqual(0, state.usage("h1")["VCPU"])

    def test_move_server_keeps_host_index(self) -> None:
        srv = self.boot("h1")
        self.cloud.state.move_server(srv, "h2")
        self.assertEqual({}, self.cloud.state.by_host["h1"])
        self.assertEqual([srv.id], list(self.cloud.state.by_host["h2"]))

    def test_standby_host_is_disabled(self) -> None:
        host = self.cloud.state.hosts["sb1"]
        self.assertTrue(host.disabled)
        self.assertEqual("vmotiond: standby host, kept out of scheduling",
                         host.disabled_reason)

    def test_capacity_uses_reserved_and_ratio(self) -> None:
        host = self.cloud.state.hosts["h1"]
        self.assertEqual(16.0, host.capacity("VCPU"))
        self.assertEqual(16384.0, host.capacity("MEMORY_MB"))
        self.assertIsInstance(self.clock.now(), datetime.datetime)
