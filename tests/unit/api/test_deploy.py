"""The pipeline: healthcheck, auth strategies, fault wrapper, request id."""

import json
from typing import Any

import testtools
import webob

from tests.unit.api import base
from vmotiond.api import auth
from vmotiond.api import deploy
from vmotiond.api import errors
from vmotiond.api import fault_wrap


class TestHealthcheck(base.ApiTestCase):

    def test_unauthenticated_without_details(self) -> None:
        self.conf_fixture.set("auth_strategy", "keystone", "api")
        app = deploy.deploy(self.conf, self.database, self.policy.policy)
        response = webob.Request.blank("/healthcheck").get_response(app)
        self.assertEqual(200, response.status_int)
        self.assertEqual("text/plain", response.content_type)
        req = webob.Request.blank("/healthcheck",
                                  headers={"Accept": "application/json"})
        body = json.loads(req.get_response(app).body)
        self.assertIs(False, body["detailed"])
        self.assertNotIn("details", body)


class TestKeystoneStrategy(base.ApiTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.conf_fixture.set("auth_strategy", "keystone", "api")
        self.conf_fixture.set("www_authenticate_uri",
                              "http://127.0.0.1:9/identity",
                              "keystone_authtoken")
        self.app = deploy.deploy(self.conf, self.database,
                                 self.policy.policy)

    def test_no_token_is_401(self) -> None:
        response = self.request("/v1/notifications")
        self.assertEqual(401, response.status_int)
        self.assertIn("127.0.0.1:9", response.headers["WWW-Authenticate"])

    def test_roles_sent_by_the_client_are_not_trusted(self) -> None:
        response = self.request("/v1/notifications", roles="admin",
                                headers={"X-Identity-Status": "Confirmed"})
        self.assertEqual(401, response.status_int)

    def test_discovery_and_document_are_public(self) -> None:
        for path in ("/", "/v1", "/v1/", "/openapi.json"):
            self.assertEqual(200, self.request(path).status_int, path)


class TestNoAuth(testtools.TestCase):

    def test_defaults_to_admin_and_keeps_given_roles(self) -> None:
        seen: list[dict[str, Any]] = []

        def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            seen.append(dict(environ))
            start_response("204 No Content", [])
            return []

        webob.Request.blank("/").get_response(auth.NoAuth(app))
        webob.Request.blank("/", headers={"X-Roles": "member"}).get_response(
            auth.NoAuth(app))
        self.assertEqual("admin,reader", seen[0]["HTTP_X_ROLES"])
        self.assertEqual("member", seen[1]["HTTP_X_ROLES"])


class TestFaultWrapper(testtools.TestCase):

    def test_uncaught_error_is_logged_500(self) -> None:
        def broken(environ: dict[str, Any], start_response: Any) -> Any:
            raise ValueError("secret detail")

        req = webob.Request.blank("/")
        req.environ["openstack.request_id"] = "req-1"
        response = req.get_response(fault_wrap.FaultWrapper(broken))
        self.assertEqual(500, response.status_int)
        detail = json.loads(response.body)["internalServerError"]
        self.assertEqual(errors.INTERNAL, detail["error_code"])
        self.assertEqual("req-1", detail["request_id"])
        self.assertNotIn("secret", response.text)
