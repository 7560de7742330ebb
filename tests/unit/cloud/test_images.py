"""Reading a plan's images: one request per image, what fails said."""

import testtools

from tests.unit.engine import fake_cloud
from tests.unit.engine import fakes
from vmotiond import exception
from vmotiond.cloud import images
from vmotiond.cloud import records


def _servers(*image_ids):
    return [fakes.server() if i is None else
            records.Server(**{**fakes.server().__dict__, "image_id": i})
            for i in image_ids]


class ReadTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = fake_cloud.FakeCloud()
        self.cloud.images = {"a": records.Image("a", "A"),
                             "c": records.Image("c", "C")}

    def test_once_per_image_deleted_said(self):
        got = images.read(self.cloud, _servers("a", "a", None, "b", "c"),
                          "testing")
        self.assertEqual(records.Images(
            {"a": self.cloud.images["a"], "c": self.cloud.images["c"]},
            {"b": images.DELETED}), got)
        self.assertEqual(["a", "b", "c"], [args[0] for name, args in
                                           self.cloud.calls
                                           if name == "get_image"])

    def test_no_image_service(self):
        self.cloud.fail["get_image"] = [exception.CloudServiceMissing(
            service="image", call="get image", reason="no endpoint")]
        with self.assertLogs("vmotiond.cloud.images", "WARNING") as logs:
            got = images.read(self.cloud, _servers("a", "c"), "testing")
        # Said once for them all, not for each image.
        self.assertEqual(records.Images(missing="no image service in the "
                                        "cloud"), got)
        self.assertEqual(1, self.cloud.count("get_image"))
        self.assertEqual(1, len(logs.records))
        self.assertIn("no image service in the cloud", logs.output[0])

    def test_failure_leaves_the_rest_unread(self):
        self.cloud.fail["get_image"] = [exception.CloudUnavailable(
            service="image", call="get image", reason="HTTP 503")]
        got = images.read(self.cloud, _servers("a", "c"), "testing")
        self.assertEqual({}, got.found)
        self.assertEqual({"a", "c"}, set(got.unread))
        self.assertIn("the image service failed", got.unread["c"])
        self.assertEqual(1, self.cloud.count("get_image"))
