"""Query-string parsing."""

import datetime

import testtools
import webob

from vmotiond import exception
from vmotiond.api import params
from vmotiond.api import util


def _query(qs: str, allowed: tuple[str, ...] = ("a", "limit", "marker",
                                                 "sort_key", "sort_dir",
                                                 "t", "u")) -> params.Query:
    return params.Query(webob.Request.blank("/x?" + qs), allowed)


class TestQuery(testtools.TestCase):

    def test_unknown_parameter(self) -> None:
        error = self.assertRaises(util.HTTPError, _query, "z=1")
        self.assertIn("Unknown query parameter(s): z", error.message)

    def test_limit(self) -> None:
        self.assertEqual(100, _query("").limit(100))
        self.assertEqual(7, _query("limit=7").limit(100))
        self.assertEqual(100, _query("limit=7000").limit(100))
        self.assertEqual(0, _query("limit=0").limit(100))
        for bad in ("limit=-1", "limit=1.5", "limit=", "limit=1&limit=2"):
            self.assertRaises(util.HTTPError, _query(bad).limit, 100)

    def test_sort(self) -> None:
        self.assertEqual((("created_at",), ("desc",)),
                         _query("").sort(["a"]))
        self.assertEqual((("a",), ("asc",)),
                         _query("sort_key=a&sort_dir=asc").sort(["a"]))
        self.assertEqual((("created_at",), ("asc",)),
                         _query("sort_dir=asc").sort(["a"]))
        self.assertRaises(util.HTTPError, _query("sort_key=b").sort, ["a"])
        self.assertRaises(util.HTTPError, _query("sort_dir=x").sort, ["a"])

    def test_several_sort_keys(self) -> None:
        self.assertEqual((("a", "b"), ("asc", "desc")), _query(
            "sort_key=a&sort_dir=asc&sort_key=b&sort_dir=desc").sort(
            ["a", "b"]))
        self.assertEqual((("a", "b"), ("asc",)), _query(
            "sort_key=a&sort_key=b&sort_dir=asc").sort(["a", "b"]))
        for bad, message in (
                ("sort_key=a&sort_key=a", "sort_key a is given more than "
                                          "once"),
                ("sort_key=a&sort_dir=asc&sort_dir=desc",
                 "sort_dir is given 2 times for 1 sort_key(s)"),
                ("sort_dir=asc&sort_dir=asc", "sort_dir is given 2 times"),
                ("sort_key=a&sort_key=c", "Invalid sort_key 'c'")):
            error = self.assertRaises(util.HTTPError, _query(bad).sort,
                                      ["a", "b"])
            self.assertIn(message, error.message)

    def test_uuid_and_marker(self) -> None:
        good = "083a8474-22c0-407f-b89b-c569134c3bfd"
        self.assertEqual(good, _query("marker=" + good).marker())
        self.assertEqual(12, _query("marker=12").marker())
        self.assertRaises(util.HTTPError, _query("marker=x1").marker)
        self.assertRaises(util.HTTPError, _query("marker=-3").marker)
        self.assertRaises(util.HTTPError, _query("u=zz").uuid, "u")

    def test_canonical_uuid(self) -> None:
        good = "083a8474-22c0-407f-b89b-c569134c3bfd"
        for given in (good, good.upper(), good.replace("-", ""),
                      "{%s}" % good, "urn:uuid:" + good):
            self.assertEqual(good, params.canonical_uuid(
                _query("u=" + given).uuid("u")), given)
        self.assertIsNone(params.canonical_uuid(_query("").uuid("u")))
        for bad in ("u=node1", "u=" + good[:-1], "u=%s&u=%s" % (good, good)):
            self.assertRaises(util.HTTPError, _query(bad).uuid, "u")

    def test_several_sort_keys_of_a_nullable_column(self) -> None:
        keys = ("generated_time", "source_host_uuid")
        self.assertEqual(
            (("source_host_uuid", "generated_time"), ("desc", "asc")),
            _query("sort_key=source_host_uuid&sort_dir=desc&"
                   "sort_key=generated_time&sort_dir=asc").sort(keys))

    def test_time_is_naive_utc(self) -> None:
        self.assertEqual(datetime.datetime(2026, 1, 1, 10, 0),
                         _query("t=2026-01-01T12:00:00%2B02:00").time("t"))
        self.assertEqual(datetime.datetime(2026, 1, 1, 12, 0),
                         _query("t=2026-01-01T12:00:00").time("t"))
        self.assertRaises(util.HTTPError, _query("t=tomorrow").time, "t")
        self.assertRaises(util.HTTPError,
                          _query("t=0001-01-01T00:00:00%2B01:00").time, "t")

    def test_names_that_cannot_be_stored(self) -> None:
        self.assertEqual("node-1", _query("a=node-1").name("a"))
        self.assertEqual("caf\u00e9", _query("a=caf%C3%A9").name("a"))
        for bad in ("a=%F0%9F%92%A5", "a=x%00y"):
            self.assertRaises(util.HTTPError, _query(bad).name, "a")

    def test_choices(self) -> None:
        self.assertEqual(["x", "y", "z"],
                         _query("a=x,y&a=z").choices("a", "xyz"))
        self.assertIsNone(_query("").choices("a", "xyz"))
        self.assertRaises(util.HTTPError, _query("a=x,q").choices, "a",
                          "xyz")

    def test_ident(self) -> None:
        self.assertEqual(12, params.ident("12"))
        good = "083a8474-22c0-407f-b89b-c569134c3bfd"
        self.assertEqual(good, params.ident(good))
        for bad in ("x", "-1", "1" * 30, "1.0", "\u00b3", "\u0663"):
            self.assertRaises(exception.NotFound, params.ident, bad)

    def test_marker_uuid(self) -> None:
        class Row:
            uuid = "u-7"

        def by_id(ident: int) -> Row:
            if ident != 7:
                raise exception.NotFound(kind="VMove", ident=ident)
            return Row()

        self.assertEqual("u-7", params.marker_uuid(7, by_id))
        self.assertEqual("abc", params.marker_uuid("abc", by_id))
        self.assertIsNone(params.marker_uuid(None, by_id))
        error = self.assertRaises(exception.NotFound, params.marker_uuid, 8,
                                  by_id)
        self.assertEqual("Marker", error.kwargs["kind"])

    def test_marker_errors(self) -> None:
        def missing_marker() -> None:
            with params.marker_errors():
                raise exception.NotFound(kind="Marker", ident="m")

        error = self.assertRaises(util.HTTPError, missing_marker)
        self.assertEqual(400, error.status)

        def missing_other() -> None:
            with params.marker_errors():
                raise exception.NotFound(kind="VMove", ident="m")

        self.assertRaises(exception.NotFound, missing_other)

    def test_next_link_only_when_page_is_full(self) -> None:
        req = webob.Request.blank("/v1/vmoves?type=evacuation&limit=2")
        items = [{"uuid": "a"}, {"uuid": "b"}]
        (link,) = params.next_link(req, items, 2, "uuid") or []
        self.assertEqual("http://localhost/v1/vmoves?type=evacuation&"
                         "limit=2&marker=b", link["href"])
        self.assertIsNone(params.next_link(req, items[:1], 2, "uuid"))
        self.assertIsNone(params.next_link(req, [], 0, "uuid"))
