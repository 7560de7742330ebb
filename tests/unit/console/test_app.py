"""The console's WSGI app: pages, static files, login, the read proxy,
the operator's actions."""

import json
import types
from typing import Any
from unittest import mock

import testtools
import webob

from vmotiond.console import app as console_app
from vmotiond.console import login
from vmotiond.console import security


def make_conf(auth_strategy: str) -> Any:
    return types.SimpleNamespace(
        api=types.SimpleNamespace(auth_strategy=auth_strategy),
        keystone_authtoken=types.SimpleNamespace(
            www_authenticate_uri="http://keystone.test/identity",
            auth_url=None))


PROBE = "/v1/operator/instances/action"


class FakeApi:
    """Records the environ of every request the console passes on; an
    action without a body is answered ``probe`` (400: the policy passed).
    """

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.probe = 403

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.seen.append(dict(environ))
        if environ["PATH_INFO"] == PROBE and \
                int(environ.get("CONTENT_LENGTH") or 0) == 0:
            return webob.Response(status=self.probe)(environ,
                                                     start_response)
        return webob.Response(json={"path": environ["PATH_INFO"]})(
            environ, start_response)

    def posts(self) -> list[dict[str, Any]]:
        """The requests that were not probes."""
        return [e for e in self.seen if e["PATH_INFO"] != PROBE]


class ConsoleCase(testtools.TestCase):

    auth_strategy = "noauth"

    def setUp(self) -> None:
        super().setUp()
        self.api = FakeApi()
        self.app = console_app.Console(make_conf(self.auth_strategy),
                                       self.api)

    def get(self, path: str, method: str = "GET",
            **headers: str) -> webob.Response:
        req = webob.Request.blank(path, method=method, headers=headers)
        return req.get_response(self.app)


class TestNoauth(ConsoleCase):

    def test_other_paths_go_to_the_api(self) -> None:
        for path in ("/v1/hosts", "/vmotionx", "/"):
            self.assertEqual({"path": path}, self.get(path).json)

    def test_pages_carry_the_security_headers(self) -> None:
        for path in ("/vmotion/hostinfo", "/vmotion/migrate_task",
                     "/vmotion/tasks/12", "/vmotion/tasks/%s" % ("a" * 36)):
            response = self.get(path)
            self.assertEqual(200, response.status_int, path)
            self.assertEqual("text/html", response.content_type)
            self.assertEqual(security.CONTENT_SECURITY_POLICY,
                             response.headers["Content-Security-Policy"])
            self.assertEqual("nosniff",
                             response.headers["X-Content-Type-Options"])
            self.assertEqual("no-store", response.headers["Cache-Control"])
            self.assertNotIn("<script>", response.text)
            self.assertNotIn(" style=", response.text)
        # The API saw only the probes of whether the session may act.
        self.assertEqual({("POST", PROBE)}, {
            (e["REQUEST_METHOD"], e["PATH_INFO"]) for e in self.api.seen})

    def test_hosts_page(self) -> None:
        page = self.get("/vmotion/hostinfo").text
        self.assertIn("<h1>Hosts</h1>", page)
        self.assertIn('src="/vmotion/static/hostinfo.js"', page)
        self.assertNotIn("Log out", page)

    def test_task_page_names_its_task(self) -> None:
        page = self.get("/vmotion/tasks/42").text
        self.assertIn('data-task="42"', page)
        self.assertIn('src="/vmotion/static/task.js"', page)

    def test_unknown_pages(self) -> None:
        for path in ("/vmotion/nowhere", "/vmotion/tasks/",
                     "/vmotion/tasks/%3Cb%3E", "/vmotion/tasks/1/2"):
            response = self.get(path)
            self.assertEqual(404, response.status_int, path)
            self.assertIn("Content-Security-Policy", response.headers)
        self.assertEqual(303, self.get("/vmotion").status_int)
        self.assertTrue(self.get("/vmotion/").location.endswith(
            "/vmotion/hostinfo"))
        self.assertEqual(405, self.get("/vmotion/hostinfo",
                                       "POST").status_int)

    def test_language_from_the_browser(self) -> None:
        response = self.get("/vmotion/hostinfo",
                            **{"Accept-Language": "zh-CN,zh;q=0.9"})
        self.assertIn("<h1>主机信息</h1>", response.text)
        self.assertIn('<html lang="zh-CN">', response.text)
        self.assertEqual("zh-CN", response.headers["Content-Language"])
        self.assertNotIn("Set-Cookie", response.headers)
        words = json.loads(response.text.split(
            'id="strings">')[1].split("</script>")[0])
        self.assertEqual("宕机", words["down"])

    def test_switch_is_remembered(self) -> None:
        response = self.get("/vmotion/migrate_task?lang=zh_CN",
                            **{"Accept-Language": "en"})
        self.assertIn("<h1>迁移调度</h1>", response.text)
        self.assertEqual(
            "vmotion_lang=zh_CN; Path=/vmotion; HttpOnly; SameSite=Strict; "
            "Max-Age=31536000", response.headers["Set-Cookie"])
        again = self.get("/vmotion/hostinfo", Cookie="vmotion_lang=zh_CN",
                         **{"Accept-Language": "en"})
        self.assertIn("<h1>主机信息</h1>", again.text)
        self.assertIn("<h1>Hosts</h1>", self.get(
            "/vmotion/hostinfo?lang=en", Cookie="vmotion_lang=zh_CN").text)

    def test_static_files(self) -> None:
        for name, kind in (("common.js", "text/javascript"),
                           ("console.css", "text/css"),
                           ("favicon.svg", "image/svg+xml")):
            response = self.get("/vmotion/static/" + name)
            self.assertEqual(200, response.status_int, name)
            self.assertEqual(kind, response.content_type)
            self.assertEqual("nosniff",
                             response.headers["X-Content-Type-Options"])
            again = self.get("/vmotion/static/" + name,
                             **{"If-None-Match": response.etag})
            self.assertEqual(304, again.status_int)
        for name in ("nothing.js", "../app.py", "..%2Fapp.py", "app.py"):
            self.assertEqual(404, self.get("/vmotion/static/" + name)
                             .status_int, name)

    def test_read_proxy(self) -> None:
        response = self.get("/vmotion/api/v1/vmoves?limit=2",
                            **{"X-Auth-Token": "from-the-page"})
        self.assertEqual({"path": "/v1/vmoves"}, response.json)
        seen = self.api.seen[-1]
        self.assertEqual("limit=2", seen["QUERY_STRING"])
        self.assertNotIn("HTTP_X_AUTH_TOKEN", seen)
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            self.assertEqual(405, self.get("/vmotion/api/v1/vmoves",
                                           method).status_int)
        self.assertEqual(405, self.get("/vmotion/api/v1/operator/x/action",
                                       "PUT").status_int)
        self.assertEqual(1, len(self.api.seen))

    def test_no_login_without_keystone(self) -> None:
        self.assertEqual(303, self.get("/vmotion/login").status_int)


class TestKeystone(ConsoleCase):

    auth_strategy = "keystone"
    ORIGIN = {"Origin": "http://localhost"}

    def post_login(self, **headers: str) -> webob.Response:
        req = webob.Request.blank("/vmotion/login", method="POST",
                                  headers=headers, POST={
                                      "user": "<b>ann</b>",
                                      "password": "secret",
                                      "project": "admin"})
        return req.get_response(self.app)

    def test_pages_need_a_login(self) -> None:
        response = self.get("/vmotion/hostinfo")
        self.assertEqual(303, response.status_int)
        self.assertTrue(response.location.endswith("/vmotion/login"))
        form = self.get("/vmotion/login")
        self.assertEqual(200, form.status_int)
        self.assertIn('name="password" id="password" type="password"',
                      form.text)
        self.assertEqual(200, self.get("/vmotion/hostinfo",
                                       Cookie="vmotion_token=t").status_int)

    def test_login_keeps_the_token_in_an_httponly_cookie(self) -> None:
        with mock.patch.object(login, "token",
                               return_value="tok123") as asked:
            response = self.post_login(**self.ORIGIN)
        asked.assert_called_once_with("http://keystone.test/identity",
                                      "<b>ann</b>", "secret", "admin")
        self.assertEqual(303, response.status_int)
        self.assertTrue(response.location.endswith("/vmotion/hostinfo"))
        self.assertEqual(
            "vmotion_token=tok123; Path=/vmotion; HttpOnly; "
            "SameSite=Strict", response.headers["Set-Cookie"])

    def test_refused_login_shows_the_form_escaped(self) -> None:
        with mock.patch.object(login, "token",
                               side_effect=login.LoginFailed(True)):
            response = self.post_login(**self.ORIGIN)
        self.assertEqual(401, response.status_int)
        self.assertIn("Keystone refused", response.text)
        self.assertIn('value="&lt;b&gt;ann&lt;/b&gt;"', response.text)
        self.assertNotIn("<b>ann", response.text)
        self.assertNotIn("Set-Cookie", response.headers)
        with mock.patch.object(login, "token",
                               side_effect=login.LoginFailed(False)):
            response = self.post_login(**self.ORIGIN)
        self.assertIn("cannot be reached", response.text)

    def test_cross_site_login_is_refused(self) -> None:
        with mock.patch.object(login, "token") as asked:
            for headers in ({"Origin": "http://evil.test"}, {}):
                self.assertEqual(403, self.post_login(**headers).status_int)
        asked.assert_not_called()

    def test_logout(self) -> None:
        response = self.get("/vmotion/logout", "POST", **self.ORIGIN)
        self.assertEqual(303, response.status_int)
        self.assertIn("vmotion_token=; ", response.headers["Set-Cookie"])
        self.assertIn("Max-Age=0", response.headers["Set-Cookie"])
        self.assertEqual(403, self.get("/vmotion/logout", "POST",
                                       Origin="http://evil").status_int)
        self.assertIn("Log out", self.get(
            "/vmotion/hostinfo", Cookie="vmotion_token=t").text)

    def test_read_proxy_sends_the_session_token(self) -> None:
        self.get("/vmotion/api/v1/hosts", Cookie="vmotion_token=tok",
                 **{"X-Auth-Token": "forged"})
        self.assertEqual("tok", self.api.seen[-1]["HTTP_X_AUTH_TOKEN"])
        self.assertEqual("/v1/hosts", self.api.seen[-1]["PATH_INFO"])
        self.get("/vmotion/api/v1/hosts", **{"X-Auth-Token": "forged"})
        self.assertNotIn("HTTP_X_AUTH_TOKEN", self.api.seen[-1])
        self.assertEqual(405, self.get("/vmotion/api/v1/hosts", "POST",
                                       Cookie="vmotion_token=tok")
                         .status_int)


def post_action(app: Any, path: str, cookie: str | None,
                csrf: str | None, **headers: str) -> webob.Response:
    req = webob.Request.blank("/vmotion/api" + path, method="POST",
                              headers=headers, body=b'{"action": "drain"}')
    req.content_type = "application/json"
    if cookie is not None:
        req.headers["Cookie"] = cookie
    if csrf is not None:
        req.headers["X-CSRF-Token"] = csrf
    return req.get_response(app)


class TestActionsNoauth(ConsoleCase):

    PATH = "/v1/operator/hosts/h1/action"
    ORIGIN = {"Origin": "http://localhost"}

    def test_a_page_for_a_session_that_may_act(self) -> None:
        self.api.probe = 400
        response = self.get("/vmotion/hostinfo")
        cookie = response.headers["Set-Cookie"]
        self.assertTrue(cookie.startswith("vmotion_session="))
        self.assertIn("HttpOnly; SameSite=Strict", cookie)
        session = cookie.split(";")[0].split("=", 1)[1]
        self.assertIn('data-csrf="%s"' % security.csrf_token(session),
                      response.text)
        self.assertIn("<th>Actions</th>", response.text)
        self.assertIn('id="confirm"', response.text)
        probe = self.api.seen[-1]
        self.assertEqual(("POST", "instance-ha 1.6"), (
            probe["REQUEST_METHOD"], probe["HTTP_OPENSTACK_API_VERSION"]))
        # The session's cookie is kept, not replaced.
        again = self.get("/vmotion/migrate_task",
                         Cookie="vmotion_session=" + session)
        self.assertNotIn("Set-Cookie", again.headers)
        self.assertIn('data-csrf="%s"' % security.csrf_token(session),
                      again.text)
        self.assertIn('data-selected="redo"', again.text)

    def test_a_reader_gets_no_actions(self) -> None:
        for refused in (403, 404):
            self.api.probe = refused
            response = self.get("/vmotion/hostinfo")
            self.assertNotIn("data-csrf", response.text)
            self.assertNotIn("Actions", response.text)
            self.assertNotIn('id="confirm"', response.text)
            self.assertNotIn("Set-Cookie", response.headers)

    def test_an_action_with_the_token_passes(self) -> None:
        token = security.csrf_token("s1")
        response = post_action(self.app, self.PATH, "vmotion_session=s1",
                               token, **self.ORIGIN)
        self.assertEqual({"path": self.PATH}, response.json)
        seen = self.api.posts()[-1]
        self.assertEqual("POST", seen["REQUEST_METHOD"])
        self.assertEqual(b'{"action": "drain"}',
                         seen["wsgi.input"].getvalue())
        self.assertEqual(200, post_action(
            self.app, self.PATH, "vmotion_session=s1", token,
            Referer="http://localhost/vmotion/hostinfo").status_int)

    def test_forged_actions_are_refused(self) -> None:
        token = security.csrf_token("s1")
        for cookie, csrf, headers in (
                ("vmotion_session=s1", None, self.ORIGIN),
                ("vmotion_session=s1", "", self.ORIGIN),
                ("vmotion_session=s1", security.csrf_token("s2"),
                 self.ORIGIN),
                (None, token, self.ORIGIN),
                ("vmotion_session=s1", token, {"Origin": "http://evil"}),
                ("vmotion_session=s1", token, {})):
            response = post_action(self.app, self.PATH, cookie, csrf,
                                   **headers)
            self.assertEqual(403, response.status_int, (cookie, csrf))
            self.assertIn("refused", response.json["forbidden"]["message"])
        self.assertEqual([], self.api.posts())

    def test_only_operator_paths_take_a_post(self) -> None:
        response = post_action(self.app, "/v1/hosts",
                               "vmotion_session=s1",
                               security.csrf_token("s1"), **self.ORIGIN)
        self.assertEqual(405, response.status_int)
        self.assertEqual([], self.api.posts())


class TestActionsKeystone(ConsoleCase):

    auth_strategy = "keystone"
    PATH = "/v1/operator/vmoves/v1/action"
    ORIGIN = {"Origin": "http://localhost"}

    def test_the_token_is_bound_to_the_login(self) -> None:
        self.api.probe = 400
        page = self.get("/vmotion/migrate_task", Cookie="vmotion_token=tok")
        self.assertIn('data-csrf="%s"' % security.csrf_token("tok"),
                      page.text)
        self.assertNotIn("Set-Cookie", page.headers)
        self.assertEqual("tok", self.api.seen[-1]["HTTP_X_AUTH_TOKEN"])
        response = post_action(self.app, self.PATH, "vmotion_token=tok",
                               security.csrf_token("tok"), **self.ORIGIN,
                               **{"X-Auth-Token": "forged"})
        self.assertEqual(200, response.status_int)
        self.assertEqual("tok", self.api.posts()[-1]["HTTP_X_AUTH_TOKEN"])
        # A noauth session's cookie is no session here.
        response = post_action(
            self.app, self.PATH, "vmotion_session=tok",
            security.csrf_token("tok"), **self.ORIGIN)
        self.assertEqual(403, response.status_int)
        self.assertEqual(1, len(self.api.posts()))

    def test_no_actions_before_login(self) -> None:
        self.api.probe = 400
        self.assertNotIn("data-csrf", self.get("/vmotion/login").text)
        self.assertEqual([], self.api.seen)
