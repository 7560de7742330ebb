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


# An image source may also be unreadable (deleted, no image service).
UNREAD = "<unread>"
IMAGE_VALUES = VALUES + (UNREAD,)


def _expected(values, name, default):
    """The precedence stated again: the first source with a boolean, in
    the order given, then a name pattern, then the default; and the
    unreadable sources passed over on the way."""
    passed = []
    for source, raw in values:
        if raw == UNREAD:
            passed.append(source)
        if raw in TRUE:
            return TRUE[raw], source, passed
    if name.startswith("db-"):
        return True, pr.NAME, passed
    return default, pr.DEFAULT, passed


def _layer(source, raw):
    if raw == UNREAD:
        return pr.Layer(source, KEY, {}, "image i1", "image i1 deleted")
    return pr.Layer(source, KEY, {} if raw is None
                    else {KEY: raw, "other": "false"},
                    "aggregate agg" if source == pr.AGGREGATE else None)


class VerdictTest(testtools.TestCase):

    def test_every_case(self):
        count = 0
        for meta, flavor, image, aggregate, name, default in \
                itertools.product(VALUES, VALUES, IMAGE_VALUES, VALUES,
                                  NAMES, (False, True)):
            sources = ((pr.METADATA, meta), (pr.FLAVOR, flavor),
                       (pr.IMAGE, image), (pr.AGGREGATE, aggregate))
            layers = [_layer(source, raw) for source, raw in sources]
            got = pr.verdict(layers, name, PATTERNS, default)
            protected, source, passed = _expected(sources, name, default)
            case = (meta, flavor, image, aggregate, name, default)
            self.assertEqual((protected, source),
                             (got.protected, got.source), case)
            self.assertEqual(tuple("%s %s unknown (image i1 deleted)"
                                   % (s, KEY) for s in passed),
                             got.unread, case)
            if got.source not in (pr.NAME, pr.DEFAULT):
                self.assertIn("%s=" % KEY, got.detail, case)
            self.assertEqual(got.source == pr.AGGREGATE,
                             got.detail.endswith(" (aggregate agg)"), case)
            count += 1
        self.assertEqual(4 * 4 * 5 * 4 * 2 * 2, count)

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
        image = pr.Layer(pr.IMAGE, "d", {})
        self.assertEqual(both + (image, aggregate),
                         pr.layers(srv, "a", "b", aggregate, image))
        self.assertEqual(both + (image,),
                         pr.layers(srv, "a", "b", None, image))


CIRROS = records.Image("i1", "cirros", {KEY: "false"}, ("amphora",))


class ImageLayerTest(testtools.TestCase):

    def layer(self, image_id, images):
        srv = dataclasses.replace(fakes.server(), image_id=image_id)
        return pr.image_layer(srv, images, KEY)

    def test_every_case(self):
        read = records.Images({"i1": CIRROS}, {"i2": "deleted"})
        cases = (
            # Images not read at all: no layer.
            ("i1", None, None),
            # Booted from a volume: nothing to read, says nothing.
            (None, read, pr.Layer(pr.IMAGE, KEY, {})),
            (None, None, None),
            ("i1", read, pr.Layer(pr.IMAGE, KEY, {KEY: "false"},
                                  "image cirros")),
            ("i2", read, pr.Layer(pr.IMAGE, KEY, {}, "image i2",
                                  "image i2: deleted")),
            ("i3", read, pr.Layer(pr.IMAGE, KEY, {}, "image i3",
                                  "image i3: not read")),
            # No image service: no layer (the plan says it once).
            ("i1", records.Images(missing="none"), None),
            (None, records.Images(missing="none"), pr.Layer(pr.IMAGE, KEY,
                                                            {})))
        for image_id, images, want in cases:
            self.assertEqual(want, self.layer(image_id, images), image_id)

    def test_unknown(self):
        layer = pr.Layer(pr.IMAGE, KEY, {}, "image i2", "image i2: deleted")
        self.assertEqual(
            ("image property HA_Enabled unknown (image i2: deleted)",
             "image property HA_Enabled and tags unknown (image i2: "
             "deleted)"),
            (pr.unknown(layer), pr.unknown(layer, tags=True)))

    def test_opts_out_and_is_named(self):
        got = pr.verdict([self.layer("i1", records.Images({"i1": CIRROS}))],
                         "x", (), True)
        self.assertEqual((False, pr.IMAGE, "image property HA_Enabled=false "
                          "(image cirros)", ()),
                         (got.protected, got.source, got.detail, got.unread))


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

    def test_every_image_tag_case(self):
        # Project first, then the image's tags, then the name.
        for project, tags, wanted, name in itertools.product(
                ("p1", "svc"), ((), ("x",), ("amphora", "x")),
                ((), ("amphora",), ("amphora", "x")), ("vm", AMPHORA)):
            srv = dataclasses.replace(fakes.server(name=name),
                                      project_id=project)
            image = records.Image("i1", "amp", tags=tags)
            got = pr.service_owner(srv, frozenset({"svc"}),
                                   (re.compile(constants.AMPHORA_NAME),),
                                   image, frozenset(wanted))
            common = sorted(set(tags) & set(wanted))
            want = ("its project svc is a service project"
                    if project == "svc" else
                    "its image amp is tagged %s" % common[0] if common else
                    "its name matches %s" % constants.AMPHORA_NAME
                    if name == AMPHORA else None)
            self.assertEqual(want, got, (project, tags, wanted, name))
        srv = fakes.server()
        self.assertIsNone(pr.service_owner(srv, (), (), None, ("amphora",)))


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
