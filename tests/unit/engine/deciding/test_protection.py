"""Protection, service owners and local disks, case by case, against the
rules stated again."""

import dataclasses
import itertools
import re

import testtools

from tests.unit.engine import fakes
from vmotiond import constants
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
        for meta, flavor, third, name, default in itertools.product(
                VALUES, VALUES, VALUES, NAMES, (False, True)):
            # A third layer stands for the ones to come (image property,
            # aggregate metadata): the function takes any number.
            sources = ((pr.METADATA, meta), (pr.FLAVOR, flavor),
                       ("aggregate metadata", third))
            layers = [pr.Layer(source, KEY, {} if raw is None
                               else {KEY: raw, "other": "false"})
                      for source, raw in sources]
            got = pr.verdict(layers, name, PATTERNS, default)
            want = _expected(sources, name, default)
            case = (meta, flavor, third, name, default)
            self.assertEqual(want, (got.protected, got.source), case)
            if got.source not in (pr.NAME, pr.DEFAULT):
                self.assertIn("%s=" % KEY, got.detail, case)
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
        self.assertEqual((pr.Layer(pr.METADATA, "a", {"a": "1"}),
                          pr.Layer(pr.FLAVOR, "b", {"b": "0"})),
                         pr.layers(srv, "a", "b"))


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
