"""A host-down message checked before anything is stored."""

import datetime

import testtools

from tests.unit.monitor.fakes import T0
from vmotiond import exception
from vmotiond.verdict import payload as payload_mod
from vmotiond.verdict import validation


class ValidateTest(testtools.TestCase):

    def test_valid(self):
        down = validation.validate({"host": " h1 ", "generation": 3,
                                "detected_at": "2026-01-01T00:00:05Z",
                                "evidence": {"heartbeat_age": 40}})
        self.assertEqual("h1", down.host)
        self.assertEqual("COMPUTE_HOST:h1:3", down.dedup_key)
        self.assertIsNone(down.detected_at.tzinfo)
        self.assertEqual(5, down.detected_at.second)

    def test_monitor_versioned_payload(self):
        sent = payload_mod.build(
            host="h2", generation=4,
            detected_at=datetime.datetime(2026, 1, 1, 0, 0, 25),
            evidence={"probe": "dead"}, monitor="ctl-1", auto_evacuate=True)
        down = validation.validate(sent)
        self.assertEqual("COMPUTE_HOST:h2:4", down.dedup_key)
        self.assertEqual(datetime.datetime(2026, 1, 1, 0, 0, 25),
                         down.detected_at)
        self.assertEqual("ctl-1", down.payload()["monitor"])
        self.assertEqual("1.0", down.payload()["payload_version"])
        bad = dict(sent, payload_version="2.0")
        self.assertRaises(exception.InvalidInput, validation.validate, bad)

    def test_explicit_dedup_key_without_generation(self):
        down = validation.validate({"host": "h", "dedup_key": "other:h:x",
                                "detected_at": "2026-01-01T00:00:05Z"})
        self.assertEqual("other:h:x", down.dedup_key)
        self.assertIsNone(down.generation)

    def test_invalid(self):
        for payload in (None, [], {}, {"host": ""}, {"host": "h"},
                        {"host": "h", "generation": -1},
                        {"host": "h", "generation": True},
                        {"host": "h", "generation": "1"},
                        {"host": "h", "generation": 1, "detected_at": "x"},
                        {"host": "h", "generation": 1, "evidence": [1]}):
            self.assertRaises(exception.InvalidInput, validation.validate,
                              payload)


class MonitorPayloadTest(testtools.TestCase):

    def test_validation_reads_the_monitors_payload(self) -> None:
        down = validation.validate(payload_mod.build(
            host="h1", generation=3, detected_at=T0, evidence={"a": 1},
            monitor="ctl", auto_evacuate=True))
        self.assertEqual(("h1", 3, T0), (down.host, down.generation,
                                         down.detected_at))
        self.assertEqual(payload_mod.dedup_key("h1", 3), down.dedup_key)
