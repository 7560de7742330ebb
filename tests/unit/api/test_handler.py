"""The route table, 405s, and the one place errors become HTTP."""

import json
from unittest import mock

from oslo_db import exception as db_exc
import webob

from tests.unit.api import base
from vmotiond import exception
from vmotiond.api import errors
from vmotiond.api import handler
from vmotiond.api import util

ROUTES = [template.replace("{notification_id}", "1")
          .replace("{vmove_id}", "1").replace("{host_name}", "spare")
          for template in handler.ROUTE_DECLARATIONS]


class TestRoutes(base.ApiTestCase):

    def test_every_route_answers_get(self) -> None:
        for path in ROUTES:
            response = self.request(path)
            self.assertIn(response.status_int, (200, 404), path)
            if response.status_int == 404:
                self.assertEqual(errors.NOT_FOUND, _code(response), path)

    def test_other_methods_are_405_with_allow(self) -> None:
        for path in ROUTES:
            for method in ("POST", "PUT", "PATCH", "DELETE", "HEAD"):
                response = self.request(path, method=method)
                self.assertEqual(405, response.status_int, (method, path))
                self.assertEqual("GET", response.headers["Allow"])
                if method != "HEAD":
                    self.assertEqual(errors.METHOD_NOT_ALLOWED,
                                     _code(response))

    def test_unknown_paths_are_404(self) -> None:
        for path in ("/v2", "/v1/segments", "/v1/notifications/1/x",
                     "/v1/vmoves/1/steps/2"):
            self.assertError(self.request(path), 404, errors.ROUTE_NOT_FOUND)

    def test_trailing_slash_is_ignored(self) -> None:
        self.get_json("/v1/notifications/")

    def test_version_headers_on_success_and_error(self) -> None:
        response = self.request("/v1/notifications",
                                version="instance-ha 1.2")
        self.assertEqual("instance-ha 1.2",
                         response.headers["OpenStack-API-Version"])
        self.assertEqual("OpenStack-API-Version", response.headers["Vary"])
        response = self.request("/v1/notifications/bogus")
        self.assertEqual("instance-ha 1.4",
                         response.headers["OpenStack-API-Version"])

    def test_request_id_header(self) -> None:
        response = self.request("/v1/notifications")
        self.assertTrue(response.headers["x-openstack-request-id"]
                        .startswith("req-"))


class TestErrorMapping(base.ApiTestCase):

    def dispatch(self, error: Exception) -> webob.Response:
        def failing(req: webob.Request) -> webob.Response:
            raise error

        router = handler.Router(self.conf, self.database,
                                self.policy.policy, {"/x": {"GET": failing}})
        return router.dispatch(webob.Request.blank("/x"))

    def test_domain_errors(self) -> None:
        cases = [
            (exception.NotFound(kind="Thing", ident="t"), 404,
             errors.NOT_FOUND),
            (exception.InvalidInput(reason="no"), 400, errors.QUERY_INVALID),
            (exception.DatabaseUnavailable(url="u", reason="r"), 503,
             errors.DATABASE_UNAVAILABLE),
            (db_exc.DBConnectionError("gone"), 503,
             errors.DATABASE_UNAVAILABLE),
            (util.HTTPError(409, "vmotiond.test", "clash"), 409,
             "vmotiond.test"),
        ]
        for error, status, code in cases:
            response = self.dispatch(error)
            self.assertEqual(status, response.status_int, error)
            self.assertEqual(code, _code(response))
        self.assertEqual("5", self.dispatch(
            db_exc.DBConnectionError("gone")).headers["Retry-After"])

    def test_error_envelope_is_masakari_style(self) -> None:
        body = json.loads(self.dispatch(
            exception.NotFound(kind="VMove", ident="v")).body)
        self.assertEqual({"itemNotFound"}, set(body))
        self.assertEqual("VMove v could not be found.",
                         body["itemNotFound"]["message"])

    def test_unexpected_errors_reach_the_fault_wrapper(self) -> None:
        with mock.patch.object(self.database, "notification_search",
                               side_effect=RuntimeError("boom")):
            response = self.request("/v1/notifications")
        self.assertError(response, 500, errors.INTERNAL)
        self.assertNotIn("boom", response.text)


def _code(response: webob.Response) -> str:
    body = json.loads(response.body)
    return str(next(iter(body.values()))["error_code"])
