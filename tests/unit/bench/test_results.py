"""The benchmarks' figures: ratio, verdict, RESULTS.md; the request
counter and landing times the recovery benchmarks read."""

import datetime
import os

import fixtures
import testtools

from bench import results
from bench import simcloud
from vmotiond import clock
from vmotiond.sim import cloud
from vmotiond.sim import moves


class TestFigure(testtools.TestCase):

    def test_ratio_and_verdict(self) -> None:
        cases = [
            # value, goal, better, ratio, passed
            (22.0, 20.0, "lower", 1.1, False),
            (20.0, 20.0, "lower", 1.0, True),
            (10.0, 20.0, "lower", 0.5, True),
            (400.0, 500.0, "higher", 0.8, False),
            (500.0, 500.0, "higher", 1.0, True),
            (600.0, 500.0, "higher", 1.2, True),
            (3.0, None, "lower", None, None),
        ]
        for value, goal, better, ratio, passed in cases:
            fig = results.Figure("b", "f", value, "s", goal=goal,
                                 better=better)
            if ratio is None:
                self.assertIsNone(fig.ratio)
            else:
                self.assertAlmostEqual(ratio, fig.ratio)
            self.assertEqual(passed, fig.passed, (value, goal, better))
        self.assertEqual(
            "makespan: 27.3 s (goal ≤ 22.0 s; ratio 1.24) FAIL -- why",
            results.Figure("b", "makespan", 27.3, "s", goal=22.0,
                           detail="why").line())
        self.assertEqual("count: 2707 requests", results.Figure(
            "b", "count", 2707, "requests").line())

    def test_write_lists_every_figure_and_the_machine(self) -> None:
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            "RESULTS.md")
        figures = [
            results.Figure("recovery_time", "makespan ratio", 1.27, "x",
                           goal=1.10, detail="27.9 s"),
            results.Figure("masakari", "requests", 27.1, "requests"),
        ]
        results.note_version("Masakari", "22.0.0")
        started = datetime.datetime(2026, 11, 30, 19, 0,
                                    tzinfo=datetime.timezone.utc)
        results.write(figures, started, "1.00 1.00 1.00", path=path)
        with open(path) as f:
            text = f.read()
        for expected in [
                "| run | 2026-11-30 19:00 – ",
                "| load average before / after | 1.00 1.00 1.00 / ",
                "| cores | %d |" % os.cpu_count(),
                "| Masakari | 22.0.0 |",
                "| recovery_time | makespan ratio | 1.27 x | ≤ 1.1 x | "
                "1.15 | FAIL |",
                "| masakari | requests | 27.1 requests | — | — |  |",
                "- **recovery_time, makespan ratio**: 27.9 s"]:
            self.assertIn(expected, text)

    def test_record_keeps_and_prints(self) -> None:
        out = self.useFixture(fixtures.StringStream("stdout"))
        self.useFixture(fixtures.MonkeyPatch("sys.stdout", out.stream))
        before = len(results.recorded())
        fig = results.record(results.Figure("b", "kept", 1.0, "s"))
        self.assertEqual(fig, results.recorded()[-1])
        self.assertEqual(before + 1, len(results.recorded()))
        out.stream.flush()
        self.assertIn("figure kept: 1 s", out.getDetails()["stdout"]
                      .as_text())


class TestSimCloud(testtools.TestCase):

    def test_counter_counts_by_service(self) -> None:
        seen = []

        def app(environ, start_response):
            seen.append(environ["PATH_INFO"])
            return [b""]

        counter = simcloud.RequestCounter(app)
        for path in ("/compute/v2.1/servers", "/compute/v2.1",
                     "/identity/v3/auth/tokens", "/sim/counts", "/"):
            counter({"PATH_INFO": path}, None)
        self.assertEqual(5, len(seen))
        self.assertEqual({"compute": 2, "identity": 1, "": 1},
                         counter.snapshot())
        self.assertEqual((2, 4), (counter.nova, counter.total))

    def test_landed_at_reads_the_evacuation_records(self) -> None:
        fake = clock.FakeClock()
        sim = cloud.SimCloud(clock=fake, seed=1)
        sim.set_latency("evacuate", 2.0)
        sim.set_latency("host_update_lag", 0.0)
        sim.add_flavor("m1", 1, 512, 1)
        sim.add_host("src")
        sim.add_host("dst")
        moved = sim.add_server("src", "m1").id
        stays = sim.add_server("src", "m1").id
        sim.kill_host("src")
        sim.advance(120)
        since = fake.now()
        with sim.lock:
            sim.state.host("src").forced_down = True
            moves.evacuate(sim, moved)
        # Nobody looks for a while: the time is still the landing's.
        sim.advance(30)
        landed = simcloud.landed_at(sim, [moved, stays], "src", since)
        self.assertEqual([moved], list(landed))
        self.assertAlmostEqual(2.0, landed[moved])
        self.assertEqual(0.0, simcloud.first_evacuation(
            sim, [moved, stays], "src", since))
        self.assertNotEqual(0.0, simcloud.first_evacuation(   # NaN
            sim, [stays], "src", since))
