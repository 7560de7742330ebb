"""The wsgi_scripts entry point reads VMOTIOND_CONFIG_FILE."""

import json
import os
from unittest import mock

import fixtures
import testtools
import webob

from tests.fixtures import conf as conf_fixture
from tests.fixtures import database as db_fixture
from vmotiond import exception
from vmotiond.api import wsgi


class TestInitApplication(testtools.TestCase):

    def setUp(self) -> None:
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        conf = self.useFixture(conf_fixture.Conf()).conf
        self.db = self.useFixture(db_fixture.Database("sqlite", conf,
                                                      synced=False))
        self.path = os.path.join(self.tmp, "vmotiond.conf")
        with open(self.path, "w") as stream:
            stream.write("[DEFAULT]\nstate_path = %s\n[database]\n"
                         "connection = %s\n[api]\nauth_strategy = noauth\n"
                         % (self.tmp, self.db.url))
        self.useFixture(fixtures.EnvironmentVariable(
            "VMOTIOND_CONFIG_FILE", self.path))
        self.useFixture(fixtures.MockPatch("vmotiond.config.logging.setup"))

    def test_application_serves(self) -> None:
        self.db.database.sync()
        app = wsgi.init_application()
        response = webob.Request.blank("/v1/notifications").get_response(app)
        self.assertEqual(200, response.status_int)
        self.assertEqual({"notifications": []}, json.loads(response.body))

    def test_refuses_an_old_schema(self) -> None:
        self.assertRaises(exception.SchemaOutOfDate, wsgi.init_application)

    def test_missing_config_file(self) -> None:
        with mock.patch.dict(os.environ, {"VMOTIOND_CONFIG_FILE":
                                          self.path + ",/nonexistent.conf"}):
            self.assertRaises(exception.ConfigError, wsgi.init_application)
