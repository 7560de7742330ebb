import testtools

from vmotiond.sim import errors
from vmotiond.sim import wsgi


class TestVersions(testtools.TestCase):
    def test_parse(self) -> None:
        lo, hi = (2, 1), (2, 100)
        self.assertEqual((2, 1), wsgi.parse_version(None, lo, lo, hi))
        self.assertEqual((2, 53), wsgi.parse_version("2.53", lo, lo, hi))
        self.assertEqual(hi, wsgi.parse_version("latest", lo, lo, hi))
        self.assertRaises(errors.NotAcceptable, wsgi.parse_version, "2.101",
                          lo, lo, hi)
        self.assertRaises(errors.NotAcceptable, wsgi.parse_version, "3.0",
                          lo, lo, hi)
        exc = self.assertRaises(errors.BadRequest, wsgi.parse_version,
                                "2.x", lo, lo, hi)
        self.assertIn("invalid format", exc.message)


class TestRouter(testtools.TestCase):
    def test_match_404_405(self) -> None:
        router = wsgi.Router()
        router.add("GET", "/servers/{server_id}", lambda c: None, "show")
        route, params = router.match("GET", "/servers/abc")
        self.assertEqual(("show", {"server_id": "abc"}),
                         (route.op, params))
        self.assertRaises(errors.NotFound, router.match, "GET", "/nope")
        exc = self.assertRaises(wsgi.MethodNotAllowed, router.match, "POST",
                                "/servers/abc")
        self.assertEqual(["GET"], exc.allowed)
