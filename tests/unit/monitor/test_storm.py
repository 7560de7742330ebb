"""``storm.admit``: caps per zone and aggregate, verdicts per cycle,
cool-downs and the HA pause, checked on every small cloud hypothesis
draws against a plain restatement of the rules."""

import dataclasses
import datetime

import hypothesis
from hypothesis import strategies as st
import testtools

from tests.unit.monitor.fakes import T0
from vmotiond import constants
from vmotiond.monitor import records
from vmotiond.monitor import storm
from vmotiond.monitor.thresholds import Thresholds

HOSTS = ["h%d" % i for i in range(7)]
STATES = (constants.HOST_UP, constants.HOST_SUSPECT,
          constants.HOST_MAINTENANCE, constants.HOST_DOWN)


@st.composite
def clouds(draw):
    zones = {h: draw(st.sampled_from(("az1", "az2"))) for h in HOSTS}
    aggregates = {name: draw(st.lists(st.sampled_from(HOSTS), unique=True))
                  for name in draw(st.lists(st.sampled_from(
                      ("rack-a", "rack-b", "gpu")), unique=True))}
    paused = draw(st.lists(st.sampled_from(
        [storm.GLOBAL, *aggregates]), unique=True, max_size=2)) if draw(
        st.booleans()) else []
    hosts = {h: records.HostRecord(host=h, state=draw(st.sampled_from(
        STATES))) for h in HOSTS}
    failing = set(draw(st.lists(st.sampled_from(HOSTS), unique=True)))
    candidates = sorted(draw(st.lists(st.sampled_from(sorted(failing)),
                                      unique=True))) if failing else []
    order = {h: (T0 + datetime.timedelta(seconds=draw(
        st.integers(0, 5))), h) for h in candidates}
    keys = sorted({storm.zone_key(z) for z in zones.values()}
                  | {storm.aggregate_key(a) for a in aggregates})
    holds = {k: T0 + datetime.timedelta(seconds=draw(st.integers(-30, 30)))
             for k in draw(st.lists(st.sampled_from(keys), unique=True))}
    th = dataclasses.replace(
        Thresholds(), guard_hold_down=float(draw(st.integers(0, 60))),
        max_failing_share_per_zone=draw(st.sampled_from((0.3, 0.5, 1.0))),
        max_failing_hosts_per_zone=draw(st.integers(0, 3)),
        max_failing_share_per_aggregate=draw(st.sampled_from(
            (0.3, 0.5, 1.0))),
        max_failing_hosts_per_aggregate=draw(st.integers(0, 3)),
        max_verdicts_per_cycle=draw(st.integers(0, 3)))
    topo = storm.topology(zones, aggregates, paused)
    return candidates, order, failing, hosts, holds, topo, th


def _stormy(key, failing, topo, hosts, th):
    """The rule restated: two failing hosts at least, over a count or a
    share of the watched (not in maintenance or disabled) members."""
    members = topo.members[key]
    bad = len(members & failing)
    watched = sum(1 for h in members
                  if hosts[h].state not in records.WATCHED_ONLY_STATES)
    zone = key.startswith(storm.ZONE_PREFIX)
    share = (th.max_failing_share_per_zone if zone
             else th.max_failing_share_per_aggregate)
    count = (th.max_failing_hosts_per_zone if zone
             else th.max_failing_hosts_per_aggregate)
    return bad >= 2 and ((count and bad > count)
                         or (watched and bad / watched > share))


class AdmitTest(testtools.TestCase):

    @hypothesis.settings(max_examples=3000, deadline=None)
    @hypothesis.given(clouds())
    def test_rules(self, cloud):
        candidates, order, failing, hosts, holds, topo, th = cloud
        got = storm.admit(candidates, order, failing, hosts, holds, topo,
                          th, T0)
        decided, held, waiting = set(got.decided), set(got.held), set(
            got.waiting)
        # Every candidate is decided, held or waits, once.
        self.assertEqual(set(candidates), decided | held | waiting)
        self.assertEqual(len(candidates),
                         len(decided) + len(held) + len(waiting))
        # The storms are the domains over their cap, and each starts or
        # extends a cool-down; past cool-downs are forgotten.
        stormy = {k for k in topo.members
                  if _stormy(k, failing, topo, hosts, th)}
        self.assertEqual(stormy, set(got.stormy))
        until = T0 + datetime.timedelta(seconds=th.guard_hold_down)
        expected = {k: v for k, v in holds.items() if T0 < v}
        for key in stormy:
            expected[key] = max(expected.get(key, until), until)
        self.assertEqual(expected, dict(got.holds))
        for host in candidates:
            domains = topo.domains.get(host, frozenset())
            paused = storm.GLOBAL in topo.paused or bool(
                domains & topo.paused)
            # Paused hosts are held, with the scope that pauses them.
            self.assertEqual(paused, host in held, host)
            if paused:
                scope = got.held[host]
                self.assertTrue(scope == storm.GLOBAL or storm.aggregate_key(
                    scope) in domains & topo.paused)
            blocked = bool(domains & (stormy | set(expected)))
            if not paused and blocked:
                self.assertIn(host, waiting)
        # At most K verdicts, the oldest failures of those free to go.
        free = sorted((h for h in candidates if h not in held and not (
            topo.domains.get(h, frozenset()) & (stormy | set(expected)))),
            key=lambda h: order[h])
        cap = th.max_verdicts_per_cycle
        self.assertEqual(free[:cap] if cap else free, list(got.decided))

    def test_without_caps_everything_is_decided(self):
        hosts = {h: records.HostRecord(host=h, state=constants.HOST_SUSPECT)
                 for h in HOSTS}
        topo = storm.topology(dict.fromkeys(HOSTS, "nova"),
                              {"rack": HOSTS})
        got = storm.admit(HOSTS, {}, set(HOSTS), hosts, {}, topo,
                          Thresholds(), T0)
        self.assertEqual(tuple(HOSTS), got.decided)
        self.assertEqual((), got.stormy)

    def test_one_failing_host_is_no_storm(self):
        th = dataclasses.replace(Thresholds(), max_failing_share_per_zone=0.0,
                                 max_failing_hosts_per_zone=0)
        self.assertFalse(storm.domain_over_cap("zone:az", 1, 1, th))
        self.assertTrue(storm.domain_over_cap("zone:az", 2, 9, th))
        self.assertFalse(storm.domain_over_cap("aggregate:a", 2, 9, th))

    def test_topology(self):
        topo = storm.topology({"a": "az1", "b": "az2"}, {"r": ["a", "b"]},
                              [storm.GLOBAL, "r"])
        self.assertEqual({"zone:az1", "aggregate:r"}, topo.domains["a"])
        self.assertEqual({"a", "b"}, topo.members["aggregate:r"])
        self.assertEqual({"*", "aggregate:r"}, topo.paused)
