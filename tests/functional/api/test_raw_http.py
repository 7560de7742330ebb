"""Raw request bytes over a real HTTP server (cheroot, over MariaDB)."""

import http.client
import json
import socket
from urllib.parse import urlsplit

from tests.functional.api import base
from vmotiond.api import errors


class TestUndecodable(base.ApiServerTestCase):
    """A path or query that is not UTF-8 is a 400 with the usual body."""

    def send(self, target: bytes) -> tuple[int, bytes]:
        where = urlsplit(self.url)
        request = (b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"X-Roles: admin\r\n"
                   b"OpenStack-API-Version: instance-ha latest\r\n"
                   b"Connection: close\r\n\r\n")
        with socket.create_connection((where.hostname, where.port),
                                      timeout=30) as sock:
            sock.sendall(request)
            response = http.client.HTTPResponse(sock)
            response.begin()
            return response.status, response.read()

    def test_escapes_and_raw_bytes_are_400(self) -> None:
        self.start_api()
        for target in (b"/v1/hosts/%ff", b"/v1/vmoves?limit=%ff",
                       b"/v1/notifications?%c3=1",
                       b"/v1/hosts/%ff?limit=%ff"):
            status, body = self.send(target)
            self.assertEqual(400, status, (target, body))
            detail = json.loads(body)["badRequest"]
            self.assertEqual(errors.REQUEST_NOT_UTF8, detail["error_code"],
                             target)
            self.assertIn("not valid UTF-8", str(detail["message"]))
            self.assertTrue(str(detail["request_id"]).startswith("req-"))

    def test_raw_bytes_are_400(self) -> None:
        # cheroot refuses a non-ASCII byte in the URI before the API.
        self.start_api()
        for target in (b"/v1/hosts/\xff", b"/v1/vmoves?host=\xff"):
            status, _body = self.send(target)
            self.assertEqual(400, status, target)

    def test_valid_escapes_still_answer(self) -> None:
        self.start_api()
        status, body = self.send(b"/v1/hosts/%c3%a9")
        self.assertEqual(404, status, body)
        status, body = self.send(b"/v1/vmoves?limit=%31")
        self.assertEqual(200, status, body)
        self.assertEqual(1, len(json.loads(body)["vmoves"]))
