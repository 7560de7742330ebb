import dataclasses

import testtools

from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond.cloud import records
from vmotiond.engine.deciding import eligibility
from vmotiond.engine.deciding import names as n
from vmotiond.engine.deciding import planner
from vmotiond.engine.deciding.records import PlanOptions
from vmotiond.engine.deciding.records import ServerGroup
from vmotiond.engine.deciding.records import TargetHost

OPTS = PlanOptions()


def target(name, role="normal", zone="az1", **cap):
    return TargetHost(name, zone, role, fakes.capacity(name, **cap))


def facts(services, capacities, roles):
    caps = {c.host: c for c in capacities}
    return [eligibility.HostFacts(s, roles.get(s.host, "normal"),
                                  capacity=caps.get(s.host))
            for s in services]


def dests(plan):
    return {m.server.name: m.dest_host for m in plan.moves}


class BuildTargetsTest(testtools.TestCase):

    def test_usability_rules(self):
        services = [
            fakes.service("ok"),
            fakes.service("down", state="down"),
            fakes.service("forced", forced_down=True),
            fakes.service("disabled", status="disabled", reason="maint"),
            fakes.service("standby", status="disabled", reason="vmotiond"),
            fakes.service("nocap"),
            fakes.service("failed"),
        ]
        caps = [fakes.capacity(h) for h in
                ("ok", "down", "forced", "disabled", "standby", "failed")]
        targets = {t.name: t for t in planner.build_targets(
            facts(services, caps, {"standby": constants.ROLE_STANDBY}),
            {"failed": "it is the failed host"})}
        self.assertIsNone(targets["ok"].unusable)
        self.assertIsNone(targets["standby"].unusable)
        self.assertEqual(constants.ROLE_STANDBY, targets["standby"].role)
        self.assertIn("down", targets["down"].unusable)
        self.assertIn("down", targets["forced"].unusable)
        self.assertIn("disabled (maint)", targets["disabled"].unusable)
        self.assertIn("no capacity", targets["nocap"].unusable)
        self.assertEqual("it is the failed host", targets["failed"].unusable)
        self.assertEqual(constants.ROLE_NORMAL, targets["ok"].role)

    def test_standby_disabled_by_an_operator_is_not_usable(self):
        services = [
            fakes.service("ours", status="disabled",
                          reason="vmotiond: standby host"),
            fakes.service("theirs", status="disabled", reason="broken disk"),
            fakes.service("no-reason", status="disabled")]
        targets = {t.name: t for t in planner.build_targets(facts(
            services, [fakes.capacity(s.host) for s in services],
            {s.host: constants.ROLE_STANDBY for s in services}))}
        self.assertIsNone(targets["ours"].unusable)
        self.assertEqual("its compute service is disabled (broken disk): "
                         "an operator's, not vmotiond's",
                         targets["theirs"].unusable)
        self.assertIn("(no reason given): an operator's",
                      targets["no-reason"].unusable)


class EvacuationPlacementTest(testtools.TestCase):

    def plan(self, servers, targets, options=OPTS, **kw):
        return planner.plan_evacuation("failed", servers, targets, options,
                                       **kw)

    def test_no_image_service_is_the_plan_s_note(self):
        servers = [dataclasses.replace(fakes.server(name=name),
                                       image_id="i1")
                   for name in ("a", "b")]
        hosts = [target("t")]
        missing = records.Images(missing="no image service in the cloud")
        plan = self.plan(servers, hosts, images=missing)
        self.assertEqual(("images unread (no image service in the cloud): "
                          "their property HA_Enabled and tags are not "
                          "considered",), plan.notes)
        self.assertEqual(2, len(plan.moves))
        for move in plan.moves:
            self.assertNotIn("image service", move.note or "")
        untagged = dataclasses.replace(OPTS, service_image_tags=frozenset())
        self.assertEqual(("images unread (no image service in the cloud): "
                          "their property HA_Enabled is not considered",),
                         self.plan(servers, hosts, untagged,
                                   images=missing).notes)
        for images in (None, records.Images(unread={"i1": "deleted"})):
            self.assertEqual((), self.plan(servers, hosts,
                                           images=images).notes)

    def test_standby_first_even_when_normal_has_more_room(self):
        servers = [fakes.server(name="a")]
        plan = self.plan(servers, [target("big", memory_mb=1 << 20),
                                   target("sb", role="standby",
                                          memory_mb=4096)])
        self.assertEqual({"a": "sb"}, dests(plan))

    def test_standby_fills_then_normal(self):
        servers = [fakes.server(name="vm%d" % i, memory_mb=1024)
                   for i in range(6)]
        plan = self.plan(servers, [
            target("sb1", role="standby", memory_mb=2048),
            target("sb2", role="standby", memory_mb=2048),
            target("n1", memory_mb=8192)])
        counts = plan.by_target()
        self.assertEqual({"sb1": 2, "sb2": 2, "n1": 2}, counts)
        self.assertTrue(plan.complete)
        # The first four moves go to standby hosts.
        self.assertEqual({"sb1", "sb2"},
                         {m.dest_host for m in plan.moves[:4]})

    def test_spreads_across_equal_hosts(self):
        servers = [fakes.server(memory_mb=1024) for _ in range(10)]
        plan = self.plan(servers, [target("a"), target("b")])
        self.assertEqual({"a": 5, "b": 5}, plan.by_target())

    def test_weights_choose_between_ram_and_vcpu(self):
        hosts = [target("ramrich", memory_mb=65536, vcpus=8),
                 target("cpurich", memory_mb=16384, vcpus=64)]
        servers = [fakes.server(name="a")]
        ram = self.plan(servers, hosts, PlanOptions(ram_weight=1,
                                                    vcpu_weight=0))
        cpu = self.plan(servers, hosts, PlanOptions(ram_weight=0,
                                                    vcpu_weight=1))
        both = self.plan(servers, hosts, PlanOptions(ram_weight=1,
                                                     vcpu_weight=3))
        self.assertEqual("ramrich", dests(ram)["a"])
        self.assertEqual("cpurich", dests(cpu)["a"])
        self.assertEqual("cpurich", dests(both)["a"])

    def test_disk_weight(self):
        hosts = [target("a", disk_gb=100), target("b", disk_gb=5000)]
        plan = self.plan([fakes.server(name="x")], hosts,
                         PlanOptions(ram_weight=0, vcpu_weight=0,
                                     disk_weight=1))
        self.assertEqual("b", dests(plan)["x"])

    def test_ties_broken_by_name(self):
        plan = self.plan([fakes.server(name="x")], [target("b"),
                                                    target("a")])
        self.assertEqual("a", dests(plan)["x"])

    def test_allocation_ratios_honoured(self):
        # 4 physical vCPUs at ratio 4.0 hold 16 one-vCPU instances.
        servers = [fakes.server(vcpus=1, memory_mb=128) for _ in range(17)]
        plan = self.plan(servers, [target("h", vcpus=4, cpu_ratio=4.0)])
        self.assertEqual(16, len(plan.moves))
        self.assertEqual(1, len(plan.unplaced))
        self.assertFalse(plan.complete)

    def test_used_and_reserved_capacity_counts(self):
        servers = [fakes.server(memory_mb=1024) for _ in range(4)]
        plan = self.plan(servers, [target("h", memory_mb=4096,
                                          used_mb=1024, reserved_mb=1024)])
        self.assertEqual(2, len(plan.moves))

    def test_same_zone_only(self):
        servers = [fakes.server(name="a", zone="az1"),
                   fakes.server(name="b", zone="az2")]
        plan = self.plan(servers, [target("h1", zone="az1"),
                                   target("h2", zone="az2")])
        self.assertEqual({"a": "h1", "b": "h2"}, dests(plan))

    def test_no_host_in_zone(self):
        plan = self.plan([fakes.server(zone="az9")], [target("h1")])
        self.assertEqual(n.IGNORE_NO_TARGET, plan.ignored[0].reason)
        self.assertIn("zone az9", plan.ignored[0].message)
        self.assertFalse(plan.complete)

    def test_source_zone_used_when_instance_has_none(self):
        plan = self.plan([fakes.server(name="a", zone=None)],
                         [target("h1", zone="az1"), target("h2", zone="az2")],
                         source_zone="az2")
        self.assertEqual({"a": "h2"}, dests(plan))

    def test_unusable_and_failed_host_never_chosen(self):
        hosts = [TargetHost("failed", "az1", "standby",
                            fakes.capacity("failed")),
                 TargetHost("down", "az1", "standby",
                            fakes.capacity("down"), "service down"),
                 target("ok")]
        plan = self.plan([fakes.server(name="a")], hosts)
        self.assertEqual({"a": "ok"}, dests(plan))

    def test_capacity_exhaustion_ignores_the_rest(self):
        servers = [fakes.server(name="vm%d" % i, memory_mb=1024)
                   for i in range(5)]
        plan = self.plan(servers, [target("h", memory_mb=3072)])
        self.assertEqual(3, len(plan.moves))
        self.assertEqual(2, len(plan.ignored))
        for item in plan.ignored:
            self.assertEqual(n.IGNORE_NO_CAPACITY, item.reason)
            self.assertIn("no capacity", item.message)
        self.assertFalse(plan.complete)

    def test_priorities_get_capacity_first_and_run_first(self):
        low = [fakes.server(name="low%d" % i, memory_mb=1024)
               for i in range(3)]
        high = fakes.server(name="high", memory_mb=1024,
                            metadata={"vmotion:priority": "10"})
        mid = fakes.server(name="mid", memory_mb=1024,
                           metadata={"vmotion:priority": "5"})
        plan = self.plan(low + [mid, high], [target("h", memory_mb=3072)])
        self.assertEqual(["high", "mid", "low0"],
                         [m.server.name for m in plan.moves])
        self.assertEqual(["low1", "low2"],
                         [i.server.name for i in plan.ignored])
        self.assertEqual([10, 5, 0], [p for p, _ in plan.tiers()])

    def test_big_instances_placed_first_within_tier(self):
        small = [fakes.server(name="s%d" % i, memory_mb=1024)
                 for i in range(2)]
        big = fakes.server(name="big", memory_mb=2048)
        plan = self.plan(small + [big], [target("a", memory_mb=2048),
                                         target("b", memory_mb=2048)])
        self.assertTrue(plan.complete)
        self.assertEqual("big", plan.moves[0].server.name)

    def test_ignored_pass_through_with_plan(self):
        servers = [fakes.server(name="ok"),
                   fakes.server(name="shelved", status="SHELVED"),
                   fakes.server(name="moved", host="elsewhere")]
        plan = self.plan(servers, [target("h")])
        self.assertEqual(["ok"], [m.server.name for m in plan.moves])
        self.assertEqual({"shelved": n.IGNORE_STATE,
                          "moved": n.IGNORE_ALREADY_MOVED},
                         {i.server.name: i.reason for i in plan.ignored})
        self.assertTrue(plan.complete)

    def test_mixed_states_whole_plan(self):
        states = ["ACTIVE", "SHUTOFF", "ERROR", "PAUSED", "SUSPENDED",
                  "RESCUE", "SHELVED_OFFLOADED", "MIGRATING"]
        servers = [fakes.server(name=s.lower(), status=s,
                                host=None if s == "SHELVED_OFFLOADED"
                                else "failed") for s in states]
        plan = self.plan(servers, [target("sb", role="standby")],
                         PlanOptions(evacuate_error_instances=True))
        self.assertEqual({"active", "shutoff", "error", "paused",
                          "suspended", "rescue"},
                         {m.server.name for m in plan.moves})
        self.assertEqual({"shelved_offloaded", "migrating"},
                         {i.server.name for i in plan.ignored})
        self.assertTrue(all(m.dest_host == "sb" for m in plan.moves))
        spec = [m for m in plan.moves if m.server.name == "paused"][0].spec()
        self.assertEqual("PAUSED", spec["original_status"])
        self.assertIn("restore_state:PAUSED", spec["steps"])

    def test_deterministic(self):
        servers = [fakes.server(memory_mb=512 * (i % 3 + 1))
                   for i in range(20)]
        hosts = [target("a"), target("b", role="standby", memory_mb=4096),
                 target("c", vcpus=8)]
        self.assertEqual(self.plan(servers, hosts),
                         self.plan(list(reversed(servers)), hosts))


class ServerGroupTest(testtools.TestCase):

    def plan(self, servers, targets, groups):
        return planner.plan_evacuation("failed", servers, targets, OPTS,
                                       server_groups=groups)

    def test_anti_affinity_spreads_and_avoids_member_hosts(self):
        groups = {"g": ServerGroup("g", "anti-affinity",
                                   frozenset({"a", "failed"}))}
        servers = [fakes.server(name="x", groups=["g"]),
                   fakes.server(name="y", groups=["g"])]
        plan = self.plan(servers, [target("a"), target("b"), target("c")],
                         groups)
        self.assertEqual({"b", "c"}, set(dests(plan).values()))

    def test_anti_affinity_without_room_is_ignored(self):
        groups = {"g": ServerGroup("g", "anti-affinity")}
        servers = [fakes.server(name="x", groups=["g"]),
                   fakes.server(name="y", groups=["g"])]
        plan = self.plan(servers, [target("a")], groups)
        self.assertEqual(1, len(plan.moves))
        self.assertEqual(n.IGNORE_SERVER_GROUP, plan.ignored[0].reason)
        self.assertIn("g anti-affinity", plan.ignored[0].message)
        self.assertFalse(plan.complete)

    def test_affinity_keeps_members_together(self):
        groups = {"g": ServerGroup("g", "affinity", frozenset({"failed"}))}
        servers = [fakes.server(name="x%d" % i, groups=["g"])
                   for i in range(3)]
        plan = self.plan(servers, [target("a"), target("b")], groups)
        self.assertEqual(1, len(set(dests(plan).values())))

    def test_affinity_follows_healthy_member(self):
        groups = {"g": ServerGroup("g", "affinity", frozenset({"b"}))}
        plan = self.plan([fakes.server(name="x", groups=["g"])],
                         [target("a", role="standby"), target("b")], groups)
        self.assertEqual({"x": "b"}, dests(plan))

    def test_soft_anti_affinity_prefers_other_hosts(self):
        groups = {"g": ServerGroup("g", "soft-anti-affinity",
                                   frozenset({"a"}))}
        plan = self.plan([fakes.server(name="x", groups=["g"])],
                         [target("a", memory_mb=1 << 20), target("b")],
                         groups)
        self.assertEqual({"x": "b"}, dests(plan))

    def test_soft_anti_affinity_may_share_when_needed(self):
        groups = {"g": ServerGroup("g", "soft-anti-affinity")}
        servers = [fakes.server(groups=["g"]) for _ in range(3)]
        plan = self.plan(servers, [target("a")], groups)
        self.assertEqual(3, len(plan.moves))

    def test_soft_affinity_prefers_member_hosts(self):
        groups = {"g": ServerGroup("g", "soft-affinity", frozenset({"b"}))}
        plan = self.plan([fakes.server(name="x", groups=["g"])],
                         [target("a", memory_mb=1 << 20), target("b")],
                         groups)
        self.assertEqual({"x": "b"}, dests(plan))

    def test_unknown_group_is_no_constraint(self):
        servers = [fakes.server(groups=["nope"]) for _ in range(2)]
        plan = self.plan(servers, [target("a")], {})
        self.assertEqual(2, len(plan.moves))


class DrainAndCustomTest(testtools.TestCase):

    def test_drain_live_running_cold_stopped_standby_first(self):
        servers = [fakes.server(name="run", host="src"),
                   fakes.server(name="off", status="SHUTOFF", host="src")]
        plan = planner.plan_drain(
            "src", servers, [target("src"), target("n"),
                             target("sb", role="standby")], OPTS)
        kinds = {m.server.name: (m.move_type, m.dest_host)
                 for m in plan.moves}
        self.assertEqual({"run": (constants.LIVE_MIGRATION, "sb"),
                          "off": (constants.MIGRATION, "sb")}, kinds)

    def test_custom_fixed_target(self):
        servers = [fakes.server(name="a", host="h1"),
                   fakes.server(name="b", host="h2")]
        plan = planner.plan_custom(servers, [target("h1"), target("h2"),
                                             target("h3")], OPTS,
                                   destination="h3")
        self.assertEqual({"a": "h3", "b": "h3"}, dests(plan))

    def test_custom_target_checked(self):
        s = fakes.server(name="a", host="h1")
        hosts = [target("h1"), target("tiny", memory_mb=16),
                 TargetHost("off", "az1", "normal", None, "service down"),
                 target("far", zone="az2")]
        for dest, text in (("nowhere", "unknown"), ("tiny", "no capacity"),
                           ("off", "not usable: service down"),
                           ("far", "in zone az2"), ("h1", "its source")):
            plan = planner.plan_custom([s], hosts, OPTS, destination=dest)
            self.assertEqual([], list(plan.moves))
            self.assertIn(text, plan.ignored[0].message, dest)

    def test_custom_let_nova_choose(self):
        plan = planner.plan_custom(
            [fakes.server(name="a", host="h1", status="SHUTOFF")], [], OPTS,
            destination=n.LET_NOVA_CHOOSE, mode="cold")
        self.assertEqual(1, len(plan.moves))
        self.assertIsNone(plan.moves[0].dest_host)
        self.assertEqual(constants.MIGRATION, plan.moves[0].move_type)

    def test_custom_planner_chooses(self):
        plan = planner.plan_custom(
            [fakes.server(name="a", host="h1")],
            [target("h1"), target("h2")], OPTS, destination=None)
        self.assertEqual({"a": "h2"}, dests(plan))
