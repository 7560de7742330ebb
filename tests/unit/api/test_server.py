"""The embedded cheroot server on a loopback port."""

import json

import requests

from tests.unit.api import base
from vmotiond import exception
from vmotiond.api import server as server_mod


class TestServer(base.ApiTestCase):

    def test_serves_and_stops(self) -> None:
        server = server_mod.Server(self.conf, self.app, "127.0.0.1", 0)
        host, port = server.start()
        try:
            response = requests.get("http://%s:%d/v1/notifications" % (
                host, port), timeout=10)
            self.assertEqual(200, response.status_code)
            self.assertEqual(3, len(json.loads(response.text)[
                "notifications"]))
            self.assertEqual("instance-ha 1.0",
                             response.headers["OpenStack-API-Version"])
            second = server_mod.Server(self.conf, self.app, host, port)
            error = self.assertRaises(exception.ConfigError, second.start)
            self.assertIn("cannot listen on 127.0.0.1:%d" % port, str(error))
        finally:
            server.stop()
        self.assertRaises(requests.ConnectionError, requests.get,
                          "http://%s:%d/" % (host, port), timeout=5)
