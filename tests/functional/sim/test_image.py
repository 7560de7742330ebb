"""The simulator's Glance v2, read through vmotiond's cloud adapter and
openstacksdk: an image's custom properties and tags, a deleted image's
404 page, and a catalog without an image service."""

import fixtures
import testtools

from tests.conformance import scenarios
from tests.fixtures import sim as sim_fixture
from vmotiond import exception
from vmotiond.cloud import openstack as os_cloud
from vmotiond.sim import builder
from vmotiond.sim import images

SCENARIO = builder.Scenario(hosts=2, standby=0, servers=2,
                            anti_affinity_groups=0)


class ImageTest(testtools.TestCase):

    def cloud(self, **server_kw):
        self.sim = self.useFixture(sim_fixture.SimFixture(SCENARIO,
                                                          **server_kw))
        conn = self.sim.connect()
        self.addCleanup(conn.close)
        return conn, os_cloud.OpenStackCloud(conn, scenarios.make_conf())

    def test_properties_and_tags(self):
        conn, cloud = self.cloud()
        self.sim.cloud.images["i1"] = images.Image(
            "i1", "amp", "p", "private", {"HA_Enabled": "false"},
            ["amphora"])
        [server, _] = cloud.list_servers()
        self.assertEqual(images.DEFAULT_IMAGE, server.image_id)
        image = cloud.get_image("i1")
        self.assertEqual(("i1", "amp", {"HA_Enabled": "false"},
                          ("amphora",)),
                         (image.id, image.name, dict(image.properties),
                          image.tags))
        # Glance's body: base properties null when unset, custom ones
        # top-level strings.
        body = conn.image.get("images/i1").json()
        self.assertEqual((None, "false", ["amphora"], "private"),
                         (body["checksum"], body["HA_Enabled"],
                          body["tags"], body["visibility"]))
        self.assertEqual({}, dict(cloud.get_image(
            images.DEFAULT_IMAGE).properties))

    def test_deleted_image_is_not_found(self):
        _, cloud = self.cloud()
        error = self.assertRaises(exception.CloudNotFound, cloud.get_image,
                                  "00000000-0000-0000-0000-000000000000")
        self.assertIn("No image found with ID", str(error))
        self.assertNotIn("<", str(error))
        # Not taken for a missing service: the next image is read.
        self.assertEqual(images.DEFAULT_IMAGE,
                         cloud.get_image(images.DEFAULT_IMAGE).id)

    def test_catalog_without_image_service(self):
        logger = self.useFixture(fixtures.FakeLogger())
        _, cloud = self.cloud(image=False)
        for _ in range(2):
            error = self.assertRaises(exception.CloudServiceMissing,
                                      cloud.get_image, images.DEFAULT_IMAGE)
            self.assertIn("the cloud has no image service", str(error))
        self.assertEqual(1, logger.output.count("has no image service"))

    def test_no_keystone_image_resolves_to_nova(self):
        _, cloud = self.cloud(noauth=True)
        error = self.assertRaises(exception.CloudServiceMissing,
                                  cloud.get_image, images.DEFAULT_IMAGE)
        self.assertIn("its endpoint is the compute one", str(error))
