"""The monitor loop with a fake cloud, an in-memory store and a recording
notifier: what is emitted, persisted and synced."""

import dataclasses
import datetime
import logging
import threading

import fixtures
import testtools

from tests.fixtures import conf as conf_fixture
from tests.unit.engine import fakes as engine_fakes
from tests.unit.monitor.fakes import T0
from tests.unit.monitor.fakes import FakeNova
from vmotiond import clock as clock_mod
from vmotiond import constants as c
from vmotiond import exception
from vmotiond import metrics
from vmotiond.cloud import records as cloud_records
from vmotiond.monitor import manager
from vmotiond.monitor import probe
from vmotiond.monitor import records as r
from vmotiond.monitor import store as store_mod
from vmotiond.monitor.thresholds import Thresholds
from vmotiond.verdict import payload


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []

    def info(self, ctxt: dict, event_type: str, body: dict) -> None:
        self.sent.append(("info", event_type, body))

    def warn(self, ctxt: dict, event_type: str, body: dict) -> None:
        self.sent.append(("warn", event_type, body))

    def types(self) -> list[str]:
        return [t for _, t, _ in self.sent]


class FakeCloud:
    def __init__(self, nova: FakeNova) -> None:
        self.nova = nova
        self.unreachable = False
        self.calls = 0
        self.host_ip: str | None = None     # one address for every host
        self.aggregates: list[cloud_records.Aggregate] = []
        self.aggregate_reads = 0
        self.aggregates_fail = False

    def list_compute_services(self) -> list:
        self.calls += 1
        if self.unreachable:
            raise exception.CloudUnavailable(service="compute",
                                             call="list", reason="down")
        return self.nova.services()

    def list_aggregates(self) -> list[cloud_records.Aggregate]:
        self.aggregate_reads += 1
        if self.unreachable or self.aggregates_fail:
            raise exception.CloudUnavailable(service="compute",
                                             call="list", reason="down")
        return self.aggregates

    def list_host_capacities(self) -> list:
        return [cloud_records.HostCapacity(
            host=h, hypervisor_id="hv-" + h,
            host_ip=self.host_ip or "127.0.0.%d" % (i + 2),
            vcpus_total=8, vcpus_reserved=0, vcpus_used=2,
            cpu_allocation_ratio=1.0, memory_mb_total=4096,
            memory_mb_reserved=0, memory_mb_used=1024,
            ram_allocation_ratio=1.0, disk_gb_total=100, disk_gb_reserved=0,
            disk_gb_used=10, disk_allocation_ratio=1.0, running_vms=1)
            for i, h in enumerate(sorted(self.nova.hosts))]

    def list_servers(self, host: str | None = None) -> list:
        self.listing.wait()
        return self.servers

    def list_network_agents(self) -> list:
        return []

    servers: list = []
    listing = threading.Event()
    listing.set()


class Elector:
    def __init__(self, leader: bool = True) -> None:
        self.is_leader = leader
        self.started = self.stopped = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True


class MonitorTestBase(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.fx = self.useFixture(conf_fixture.Conf())
        self.fx.set("host", "ctl-1")
        self.nova = FakeNova(10)
        self.cloud = FakeCloud(self.nova)
        self.store = store_mod.MemoryStore()
        self.notifier = RecordingNotifier()
        self.clock = clock_mod.FakeClock(T0)
        self.elector = Elector()
        self.monitor = manager.Monitor(
            self.fx.conf, self.cloud, self.store, self.notifier,
            clock=self.clock,
            probe=probe.CallableProbe(lambda h: self.nova.hosts[h].answers),
            elector=self.elector)
        self.addCleanup(self.monitor.stop)

    def run_for(self, seconds: float, poll: float = 2.0) -> None:
        for _ in range(int(seconds / poll)):
            self.nova.advance(poll)
            self.clock.advance(poll)
            self.monitor.tick()

    def kill(self, name: str) -> None:
        self.nova.hosts[name].alive = False
        self.nova.hosts[name].answers = False


class CycleTest(MonitorTestBase):

    def test_first_tick_syncs_the_inventory(self) -> None:
        self.run_for(2)
        self.assertEqual(1, len(self.store.synced))
        item = self.store.synced[0][0]
        self.assertEqual("h0", item["name"])
        self.assertEqual("127.0.0.2", item["management_ip"])
        self.assertEqual(4096, item["memory_mb_total"])
        self.assertEqual("enabled", item["service_status"])
        self.assertEqual(10, len(self.store.views))

    def test_instances_are_counted_off_the_cycle(self) -> None:
        # Listing every server may take seconds: the cycle goes on while
        # the listing waits; the counts are written when it answers.
        self.cloud.listing = threading.Event()
        self.addCleanup(self.cloud.listing.set)
        self.cloud.servers = [engine_fakes.server(host="h1", status=status)
                              for status in ("ACTIVE", "SHUTOFF")]
        self.run_for(4)
        self.assertEqual(3, self.cloud.calls)   # the sync, two cycles
        self.assertNotIn("instances_total", self.store.synced[0][0])
        self.assertEqual([], self.store.counted)
        self.cloud.listing.set()
        self.monitor._counting.result(timeout=30)
        self.assertEqual([{"h1": (2, 1)}], self.store.counted)

    def test_sync_runs_on_its_interval(self) -> None:
        self.fx.set("sync_interval", 60.0, group="monitor")
        self.run_for(130)
        self.assertEqual(3, len(self.store.synced))
        self.assertEqual(3, self.cloud.aggregate_reads)

    def test_aggregate_pause_holds_its_hosts_only(self) -> None:
        self.cloud.aggregates = [cloud_records.Aggregate(
            id="1", name="rack-a", hosts=("h3",))]
        self.run_for(20)
        self.store.pauses.add("rack-a")
        self.kill("h3")
        self.kill("h6")
        self.run_for(120)
        # h6 is declared; h3 held once: an alert and an ignored row.
        self.assertEqual([payload.EVENT_HOST_ALERT, payload.EVENT_HOST_DOWN],
                         sorted(self.notifier.types()))
        self.assertEqual(["h6"], [payload.parse(b)["host"] for _p, t, b
                                  in self.notifier.sent
                                  if t == payload.EVENT_HOST_DOWN])
        row = self.store.failures["COMPUTE_HOST:h3:1:held"]
        self.assertEqual(c.NOTIFICATION_IGNORED, row["status"])
        self.assertIn("paused over rack-a", row["message"])
        self.assertEqual([r.REASON_HA_PAUSED],
                         [a["type"] for a in self.store.alerts])
        self.assertEqual(c.HOST_SUSPECT, self.store.saved["h3"].state)
        # Resumed: h3, still down, is declared now.
        self.store.pauses.clear()
        self.run_for(4)
        self.assertEqual(["h6", "h3"], [payload.parse(b)["host"]
                                        for _p, t, b in self.notifier.sent
                                        if t == payload.EVENT_HOST_DOWN])

    def test_aggregates_kept_when_nova_fails_to_list_them(self) -> None:
        self.cloud.aggregates = [cloud_records.Aggregate(
            id="1", name="rack-a", hosts=("h3",))]
        self.run_for(20)
        self.cloud.aggregates_fail = True
        self.monitor.sync_aggregates()
        self.store.pauses.add("rack-a")
        self.kill("h3")
        self.run_for(120)
        self.assertEqual([payload.EVENT_HOST_ALERT], self.notifier.types())

    def test_killed_host_emits_host_down_once(self) -> None:
        self.run_for(20)
        self.kill("h3")
        self.run_for(120)
        self.assertEqual([payload.EVENT_HOST_DOWN], self.notifier.types())
        priority, _type, body = self.notifier.sent[0]
        self.assertEqual("info", priority)
        data = payload.parse(body)
        self.assertEqual("h3", data["host"])
        self.assertEqual(1, data["generation"])
        self.assertEqual("ctl-1", data["monitor"])
        self.assertTrue(data["auto_evacuate"])
        self.assertEqual("COMPUTE_HOST:h3:1", data["dedup_key"])
        self.assertEqual("dead", data["evidence"]["probe"])
        self.assertEqual(c.HOST_DOWN, self.store.saved["h3"].state)
        self.assertEqual(1, self.store.saved["h3"].generation)
        # Persisted as a new notification before it was sent.
        row = self.store.failures["COMPUTE_HOST:h3:1"]
        self.assertEqual(c.NOTIFICATION_NEW, row["status"])
        self.assertEqual(body, row["payload"])

    def test_host_without_auto_evacuate_gets_alert_and_row(self) -> None:
        self.run_for(2)
        self.store.views["h3"] = store_mod.HostView(
            "h3", auto_evacuate=False, management_ip="127.0.0.5")
        self.kill("h3")
        self.run_for(120)
        self.assertEqual([payload.EVENT_HOST_ALERT], self.notifier.types())
        self.assertEqual("warn", self.notifier.sent[0][0])
        data = payload.parse(self.notifier.sent[0][2])
        self.assertEqual(r.REASON_NO_AUTO_EVACUATE, data["reason"])
        row = self.store.failures["COMPUTE_HOST:h3:1"]
        self.assertEqual(c.NOTIFICATION_IGNORED, row["status"])
        self.assertIn("auto_evacuate is off", row["message"])

    def test_recovery_emits_recovered(self) -> None:
        self.run_for(20)
        self.kill("h3")
        self.run_for(60)
        self.nova.hosts["h3"].alive = self.nova.hosts["h3"].answers = True
        self.run_for(90)
        self.assertEqual([payload.EVENT_HOST_DOWN,
                          payload.EVENT_HOST_RECOVERED],
                         self.notifier.types())
        data = payload.parse(self.notifier.sent[1][2])
        self.assertEqual(("h3", 1), (data["host"], data["generation"]))

    def test_process_failure_is_an_alert(self) -> None:
        self.run_for(20)
        self.nova.hosts["h3"].alive = False
        self.run_for(120)
        self.assertEqual([payload.EVENT_HOST_ALERT], self.notifier.types())
        data = payload.parse(self.notifier.sent[0][2])
        self.assertEqual(r.PROCESS_FAILURE, data["reason"])

    def test_nova_unreachable_is_an_alert(self) -> None:
        self.run_for(20)
        self.cloud.unreachable = True
        self.run_for(20)
        self.assertEqual([payload.EVENT_HOST_ALERT], self.notifier.types())
        body = self.notifier.sent[0][2]
        data = body
        self.assertEqual(r.REASON_NOVA_UNREACHABLE, data["reason"])
        self.assertIsNone(data["host"])

    def test_only_changed_records_are_saved(self) -> None:
        saves: list[list[str]] = []
        original = self.store.save_records

        def spy(recs):
            recs = list(recs)
            saves.append([x.host for x in recs])
            original(recs)
        self.store.save_records = spy
        self.run_for(40)
        self.assertEqual(1, len(saves))        # the first sight only
        self.assertEqual(10, len(saves[0]))

    def test_a_save_that_failed_is_tried_again(self) -> None:
        original = self.store.save_records
        failures = [RuntimeError("database gone")]

        def flaky(recs):
            if failures:
                raise failures.pop()
            original(recs)
        self.store.save_records = flaky
        self.nova.advance(2)
        self.clock.advance(2)
        self.assertRaises(RuntimeError, self.monitor.tick)  # first sight
        self.assertEqual({}, self.store.saved)
        self.run_for(2)                       # nothing changed: retried
        self.assertEqual(10, len(self.store.saved))
        self.assertEqual(self.monitor.state.hosts["h0"],
                         self.store.saved["h0"])

    def test_switches_are_read_again_only_when_their_mark_moves(self) -> None:
        reads = []
        original = self.store.switches
        self.store.switches = lambda: reads.append(1) or original()
        marks = iter(range(1000))
        mark = [next(marks)]
        self.store.switches_mark = lambda: mark[0]
        self.run_for(10)
        self.assertEqual(1, len(reads))
        self.store.views["h3"] = store_mod.HostView("h3", maintenance=True)
        self.run_for(10)
        self.assertEqual(1, len(reads))       # the mark did not move
        mark[0] = next(marks)
        self.run_for(2)
        self.assertEqual(2, len(reads))
        self.assertIn("h3", self.monitor._maintenance)
        # And in full after SWITCHES_READ_INTERVAL regardless.
        self.run_for(manager.SWITCHES_READ_INTERVAL + 2)
        self.assertEqual(3, len(reads))

    def test_maintenance_from_the_store(self) -> None:
        self.run_for(2)
        self.store.views["h3"] = store_mod.HostView("h3", maintenance=True)
        self.kill("h3")
        self.run_for(120)
        self.assertEqual([], self.notifier.sent)
        self.assertEqual(c.HOST_MAINTENANCE, self.store.saved["h3"].state)


class LeadershipTest(MonitorTestBase):

    def test_follower_does_not_poll(self) -> None:
        self.elector.is_leader = False
        self.run_for(20)
        self.assertEqual(0, self.cloud.calls)
        self.assertEqual([], self.store.synced)

    def test_new_leader_reloads_the_records(self) -> None:
        self.run_for(20)
        self.kill("h3")
        self.run_for(60)
        self.elector.is_leader = False
        self.run_for(4)
        # Meanwhile another leader marked h3 fenced in the store.
        rec = self.store.saved["h3"]
        self.store.saved["h3"] = store_mod.from_row(
            "h3", c.HOST_FENCED, rec.since, 7, store_mod.to_detail(rec))
        self.elector.is_leader = True
        self.run_for(2)
        self.assertEqual(7, self.monitor.state.hosts["h3"].generation)
        self.assertEqual([payload.EVENT_HOST_DOWN], self.notifier.types())

    def test_lead_lost_and_won_between_two_cycles_reloads(self) -> None:
        # The elector's thread may lose and win the lead again between
        # two cycles: is_leader never looks false here, the term moves.
        self.elector.term = 1
        self.run_for(20)
        self.kill("h3")
        self.run_for(60)
        rec = self.store.saved["h3"]
        self.store.saved["h3"] = store_mod.from_row(
            "h3", c.HOST_FENCED, rec.since, 7, store_mod.to_detail(rec))
        self.run_for(2)
        self.assertEqual(1, self.monitor.state.hosts["h3"].generation)
        self.elector.term = 2
        self.run_for(2)
        self.assertEqual(7, self.monitor.state.hosts["h3"].generation)

    def test_lead_lost_mid_cycle_decides_nothing(self) -> None:
        self.run_for(20)
        self.kill("h3")
        original = self.cloud.list_compute_services

        def list_then_lose_the_lead() -> list:
            services = original()
            self.elector.is_leader = False    # the lease ran out meanwhile
            return services
        self.cloud.list_compute_services = list_then_lose_the_lead
        for _ in range(30):                   # each cycle starts leading
            self.elector.is_leader = True
            self.run_for(2)
        self.assertEqual([], self.notifier.types())
        self.assertNotIn(self.store.saved["h3"].state,
                         (c.HOST_DOWN, c.HOST_FENCED))
        self.cloud.list_compute_services = original
        self.elector.is_leader = True
        self.run_for(60)
        self.assertEqual([payload.EVENT_HOST_DOWN], self.notifier.types())

    def test_start_and_stop(self) -> None:
        self.fx.set("poll_interval", 0.1, group="monitor")
        mon = manager.Monitor(self.fx.conf, self.cloud, self.store,
                              self.notifier, clock=clock_mod.Clock(),
                              probe=probe.NoProbe(), elector=self.elector)
        ticked = threading.Event()
        original = mon.tick

        def tick():
            ticked.set()
            return original()
        mon.tick = tick
        mon.start()
        self.assertTrue(ticked.wait(5))
        mon.stop(timeout=5)
        self.assertTrue(self.elector.started)
        self.assertTrue(self.elector.stopped)
        self.assertGreater(self.cloud.calls, 0)


class StormCooldownTest(MonitorTestBase):
    """A monitor that takes over honours the cool-downs its predecessor
    started after a storm: they are in the store, not only in memory."""

    def setUp(self) -> None:
        super().setUp()
        self.fx.set("max_failing_hosts_per_aggregate", 1, group="monitor")
        self.fx.set("guard_hold_down", 600.0, group="monitor")
        self.monitor.thresholds = Thresholds.from_conf(self.fx.conf)
        self.cloud.aggregates = [cloud_records.Aggregate(
            id="1", name="rack-a", hosts=("h0", "h1", "h2"))]

    def storm_then_successor(self, forget: bool) -> manager.Monitor:
        """rack-a storms (h0, h1) and heals; then a new monitor leads
        (``forget``: with the holds taken from the store) and h2 fails."""
        self.run_for(20)
        self.kill("h0")
        self.kill("h1")
        self.run_for(120)
        self.assertEqual([r.REASON_DOMAIN_STORM],
                         [a["type"] for a in self.store.alerts])
        self.assertEqual(["aggregate:rack-a"], list(self.store.held))
        for name in ("h0", "h1"):
            self.nova.hosts[name].alive = self.nova.hosts[name].answers = \
                True
        self.run_for(120)
        # The predecessor stops; its successor reads the store.
        self.elector.is_leader = False
        self.run_for(2)
        if forget:
            self.store.held.clear()
        successor = manager.Monitor(
            self.fx.conf, self.cloud, self.store, self.notifier,
            clock=self.clock,
            probe=probe.CallableProbe(lambda h: self.nova.hosts[h].answers),
            elector=Elector())
        self.addCleanup(successor.stop)
        self.monitor = successor
        self.kill("h2")
        self.run_for(120)
        return successor

    def downs(self) -> list[str]:
        return [payload.parse(b)["host"] for _p, t, b in self.notifier.sent
                if t == payload.EVENT_HOST_DOWN]

    def test_successor_waits_for_the_cooldown(self) -> None:
        successor = self.storm_then_successor(forget=False)
        until = self.store.held["aggregate:rack-a"]
        self.assertEqual({"aggregate:rack-a": until},
                         dict(successor.state.domain_holds))
        self.assertEqual([], self.downs())
        self.assertGreater(until, self.clock.now())
        # Once the cool-down is over, h2 is declared, and the hold gone.
        self.run_for((until - self.clock.now()).total_seconds() + 4)
        self.assertEqual(["h2"], self.downs())
        self.assertEqual({}, self.store.held)

    def test_without_the_store_it_would_not(self) -> None:
        # The memory-only behaviour, for contrast: h2 declared at once.
        self.storm_then_successor(forget=True)
        self.assertEqual(["h2"], self.downs())

    def test_a_failed_write_of_the_holds_fails_the_cycle(self) -> None:
        # The cycle is done again: its decisions are not lost.
        self.run_for(20)
        saved = self.store.save_holds
        calls = []

        def fail_once(holds):
            calls.append(dict(holds))
            if len(calls) == 1:
                raise exception.DatabaseUnavailable(url="db", reason="gone")
            saved(holds)
        self.store.save_holds = fail_once
        self.kill("h0")
        self.kill("h1")
        self.nova.advance(120)
        self.clock.advance(120)
        self.assertRaises(exception.DatabaseUnavailable, self.monitor.tick)
        self.assertEqual({}, dict(self.monitor.state.domain_holds))
        self.assertEqual([], self.store.alerts)
        self.run_for(4)
        self.assertEqual([r.REASON_DOMAIN_STORM],
                         [a["type"] for a in self.store.alerts])
        self.assertEqual(["aggregate:rack-a"], list(self.store.held))

    def test_global_guard_hold_down_is_kept(self) -> None:
        until = T0 + datetime.timedelta(seconds=300)
        self.store.held = {store_mod.GUARD: until}
        self.run_for(20)
        self.assertEqual((until, True), (self.monitor.state.guard_until,
                                         self.monitor.state.guarded))
        self.kill("h3")
        self.run_for(200)
        self.assertEqual([], self.downs())
        self.run_for(120)
        self.assertEqual(["h3"], self.downs())
        self.assertEqual({}, self.store.held)


class StoreRoundTripTest(testtools.TestCase):

    def test_detail_round_trip(self) -> None:
        rec = r.HostRecord(
            "a", state=c.HOST_SUSPECT, since=T0, generation=3,
            stale_since=T0, stale_count=4, probe_failures=2,
            suspect_entries=(T0, T0), damped_until=T0, healthy_since=None,
            reported=frozenset({"process_failure"}))
        back = store_mod.from_row("a", rec.state, rec.since, rec.generation,
                                  store_mod.to_detail(rec))
        self.assertEqual(rec, back)
        self.assertEqual(r.HostRecord("b"),
                         store_mod.from_row("b", c.HOST_UP, None, 0, None))


class RecordingProbe:
    """Answers alive to everything, as a TCP probe of an address where
    something refuses the connection does."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None]] = []

    def check(self, host: str, address: str | None) -> str:
        self.asked.append((host, address))
        return r.PROBE_ALIVE


class UntrustedAddressTest(MonitorTestBase):
    """Issue 15, point 6: a probe of an address that is not the host's
    own says nothing about the host."""

    def setUp(self) -> None:
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.probe = RecordingProbe()
        self.monitor.probe = self.probe

    def warnings(self, address: str) -> list[str]:
        return [line for line in self.logger.output.splitlines()
                if "%s " % address in line and "TCP probe" in line]

    def test_shared_address_is_not_probed_and_does_not_veto(self) -> None:
        self.cloud.host_ip = "192.0.2.10"
        self.run_for(20)
        self.kill("h3")
        self.run_for(120)
        self.assertEqual([payload.EVENT_HOST_DOWN], self.notifier.types())
        data = payload.parse(self.notifier.sent[0][2])
        self.assertEqual("h3", data["host"])
        self.assertEqual(r.PROBE_UNTRUSTED, data["evidence"]["probe"])
        self.assertEqual([], self.probe.asked)
        warned, = self.warnings("192.0.2.10")
        self.assertIn("shared by 10 hosts (h0, h1, h2, h3, h4 and 5 more)",
                      warned)

    def test_one_host_reporting_no_address_of_its_own(self) -> None:
        original = self.cloud.list_host_capacities

        def capacities() -> list:
            return [dataclasses.replace(cap, host_ip="0.0.0.0")
                    if cap.host == "h3" else cap for cap in original()]
        self.cloud.list_host_capacities = capacities
        self.run_for(20)
        self.kill("h3")
        self.nova.hosts["h5"].alive = False    # nova-compute only
        self.run_for(120)
        self.assertEqual([payload.EVENT_HOST_DOWN, payload.EVENT_HOST_ALERT],
                         self.notifier.types())
        self.assertEqual("h3", self.notifier.sent[0][2]["host"])
        self.assertEqual(r.PROCESS_FAILURE, self.notifier.sent[1][2]["reason"])
        self.assertEqual({"h5"}, {h for h, _a in self.probe.asked})
        self.assertEqual(1, len(self.warnings("0.0.0.0")))


class HostStatesTest(MonitorTestBase):
    """The hosts by state in the metrics, and each state a host enters
    told to ``on_state``."""

    def hosts(self) -> dict[str, float]:
        return {state: metrics.REGISTRY.get_sample_value(
                    "vmotiond_monitor_hosts", {"monitor_state": state})
                for state in (c.HOST_UP, c.HOST_SUSPECT, c.HOST_DOWN)}

    def test_counted_when_a_host_moves_and_cleared_when_lead_lost(
            self) -> None:
        entered: list[tuple[str, str]] = []
        self.monitor.on_state = lambda host, state, values: entered.append(
            (host, state))
        self.run_for(20)
        self.assertEqual({c.HOST_UP: 10, c.HOST_SUSPECT: 0, c.HOST_DOWN: 0},
                         self.hosts())
        # Counted once, not at every cycle: a value set aside stays.
        metrics.MONITOR_HOSTS.labels(c.HOST_UP).set(-1)
        self.run_for(4)
        self.assertEqual(-1, self.hosts()[c.HOST_UP])
        self.kill("h3")
        self.run_for(120)
        self.assertEqual({c.HOST_UP: 9, c.HOST_SUSPECT: 0, c.HOST_DOWN: 1},
                         self.hosts())
        self.assertEqual([c.HOST_UP] * 10,
                         [state for _, state in entered[:10]])
        self.assertEqual([c.HOST_SUSPECT, c.HOST_DOWN],
                         [state for host, state in entered[10:]
                          if host == "h3"])
        self.elector.is_leader = False
        self.run_for(2)
        self.assertEqual({c.HOST_UP: 0, c.HOST_SUSPECT: 0, c.HOST_DOWN: 0},
                         self.hosts())
