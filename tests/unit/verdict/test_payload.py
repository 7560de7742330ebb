"""The versioned payload of the monitor's notifications."""

import datetime

import testtools

from tests.unit.monitor.fakes import T0
from vmotiond.verdict import payload


class PayloadTest(testtools.TestCase):

    def test_build_and_parse(self) -> None:
        body = payload.build(host="h1", generation=3, detected_at=T0,
                             evidence={"a": 1}, monitor="ctl",
                             auto_evacuate=True)
        self.assertEqual("HostEventPayload", body["payload_name"])
        self.assertEqual("1.0", body["payload_version"])
        data = body
        self.assertEqual("2026-01-01T00:00:00Z", data["detected_at"])
        self.assertEqual("COMPUTE_HOST:h1:3", data["dedup_key"])
        parsed = payload.parse(body)
        self.assertEqual(T0, parsed["detected_at"])
        body["payload_version"] = "1.7"
        self.assertEqual("h1", payload.parse(body)["host"])

    def test_alert_without_host(self) -> None:
        body = payload.build(host=None, generation=None, detected_at=T0,
                             evidence={}, monitor="ctl",
                             reason="mass_failure")
        self.assertIsNone(body["dedup_key"])
        self.assertRaises(ValueError, payload.parse, body)

    def test_times(self) -> None:
        self.assertEqual(T0, payload.parse_time("2026-01-01T01:00:00+01:00"))
        self.assertEqual(T0, payload.parse_time("2026-01-01T00:00:00"))
        self.assertRaises(ValueError, payload.parse_time, 5)
        # Offsets that carry a time past datetime's range in UTC (issue 21:
        # an OverflowError escaped both endpoints).
        for edge in ("0001-01-01T00:00:00+05:00",
                     "9999-12-31T23:59:59-05:00"):
            error = self.assertRaises(ValueError, payload.parse_time, edge)
            self.assertIn("out of range", str(error))
        aware = T0.replace(tzinfo=datetime.timezone.utc)
        self.assertEqual("2026-01-01T00:00:00Z", payload.format_time(aware))

    def test_bad_generation(self) -> None:
        body = payload.build(host="h", generation=1, detected_at=T0,
                             evidence={}, monitor="m")
        body["generation"] = True
        self.assertRaises(ValueError, payload.parse, body)
        body["payload_name"] = "Other"
        self.assertRaises(ValueError, payload.parse, body)
