"""Which instances a recovery moves, against the simulator over HTTP: an
amphora, an instance of an opted-out flavor and the instances of a host in
an opted-out aggregate are ignored with their reasons, and an instance
whose disk was local to the failed host follows ``[engine]
local_disk_policy``."""

import testtools

from tests.functional.engine import env
from vmotiond import constants
from vmotiond.sim import images

AMPHORA = "amphora-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


class ProtectionTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(env.EngineEnv())
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        cloud.add_flavor("m1.noha", 1, 2048, 20,
                         extra_specs={"HA_Enabled": "False"})
        cloud.add_host("compute-a")
        cloud.add_host(self.env.failed_host)
        failed = self.env.failed_host
        self.servers = {
            "amphora": cloud.add_server(failed, "m1.small", name=AMPHORA),
            "noha": cloud.add_server(failed, "m1.noha", name="noha"),
            # Its metadata wins over its flavor.
            "noha-but-asked": cloud.add_server(
                failed, "m1.noha", name="noha-but-asked",
                metadata={"HA_Enabled": "true"}, volume_backed=True),
            "local": cloud.add_server(failed, "m1.small", name="local"),
            "volume": cloud.add_server(failed, "m1.small", name="volume",
                                       volume_backed=True)}
        self.env.sync_hosts()

    def recover(self, **options):
        for name, value in options.items():
            self.env.conf_fixture.set(name, value, "engine")
        self.env.engine()
        self.env.sim.cloud.kill_host(self.env.failed_host)
        self.env.send_host_down(self.env.failed_host)
        note = self.env.wait_notification(self.env.failed_host)
        moves = {v.instance_name: v for v in
                 self.env.db.vmove_list(notification_uuid=note.uuid)}
        self.assertEqual({AMPHORA, "noha", "noha-but-asked", "local",
                          "volume"}, set(moves))
        return note, moves

    def assertMoved(self, move, name):
        sim = self.env.sim.cloud
        self.assertEqual(constants.SUCCEEDED, move.status, move.message)
        server = sim.state.servers[self.servers[name].id]
        self.assertEqual(("compute-a", "compute-a"),
                         (move.dest_host, server.host))
        self.assertEqual(1, sim.action_count(server.id, "evacuate"), name)

    def assertIgnored(self, move, text):
        self.assertEqual(constants.IGNORED, move.status)
        self.assertIn(text, move.message)
        self.assertEqual(0, self.env.sim.cloud.action_count(
            move.instance_uuid, "evacuate"))

    def assertSkipped(self, moves):
        self.assertIgnored(moves[AMPHORA], "belongs to a service (its name "
                           "matches amphora-")
        self.assertIgnored(moves["noha"], "not protected: flavor extra spec "
                           "HA_Enabled=False")
        for name in ("noha-but-asked", "volume"):
            self.assertMoved(moves[name], name)
            self.assertNotIn("local", moves[name].message)

    def test_local_disk_evacuated_by_default(self):
        note, moves = self.recover()
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        self.assertSkipped(moves)
        self.assertMoved(moves["local"], "local")
        self.assertIn("its disk was local to %s" % self.env.failed_host,
                      moves["local"].message)
        self.assertIn("local data is lost; [engine] local_disk_policy is "
                      "evacuate", moves["local"].message)

    def test_local_disk_skipped(self):
        note, moves = self.recover(local_disk_policy="skip")
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        self.assertSkipped(moves)
        self.assertIgnored(moves["local"], "local_disk_policy is skip")

    def test_shared_storage_is_no_local_disk(self):
        _, moves = self.recover(local_disk_policy="skip",
                                shared_instance_storage=["*"])
        self.assertMoved(moves["local"], "local")
        self.assertNotIn("local", moves["local"].message)


class AggregateProtectionTest(testtools.TestCase):
    """A host aggregate with HA_Enabled=false opts its host's instances
    out, over another aggregate's true; an instance's own metadata still
    protects it."""

    def setUp(self):
        super().setUp()
        self.env = self.useFixture(env.EngineEnv())
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        cloud.add_host("compute-a")
        failed = self.env.failed_host
        cloud.add_host(failed)
        for name, value in (("ha", "true"), ("noha", "false")):
            cloud.aggregate_set_metadata(cloud.add_aggregate(name, [failed]),
                                         {"HA_Enabled": value})
        self.servers = {
            "plain": cloud.add_server(failed, "m1.small", name="plain",
                                      volume_backed=True),
            "asked": cloud.add_server(failed, "m1.small", name="asked",
                                      metadata={"HA_Enabled": "true"},
                                      volume_backed=True)}
        self.env.sync_hosts()

    def test_aggregate_opts_out_metadata_protects(self):
        self.env.engine()
        sim = self.env.sim.cloud
        sim.kill_host(self.env.failed_host)
        self.env.send_host_down(self.env.failed_host)
        note = self.env.wait_notification(self.env.failed_host)
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        moves = {v.instance_name: v for v in
                 self.env.db.vmove_list(notification_uuid=note.uuid)}
        plain, asked = moves["plain"], moves["asked"]
        self.assertEqual(constants.IGNORED, plain.status)
        self.assertEqual("not protected: host aggregate metadata "
                         "HA_Enabled=false (aggregate noha)", plain.message)
        self.assertEqual(0, sim.action_count(plain.instance_uuid,
                                             "evacuate"))
        self.assertEqual(constants.SUCCEEDED, asked.status, asked.message)
        self.assertEqual("compute-a", sim.state.servers[
            self.servers["asked"].id].host)
        self.assertEqual(1, sim.action_count(asked.instance_uuid,
                                             "evacuate"))


class ImageProtectionTest(testtools.TestCase):
    """Glance's image property opts an instance out (after its flavor),
    an image tagged amphora makes its instance service-owned, an image
    deleted since boot and a cloud without an image service say the
    image was not read, and nothing fails for it."""

    def boot(self, image=True):
        self.env = self.useFixture(env.EngineEnv(image=image))
        cloud = self.env.sim.cloud
        cloud.add_flavor("m1.small", 1, 2048, 20)
        cloud.add_flavor("m1.ha", 1, 2048, 20,
                         extra_specs={"HA_Enabled": "true"})
        cloud.add_host("compute-a")
        failed = self.env.failed_host
        cloud.add_host(failed)
        for image_id, props, tags in (
                ("0ff1", {"HA_Enabled": "false"}, []),
                ("a4f0", {}, ["amphora"]), ("de1e", {}, [])):
            cloud.images[image_id] = images.Image(image_id, "img-" + image_id,
                                                  "p", "public", props, tags)
        for name, image_id, flavor in (
                ("noha", "0ff1", "m1.small"), ("noha-flavor-ha", "0ff1",
                                               "m1.ha"),
                ("amp", "a4f0", "m1.small"), ("gone", "de1e", "m1.small"),
                ("plain", None, "m1.small")):
            cloud.add_server(failed, flavor, name=name, image_id=image_id)
        del cloud.images["de1e"]      # deleted since its instance booted
        self.env.sync_hosts()
        # Their disks are shared: no local-disk note.
        self.env.conf_fixture.set("shared_instance_storage", ["*"], "engine")
        self.env.engine()
        cloud.kill_host(failed)
        self.env.send_host_down(failed)
        note = self.note = self.env.wait_notification(failed)
        self.assertEqual(constants.NOTIFICATION_FINISHED, note.status,
                         note.message)
        return {v.instance_name: v for v in
                self.env.db.vmove_list(notification_uuid=note.uuid)}

    def assertMoved(self, move):
        self.assertEqual(constants.SUCCEEDED, move.status, move.message)
        self.assertEqual(1, self.env.sim.cloud.action_count(
            move.instance_uuid, "evacuate"))

    def assertIgnored(self, move, message):
        self.assertEqual((constants.IGNORED, message),
                         (move.status, move.message))
        self.assertEqual(0, self.env.sim.cloud.action_count(
            move.instance_uuid, "evacuate"))

    def test_image_property_and_tag(self):
        moves = self.boot()
        self.assertIgnored(moves["noha"], "not protected: image property "
                           "HA_Enabled=false (image img-0ff1)")
        self.assertIgnored(moves["amp"], "belongs to a service (its image "
                           "img-a4f0 is tagged amphora), which recovers it "
                           "its own way; [engine] evacuate_service_instances "
                           "is off")
        for name in ("noha-flavor-ha", "plain"):
            self.assertMoved(moves[name])
            self.assertNotIn("image", moves[name].message)
        self.assertMoved(moves["gone"])
        # Its property and its tags unknown, for one reason, said once.
        self.assertEqual("on host compute-a; status ACTIVE; image property "
                         "HA_Enabled and tags unknown (image de1e: deleted "
                         "from the image service)", moves["gone"].message)

    def test_no_image_service(self):
        moves = self.boot(image=False)
        # Said once, by the notification, not by each vmove.
        self.assertEqual(
            "5 succeeded, 0 failed, 0 ignored; images unread (no image "
            "service in the cloud): their property HA_Enabled and tags are "
            "not considered", self.note.message)
        for name in ("noha", "noha-flavor-ha", "amp", "gone", "plain"):
            self.assertMoved(moves[name])
            self.assertEqual("on host compute-a; status ACTIVE",
                             moves[name].message)
