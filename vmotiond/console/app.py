"""The console's WSGI app, in front of the API at ``/vmotion/``.

Pages are shells rendered on the server (Jinja2, autoescaped, gettext);
each page's script reads the REST API through ``/vmotion/api/...``, which
hands GETs to the API with the session's Keystone token (an HttpOnly
cookie). The operator's actions (POST ``/vmotion/api/v1/operator/...``)
pass only with the session's CSRF token and from the console's origin. A
page shows action buttons when the API lets the session act. Every other
path goes to the API unchanged.
"""

from collections.abc import Callable
import pathlib
import re
from typing import Any

import jinja2
from oslo_log import log as logging
import webob

from vmotiond.console import i18n
from vmotiond.console import login
from vmotiond.console import security
from vmotiond.console import texts

LOG = logging.getLogger(__name__)

WSGIApp = Callable[..., Any]
PREFIX = "/vmotion"
TOKEN_COOKIE = "vmotion_token"  # noqa: S105 (a cookie name)
LANG_COOKIE = "vmotion_lang"
# The session secret of a console without Keystone login (noauth).
SESSION_COOKIE = "vmotion_session"
OPERATOR_PATH = "/v1/operator/"
ACTIONS_VERSION = "instance-ha 1.6"
STATIC_DIR = pathlib.Path(__file__).parent / "static"
_TYPES = {".css": "text/css", ".js": "text/javascript",
          ".svg": "image/svg+xml"}
# Page path -> its template; ``tasks/<id>`` is a task's detail,
# ``host_desktop_migration/<host>`` a host's instances.
PAGES = {"hostinfo": "hostinfo.html", "migrate_task": "migrate_task.html",
         "desktop_migration": "instances.html"}
_TASK = re.compile(r"^tasks/(?P<ident>[0-9A-Za-z-]{1,64})$")
_HOST = re.compile(r"^host_desktop_migration/(?P<host>[0-9A-Za-z._-]{1,255})$")


def static_files(folder: pathlib.Path) -> dict[str, tuple[bytes, str]]:
    """The shipped static files by name, with their content types."""
    return {path.name: (path.read_bytes(), _TYPES[path.suffix])
            for path in sorted(folder.iterdir()) if path.suffix in _TYPES}


class Console:
    """Serve ``/vmotion/...``; send everything else to ``api``."""

    def __init__(self, conf: Any, api: WSGIApp) -> None:
        self._conf = conf
        self._api = api
        self._keystone = conf.api.auth_strategy != "noauth"
        self._static = static_files(STATIC_DIR)
        self._envs = {code: self._environment(i18n.translations(code))
                      for code in i18n.LANGUAGES}

    @staticmethod
    def _environment(catalog: Any) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.PackageLoader("vmotiond.console", "templates"),
            autoescape=True, extensions=["jinja2.ext.i18n"])
        env.install_gettext_translations(  # type: ignore[attr-defined]
            catalog, newstyle=True)
        env.globals["strings"] = lambda: texts.for_script(catalog.gettext)
        return env

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return self._api(environ, start_response)
        req = webob.Request(environ)
        rest = path[len(PREFIX):].strip("/")
        if rest.startswith("api/"):
            return self._forward(req, rest[3:], start_response)
        response = self._route(req, rest)
        response.headers.update(security.HEADERS)
        return response(environ, start_response)

    def _route(self, req: webob.Request, rest: str) -> webob.Response:
        if rest.startswith("static/"):
            return self._static_file(rest[len("static/"):])
        if rest == "login":
            return self._login(req)
        if req.method not in ("GET", "HEAD"):
            if rest == "logout" and req.method == "POST":
                return self._logout(req)
            return webob.Response(status=405, allow="GET",
                                  content_type="text/plain",
                                  text="Method not allowed.\n")
        if rest == "":
            return _redirect(PREFIX + "/hostinfo")
        if self._keystone and not req.cookies.get(TOKEN_COOKIE):
            return _redirect(PREFIX + "/login")
        task = _TASK.match(rest)
        if task is not None:
            return self._render(req, "task.html", nav="migrate_task",
                                task_id=task.group("ident"))
        host = _HOST.match(rest)
        if host is not None:
            return self._render(req, "instances.html",
                                nav="desktop_migration",
                                host=host.group("host"))
        if rest in PAGES:
            return self._render(req, PAGES[rest], nav=rest)
        return webob.Response(status=404, content_type="text/plain",
                              text="No console page here.\n")

    def _language(self, req: webob.Request) -> tuple[str, bool]:
        asked = req.GET.get("lang")
        language = i18n.negotiate(asked, req.cookies.get(LANG_COOKIE),
                                  req.headers.get("Accept-Language"))
        return language, asked == language

    def _render(self, req: webob.Request, template: str,
                status: int = 200, **values: Any) -> webob.Response:
        language, remember = self._language(req)
        session = self._session(req)
        fresh = None
        if session is None and not self._keystone:
            session = fresh = security.new_session()
        csrf = None
        if session and values.get("nav") and self._may_act(req):
            csrf = security.csrf_token(session)
        page = self._envs[language].get_template(template).render(
            language=language, languages=i18n.LANGUAGES, prefix=PREFIX,
            keystone=self._keystone, csrf=csrf, **values)
        response = webob.Response(status=status, charset="utf-8",
                                  content_type="text/html", text=page)
        if remember:
            response.headers.add("Set-Cookie", security.cookie(
                LANG_COOKIE, language, _secure(req), 365 * 86400))
        if fresh and csrf:
            response.headers.add("Set-Cookie", security.cookie(
                SESSION_COOKIE, fresh, _secure(req)))
        response.headers["Content-Language"] = language.replace("_", "-")
        response.headers["Cache-Control"] = "no-store"
        return response

    def _static_file(self, name: str) -> webob.Response:
        found = self._static.get(name)
        if found is None:
            return webob.Response(status=404, content_type="text/plain",
                                  text="No such file.\n")
        body, content_type = found
        response = webob.Response(body=body, content_type=content_type,
                                  charset="utf-8", conditional_response=True)
        response.md5_etag()
        response.headers["Cache-Control"] = "no-cache"
        return response

    def _login(self, req: webob.Request) -> webob.Response:
        if not self._keystone:
            return _redirect(PREFIX + "/hostinfo")
        if req.method in ("GET", "HEAD"):
            return self._render(req, "login.html")
        if req.method != "POST":
            return webob.Response(status=405, allow="GET, POST")
        if not _same_origin(req):
            return _cross_site()
        user = req.POST.get("user", "")
        project = req.POST.get("project", "")
        try:
            token = login.token(self._auth_url(), user,
                                req.POST.get("password", ""), project)
        except login.LoginFailed as exc:
            LOG.info("Console login of %r refused: %s", user, exc)
            return self._render(req, "login.html", status=401, user=user,
                                project=project, refused=exc.refused,
                                failed=True)
        response = _redirect(PREFIX + "/hostinfo")
        response.headers.add("Set-Cookie", security.cookie(
            TOKEN_COOKIE, token, _secure(req)))
        return response

    def _logout(self, req: webob.Request) -> webob.Response:
        if not _same_origin(req):
            return _cross_site()
        response = _redirect(PREFIX + "/login")
        response.headers.add("Set-Cookie", security.cookie(
            TOKEN_COOKIE, "", _secure(req), 0))
        return response

    def _session(self, req: webob.Request) -> str | None:
        """The session's secret: the Keystone token, or without Keystone
        a random cookie the first page with actions sets."""
        name = TOKEN_COOKIE if self._keystone else SESSION_COOKIE
        return req.cookies.get(name) or None

    def _may_act(self, req: webob.Request) -> bool:
        """Whether the API lets this session act: an action without a body
        is refused with 400 once the policy passed, 403 before it, 404
        when ``[api] operator_actions`` is off. The engine is not asked."""
        probe = webob.Request.blank(OPERATOR_PATH + "instances/action",
                                    method="POST", body=b"")
        probe.content_type = "text/plain"
        probe.headers["OpenStack-API-Version"] = ACTIONS_VERSION
        token = req.cookies.get(TOKEN_COOKIE)
        if self._keystone and token:
            probe.headers["X-Auth-Token"] = token
        return bool(probe.get_response(self._api).status_int == 400)

    def _auth_url(self) -> str:
        group = self._conf.keystone_authtoken
        return str(group.www_authenticate_uri or group.auth_url)

    def _forward(self, req: webob.Request, path: str,
                 start_response: Callable[..., Any]) -> Any:
        """GET ``path`` of the API, or POST an operator action, with the
        session's token."""
        environ = req.environ
        if req.method == "POST" and path.startswith(OPERATOR_PATH):
            refusal = self._refuse_action(req)
            if refusal is not None:
                return refusal(environ, start_response)
        elif req.method not in ("GET", "HEAD"):
            return webob.Response(
                status=405, allow="GET, HEAD", content_type="text/plain",
                text="The console posts only the operator's actions.\n")(
                    environ, start_response)
        environ["PATH_INFO"] = path
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + \
            PREFIX + "/api"
        environ.pop("HTTP_X_AUTH_TOKEN", None)
        token = req.cookies.get(TOKEN_COOKIE)
        if self._keystone and token:
            environ["HTTP_X_AUTH_TOKEN"] = token
        return self._api(environ, start_response)

    def _refuse_action(self, req: webob.Request) -> webob.Response | None:
        """A 403 for an action not sent by a console page of this session:
        from another origin, or without the session's CSRF token."""
        if not _same_origin(req):
            message = "An action sent from another site is refused."
        elif not security.csrf_valid(self._session(req),
                                     req.headers.get(security.CSRF_HEADER)):
            message = ("An action without this session's CSRF token is "
                       "refused; reload the page.")
        else:
            return None
        LOG.warning("Console action %s refused: %s", req.path_info,
                    message)
        return webob.Response(status=403, content_type="application/json",
                              json_body={"forbidden": {
                                  "code": 403, "message": message}})


def _redirect(location: str) -> webob.Response:
    return webob.Response(status=303, location=location)


def _same_origin(req: webob.Request) -> bool:
    return security.same_origin(req.headers.get("Origin"),
                                req.headers.get("Referer"), req.host_url)


def _cross_site() -> webob.Response:
    return webob.Response(status=403, content_type="text/plain",
                          text="A form posted from another site is refused.\n")


def _secure(req: webob.Request) -> bool:
    return bool(req.scheme == "https")
