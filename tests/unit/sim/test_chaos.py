import random

import testtools

from vmotiond.sim import chaos


class TestDistribution(testtools.TestCase):
    def test_parse_and_sample(self) -> None:
        rng = random.Random(1)
        self.assertEqual(2.5, chaos.Distribution.parse(2.5).sample(rng))
        uniform = chaos.Distribution.parse(
            {"kind": "uniform", "low": 1, "high": 3})
        samples = [uniform.sample(rng) for _ in range(200)]
        self.assertTrue(all(1 <= s <= 3 for s in samples))
        normal = chaos.Distribution.parse(
            {"kind": "normal", "value": 0.0, "sigma": 5})
        self.assertTrue(all(normal.sample(rng) >= 0 for _ in range(200)))
        self.assertRaises(ValueError, chaos.Distribution.parse,
                          {"kind": "weird"})


class TestRules(testtools.TestCase):
    def test_rule_fires_count_times_for_matching_op(self) -> None:
        c = chaos.Chaos(seed=1)
        c.add_rule(chaos.FaultRule("compute.action.*", "http_503", count=2))
        self.assertIsNone(c.take("compute.servers.list", ("http_503",)))
        self.assertIsNotNone(c.take("compute.action.evacuate",
                                    ("http_503",)))
        self.assertIsNotNone(c.take("compute.action.migrate", ("http_503",)))
        self.assertIsNone(c.take("compute.action.migrate", ("http_503",)))

    def test_rule_narrowed_to_server_and_kind(self) -> None:
        c = chaos.Chaos()
        c.add_rule(chaos.FaultRule("evacuate", "error_state",
                                   server_id="s1"))
        self.assertIsNone(c.take("evacuate", ("error_state",), "s2"))
        self.assertIsNone(c.take("evacuate", ("fip_unbound",), "s1"))
        self.assertIsNotNone(c.take("evacuate", ("error_state",), "s1"))

    def test_unknown_kind_refused(self) -> None:
        self.assertRaises(ValueError, chaos.Chaos().add_rule,
                          chaos.FaultRule("x", "meteor"))

    def test_call_counts(self) -> None:
        c = chaos.Chaos()
        c.record_call("s1", "evacuate", True)
        c.record_call("s1", "evacuate", False)
        self.assertEqual(2, c.count("s1", "evacuate"))
        self.assertEqual(1, c.count("s1", "evacuate", accepted=True))
        self.assertEqual(0, c.count("s2", "evacuate"))
