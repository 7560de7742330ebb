"""The API on a loopback port over a real database, seeded for reading."""

import datetime
from typing import Any

from keystoneauth1 import loading as ks_loading
import testtools

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond import clock
from vmotiond import constants
from vmotiond import engine_client
from vmotiond import exception
from vmotiond.api import deploy
from vmotiond.api import server as server_mod

T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)
HOST_UUIDS = ("3c8e5b1f-0a4d-4f6e-9b2c-7d1e0f3a5b61",
              "c2a9d7e4-5f1b-4e3c-8a6d-0b9f2e4c1d72")


class RefusingEngine:
    """An engine that acts on nothing: the operator's actions get 409, its
    reads of instances and of the headroom answer a cloud without
    any."""

    def ask(self, method: str, **kwargs: object) -> object:
        if method == engine_client.HOST_INSTANCES:
            return {"host": kwargs["host"], "instances": []}
        if method == engine_client.INSTANCE_LIST:
            return {"instances": [], "next_marker": None}
        if method == engine_client.INSTANCE_TARGETS:
            return {"instances": kwargs["instances"], "targets": [],
                    "refused": []}
        if method == engine_client.CAPACITY_CHECK:
            return {"checked_at": "2026-01-01 12:00:00",
                    "survives_largest": True, "largest_host": None,
                    "unabsorbable": [], "hosts": []}
        raise exception.Conflict(reason="%s: no engine acts in this test"
                                 % method)


def seed(database: Any, fake_clock: clock.FakeClock) -> dict[str, Any]:
    """Two notifications: one with 7 vmoves (mixed statuses), one with 1;
    the first about a host with a uuid, the second about a host unknown."""
    database.hosts_sync([{"name": "compute-0001", "uuid": HOST_UUIDS[0]},
                         {"name": "compute-0002", "uuid": HOST_UUIDS[1]}])
    big = database.notification_create(
        constants.COMPUTE_HOST, "compute-0001", "fn-big", {"event": "DOWN"},
        generated_time=T0)
    statuses = [constants.SUCCEEDED] * 4 + [constants.FAILED,
                                             constants.IGNORED,
                                             constants.PENDING]
    moves = []
    for index, status in enumerate(statuses):
        fake_clock.advance(1)
        (move,) = database.vmoves_create(big.uuid, [{
            "instance_uuid": "10000000-0000-4000-8000-%012d" % index,
            "instance_name": "vm-%d" % index,
            "source_host": "compute-0001", "dest_host": "compute-0002",
            "type": constants.EVACUATION, "status": status,
            "start_time": T0, "end_time": T0 + datetime.timedelta(
                seconds=index)}])
        moves.append(move)
    step = database.step_start(moves[0].uuid, "EvacuateInstance")
    database.step_finish(step.id, constants.SUCCEEDED, "ok")
    fake_clock.advance(60)
    small = database.notification_create(
        constants.HOST_DRAIN, "compute-0003", "fn-small", {},
        generated_time=T0 + datetime.timedelta(minutes=1))
    database.vmoves_create(small.uuid, [{
        "instance_uuid": "20000000-0000-4000-8000-000000000000",
        "instance_name": "drained", "source_host": "compute-0003",
        "type": constants.LIVE_MIGRATION}])
    return {"big": big, "small": small, "moves": moves}


class ApiServerTestCase(testtools.TestCase):
    """Start the API (``auth_strategy``) over MariaDB on a free port."""

    backend = "mysql"

    def start_api(self, auth_strategy: str = "noauth",
                  auth_url: str | None = None, port: int = 0,
                  engine: Any = None) -> str:
        self.conf_fixture = self.useFixture(conf_fixture.Conf())
        conf = self.conf_fixture.conf
        self.conf_fixture.set("auth_strategy", auth_strategy, "api")
        self.conf_fixture.set("max_limit", 100, "api")
        if auth_url is not None:
            self._keystone(auth_url)
        self.configure()
        self.fake_clock = clock.FakeClock(T0)
        self.database = self.useFixture(db_fixture.Database(
            self.backend, conf, clock=self.fake_clock)).database
        self.seeded = seed(self.database, self.fake_clock)
        app = deploy.deploy(conf, self.database, engine=engine)
        server = server_mod.Server(conf, app, "127.0.0.1", port)
        host, bound = server.start()
        self.addCleanup(server.stop)
        self.url = "http://%s:%d" % (host, bound)
        return self.url

    def configure(self) -> None:
        """More options before the API starts (``self.conf_fixture``)."""

    def _keystone(self, auth_url: str) -> None:
        conf = self.conf_fixture.conf
        group = "keystone_authtoken"
        conf.register_opts(ks_loading.get_auth_plugin_conf_options(
            "password"), group=group)
        for name, value in {
                "www_authenticate_uri": auth_url, "auth_url": auth_url,
                "auth_type": "password", "username": "vmotiond",
                "password": "vmotiond", "project_name": "service",
                "user_domain_name": "Default",
                "project_domain_name": "Default",
                "service_token_roles_required": False,
                "include_service_catalog": False}.items():
            self.conf_fixture.set(name, value, group)
