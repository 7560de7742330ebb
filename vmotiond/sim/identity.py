"""A Keystone v3 subset: discovery, password/token auth, validation.

Tokens live on real wall time (not the simulated clock): keystoneauth and
keystonemiddleware compare ``expires_at`` with the machine's clock.
"""

import dataclasses
import datetime
import threading
from typing import Any
import uuid

import webob

from vmotiond.sim import errors
from vmotiond.sim import wsgi

DOMAIN = {"id": "default", "name": "Default"}
ADMIN_PROJECT = "9e34ce3a1e154b2c8aa2a0c0f0f1e0a1"
DEMO_PROJECT = "6f70656e737461636b20342065766572"   # servers' default
SERVICE_PROJECT = "5a3b1c2d3e4f40718293a4b5c6d7e8f9"

# name -> (password, project name, roles)
DEFAULT_USERS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "admin": ("admin", "admin", ("admin", "member", "reader")),
    "reader": ("reader", "admin", ("reader",)),
    "member": ("member", "demo", ("member", "reader")),
    "noroles": ("noroles", "demo", ()),
    "vmotiond": ("vmotiond", "service", ("admin", "service")),
}


@dataclasses.dataclass
class User:
    id: str
    name: str
    password: str
    project: str | None
    roles: tuple[str, ...]


@dataclasses.dataclass
class _Token:
    info: wsgi.Token
    methods: list[str]
    issued: datetime.datetime
    expires: datetime.datetime
    audit_id: str


def _stamp(when: datetime.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


class Identity:
    """Users, projects, tokens and the service catalog."""

    def __init__(self, token_ttl: float = 86400.0) -> None:
        self.projects = {"admin": ADMIN_PROJECT, "demo": DEMO_PROJECT,
                         "service": SERVICE_PROJECT}
        self.users: dict[str, User] = {}
        self.catalog: dict[str, tuple[str, str]] = {}   # type -> (name, url)
        # Without Keystone (clouds.yaml ``auth_type: none``) a request
        # without a valid token is this caller; None: it gets 401.
        self.anonymous: wsgi.Token | None = None
        self.token_ttl = token_ttl
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()
        for name, (password, project, roles) in DEFAULT_USERS.items():
            self.add_user(name, password, project, roles)

    def add_user(self, name: str, password: str, project: str | None,
                 roles: tuple[str, ...] | list[str]) -> User:
        if project is not None and project not in self.projects:
            self.projects[project] = uuid.uuid4().hex
        user = User(uuid.uuid4().hex, name, password, project, tuple(roles))
        self.users[name] = user
        return user

    def add_endpoint(self, service_type: str, name: str, url: str) -> None:
        self.catalog[service_type] = (name, url)

    def issue(self, user: User, project: str | None,
              methods: list[str]) -> tuple[str, _Token]:
        now = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None)
        token_id = "gAAAA" + uuid.uuid4().hex + uuid.uuid4().hex
        project_id = self.projects[project] if project else None
        roles = user.roles if project else ()
        token = _Token(wsgi.Token(token_id, user.id, user.name, project_id,
                                  roles), methods, now,
                       now + datetime.timedelta(seconds=self.token_ttl),
                       uuid.uuid4().hex[:22])
        with self._lock:
            self._tokens[token_id] = token
        return token_id, token

    def _lookup(self, token_id: str | None) -> _Token | None:
        if not token_id:
            return None
        with self._lock:
            token = self._tokens.get(token_id)
        if token is None:
            return None
        if token.expires <= datetime.datetime.now(
                datetime.timezone.utc).replace(tzinfo=None):
            return None
        return token

    def validate(self, token_id: str | None) -> wsgi.Token | None:
        """The token's view for a service, or None (401)."""
        token = self._lookup(token_id)
        return token.info if token else self.anonymous

    def revoke(self, token_id: str) -> bool:
        with self._lock:
            return self._tokens.pop(token_id, None) is not None

    def token_body(self, token: _Token, catalog: bool = True
                   ) -> dict[str, Any]:
        user = next(u for u in self.users.values()
                    if u.id == token.info.user_id)
        body: dict[str, Any] = {
            "methods": token.methods,
            "user": {"domain": DOMAIN, "id": user.id, "name": user.name,
                     "password_expires_at": None},
            "audit_ids": [token.audit_id],
            "expires_at": _stamp(token.expires),
            "issued_at": _stamp(token.issued),
        }
        if token.info.project_id is not None:
            name = next(n for n, i in self.projects.items()
                        if i == token.info.project_id)
            body["project"] = {"domain": DOMAIN, "id": token.info.project_id,
                               "name": name}
            body["is_domain"] = False
            body["roles"] = [{"id": "role-" + r, "name": r}
                             for r in token.info.roles]
            if catalog:
                body["catalog"] = self._catalog(token.info.project_id)
        return {"token": body}

    def _catalog(self, project_id: str) -> list[dict[str, Any]]:
        """The catalog of a project-scoped token.

        As Keystone does, ``%(tenant_id)s`` and ``%(project_id)s`` in an
        endpoint's URL become the token's project id.
        """
        entries = []
        for service_type, (name, template) in sorted(self.catalog.items()):
            url = template.replace("%(tenant_id)s", project_id).replace(
                "%(project_id)s", project_id)
            entries.append({
                "id": uuid.uuid5(uuid.NAMESPACE_URL, template).hex,
                "type": service_type, "name": name,
                "endpoints": [{
                    "id": uuid.uuid5(uuid.NAMESPACE_URL,
                                     template + interface).hex,
                    "interface": interface, "region_id": "RegionOne",
                    "region": "RegionOne", "url": url}
                    for interface in ("public", "internal", "admin")]})
        return entries

    # Authentication ------------------------------------------------------
    def authenticate(self, body: Any) -> tuple[str, _Token]:
        """POST /v3/auth/tokens; raises Unauthorized/BadRequest."""
        try:
            auth = body["auth"]
            identity = auth["identity"]
            methods = identity["methods"]
        except (KeyError, TypeError):
            raise errors.BadRequest(
                "Invalid input for field 'identity': 'methods' is a "
                "required property") from None
        user = None
        if "password" in methods:
            given = identity.get("password", {}).get("user", {})
            user = self._find_user(given)
            if user is None or given.get("password") != user.password:
                raise errors.Unauthorized(
                    "The request you have made requires authentication.")
        elif "token" in methods:
            old = self._lookup(identity.get("token", {}).get("id"))
            if old is None:
                raise errors.NotFound("Could not find token.")
            user = next(u for u in self.users.values()
                        if u.id == old.info.user_id)
        else:
            raise errors.Unauthorized("Unsupported authentication method.")
        project = self._scope(user, auth.get("scope"))
        return self.issue(user, project, list(methods))

    def _find_user(self, given: dict[str, Any]) -> User | None:
        for user in self.users.values():
            if given.get("id") == user.id or given.get("name") == user.name:
                return user
        return None

    def _scope(self, user: User, scope: Any) -> str | None:
        if scope is None or scope == "unscoped":
            return user.project if user.roles else None
        wanted = scope.get("project") if isinstance(scope, dict) else None
        if wanted is None:
            raise errors.Unauthorized("Only project scope is supported.")
        name = wanted.get("name")
        if name is None:
            name = next((n for n, i in self.projects.items()
                         if i == wanted.get("id")), None)
        if name is None or name not in self.projects:
            raise errors.Unauthorized(
                "Could not find project: %s." % (wanted.get("name")
                                                  or wanted.get("id")))
        if name != user.project or not user.roles:
            raise errors.Unauthorized("User %s has no access to project %s"
                                      % (user.id, self.projects[name]))
        return str(name)


class KeystoneApp:
    """WSGI front end of :class:`Identity` under ``/identity``."""

    def __init__(self, identity: Identity, url: str) -> None:
        self.identity = identity
        self.url = url.rstrip("/")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = webob.Request(environ)
        try:
            response = self.handle(request)
        except errors.SimError as exc:
            response = wsgi.json_response(exc.code, {"error": {
                "code": exc.code, "message": exc.message,
                "title": {400: "Bad Request", 401: "Unauthorized",
                          403: "Forbidden", 404: "Not Found"}.get(
                              exc.code, "Error")}})
        return response(environ, start_response)

    def _version(self) -> dict[str, Any]:
        return {"id": "v3.14", "status": "stable",
                "updated": "2020-04-07T00:00:00Z",
                "links": [{"rel": "self", "href": self.url + "/v3/"}],
                "media-types": [{
                    "base": "application/json",
                    "type": "application/vnd.openstack.identity-v3+json"}]}

    def handle(self, request: webob.Request) -> webob.Response:
        path = request.path_info.rstrip("/")
        method = request.method
        if path == "" and method == "GET":
            return wsgi.json_response(
                300, {"versions": {"values": [self._version()]}})
        if path == "/v3" and method == "GET":
            return wsgi.json_response(200, {"version": self._version()})
        if path != "/v3/auth/tokens":
            raise errors.NotFound("The resource could not be found.")
        nocatalog = "nocatalog" in request.GET
        if method == "POST":
            try:
                body = request.json_body
            except ValueError:
                raise errors.BadRequest("Malformed request body") from None
            token_id, token = self.identity.authenticate(body)
            return wsgi.json_response(
                201, self.identity.token_body(token, not nocatalog),
                {"X-Subject-Token": token_id})
        caller = self.identity._lookup(request.headers.get("X-Auth-Token"))
        if caller is None:
            raise errors.Unauthorized(
                "The request you have made requires authentication.")
        subject_id = request.headers.get("X-Subject-Token", "")
        subject = self.identity._lookup(subject_id)
        if subject is None:
            raise errors.NotFound("Could not find token: %s." % subject_id)
        allowed = (subject_id == caller.info.id
                   or {"admin", "service"} & set(caller.info.roles))
        if not allowed:
            raise errors.Forbidden(
                "You are not authorized to perform the requested action: "
                "identity:validate_token.")
        if method in ("GET", "HEAD"):
            return wsgi.json_response(
                200, self.identity.token_body(subject, not nocatalog),
                {"X-Subject-Token": subject_id})
        if method == "DELETE":
            self.identity.revoke(subject_id)
            return wsgi.json_response(204, None)
        raise errors.SimError("Method not allowed", 405)
