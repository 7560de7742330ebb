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


def _concrete(template: str) -> str:
    return (template.replace("{notification_id}", "1")
            .replace("{vmove_id}", "1").replace("{host_name}", "spare"))


# The reads (GET) and the operator's actions (POST).
ROUTES = [_concrete(template)
          for template, methods in handler.ROUTE_DECLARATIONS.items()
          if "GET" in methods]
ACTION_ROUTES = [_concrete(template)
                 for template, methods in handler.ROUTE_DECLARATIONS.items()
                 if "POST" in methods]


class TestRoutes(base.ApiTestCase):

    def test_every_route_answers_get(self) -> None:
        for path in ROUTES:
            response = self.request(path)
            if path.startswith(handler.OPERATOR_PREFIX) or \
                    path == "/v1/capacity":
                # Read through the engine: this app has no link to one
                # (the targets' read wants its instances first).
                self.assertIn(response.status_int, (400, 503), path)
                continue
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

    def test_actions_take_post_only(self) -> None:
        self.assertEqual(5, len(ACTION_ROUTES))
        self.assertEqual(len(handler.ROUTE_DECLARATIONS),
                         len(ROUTES) + len(ACTION_ROUTES))
        for path in ACTION_ROUTES:
            self.assertTrue(path.startswith(handler.OPERATOR_PREFIX))
            for method in ("GET", "PUT", "PATCH", "DELETE", "HEAD"):
                response = self.request(path, method=method)
                self.assertEqual(405, response.status_int, (method, path))
                self.assertEqual("POST", response.headers["Allow"])

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
        self.assertEqual("instance-ha 1.11",
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
        with mock.patch.object(self.database, "notification_list",
                               side_effect=RuntimeError("boom")):
            response = self.request("/v1/notifications")
        self.assertError(response, 500, errors.INTERNAL)
        self.assertNotIn("boom", response.text)


def _code(response: webob.Response) -> str:
    body = json.loads(response.body)
    return str(next(iter(body.values()))["error_code"])


PROJECT = "24c4d24fa49c43a5995a1437ae1b7d7a"


class TestProjectInPath(base.ApiTestCase):
    """Masakari's catalog form: /v1/{project_id}/..."""

    def test_route_path(self) -> None:
        dashed = "24c4d24f-a49c-43a5-995a-1437ae1b7d7a"
        cases = {
            "/": ("/", None),
            "/v1/": ("/v1", None),
            "/v1/vmoves/": ("/v1/vmoves", None),
            "/v1/%s" % PROJECT: ("/v1", PROJECT),
            "/v1/%s/" % PROJECT: ("/v1", PROJECT),
            "/v1/%s/vmoves" % PROJECT: ("/v1/vmoves", PROJECT),
            "/v1/%s/notifications/1/vmoves/" % dashed: (
                "/v1/notifications/1/vmoves", dashed),
            # Not a project id: routed as it is (and answered 404).
            "/v1/%sx/vmoves" % PROJECT: ("/v1/%sx/vmoves" % PROJECT, None),
            "/v1/%s/vmoves" % PROJECT[:-1]: (
                "/v1/%s/vmoves" % PROJECT[:-1], None),
            "/v1/notifications": ("/v1/notifications", None),
            "/v2/%s/vmoves" % PROJECT: ("/v2/%s/vmoves" % PROJECT, None),
            "/x/v1/%s" % PROJECT: ("/x/v1/%s" % PROJECT, None),
        }
        for path, expected in cases.items():
            self.assertEqual(expected, handler.route_path(path), path)

    def test_every_route_answers_with_the_project(self) -> None:
        for path in ROUTES:
            if not path.startswith("/v1"):
                continue
            with_project = "/v1/%s%s" % (PROJECT, path[3:])
            plain = self.request(path)
            prefixed = self.request(with_project,
                                    headers={"X-Project-Id": PROJECT})
            self.assertEqual(plain.status_int, prefixed.status_int, path)
            if path != "/v1":  # the version document links to itself
                self.assertEqual(plain.json_body, _without_request_ids(
                    prefixed.json_body, plain.json_body), path)

    def test_next_link_keeps_the_project(self) -> None:
        body = self.get_json("/v1/%s/vmoves?limit=2" % PROJECT,
                             headers={"X-Project-Id": PROJECT})
        self.assertIn("/v1/%s/vmoves?" % PROJECT,
                      body["vmoves_links"][0]["href"])

    def test_another_project_than_the_tokens_is_400(self) -> None:
        other = "0" * 32
        self.assertError(self.request("/v1/%s/vmoves" % PROJECT,
                                      headers={"X-Project-Id": other}),
                         400, errors.PROJECT_MISMATCH, other)


def _without_request_ids(body: object, like: object) -> object:
    """``body`` with each error's request id taken from ``like``."""
    if isinstance(body, dict) and isinstance(like, dict):
        return {key: (like.get(key) if key == "request_id" else
                      _without_request_ids(value, like.get(key)))
                for key, value in body.items()}
    return body


class TestUndecodableRequests(base.ApiTestCase):
    """Percent-escapes that are not UTF-8 are the client's error: 400."""

    def raw(self, path: str, query: str = "") -> webob.Response:
        # As a WSGI server passes them (PEP 3333): bytes as latin-1.
        req = webob.Request.blank("/")
        req.environ["PATH_INFO"] = path
        req.environ["QUERY_STRING"] = query
        req.headers["X-Roles"] = "admin"
        req.headers["OpenStack-API-Version"] = base.LATEST
        return req.get_response(self.app)

    def test_path_is_400(self) -> None:
        for path in ("/v1/hosts/\xff", "/v1/vmoves/\xc3(", "/v1/\xff"):
            self.assertError(self.raw(path), 400, errors.REQUEST_NOT_UTF8,
                             "not valid UTF-8")

    def test_query_is_400(self) -> None:
        for query in ("limit=%ff", "%ff=1", "host=%c3%28&limit=1"):
            self.assertError(self.raw("/v1/vmoves", query), 400,
                             errors.REQUEST_NOT_UTF8, "not valid UTF-8")

    def test_webob_blank_escapes_too(self) -> None:
        self.assertError(self.request("/v1/hosts/%ff", roles="admin"), 400,
                         errors.REQUEST_NOT_UTF8)
        self.assertError(self.request("/v1/notifications?limit=%ff",
                                      roles="admin"), 400,
                         errors.REQUEST_NOT_UTF8)

    def test_valid_utf8_still_routes(self) -> None:
        response = self.raw("/v1/hosts/" + "é".encode().decode("latin-1"))
        self.assertError(response, 404, errors.NOT_FOUND)
