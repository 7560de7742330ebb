from keystoneauth1 import exceptions as ksa_exc
from openstack import exceptions as sdk_exc
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
        self.assertEqual("Bad Gateway", errors.error_message(resp))

    def test_html_page_is_one_line_of_its_text(self):
        # What Nova (webob) answers for a path it has no route for.
        resp = fakes.response(404, WEBOB_404)
        self.assertEqual("404 Not Found: The resource could not be found.",
                         errors.error_message(resp))

    def test_long_or_multiline_messages_are_one_bounded_line(self):
        resp = fakes.response(500, {"computeFault": {
            "message": "Unexpected API Error.\n<class 'X'>\n" + "x" * 900}})
        message = errors.error_message(resp)
        self.assertNotIn("\n", message)
        self.assertLessEqual(len(message), 300)
        self.assertTrue(message.endswith("..."))
        self.assertEqual("HTTP 502", errors.error_message(
            fakes.response(502, " ")))

    def test_nova_500_keeps_the_exception_class(self):
        resp = fakes.response(500, {"computeFault": {
            "code": 500, "message": "Unexpected API Error. Please report "
            "this.\n<class 'nova.exception.NoValidHost'>"}})
        self.assertEqual("Unexpected API Error. Please report this. "
                         "<class 'nova.exception.NoValidHost'>",
                         errors.error_message(resp))


WEBOB_404 = """<html>
 <head>
  <title>404 Not Found</title>
 </head>
 <body>
  <h1>404 Not Found</h1>
  The resource could not be found.<br /><br />



 </body>
</html>"""


class ServiceMissingTest(testtools.TestCase):

    def test_404_page_not_an_api_error_means_no_such_service(self):
        resp = fakes.response(404, WEBOB_404)
        resp.url = "http://nova:8774/v2.1/ports?device_id=s1"
        error = errors.from_response(resp, "network", "list ports", True)
        self.assertIsInstance(error, exception.CloudServiceMissing)
        self.assertFalse(errors.is_retryable(error))
        self.assertEqual(
            "network call list ports failed: the cloud has no network "
            "service: http://nova:8774/v2.1/ports answered 404 with a page "
            "that is not an OpenStack API error (404 Not Found: The "
            "resource could not be found.)", str(error))

    def test_404_page_of_a_service_of_pages_is_not_found(self):
        # Glance answers a missing image with webob's page.
        resp = fakes.response(404, WEBOB_404)
        error = errors.from_response(resp, "image", "get image", True,
                                     pages_are_errors=True)
        self.assertIsInstance(error, exception.CloudNotFound)

    def test_404_api_error_is_not_found(self):
        resp = fakes.response(404, {"itemNotFound": {"message": "gone"}})
        self.assertIsInstance(errors.from_response(resp, "compute", "get",
                                                   True),
                              exception.CloudNotFound)
        self.assertIsInstance(errors.from_response(
            fakes.response(404), "placement", "get", True),
            exception.CloudNotFound)

    def test_no_endpoint_in_the_catalog(self):
        error = errors.from_transport(
            ksa_exc.EndpointNotFound("Could not find requested endpoint in "
                                     "Service Catalog."),
            "network", "list ports", True)
        self.assertIsInstance(error, exception.CloudServiceMissing)
        self.assertIn("no network endpoint in the service catalog",
                      str(error))

    def test_service_disabled_by_openstacksdk(self):
        error = errors.from_sdk(sdk_exc.ServiceDisabledException(
            "Service 'network' is disabled because its configuration "
            "could not be loaded."), "network", "list ports")
        self.assertIsInstance(error, exception.CloudServiceMissing)
        error = errors.from_sdk(sdk_exc.SDKException("<p>odd\n</p>"),
                                "network", "x")
        self.assertIsInstance(error, exception.CloudUnavailable)
        self.assertTrue(errors.is_retryable(error))
        self.assertEqual("network call x failed: odd", str(error))


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
            self.assertEqual("HTTP %d: m" % status, error.kwargs["reason"])

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
        self.assertIsInstance(error, exception.CloudServiceMissing)
        self.assertFalse(errors.is_retryable(error))
        error = errors.from_transport(
            ksa_exc.MissingAuthPlugin("<b>no auth</b>\n plugin"), "compute",
            "list", True)
        self.assertIsInstance(error, exception.CloudUnavailable)
        self.assertFalse(errors.is_retryable(error))
        self.assertEqual("compute call list failed: no auth plugin",
                         str(error))
