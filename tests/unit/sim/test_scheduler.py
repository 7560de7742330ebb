from tests.unit.sim import base
from vmotiond.sim import errors
from vmotiond.sim import scheduler


class TestScheduler(base.CloudTestCase):
    def pick(self, server, requested=None, ignore=()):
        with self.cloud.lock:
            return scheduler.select_destination(
                self.cloud.state, server, self.cloud.is_up,
                requested=requested, ignore=ignore).name

    def test_skips_source_disabled_and_prefers_free_ram(self) -> None:
        srv = self.boot("h1")
        self.boot("h2")
        self.assertEqual("h3", self.pick(srv))   # h2 has less free RAM

    def test_down_and_forced_down_hosts_are_filtered(self) -> None:
        srv = self.boot("h1")
        self.cloud.state.hosts["h3"].forced_down = True
        self.assertEqual("h2", self.pick(srv))
        self.cloud.kill_host("h2")
        self.cloud.advance(61)
        self.assertRaises(scheduler.NoValidHost, self.pick, srv)

    def test_capacity_with_allocation_ratio(self) -> None:
        srv = self.boot("h1")
        for _ in range(4):       # 16384 MB usable: four 4096 MB servers
            self.boot("h2")
        self.cloud.state.hosts["h3"].disabled = True
        exc = self.assertRaises(scheduler.NoValidHost, self.pick, srv)
        self.assertEqual(400, exc.code)
        self.cloud.state.hosts["h2"].ram_allocation_ratio = 1.5
        self.assertEqual("h2", self.pick(srv))

    def test_pinned_availability_zone(self) -> None:
        srv = self.boot("h1", pinned_az="az1")
        self.assertEqual("h2", self.pick(srv))
        self.cloud.state.hosts["h2"].disabled = True
        self.assertRaises(scheduler.NoValidHost, self.pick, srv)

    def test_anti_affinity(self) -> None:
        group = self.cloud.add_server_group("g")
        a = self.boot("h1", group_id=group.id)
        self.boot("h3", group_id=group.id)
        self.assertEqual("h2", self.pick(a))
        self.cloud.state.hosts["h2"].disabled = True
        self.assertRaises(scheduler.NoValidHost, self.pick, a)

    def test_requested_host_runs_the_same_filters(self) -> None:
        srv = self.boot("h1")
        self.assertEqual("h3", self.pick(srv, requested="h3"))
        exc = self.assertRaises(scheduler.NoValidHost, self.pick, srv,
                                requested="sb1")
        self.assertIn("disabled", exc.message)
        self.assertRaises(errors.NotFound, self.pick, srv, requested="nope")
