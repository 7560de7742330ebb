"""The plugin's client: URLs, queries, headers, pages and errors, on a
fake keystoneauth session."""

import argparse
from typing import Any

import fixtures
import testtools

from vmotiond.osc import client
from vmotiond.osc import plugin


class FakeResponse:

    def __init__(self, status: int, body: Any = None,
                 text: str = "") -> None:
        self.status_code = status
        self._body = body
        self.text = text

    def json(self) -> Any:
        if self._body is None:
            raise ValueError("no JSON")
        return self._body


class FakeSession:
    """Answers GETs from ``answers`` (by URL) and records them."""

    def __init__(self, endpoint: str | None, answers: dict[str, Any]
                 ) -> None:
        self.endpoint = endpoint
        self.answers = answers
        self.calls: list[tuple[str, Any, dict[str, str]]] = []
        self.endpoint_asked: dict[str, Any] = {}

    def get_endpoint(self, **kwargs: Any) -> str | None:
        self.endpoint_asked = kwargs
        return self.endpoint

    def get(self, url: str, headers: dict[str, str], params: Any,
            raise_exc: bool) -> FakeResponse:
        assert raise_exc is False
        self.calls.append((url, params, headers))
        answer = self.answers[url]
        if isinstance(answer, FakeResponse):
            return answer
        return FakeResponse(200, answer)


ROOT = "http://127.0.0.1:15868/v1"


class ApiRootTest(testtools.TestCase):

    def test_catalog_endpoints(self) -> None:
        for endpoint in ("http://127.0.0.1:15868", "http://127.0.0.1:15868/",
                         "http://127.0.0.1:15868/v1",
                         "http://127.0.0.1:15868/v1/",
                         "http://127.0.0.1:15868/v1/"
                         "0123456789abcdef0123456789abcdef"):
            self.assertEqual(ROOT, client.api_root(endpoint), endpoint)
        self.assertEqual("https://h/ha/v1", client.api_root("https://h/ha"))
        self.assertEqual("https://h/ha/v1",
                         client.api_root("https://h/ha/v1/p?x=1"))


class QueryTest(testtools.TestCase):

    def test_sort(self) -> None:
        self.assertEqual([], client.sort_query(None))
        self.assertEqual([], client.sort_query(""))
        self.assertEqual(
            [("sort_key", "type"), ("sort_key", "created_at"),
             ("sort_dir", "asc"), ("sort_dir", "desc")],
            client.sort_query("type:asc, created_at"))
        self.assertRaises(client.ClientError, client.sort_query, ":asc")
        self.assertRaises(client.ClientError, client.sort_query, "a,,b")

    def test_filters(self) -> None:
        self.assertEqual(
            [("role", "normal"), ("role", "standby"), ("host", "h1")],
            client.filters(role=["normal", "standby"], zone=None,
                           host="h1"))
        self.assertEqual([], client.filters(role=None))

    def test_versions(self) -> None:
        self.assertEqual((1, 4), client.parse_version("1.4"))
        self.assertEqual((1, 10), client.parse_version(" 1.10 "))
        for bad in ("1", "latest", "1.04", "0.9", "1.4.1", ""):
            self.assertRaises(client.ClientError, client.parse_version,
                              bad)

    def test_error_messages(self) -> None:
        self.assertEqual(
            "Vmove x could not be found. (HTTP 404)",
            client.error_message(404, {"itemNotFound": {
                "code": 404, "message": "Vmove x could not be found."}},
                ""))
        self.assertEqual("HTTP 502: bad gateway",
                         client.error_message(502, None, "bad gateway\n"))
        self.assertEqual("HTTP 500: no body",
                         client.error_message(500, {"a": 1, "b": 2}, ""))


class ClientTest(testtools.TestCase):

    def test_get_sends_the_microversion_to_the_catalog_endpoint(self) -> None:
        session = FakeSession(ROOT + "/abc0123456789abcdef0123456789abc",
                              {ROOT + "/hosts/h%2F1": {"host": {"n": 1}}})
        api = client.Client(session, "1.5", interface="internal",
                            region_name="RegionTwo")
        self.assertEqual({"n": 1}, api.one("/hosts/" + api.quote("h/1"),
                                           "host"))
        self.assertEqual({"service_type": "instance-ha",
                          "interface": "internal",
                          "region_name": "RegionTwo"},
                         session.endpoint_asked)
        (url, params, headers), = session.calls
        self.assertIsNone(params)
        self.assertEqual("instance-ha 1.5",
                         headers["OpenStack-API-Version"])

    def test_list_follows_next_links(self) -> None:
        page2 = ROOT + "/vmoves?limit=2&marker=b"
        page3 = ROOT + "/vmoves?limit=2&marker=c"
        session = FakeSession(ROOT, {
            ROOT + "/vmoves": {"vmoves": [{"u": "a"}, {"u": "b"}],
                               "vmoves_links": [{"rel": "next",
                                                 "href": page2}]},
            page2: {"vmoves": [{"u": "c"}], "vmoves_links": [
                {"rel": "next", "href": page3}]},
            page3: {"vmoves": []}})
        api = client.Client(session, "1.4")
        found = api.list("/vmoves", "vmoves", [("status", "failed")])
        self.assertEqual(["a", "b", "c"], [m["u"] for m in found])
        self.assertEqual([ROOT + "/vmoves", page2, page3],
                         [c[0] for c in session.calls])
        self.assertEqual([("status", "failed")], session.calls[0][1])
        # One page only.
        session.calls.clear()
        self.assertEqual(2, len(api.list("/vmoves", "vmoves",
                                         follow=False)))
        self.assertEqual(1, len(session.calls))

    def test_errors(self) -> None:
        session = FakeSession(ROOT, {
            ROOT + "/vmoves/x": FakeResponse(404, {"itemNotFound": {
                "message": "Vmove x could not be found."}}),
            ROOT + "/hosts": FakeResponse(200, None, "<html>")})
        api = client.Client(session, "1.4")
        error = self.assertRaises(client.ClientError, api.one,
                                  "/vmoves/x", "vmove")
        self.assertEqual("Vmove x could not be found. (HTTP 404)",
                         str(error))
        self.assertRaises(client.ClientError, api.get, "/hosts")
        missing = client.Client(FakeSession(None, {}), "1.4")
        error = self.assertRaises(client.ClientError, missing.get, "/hosts")
        self.assertIn("No instance-ha endpoint", str(error))

    def test_versions_below_the_commands(self) -> None:
        self.assertRaises(client.ClientError, client.Client,
                          FakeSession(ROOT, {}), "latest")
        error = self.assertRaises(client.ClientError, client.require,
                                  "1.3", "1.4", "vmotiond host list")
        self.assertEqual(
            "vmotiond host list needs vmotiond API version 1.4 or later, "
            "not 1.3 (--os-vmotiond-api-version, OS_VMOTIOND_API_VERSION).",
            str(error))
        client.require("1.4", "1.4", "x")
        client.require("1.10", "1.4", "x")


class PluginTest(testtools.TestCase):

    def test_osc_interface(self) -> None:
        self.assertEqual("vmotiond", plugin.API_NAME)
        self.assertEqual("os_vmotiond_api_version", plugin.API_VERSION_OPTION)
        self.assertTrue(plugin.check_api_version("1.4"))
        self.assertTrue(plugin.check_api_version("1.9"))
        self.assertTrue(plugin.check_api_version("1.3"))
        self.assertRaises(client.ClientError, plugin.check_api_version,
                          "latest")

    def test_option_and_client(self) -> None:
        self.useFixture(fixtures.EnvironmentVariable(plugin.ENV, None))
        parser = plugin.build_option_parser(argparse.ArgumentParser())
        self.assertEqual("1.4", parser.parse_args([]).os_vmotiond_api_version)
        self.assertEqual("1.6", parser.parse_args(
            ["--os-vmotiond-api-version", "1.6"]).os_vmotiond_api_version)
        self.useFixture(fixtures.EnvironmentVariable(plugin.ENV, "1.5"))
        parser = plugin.build_option_parser(argparse.ArgumentParser())
        self.assertEqual("1.5", parser.parse_args([]).os_vmotiond_api_version)

        class Instance:
            session = FakeSession(ROOT, {})
            _api_version = {"vmotiond": "1.6", "ha": "1.3"}
            interface = "public"
            region_name = "RegionOne"

        made = plugin.make_client(Instance())
        self.assertEqual("1.6", made.version)
        self.assertEqual("public", made.interface)
        self.assertIs(Instance.session, made.session)
