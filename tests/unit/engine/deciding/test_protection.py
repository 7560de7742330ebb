"""Protection, service owners and local disks, case by case, against the
rules stated again."""

import dataclasses
import itertools
import re

import testtools

from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond.cloud import records
from vmotiond.engine.deciding import protection as pr

KEY = "HA_Enabled"
# What a source may hold: unset, a true, a false, a value that is no
# boolean (says nothing).
VALUES = (None, "True", "false", "maybe")
TRUE = {"True": True, "false": False}
NAMES = ("db-1", "web-1")
PATTERNS = (re.compile("db-.*"),)


def _expected(values, name, default):
    """The precedence stated again: the first source with a boolean, in
    the order given, then a name pattern, then the default."""
    for source, raw in values:
        if raw in TRUE:
            return TRUE[raw], source
    if name.startswith("db-"):
        return True, pr.NAME
    return default, pr.DEFAULT


class VerdictTest(testtools.TestCase):

    def test_every_case(self):
        count = 0
        for meta, flavor, aggregate, name, default in itertools.product(
                VALUES, VALUES, VALUES, NAMES, (False, True)):
            sources = ((pr.METADATA, meta), (pr.FLAVOR, flavor),
                       (pr.AGGREGATE, aggregate))
            layers = [pr.Layer(source, KEY, {} if raw is None
                               else {KEY: raw, "other": "false"},
                               "aggregate agg" if source == pr.AGGREGATE
                               else None)
                      for source, raw in sources]
            got = pr.verdict(layers, name, PATTERNS, default)
            want = _expected(sources, name, default)
            case = (meta, flavor, aggregate, name, default)
            self.assertEqual(want, (got.protected, got.source), case)
            if got.source not in (pr.NAME, pr.DEFAULT):
                self.assertIn("%s=" % KEY, got.detail, case)
            self.assertEqual(got.source == pr.AGGREGATE,
                             got.detail.endswith(" (aggregate agg)"), case)
            count += 1
        self.assertEqual(4 * 4 * 4 * 2 * 2, count)

    def test_key_is_the_layers(self):
        layer = pr.Layer(pr.FLAVOR, "ha:protect", {KEY: "false",
                                                   "ha:protect": "yes"})
        got = pr.verdict([layer], "x", (), False)
        self.assertEqual((True, pr.FLAVOR), (got.protected, got.source))
        self.assertEqual("flavor extra spec ha:protect=yes", got.detail)

    def test_pattern_matches_the_whole_name(self):
        self.assertEqual(pr.DEFAULT, pr.verdict(
            [], "my-db-1", PATTERNS, False).source)
        self.assertIn("matches db-.*",
                      pr.verdict([], "db-1", PATTERNS, False).detail)

    def test_layers_of_a_server(self):
        srv = dataclasses.replace(fakes.server(metadata={"a": "1"}),
                                  flavor_extra_specs={"b": "0"})
        both = (pr.Layer(pr.METADATA, "a", {"a": "1"}),
                pr.Layer(pr.FLAVOR, "b", {"b": "0"}))
        self.assertEqual(both, pr.layers(srv, "a", "b"))
        aggregate = pr.Layer(pr.AGGREGATE, "c", {})
        self.assertEqual(both + (aggregate,),
                         pr.layers(srv, "a", "b", aggregate))


def _aggregate(name, raw, hosts=("failed",)):
    return records.Aggregate(name, name, hosts, {} if raw is None
                             else {KEY: raw, "other": "false"})


class AggregateLayerTest(testtools.TestCase):

    def test_every_case(self):
        # Two aggregates of the failed host, in either listing order, and
        # one of another host, which never counts.
        count = 0
        for first, second, elsewhere in itertools.product(VALUES, VALUES,
                                                          VALUES):
            # The rule stated again: a false first, then a true; the
            # first name among equals.
            raws = {"agg-1": first, "agg-2": second}
            said = sorted((TRUE[raw], name) for name, raw in raws.items()
                          if raw in TRUE)
            want = pr.Layer(pr.AGGREGATE, KEY, {})
            if said:
                name = said[0][1]
                want = pr.Layer(pr.AGGREGATE, KEY, {KEY: raws[name]},
                                "aggregate %s" % name)
            aggregates = [_aggregate("agg-1", first),
                          _aggregate("agg-2", second),
                          _aggregate("agg-0", elsewhere, ("other",))]
            case = (first, second, elsewhere)
            for listed in (aggregates, aggregates[::-1]):
                self.assertEqual(want, pr.aggregate_layer(listed, "failed",
                                                          KEY), case)
            count += 1
        self.assertEqual(4 * 4 * 4, count)

    def test_false_wins_and_is_named(self):
        layer = pr.aggregate_layer([_aggregate("ha", "true"),
                                    _aggregate("batch", "false")],
                                   "failed", KEY)
        got = pr.verdict([layer], "x", (), True)
        self.assertEqual((False, pr.AGGREGATE), (got.protected, got.source))
        self.assertEqual("host aggregate metadata HA_Enabled=false "
                         "(aggregate batch)", got.detail)

    def test_key_is_the_option(self):
        layer = pr.aggregate_layer([_aggregate("ha", "true")], "failed",
                                   "other")
        self.assertEqual(pr.Layer(pr.AGGREGATE, "other", {"other": "false"},
                                  "aggregate ha"), layer)

    def test_no_aggregate(self):
        self.assertEqual(pr.Layer(pr.AGGREGATE, KEY, {}),
                         pr.aggregate_layer([], "failed", KEY))


AMPHORA = "amphora-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


class ServiceOwnerTest(testtools.TestCase):

    def owner(self, name="vm", project="p1", projects=(),
              patterns=(constants.AMPHORA_NAME,)):
        srv = dataclasses.replace(fakes.server(name=name),
                                  project_id=project)
        return pr.service_owner(srv, frozenset(projects),
                                tuple(re.compile(p) for p in patterns))

    def test_amphora_by_default_pattern(self):
        self.assertEqual("its name matches %s" % constants.AMPHORA_NAME,
                         self.owner(AMPHORA))

    def test_not_amphora(self):
        for name in ("vm", "amphora-1", AMPHORA + "-x", "x" + AMPHORA,
                     AMPHORA.upper()):
            self.assertIsNone(self.owner(name), name)

    def test_by_project(self):
        self.assertEqual("its project svc is a service project",
                         self.owner(project="svc", projects=("svc",)))
        self.assertIsNone(self.owner(project="p1", projects=("svc",)))

    def test_no_rules(self):
        self.assertIsNone(self.owner(AMPHORA, patterns=()))

    def test_empty_project_is_no_project(self):
        self.assertIsNone(self.owner(project="", projects=("",)))


class LocalDiskTest(testtools.TestCase):

    def test_every_case(self):
        for volume, shared in itertools.product(
                (False, True), ((), ("other",), ("failed",), ("*",),
                                ("other", "*"))):
            srv = dataclasses.replace(fakes.server(), volume_backed=volume)
            want = not volume and "failed" not in shared and "*" not in shared
            self.assertEqual(want, pr.local_disk(srv, "failed",
                                                 frozenset(shared)),
                             (volume, shared))
