"""Microversion parsing and the header handling."""

import testtools
import webob

from tests.unit.api import base
from vmotiond.api import errors
from vmotiond.api import microversion
from vmotiond.api import util


def _req(value: str | None) -> webob.Request:
    req = webob.Request.blank("/")
    if value is not None:
        req.headers["OpenStack-API-Version"] = value
    return req


class TestParse(testtools.TestCase):

    def test_versions_are_ordered_and_contiguous(self) -> None:
        parsed = [microversion.parse(v) for v in microversion.VERSIONS]
        self.assertEqual(sorted(parsed), parsed)
        self.assertEqual((1, 0), microversion.MIN_VERSION)
        self.assertGreaterEqual(microversion.MAX_VERSION, (1, 3))

    def test_parse(self) -> None:
        self.assertEqual((1, 3), microversion.parse("1.3"))
        self.assertEqual((1, 10), microversion.parse(" 1.10 "))
        for bad in ("1", "1.", "01.1", "1.01", "a.b", "1.3.1", "-1.0"):
            self.assertRaises(ValueError, microversion.parse, bad)

    def test_extract(self) -> None:
        self.assertEqual((1, 0), microversion.extract(_req(None)))
        self.assertEqual((1, 3), microversion.extract(
            _req("instance-ha 1.3")))
        self.assertEqual(microversion.MAX_VERSION,
                         microversion.extract(_req("instance-ha latest")))
        self.assertEqual((1, 1), microversion.extract(
            _req("compute 2.90, Instance-HA 1.1")))
        self.assertEqual((1, 0), microversion.extract(_req("compute 2.1")))

    def test_extract_errors(self) -> None:
        error = self.assertRaises(util.HTTPError, microversion.extract,
                                  _req("instance-ha one"))
        self.assertEqual((400, errors.MICROVERSION_INVALID),
                         (error.status, error.code))
        error = self.assertRaises(util.HTTPError, microversion.extract,
                                  _req("instance-ha 0.9"))
        self.assertEqual(400, error.status)
        for value in ("instance-ha 2.0", "instance-ha 1.99"):
            error = self.assertRaises(util.HTTPError, microversion.extract,
                                      _req(value))
            self.assertEqual((406, errors.MICROVERSION_UNSUPPORTED),
                             (error.status, error.code))
            self.assertIn("Minimum is 1.0", error.message)


class TestOverHttp(base.ApiTestCase):

    def test_bad_and_unsupported_versions(self) -> None:
        self.assertError(self.request("/v1/notifications",
                                      version="instance-ha x"),
                         400, errors.MICROVERSION_INVALID)
        self.assertError(self.request("/v1/notifications",
                                      version="instance-ha 3.0"),
                         406, errors.MICROVERSION_UNSUPPORTED)
