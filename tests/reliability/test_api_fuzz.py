"""The REST endpoint under fuzzing, with every kind of credential.

The API runs behind keystonemiddleware (the simulator's Keystone) over
MariaDB, as in ``tests/functional/api/test_fuzz.py``, with an engine that
acts on nothing. Each caller: an admin's token, a project reader's, a
member's, a token without roles, an invalid token, and none.

1. schemathesis generates requests (valid and invalid) for every operation
   of ``vmotiond/api/openapi.yaml``, for each caller.
2. A raw-socket client sends, to every path of the document, for each
   caller: raw bytes that are not UTF-8 in paths and queries, bad and
   dangerous percent-escapes, overlong paths, odd methods, garbage
   ``OpenStack-API-Version`` headers, huge headers, and bodies to GETs.

Counted: requests, 5xx answers (must be 0), and 2xx answers to a caller
the policy defaults refuse for that operation (must be 0): who may do
what is derived from ``vmotiond.api.policies`` through oslo.policy, not
written here by hand. Run twice: with the policy defaults, and with
project readers let in (``vmotiond:project_reader: role:reader``).
"""

import http.client
import os
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import fixtures
import hypothesis
import requests
import schemathesis
from schemathesis import GenerationMode

from tests.fixtures import sim as sim_fixture
from tests.functional.api import base
from tests.reliability import figures
from vmotiond.api import policies
from vmotiond.api import policy as policy_mod
from vmotiond.sim import builder
from vmotiond.sim import identity

SEED = int(os.environ.get("VMOTIOND_RELIABILITY_SEED", "20261130"))
OPENAPI = os.path.join(figures.TOP, "vmotiond", "api", "openapi.yaml")
EXAMPLES = 10      # per operation, caller and generation mode
LATEST = "instance-ha latest"
# "noroles" gets no token: Keystone refuses a project without a role.
USERS = ("admin", "reader", "member")
INVALID = "gAAAAABinvalid-token-0000000000000000000000"


def rules_by_operation() -> dict[tuple[str, str], str]:
    """(method, path template) -> the rule that guards it."""
    found = {}
    for rule in policies.list_rules():
        for op in getattr(rule, "operations", ()):
            found[(op["method"].upper(), op["path"])] = rule.name
    return found


class Caller:
    """Who sends: the headers it sends and the credentials policy sees."""

    def __init__(self, name: str, token: str | None,
                 creds: dict[str, Any] | None) -> None:
        self.name = name
        self.token = token
        self.creds = creds      # None: not authenticated

    def headers(self) -> dict[str, str]:
        return {} if self.token is None else {"X-Auth-Token": self.token}


class Tally:
    """Every answer, judged against what the policy lets its caller do.

    A method the document does not list for a path is judged against
    every rule of the path: a 2xx to a caller refused any of them counts.
    """

    def __init__(self, enforcer: Any) -> None:
        self.enforcer = enforcer
        self.rules = rules_by_operation()
        self.by_path: dict[str, set[str]] = {}
        for (_method, path), rule in self.rules.items():
            self.by_path.setdefault(path, set()).add(rule)
        self.sent = 0
        self.no_answer = 0
        self.granted = 0    # 2xx to a caller the policy lets in
        self.refused = 0    # 401 or 403 to a caller it does not
        self.server_errors: list[str] = []
        self.without_role: list[str] = []
        # Uuids of rows of no caller's project (set by the test).
        self.foreign: set[bytes] = set()

    def allowed(self, caller: Caller, rules: set[str]) -> bool:
        """Whether every rule in ``rules`` lets ``caller`` in (no rules:
        a public operation)."""
        if not rules:
            return True
        if caller.creds is None:
            return False
        return all(self.enforcer.enforce(r, {}, caller.creds)
                   for r in rules)

    def count(self, caller: Caller, method: str, template: str,
              status: int | None, what: str, body: bytes = b"") -> None:
        self.sent += 1
        if status is None:
            self.no_answer += 1
            return
        if status >= 500:
            self.server_errors.append("%s %s %s -> %d" % (
                caller.name, method, what, status))
        rule = self.rules.get((method, template))
        rules = {rule} if rule else self.by_path.get(template, set())
        allowed = self.allowed(caller, rules)
        if 200 <= status < 300 and not allowed:
            self.without_role.append("%s %s %s -> %d" % (
                caller.name, method, what, status))
        elif 200 <= status < 300 and rules:
            self.granted += 1
            # Let in as a project reader only: none of the seeded rows
            # (of no project) may show.
            if (not self.allowed(caller, {policies.READER}) and
                    any(u in body for u in self.foreign)):
                self.without_role.append("%s %s %s -> %d, another "
                                         "project's rows" % (
                                             caller.name, method, what,
                                             status))
        elif status in (401, 403) and not allowed:
            self.refused += 1


def raw_requests(path: str, post: bool, admin_token: str
                 ) -> list[tuple[bytes, bytes, bytes, bytes]]:
    """(method, target, extra header lines, body) for one path."""
    p = path.encode()
    # What keystonemiddleware must strip or ignore: the identity headers
    # it sets itself, forged; an admin's token as a service token.
    forged = (b"X-Roles: admin\r\nX-Identity-Status: Confirmed\r\n"
              b"X-Service-Roles: admin\r\nX-User-Id: admin\r\n"
              b"X-Project-Id: " + identity.ADMIN_PROJECT.encode() +
              b"\r\nX-Is-Admin-Project: True\r\n")
    service = b"X-Service-Token: " + admin_token.encode() + b"\r\n"
    json_hdr = b"Content-Type: application/json\r\n"
    targets = [p + b"/\xff", p + b"\xc3\x28", p + b"?limit=\xff\xfe",
               p + b"%zz", p + b"%00", p + b"%C0%AF", p + b"%", p + b"%2",
               p + b"/..%2f..%2f", p + b"?limit=%zz", p + b"?marker=%00",
               p + b"?sort_key=%C0%AF&sort_dir=%ff",
               p + b"?limit=99999999999999999999999999&marker=",
               p + b"?limit=-1&limit=2", p + b"?%", p + b"?=&&=",
               p + b"/" + b"a" * 9000, p + b"?q=" + b"%41" * 4000]
    out = [(b"GET", t, b"", b"") for t in targets]
    for method in (b"PROPFIND", b"TRACE", b"OPTIONS", b"HEAD", b"DELETE",
                   b"PUT", b"PATCH", b"POST", b"G\x01ET"):
        out.append((method, p, b"", b""))
    for version in (b"instance-ha 1.99999999999999999999",
                    b"instance-ha \xff\xfe", b"instance-ha", b"garbage",
                    b"instance-ha 0.0", b"instance-ha -1.-1",
                    b"instance-ha 1.3, instance-ha 1.1",
                    b"instance-ha latest" + b" " * 5000):
        out.append((b"GET", p, b"OpenStack-API-Version: " + version +
                    b"\r\n", b""))
    out.append((b"GET", p, b"X-Huge: " + b"a" * 70000 + b"\r\n", b""))
    out.append((b"GET", p, b"".join(b"X-Many-%d: v\r\n" % i
                                    for i in range(300)), b""))
    out.append((b"GET", p, b"X-Auth-Token: \xff\xfe\r\n", b""))
    out.append((b"GET", p, json_hdr, b'{"limit": 1}'))
    out.append((b"GET", p, json_hdr, b"\xff\xfe{["))
    out.append((b"GET", p, b"Content-Length: -1\r\n", b""))
    out.append((b"GET", p, b"Content-Length: abc\r\n", b""))
    out.append((b"GET", p, b"Transfer-Encoding: chunked\r\n",
                b"zz\r\nabc\r\n0\r\n\r\n"))
    if p.startswith(b"/v1/"):
        for project in (identity.ADMIN_PROJECT, identity.DEMO_PROJECT,
                        "00000000000000000000000000000000"):
            out.append((b"GET", b"/v1/" + project.encode() + p[3:], b"",
                        b""))
    for method in (b"GET", b"POST") if post else (b"GET",):
        out.append((method, p, forged + json_hdr, b"{}"))
        out.append((method, p, service + json_hdr, b"{}"))
    if post:
        for body in (b'{"\xff": 1}', b"null", b"[]", b"[" * 5000,
                     b'{"action": {"name": "\\ud800"}}', b"1e999999",
                     b'{"a": ' * 2000, b"\x00" * 100):
            out.append((b"POST", p, json_hdr, body))
        out.append((b"POST", p, b"Content-Type: text/plain\r\n", b"{}"))
    return out


class TestApiFuzz(base.ApiServerTestCase):

    scenario = "REST endpoint fuzzed (schemathesis + raw bytes)"
    # policy.yaml lines; the expectations follow them as the API does.
    policy_lines: tuple[str, ...] = ()

    def configure(self) -> None:
        if self.policy_lines:
            path = os.path.join(self.useFixture(
                fixtures.TempDir()).path, "policy.yaml")
            with open(path, "w") as stream:
                stream.write("\n".join(self.policy_lines) + "\n")
            self.conf_fixture.set("policy_file", path, "oslo_policy")

    def setUp(self) -> None:
        super().setUp()
        self.sim = self.useFixture(sim_fixture.SimFixture(
            builder.Scenario(hosts=1, standby=0, servers=0)))
        self.start_api("keystone", self.sim.auth_url,
                       engine=base.RefusingEngine())
        self.callers = []
        for user in USERS:
            conn = self.sim.connect(user)
            self.addCleanup(conn.close)
            _password, project, roles = identity.DEFAULT_USERS[user]
            access = conn.session.auth.get_access(conn.session)
            self.callers.append(Caller(user, conn.session.get_token(), {
                "roles": list(roles), "project_id": access.project_id,
                "user_id": access.user_id, "system_scope": None}))
        self.callers.append(Caller("invalid-token", INVALID, None))
        self.callers.append(Caller("no-token", None, None))
        self.tally = Tally(policy_mod.make_enforcer(self.conf_fixture.conf))
        seeded = self.seeded
        self.tally.foreign = {str(r.uuid).encode() for r in (
            seeded["big"], seeded["small"], *seeded["moves"])}
        where = urlsplit(self.url)
        self.address = (where.hostname, where.port)

    def fill(self, path: str) -> str:
        seeded = self.seeded
        return (path.replace("{host_name}", "compute-0001")
                .replace("{notification_id}", seeded["big"].uuid)
                .replace("{vmove_id}", seeded["moves"][0].uuid)
                .replace("{alert_id}", "1"))

    def send_raw(self, method: bytes, target: bytes, extra: bytes,
                 body: bytes, caller: Caller
                 ) -> tuple[int | None, bytes]:
        auth = b"".join(b"%s: %s\r\n" % (k.encode(), v.encode())
                        for k, v in caller.headers().items())
        if b"OpenStack-API-Version" not in extra:
            auth += b"OpenStack-API-Version: " + LATEST.encode() + b"\r\n"
        length = b"Content-Length: %d\r\n" % len(body) if (
            body and b"Transfer-Encoding" not in extra) else b""
        request = (method + b" " + target + b" HTTP/1.1\r\n"
                   b"Host: 127.0.0.1\r\n" + auth + extra + length +
                   b"Connection: close\r\n\r\n" + body)
        try:
            with socket.create_connection(self.address, timeout=30) as sock:
                sock.sendall(request)
                response = http.client.HTTPResponse(
                    sock, method=method.decode("latin-1"))
                response.begin()
                return response.status, response.read()
        except (ConnectionError, TimeoutError, http.client.HTTPException):
            return None, b""

    def fuzz_one(self, op: Any, mode: Any, caller: Caller,
                 session: requests.Session) -> None:
        """``EXAMPLES`` generated requests to ``op`` from ``caller``."""
        method = op.method.upper()
        headers = {"OpenStack-API-Version": LATEST, **caller.headers()}

        @hypothesis.seed(SEED)
        @hypothesis.settings(
            max_examples=EXAMPLES, database=None, deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.generate])
        @hypothesis.given(case=op.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            response = case.call(base_url=self.url, session=session,
                                 headers=headers, timeout=30)
            self.tally.count(caller, method, op.path, response.status_code,
                             case.formatted_path, response.content)

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            pass    # nothing negative to generate for this operation

    def schemathesis_phase(self, schema: Any) -> None:
        session = requests.Session()
        self.addCleanup(session.close)
        for result in schema.get_all_operations():
            for caller in self.callers:
                for mode in (GenerationMode.POSITIVE,
                             GenerationMode.NEGATIVE):
                    self.fuzz_one(result.ok(), mode, caller, session)

    def raw_phase(self, paths: dict[str, set[str]]) -> None:
        for path, methods in sorted(paths.items()):
            filled = self.fill(path)
            for caller in self.callers:
                for method, target, extra, body in raw_requests(
                        filled, "POST" in methods, self.callers[0].token
                        or ""):
                    status, answer = self.send_raw(method, target, extra,
                                                   body, caller)
                    name = method.decode("latin-1").upper()
                    self.tally.count(caller, name if name in methods
                                     else "ANY", path, status,
                                     repr(target[:80]) + repr(extra[:60]) +
                                     repr(body[:40]), answer)

    def test_no_5xx_and_no_access_without_role(self) -> None:
        started = time.monotonic()
        schema = schemathesis.openapi.from_path(OPENAPI)
        paths: dict[str, set[str]] = {}
        for result in schema.get_all_operations():
            op = result.ok()
            paths.setdefault(op.path, set()).add(op.method.upper())
        # Every operation is guarded by a rule, or public in the document
        # (``security: []``: /, /v1, /openapi.json, /healthcheck, /metrics).
        public = {(op.method.upper(), op.path) for op in (
            r.ok() for r in schema.get_all_operations())
            if op.definition.raw.get("security") == []}
        unguarded = {(m, p) for p, ms in paths.items() for m in ms
                     } - set(self.tally.rules) - public
        self.assertEqual(set(), unguarded)
        self.assertEqual(set(), public & set(self.tally.rules))
        self.assertIn(("GET", "/healthcheck"), public)
        self.schemathesis_phase(schema)
        fuzzed = self.tally.sent
        self.raw_phase(paths)
        tally = self.tally
        figures.record(self.scenario,
                       seconds=round(time.monotonic() - started),
                       requests=tally.sent, schemathesis=fuzzed,
                       raw=tally.sent - fuzzed, no_answer=tally.no_answer,
                       granted=tally.granted, refused=tally.refused,
                       api_5xx=len(tally.server_errors),
                       access_without_role=len(tally.without_role))
        self.assertEqual(([], []), (tally.server_errors[:20],
                                    tally.without_role[:20]))
        # The requests reached the guarded handlers, and the guards.
        self.assertGreater(tally.granted, 50)
        self.assertGreater(tally.refused, 1000)


class TestApiFuzzProjectReaders(TestApiFuzz):
    """The same, with project readers let in as the operator guide
    shows: they may read their project's vmoves, and nothing else."""

    scenario = "REST endpoint fuzzed, project readers allowed"
    policy_lines = ('"vmotiond:project_reader": "role:reader"',)
