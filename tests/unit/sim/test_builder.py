import testtools

from vmotiond import clock
from vmotiond.sim import builder
from vmotiond.sim import cloud


class TestBuilder(testtools.TestCase):
    def build(self, **kw):
        c = cloud.SimCloud(clock=clock.FakeClock(), seed=7)
        return c, builder.build(c, builder.Scenario(**kw))

    def test_counts_roles_and_zones(self) -> None:
        c, summary = self.build(hosts=6, standby=2, servers=60, zones=2)
        self.assertEqual({"hosts": 6, "standby": 2, "servers": 60}, summary)
        roles = [h.role for h in c.state.hosts.values()]
        self.assertEqual(2, roles.count("standby"))
        self.assertTrue(all(h.disabled for h in c.state.hosts.values()
                            if h.role == "standby"))
        self.assertEqual({"az1", "az2"},
                         {h.zone for h in c.state.hosts.values()})
        self.assertTrue(all(not c.state.by_host[h.name]
                            for h in c.state.hosts.values()
                            if h.role == "standby"))
        self.assertGreater(len({s.vm_state
                                for s in c.state.servers.values()}), 1)

    def test_anti_affinity_groups_are_spread(self) -> None:
        c, _ = self.build(hosts=4, standby=0, servers=10,
                          anti_affinity_groups=2, group_size=3)
        for group in c.state.groups.values():
            hosts = [c.state.servers[m].host for m in group.members]
            self.assertEqual(3, len(set(hosts)))

    def test_stops_when_full(self) -> None:
        c, summary = self.build(hosts=1, standby=0, servers=500,
                                memory_mb=8704, anti_affinity_groups=0)
        self.assertLess(summary["servers"], 500)
        self.assertLessEqual(c.state.usage("compute-0001")["MEMORY_MB"],
                             8192)

    def test_unknown_field_refused(self) -> None:
        self.assertRaises(ValueError, builder.Scenario.from_dict,
                          {"hostz": 3})

    def test_same_seed_same_cloud(self) -> None:
        a, _ = self.build(hosts=3, servers=20)
        b, _ = self.build(hosts=3, servers=20)
        self.assertEqual([(s.name, s.vm_state, s.host, s.flavor.id)
                          for s in a.state.order],
                         [(s.name, s.vm_state, s.host, s.flavor.id)
                          for s in b.state.order])
