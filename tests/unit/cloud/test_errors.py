from keystoneauth1 import exceptions as ksa_exc
import requests
import testtools

from tests.unit.cloud import fakes
from vmotiond import exception
from vmotiond.cloud import errors


class ErrorMessageTest(testtools.TestCase):

    def test_nova(self):
        resp = fakes.response(409, {"conflictingRequest": {
            "code": 409, "message": "Cannot 'evacuate' instance x"}})
        self.assertEqual("Cannot 'evacuate' instance x",
                         errors.error_message(resp))

    def test_placement(self):
        resp = fakes.response(400, {"errors": [{
            "status": 400, "title": "Bad Request",
            "detail": "The server could not comply.", "code": "x"}]})
        self.assertEqual("The server could not comply.",
                         errors.error_message(resp))

    def test_neutron(self):
        resp = fakes.response(404, {"NeutronError": {
            "type": "FloatingIPNotFound", "message": "Floating IP f gone",
            "detail": ""}})
        self.assertEqual("Floating IP f gone", errors.error_message(resp))

    def test_not_json(self):
        resp = fakes.response(502, "<html>Bad Gateway</html>")
        self.assertEqual("<html>Bad Gateway</html>",
                         errors.error_message(resp))


class FromResponseTest(testtools.TestCase):

    def _map(self, status, idempotent=True):
        resp = fakes.response(status, {"badRequest": {"message": "m"}})
        return errors.from_response(resp, "compute", "evacuate", idempotent)

    def test_client_errors(self):
        for status, kind in ((404, exception.CloudNotFound),
                             (409, exception.CloudConflict),
                             (400, exception.CloudRefused),
                             (401, exception.CloudRefused),
                             (403, exception.CloudRefused)):
            error = self._map(status)
            self.assertIsInstance(error, kind)
            self.assertEqual(status, error.status)
            self.assertEqual("m", error.kwargs["reason"])
            self.assertFalse(errors.is_retryable(error))
        self.assertEqual("compute call evacuate failed: m",
                         str(self._map(400)))

    def test_server_errors_of_reads_retry(self):
        for status in (500, 502, 503, 504):
            error = self._map(status)
            self.assertIsInstance(error, exception.CloudUnavailable)
            self.assertTrue(errors.is_retryable(error))

    def test_server_errors_of_moves_may_be_applied(self):
        for status in (500, 502, 504):
            error = self._map(status, idempotent=False)
            self.assertIsInstance(error, exception.CloudUnavailable)
            self.assertFalse(errors.is_retryable(error))
            self.assertTrue(error.kwargs["maybe_applied"])
        self.assertTrue(errors.is_retryable(self._map(503, False)))


class FromTransportTest(testtools.TestCase):

    def _timeout(self, context):
        try:
            try:
                raise context
            except requests.exceptions.Timeout:
                # keystoneauth raises it like this, context kept.
                raise ksa_exc.ConnectTimeout("timed out")  # noqa: B904
        except ksa_exc.ConnectTimeout as error:
            return error

    def test_read_timeout(self):
        error = self._timeout(requests.exceptions.ReadTimeout())
        read = errors.from_transport(error, "compute", "list", True)
        self.assertTrue(errors.is_retryable(read))
        move = errors.from_transport(error, "compute", "evacuate", False)
        self.assertFalse(errors.is_retryable(move))
        self.assertTrue(move.kwargs["maybe_applied"])

    def test_connect_timeout_always_retries(self):
        error = self._timeout(requests.exceptions.ConnectTimeout())
        move = errors.from_transport(error, "compute", "evacuate", False)
        self.assertTrue(errors.is_retryable(move))

    def test_connect_failure(self):
        error = errors.from_transport(ksa_exc.ConnectFailure("refused"),
                                      "placement", "list", False)
        self.assertIsInstance(error, exception.CloudUnavailable)
        self.assertTrue(errors.is_retryable(error))

    def test_auth_errors(self):
        error = errors.from_transport(
            ksa_exc.Unauthorized("bad password"), "compute", "list", True)
        self.assertIsInstance(error, exception.CloudRefused)
        self.assertEqual(401, error.status)
        error = errors.from_transport(
            ksa_exc.ServiceUnavailable("keystone"), "compute", "list", True)
        self.assertIsInstance(error, exception.CloudUnavailable)
        self.assertTrue(errors.is_retryable(error))

    def test_configuration_errors_do_not_retry(self):
        error = errors.from_transport(
            ksa_exc.EndpointNotFound("no placement"), "placement", "list",
            True)
        self.assertIsInstance(error, exception.CloudUnavailable)
        self.assertFalse(errors.is_retryable(error))
