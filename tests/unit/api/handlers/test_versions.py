"""Version discovery."""

from tests.unit.api import base


class TestVersions(base.ApiTestCase):

    def test_root_lists_v1_with_microversion_range(self) -> None:
        body = self.get_json("/", version=None, roles="")
        (version,) = body["versions"]
        self.assertEqual("v1.0", version["id"])
        self.assertEqual("CURRENT", version["status"])
        self.assertEqual("1.0", version["min_version"])
        self.assertEqual("1.11", version["version"])
        self.assertEqual("http://localhost/v1/", version["links"][0]["href"])

    def test_v1_document(self) -> None:
        for path in ("/v1", "/v1/"):
            version = self.get_json(path, version=None)["version"]
            self.assertEqual("1.11", version["version"])
            self.assertIn("media-types", version)

    def test_proxy_headers_change_links_when_enabled(self) -> None:
        self.conf_fixture.set("enable_proxy_headers_parsing", True,
                              "oslo_middleware")
        body = self.get_json("/", headers={
            "X-Forwarded-Proto": "https", "X-Forwarded-Host": "ha.example"})
        self.assertEqual("https://ha.example/v1/",
                         body["versions"][0]["links"][0]["href"])
