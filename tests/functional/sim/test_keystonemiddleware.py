"""keystonemiddleware validates the simulator's tokens, as vmotiond's API
will in its tests."""

import json
import threading
from wsgiref import simple_server

from keystonemiddleware import auth_token
import requests
import testtools

from tests.fixtures import sim as sim_fixture
from vmotiond.sim import builder


def _echo(environ, start_response):
    body = json.dumps({"roles": environ.get("HTTP_X_ROLES"),
                       "user": environ.get("HTTP_X_USER_NAME")}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


class _Quiet(simple_server.WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class TestAuthToken(testtools.TestCase):
    def test_tokens_validated_against_the_simulator(self) -> None:
        sim = self.useFixture(sim_fixture.SimFixture(builder.Scenario(
            hosts=1, standby=0, servers=0)))
        app = auth_token.AuthProtocol(_echo, {
            "www_authenticate_uri": sim.auth_url, "auth_url": sim.auth_url,
            "auth_type": "password", "username": "vmotiond",
            "password": "vmotiond", "project_name": "service",
            "user_domain_name": "Default", "project_domain_name": "Default",
            "delay_auth_decision": "false", "service_token_roles_required":
            "false", "memcached_servers": "", "include_service_catalog":
            "false"})
        httpd = simple_server.make_server("127.0.0.1", 0, app,
                                          handler_class=_Quiet)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 5)
        self.addCleanup(httpd.shutdown)
        url = "http://127.0.0.1:%d/" % httpd.server_port
        reader = sim.connect("reader").session.get_token()
        resp = requests.get(url, headers={"X-Auth-Token": reader},
                            timeout=30)
        self.assertEqual(200, resp.status_code, resp.text)
        self.assertEqual({"roles": "reader", "user": "reader"}, resp.json())
        resp = requests.get(url, headers={"X-Auth-Token": "bogus"},
                            timeout=30)
        self.assertEqual(401, resp.status_code)
