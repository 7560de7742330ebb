"""Shared set-up of the API unit tests: one seeded SQLite database.

The API only reads, so a class seeds its database once and every test
sends webob requests to the app (noauth, roles from ``X-Roles``).
"""

import atexit
import datetime
import json
from typing import Any

import fixtures
from oslo_config import cfg
from oslo_policy import policy as oslo_policy
import testtools
import webob

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond import clock
from vmotiond import constants
from vmotiond.api import deploy
from vmotiond.api import policy

LATEST = "instance-ha latest"
T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)


class PolicyFixture(fixtures.Fixture):
    """vmotiond's policy in code, with rules overridable per test."""

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__()
        self._conf = conf

    def _setUp(self) -> None:
        self.policy = policy.Policy(self._conf)
        self.policy.enforcer.load_rules()

    def set_rules(self, rules: dict[str, str]) -> None:
        self.policy.enforcer.set_rules(
            oslo_policy.Rules.from_dict(rules), overwrite=False,
            use_conf=False)


NODE1_UUID = "5d2f1a0e-6c1b-4c8e-9a57-3f0b2d6e8a11"


class Seed:
    """What the seeded database holds, for the tests to compare with."""

    def __init__(self, database: Any, fake_clock: clock.FakeClock) -> None:
        self.notifications = []
        self.vmoves: dict[str, list[Any]] = {}
        # Before the notifications: node1's carries its uuid.
        database.hosts_sync([
            {"name": "node1", "availability_zone": "az1", "vcpus_total": 8,
             "management_ip": "192.0.2.11", "uuid": NODE1_UUID},
            {"name": "spare", "availability_zone": "az2"}])
        for index, host in enumerate(("node1", "node2", "node3")):
            fake_clock.advance(60)
            row = database.notification_create(
                constants.COMPUTE_HOST if index < 2 else constants.HOST_DRAIN,
                host, "key-%d" % index, {"event": "STOPPED", "n": index},
                generated_time=T0 + datetime.timedelta(minutes=index))
            self.notifications.append(row)
            moves = []
            for number in range(3 if index < 2 else 1):
                fake_clock.advance(1)
                moves += database.vmoves_create(row.uuid, [{
                    "instance_uuid": "00000000-0000-4000-8000-%012d"
                                     % (index * 10 + number),
                    "instance_name": "vm-%d-%d" % (index, number),
                    "source_host": host, "dest_host": "spare",
                    "type": constants.EVACUATION}])
            self.vmoves[row.uuid] = moves
        first = self.vmoves[self.notifications[0].uuid][0]
        database.vmove_update(first.uuid, {
            "status": constants.SUCCEEDED, "start_time": T0,
            "end_time": T0 + datetime.timedelta(seconds=13)})
        step = database.step_start(first.uuid, "EvacuateInstance",
                                   context={"target": "spare"})
        database.step_finish(step.id, constants.SUCCEEDED, "evacuated")
        database.step_start(first.uuid, "WaitInstanceActive")
        database.notification_set_status(self.notifications[0].uuid,
                                         constants.NOTIFICATION_RUNNING)
        database.host_update("spare", {"role": constants.ROLE_STANDBY})


class ApiTestCase(testtools.TestCase):
    """An app over a database seeded once per class."""

    _shared: dict[type, Any] = {}

    def setUp(self) -> None:
        super().setUp()
        self.conf_fixture = self.useFixture(conf_fixture.Conf())
        self.conf = self.conf_fixture.conf
        self.conf_fixture.set("auth_strategy", "noauth", "api")
        self.conf_fixture.set("max_limit", 50, "api")
        shared = ApiTestCase._shared.get(type(self))
        if shared is None:
            shared = self._seed()
            ApiTestCase._shared[type(self)] = shared
        self.database, self.seed = shared
        self.policy = self.useFixture(PolicyFixture(self.conf))
        self.app = deploy.deploy(self.conf, self.database,
                                 self.policy.policy)

    def _seed(self) -> tuple[Any, Seed]:
        # Kept for the whole run: the class's tests only read it.
        fake_clock = clock.FakeClock(T0)
        holder = db_fixture.Database("sqlite", self.conf, clock=fake_clock)
        holder.setUp()
        atexit.register(holder.cleanUp)
        return holder.database, Seed(holder.database, fake_clock)

    def request(self, path: str, method: str = "GET",
                version: str | None = LATEST,
                roles: str | None = None,
                headers: dict[str, str] | None = None,
                body: bytes | None = None) -> webob.Response:
        req = webob.Request.blank(path, method=method)
        if body is not None:
            req.body = body
        if version is not None:
            req.headers["OpenStack-API-Version"] = version
        if roles is not None:
            req.headers["X-Roles"] = roles
        req.headers.update(headers or {})
        return req.get_response(self.app)

    def get_json(self, path: str, status: int = 200,
                 **kwargs: Any) -> Any:
        response = self.request(path, **kwargs)
        self.assertEqual(status, response.status_int, response.text)
        self.assertEqual("application/json", response.content_type)
        return json.loads(response.body)

    def assertError(self, response: webob.Response, status: int,
                    code: str, contains: str | None = None) -> None:
        self.assertEqual(status, response.status_int, response.text)
        body = json.loads(response.body)
        self.assertEqual(1, len(body))
        detail = next(iter(body.values()))
        self.assertEqual(status, detail["code"])
        self.assertEqual(code, detail["error_code"])
        self.assertTrue(detail["request_id"].startswith("req-"))
        if contains is not None:
            self.assertIn(contains, detail["message"])
