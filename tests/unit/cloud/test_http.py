import fixtures
from keystoneauth1 import exceptions as ksa_exc
import testtools

from tests.unit.cloud import fakes
from vmotiond import clock
from vmotiond import exception
from vmotiond.cloud import http
from vmotiond.cloud import retry


def _client(handler, retries=2, source=None):
    adapter = fakes.FakeAdapter(handler)
    retrier = retry.Retrier(clock.FakeClock(), retries, 1.0, 10.0)
    return adapter, http.ApiClient(source or adapter, "compute", retrier,
                                   12.5, "2.94")


class ApiClientTest(testtools.TestCase):

    def test_request_options(self):
        adapter, client = _client(lambda m, u, k: fakes.response(
            200, {"services": []}))
        self.assertEqual({"services": []}, client.get(
            "os-services", "list", params={"binary": "nova-compute"}))
        method, url, kwargs = adapter.calls[0]
        self.assertEqual(("GET", "os-services"), (method, url))
        self.assertEqual(dict(raise_exc=False, connect_retries=0,
                              status_code_retries=0, timeout=12.5,
                              microversion="2.94",
                              params={"binary": "nova-compute"}), kwargs)

    def test_microversion_per_call_and_empty_body(self):
        adapter, client = _client(lambda m, u, k: fakes.response(200))
        self.assertIsNone(client.request(
            "POST", "servers/s/action", "evacuate", json={"evacuate": {}},
            microversion="2.95", idempotent=False))
        self.assertEqual("2.95", adapter.calls[0][2]["microversion"])
        self.assertEqual({"evacuate": {}}, adapter.calls[0][2]["json"])

    def test_5xx_retried_then_ok(self):
        answers = [fakes.response(503), fakes.response(500),
                   fakes.response(200, {"ok": 1})]
        adapter, client = _client(lambda m, u, k: answers.pop(0))
        self.assertEqual({"ok": 1}, client.get("x", "x"))
        self.assertEqual(3, len(adapter.calls))

    def test_5xx_exhausted(self):
        adapter, client = _client(lambda m, u, k: fakes.response(
            500, {"computeFault": {"message": "boom"}}))
        error = self.assertRaises(exception.CloudUnavailable,
                                  client.get, "x", "list x")
        self.assertEqual((500, "HTTP 500: boom"),
                         (error.status, error.kwargs["reason"]))
        self.assertEqual(3, len(adapter.calls))

    def test_move_not_repeated_after_500(self):
        adapter, client = _client(lambda m, u, k: fakes.response(500))
        error = self.assertRaises(
            exception.CloudUnavailable, client.request, "POST", "a",
            "evacuate", json={}, idempotent=False)
        self.assertTrue(error.kwargs["maybe_applied"])
        self.assertEqual(1, len(adapter.calls))

    def test_transport_error_retried(self):
        def handler(m, u, k):
            raise ksa_exc.ConnectFailure("refused")
        adapter, client = _client(handler, retries=1)
        self.assertRaises(exception.CloudUnavailable, client.get, "x", "x")
        self.assertEqual(2, len(adapter.calls))

    def test_discovery_failure_of_the_proxy(self):
        tries = []

        def source():
            tries.append(1)
            raise ksa_exc.DiscoveryFailure("no version document")
        _, client = _client(None, retries=2, source=source)
        error = self.assertRaises(exception.CloudUnavailable, client.get,
                                  "x", "x")
        self.assertIn("no version document", str(error))
        self.assertEqual(3, len(tries))

    def test_paged_list_follows_markers(self):
        pages = {
            None: {"servers": [{"id": "a"}, {"id": "b"}], "servers_links": [
                {"rel": "next",
                 "href": "http://other/v2.1/servers/detail?limit=2&marker=b"}]},
            "b": {"servers": [{"id": "c"}]},
        }
        adapter, client = _client(lambda m, u, k: fakes.response(
            200, pages[k["params"].get("marker")]))
        items = client.list_paged("servers/detail", "servers", "list",
                                  params={"all_tenants": "True"},
                                  page_size=2)
        self.assertEqual(["a", "b", "c"], [i["id"] for i in items])
        self.assertEqual(2, len(adapter.calls))
        self.assertEqual({"all_tenants": "True", "limit": 2, "marker": "b"},
                         adapter.calls[1][2]["params"])
        self.assertEqual("servers/detail", adapter.calls[1][1])

    def test_paged_list_stops_on_repeated_marker(self):
        page = {"hypervisors": [{"id": "a"}], "hypervisors_links": [
            {"rel": "next", "href": "http://x/os-hypervisors?marker=a"}]}
        adapter, client = _client(lambda m, u, k: fakes.response(200, page))
        self.assertEqual(2, len(client.list_paged(
            "os-hypervisors/detail", "hypervisors", "list")))
        self.assertEqual(2, len(adapter.calls))


class SkipEnvironmentTest(testtools.TestCase):
    """requests reads the environment on every request only when what it
    reads there cannot be read once."""

    def session(self, environ, netrc=False):
        import os
        from unittest import mock

        import requests
        keystone = mock.Mock(verify=True, session=requests.Session())
        self.useFixture(fixtures.MockPatchObject(os, "environ", environ))
        self.useFixture(fixtures.MockPatch(
            "os.path.exists", mock.Mock(return_value=netrc)))
        return keystone, http.skip_environment(keystone)

    def test_clean_environment_is_not_read(self):
        keystone, skipped = self.session({"PATH": "/bin", "HOME": "/root"})
        self.assertTrue(skipped)
        self.assertFalse(keystone.session.trust_env)
        self.assertIs(True, keystone.verify)

    def test_a_ca_bundle_is_read_once(self):
        keystone, skipped = self.session({"CURL_CA_BUNDLE": "/etc/b.pem"})
        self.assertTrue(skipped)
        self.assertEqual("/etc/b.pem", keystone.verify)
        keystone, skipped = self.session({"REQUESTS_CA_BUNDLE": "/r.pem",
                                          "CURL_CA_BUNDLE": "/c.pem"})
        self.assertEqual("/r.pem", keystone.verify)

    def test_proxies_and_netrc_keep_it_reading(self):
        for environ in ({"https_proxy": "http://proxy:3128"},
                        {"NO_PROXY": "localhost"}, {"NETRC": "/n"}):
            keystone, skipped = self.session(environ)
            self.assertFalse(skipped, environ)
            self.assertTrue(keystone.session.trust_env, environ)
        keystone, skipped = self.session({"PATH": "/bin"}, netrc=True)
        self.assertFalse(skipped)
        self.assertTrue(keystone.session.trust_env)

    def test_no_session(self):
        self.assertFalse(http.skip_environment(None))


class RequestIdTest(testtools.TestCase):

    def test_act_returns_the_request_id(self):
        answer = fakes.response(202)
        answer.headers[http.REQUEST_ID] = "req-1"
        adapter, client = _client(lambda m, u, k: answer)
        self.assertEqual("req-1", client.act(
            "POST", "servers/s/action", "evacuate", json={"evacuate": {}}))
        self.assertEqual({"evacuate": {}}, adapter.calls[0][2]["json"])

    def test_act_without_the_header_returns_none(self):
        adapter, client = _client(lambda m, u, k: fakes.response(202))
        self.assertIsNone(client.act("PUT", "os-services/x", "disable"))
