"""Which stamps of Nova's ``updated_at`` are heartbeats."""

import dataclasses
import datetime
import itertools
import types

import testtools

from tests.unit.monitor.fakes import T0
from tests.unit.monitor.fakes import svc
from vmotiond import constants as c
from vmotiond.monitor import records as r
from vmotiond.verdict import confirm


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


OK = ("enabled", False, None)
FORCED = ("enabled", True, None)
FENCED = ("disabled", True, "vmotiond: host failed")


def service(stamp: datetime.datetime | None, fields: tuple):
    status, forced, reason = fields
    return svc("a", stamp, status=status, forced_down=forced, reason=reason)


class HeartbeatOfTest(testtools.TestCase):
    """Which stamps of ``updated_at`` are heartbeats (issue 15, point 4)."""

    def test_cases(self) -> None:
        rec = r.HostRecord("a", state=c.HOST_DOWN, heartbeat=at(10),
                           service_fields=OK)
        cases = [
            # (service, record) -> (heartbeat, written_at)
            ((at(10), OK), rec, (at(10), None)),          # unchanged
            ((at(20), OK), rec, (at(20), None)),          # a heartbeat
            ((at(20), FORCED), rec, (at(10), at(20))),    # the fence
            ((at(10), FORCED), rec, (at(10), None)),      # same stamp
            ((at(20), FENCED), dataclasses.replace(       # seen again
                rec, service_fields=FENCED, written_at=at(20)),
             (at(10), at(20))),
            ((at(30), FENCED), dataclasses.replace(       # heartbeat after
                rec, service_fields=FENCED, written_at=at(20)),
             (at(30), None)),
            ((at(30), OK), dataclasses.replace(           # unfenced
                rec, service_fields=FENCED, written_at=at(20)),
             (at(10), at(30))),
            ((at(20), FORCED), None, (at(20), None)),     # first sight
            ((at(20), FORCED), dataclasses.replace(       # fields unknown
                rec, service_fields=None), (at(20), None)),
            ((None, FORCED), rec, (None, None)),          # no stamp
            # After a restart the heartbeat is not known: a write on a
            # failed host leaves it unknown; on another host it is taken.
            ((at(20), FENCED), dataclasses.replace(
                rec, heartbeat=None), (None, at(20))),
            ((at(20), FENCED), dataclasses.replace(
                rec, heartbeat=None, state=c.HOST_UP), (at(20), at(20))),
        ]
        for (stamp, fields), record, expected in cases:
            self.assertEqual(
                expected, confirm.heartbeat_of(service(stamp, fields), record),
                (stamp, fields, record))

    def test_every_combination(self) -> None:
        stamps = (None, at(10), at(20), at(30))
        for state, beat, written, seen, stamp, fields in itertools.product(
                c.HOST_STATES, (None, at(10)), (None, at(20)),
                (None, OK, FORCED), stamps, (OK, FORCED, FENCED)):
            record = r.HostRecord("a", state=state, heartbeat=beat,
                                  written_at=written, service_fields=seen)
            got_beat, got_written = confirm.heartbeat_of(
                service(stamp, fields), record)
            case = (state, beat, written, seen, stamp, fields)
            # Only the stamp or the heartbeat known before.
            self.assertIn(got_beat, (stamp, beat), case)
            self.assertIn(got_written, (None, stamp), case)
            changed = seen is not None and fields != seen
            is_write = stamp is not None and seen is not None and (
                stamp == written or (stamp != beat and changed))
            if not is_write:
                self.assertEqual((stamp, None), (got_beat, got_written),
                                 case)
                continue
            self.assertEqual(stamp, got_written, case)
            # A write is a heartbeat only when it is the one known, or
            # when none is known of a host not in a failure incident.
            if got_beat == stamp:
                self.assertTrue(stamp == beat or (
                    beat is None
                    and state not in confirm.INCIDENT_STATES), case)


class MemoryTest(testtools.TestCase):
    """What the monitor saw, as the hosts table keeps it for the engine."""

    def test_detail_round_trip(self) -> None:
        seen = confirm.Memory(c.HOST_FENCED, at(10), at(20), FENCED)
        detail = {**confirm.detail(seen), "stale_count": 3}
        self.assertEqual(seen, confirm.remembered(c.HOST_FENCED, detail))
        self.assertEqual(confirm.Memory(), confirm.remembered(None, None))

    def test_a_monitor_record_is_seen_as_saved(self) -> None:
        rec = r.HostRecord("a", state=c.HOST_DOWN, heartbeat=at(10),
                           written_at=at(20), service_fields=FENCED,
                           stale_count=2)
        row = types.SimpleNamespace(name="a", monitor_state=rec.state,
                                    monitor_detail=confirm.detail(rec))
        self.assertEqual({"a": confirm.Memory(c.HOST_DOWN, at(10), at(20),
                                              FENCED)},
                         confirm.saved([row]))
