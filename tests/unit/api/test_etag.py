"""ETag and If-None-Match on the GET answers (the console polls with them)."""

from tests.unit.api import base
from vmotiond.api import util


class TestEtagMatches(base.testtools.TestCase):

    def test_matches(self) -> None:
        tag = '"abc"'
        self.assertTrue(util.etag_matches('"abc"', tag))
        self.assertTrue(util.etag_matches('"x", W/"abc"', tag))
        self.assertTrue(util.etag_matches("*", tag))
        self.assertFalse(util.etag_matches('"abd"', tag))
        self.assertFalse(util.etag_matches(None, tag))
        self.assertFalse(util.etag_matches("", tag))

    def test_tag_follows_the_body(self) -> None:
        self.assertEqual(util.etag(b"a"), util.etag(b"a"))
        self.assertNotEqual(util.etag(b"a"), util.etag(b"b"))
        self.assertTrue(util.etag(b"a").startswith('"'))


class TestConditionalGet(base.ApiTestCase):

    def test_list_answers_304_on_a_matching_tag(self) -> None:
        for path in ("/v1/notifications", "/v1/vmoves", "/v1/hosts",
                     "/v1/alerts"):
            first = self.request(path)
            self.assertEqual(200, first.status_int, path)
            tag = first.headers["ETag"]
            again = self.request(path, headers={"If-None-Match": tag})
            self.assertEqual(304, again.status_int, path)
            self.assertEqual(b"", again.body)
            self.assertEqual(tag, again.headers["ETag"])
            self.assertIn("OpenStack-API-Version", again.headers)
            other = self.request(path, headers={"If-None-Match": '"old"'})
            self.assertEqual(200, other.status_int, path)
            self.assertEqual(first.body, other.body)

    def test_the_tag_changes_with_the_answer(self) -> None:
        one = self.request("/v1/vmoves?limit=1").headers["ETag"]
        two = self.request("/v1/vmoves?limit=2").headers["ETag"]
        self.assertNotEqual(one, two)

    def test_errors_carry_no_tag(self) -> None:
        response = self.request("/v1/hosts/nowhere")
        self.assertEqual(404, response.status_int)
        self.assertNotIn("ETag", response.headers)
