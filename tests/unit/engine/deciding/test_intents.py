import dataclasses
import re

import testtools

from tests.unit.engine import fakes
from vmotiond import constants
from vmotiond.cloud import records
from vmotiond.engine.deciding import intents
from vmotiond.engine.deciding import names as n
from vmotiond.engine.deciding.records import IgnoredMove
from vmotiond.engine.deciding.records import MoveIntent
from vmotiond.engine.deciding.records import PlanOptions

OPTS = PlanOptions()
FIP = (n.RECORD_FLOATING_IPS,)
TAIL = (n.REBIND_FLOATING_IPS, n.CHECK_FLOATING_IPS)


class _Evacuations(testtools.TestCase):
    """Assertions on evacuation decisions."""

    def assertMove(self, decision, steps, final):
        self.assertIsInstance(decision, MoveIntent)
        self.assertEqual(constants.EVACUATION, decision.move_type)
        self.assertEqual(FIP + steps + TAIL, decision.steps)
        self.assertEqual(final, decision.final_status)
        self.assertEqual("failed", decision.source_host)

    def assertIgnored(self, decision, reason, text):
        self.assertIsInstance(decision, IgnoredMove)
        self.assertEqual(reason, decision.reason)
        self.assertIn(text, decision.message)


class EvacuationStateTest(_Evacuations):

    def decide(self, status, options=OPTS, **kw):
        return intents.evacuation(fakes.server(status=status, **kw),
                                  "failed", options)

    def test_active_keeps_running(self):
        self.assertMove(self.decide("ACTIVE"),
                        (n.EVACUATE, n.WAIT_MOVED, n.START), "ACTIVE")

    def test_shutoff_stays_stopped(self):
        self.assertMove(self.decide("SHUTOFF"),
                        (n.EVACUATE, n.WAIT_MOVED, n.STOP), "SHUTOFF")

    def test_stuck_task_state_reset_first(self):
        self.assertMove(self.decide("ACTIVE", task_state="spawning"),
                        ("reset_state:error", n.EVACUATE, n.WAIT_MOVED,
                         n.START), "ACTIVE")
        self.assertMove(self.decide("SHUTOFF", task_state="powering-on"),
                        ("reset_state:error", n.EVACUATE, n.WAIT_MOVED,
                         n.STOP), "SHUTOFF")

    def test_rebooting_reset_and_started(self):
        for status in ("REBOOT", "HARD_REBOOT", "PASSWORD"):
            self.assertMove(self.decide(status, task_state="rebooting"),
                            ("reset_state:error", n.EVACUATE, n.WAIT_MOVED,
                             n.START), "ACTIVE")

    def test_error_ignored_unless_configured(self):
        self.assertIgnored(self.decide("ERROR"), n.IGNORE_STATE,
                           "evacuate_error_instances is off")
        opts = PlanOptions(evacuate_error_instances=True)
        self.assertMove(self.decide("ERROR", opts),
                        (n.EVACUATE, n.WAIT_MOVED), None)

    def test_paused_suspended_rescued_reset_and_restored_last(self):
        for status in ("PAUSED", "SUSPENDED", "RESCUE"):
            d = self.decide(status)
            self.assertEqual(
                FIP + ("reset_state:error", n.EVACUATE, n.WAIT_MOVED,
                       n.START) + TAIL + ("restore_state:" + status,),
                d.steps)
            self.assertEqual(status, d.final_status)

    def test_shelved_ignored(self):
        self.assertIgnored(self.decide("SHELVED_OFFLOADED", host=None),
                           n.IGNORE_STATE, "shelved offloaded")
        self.assertIgnored(self.decide("SHELVED"), n.IGNORE_STATE, "shelved")

    def test_in_transit_ignored(self):
        for status in ("BUILD", "MIGRATING", "RESIZE", "VERIFY_RESIZE",
                       "REVERT_RESIZE", "REBUILD"):
            self.assertIgnored(self.decide(status), n.IGNORE_STATE,
                               "check it by hand")

    def test_deleted_and_unknown_ignored(self):
        self.assertIgnored(self.decide("SOFT_DELETED"), n.IGNORE_STATE,
                           "deleted")
        self.assertIgnored(self.decide("UNKNOWN"), n.IGNORE_STATE,
                           "does not evacuate")
        self.assertIgnored(self.decide(""), n.IGNORE_STATE, "unknown")

    def test_already_moved(self):
        self.assertIgnored(self.decide("ACTIVE", host="other"),
                           n.IGNORE_ALREADY_MOVED, "already on host other")

    def test_opt_out(self):
        self.assertIgnored(
            self.decide("ACTIVE", metadata={"vmotion:evacuate": "false"}),
            n.IGNORE_OPTED_OUT, "vmotion:evacuate=false")

    def test_ha_enabled_only(self):
        opts = PlanOptions(ha_enabled_only=True)
        self.assertIgnored(self.decide("ACTIVE", opts), n.IGNORE_OPTED_OUT,
                           "HA_Enabled")
        self.assertMove(
            self.decide("ACTIVE", opts, metadata={"HA_Enabled": "True"}),
            (n.EVACUATE, n.WAIT_MOVED, n.START), "ACTIVE")

    def test_opt_out_wins_over_ha_enabled(self):
        opts = PlanOptions(ha_enabled_only=True)
        decision = self.decide("ACTIVE", opts, metadata={
            "HA_Enabled": "True", "vmotion:evacuate": "no"})
        self.assertIgnored(decision, n.IGNORE_OPTED_OUT, "vmotion:evacuate")

    def test_without_floating_ip_steps(self):
        opts = PlanOptions(floating_ips=False)
        self.assertEqual((n.EVACUATE, n.WAIT_MOVED, n.START),
                         self.decide("ACTIVE", opts).steps)
        d = intents.planned_move(fakes.server(status="SHUTOFF",
                                              host="failed"), "failed", opts)
        self.assertEqual((n.MIGRATE, n.WAIT_MOVED, n.CONFIRM_RESIZE),
                         d.steps)

    def test_priority_carried(self):
        decision = self.decide("ACTIVE", metadata={"vmotion:priority": "7"})
        self.assertEqual(7, decision.priority)
        ignored = self.decide("SHELVED", metadata={"vmotion:priority": "4"})
        self.assertEqual(4, ignored.priority)
        self.assertEqual(2, intents.evacuation(
            fakes.server(), "failed", PlanOptions(default_priority=2)
        ).priority)


AMPHORA = "amphora-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
MOVED = (n.EVACUATE, n.WAIT_MOVED, n.START)


class EvacuationProtectionTest(_Evacuations):
    """Protection sources, service owners and local disks, as the
    evacuation applies them (the precedence itself: test_protection)."""

    def decide(self, status="ACTIVE", options=OPTS, flavor=None,
               volume=False, project="p1", image=None, images=None, **kw):
        srv = dataclasses.replace(
            fakes.server(status=status, **kw), project_id=project,
            flavor_extra_specs=dict(flavor or {}), volume_backed=volume,
            image_id=image)
        return intents.evacuation(srv, "failed", options, images=images)

    def test_image_opts_out_after_the_flavor(self):
        images = records.Images({"i1": records.Image(
            "i1", "batch", {"HA_Enabled": "no"})})
        self.assertIgnored(self.decide(image="i1", images=images),
                           n.IGNORE_OPTED_OUT, "not protected: image "
                           "property HA_Enabled=no (image batch)")
        self.assertMove(self.decide(image="i1", images=images,
                                    flavor={"HA_Enabled": "true"}),
                        MOVED, "ACTIVE")
        own = PlanOptions(protection_image_key="ha:image")
        self.assertMove(self.decide(image="i1", images=images, options=own),
                        MOVED, "ACTIVE")

    def test_amphora_image_tag(self):
        images = records.Images({"i1": records.Image(
            "i1", "amp", tags=("amphora",))})
        self.assertIgnored(self.decide(image="i1", images=images),
                           n.IGNORE_SERVICE_OWNED, "its image amp is "
                           "tagged amphora")
        untagged = PlanOptions(service_image_tags=frozenset())
        self.assertMove(self.decide(image="i1", images=images,
                                    options=untagged), MOVED, "ACTIVE")

    def test_unread_image_said(self):
        images = records.Images(unread={"i1": "deleted from the image "
                                        "service"})
        shared = PlanOptions(shared_storage_hosts=frozenset({"failed"}))
        moved = self.decide(image="i1", images=images, options=shared)
        self.assertMove(moved, MOVED, "ACTIVE")
        # Said once: the property and the tags, of the same image.
        self.assertEqual(
            "image property HA_Enabled and tags unknown (image i1: deleted "
            "from the image service)", moved.note)
        local = self.decide(image="i1", images=images)
        self.assertTrue(local.note.startswith(moved.note + "; its disk"))
        # Decided before the image: only the tags are said unknown.
        kept = self.decide(image="i1", images=images, options=shared,
                           metadata={"HA_Enabled": "true"})
        self.assertEqual("image tags unknown (image i1: deleted from the "
                         "image service)", kept.note)
        untagged = PlanOptions(service_image_tags=frozenset(),
                               shared_storage_hosts=frozenset({"failed"}))
        self.assertEqual("image property HA_Enabled unknown (image i1: "
                         "deleted from the image service)", self.decide(
                             image="i1", images=images,
                             options=untagged).note)
        no_tags = PlanOptions(service_image_tags=frozenset(),
                              shared_storage_hosts=frozenset({"failed"}))
        self.assertIsNone(self.decide(
            image="i1", images=images, options=no_tags,
            metadata={"HA_Enabled": "true"}).note)
        gated = PlanOptions(ha_enabled_only=True)
        self.assertIgnored(self.decide(image="i1", images=images,
                                       options=gated), n.IGNORE_OPTED_OUT,
                           "ha_enabled_only is set; image property "
                           "HA_Enabled and tags unknown (image i1: deleted "
                           "from the image service)")

    def test_no_image_service_not_said_per_instance(self):
        # The plan says it once (test_planner), not each vmove.
        images = records.Images(missing="no image service in the cloud")
        shared = PlanOptions(shared_storage_hosts=frozenset({"failed"}))
        moved = self.decide(image="i1", images=images, options=shared)
        self.assertMove(moved, MOVED, "ACTIVE")
        self.assertIsNone(moved.note)
        local = self.decide(image="i1", images=images)
        self.assertNotIn("image service", local.note)
        gated = PlanOptions(ha_enabled_only=True)
        ignored = self.decide(image="i1", images=images, options=gated)
        self.assertIgnored(ignored, n.IGNORE_OPTED_OUT,
                           "ha_enabled_only is set")
        self.assertNotIn("unknown", ignored.message)

    def test_flavor_opts_out(self):
        self.assertIgnored(self.decide(flavor={"HA_Enabled": "false"}),
                           n.IGNORE_OPTED_OUT,
                           "not protected: flavor extra spec "
                           "HA_Enabled=false")

    def test_metadata_beats_flavor(self):
        self.assertMove(self.decide(flavor={"HA_Enabled": "false"},
                                    metadata={"HA_Enabled": "true"}),
                        MOVED, "ACTIVE")

    def test_explicit_false_opts_out_without_ha_enabled_only(self):
        self.assertIgnored(self.decide(metadata={"HA_Enabled": "False"}),
                           n.IGNORE_OPTED_OUT, "instance metadata "
                           "HA_Enabled=False")

    def test_flavor_and_name_protect_under_ha_enabled_only(self):
        opts = PlanOptions(ha_enabled_only=True,
                           protected_names=(re.compile("db-.*"),))
        self.assertMove(self.decide(options=opts,
                                    flavor={"HA_Enabled": "yes"}),
                        MOVED, "ACTIVE")
        self.assertMove(self.decide(options=opts, name="db-1"), MOVED,
                        "ACTIVE")
        self.assertIgnored(self.decide(options=opts, name="web-1"),
                           n.IGNORE_OPTED_OUT, "ha_enabled_only is set")

    def test_own_keys(self):
        opts = PlanOptions(protection_metadata_key="ha",
                           protection_flavor_key="ha:flavor")
        self.assertMove(self.decide(options=opts,
                                    flavor={"HA_Enabled": "false"}),
                        MOVED, "ACTIVE")
        self.assertIgnored(self.decide(options=opts,
                                       flavor={"ha:flavor": "0"}),
                           n.IGNORE_OPTED_OUT, "ha:flavor=0")

    def test_amphora_ignored_by_default(self):
        self.assertIgnored(self.decide(name=AMPHORA, metadata={
            "HA_Enabled": "true"}), n.IGNORE_SERVICE_OWNED,
            "belongs to a service (its name matches amphora-")

    def test_service_project_ignored(self):
        opts = PlanOptions(service_projects=frozenset({"octavia"}))
        self.assertIgnored(self.decide(options=opts, project="octavia"),
                           n.IGNORE_SERVICE_OWNED, "its project octavia")

    def test_service_instances_evacuated_when_asked(self):
        opts = PlanOptions(evacuate_service_instances=True)
        self.assertMove(self.decide(options=opts, name=AMPHORA), MOVED,
                        "ACTIVE")

    def test_local_disk_evacuated_and_said(self):
        decision = self.decide()
        self.assertMove(decision, MOVED, "ACTIVE")
        self.assertIn("its disk was local to failed", decision.note)
        self.assertIn("local_disk_policy is evacuate", decision.note)

    def test_local_disk_skipped(self):
        opts = PlanOptions(local_disk_policy="skip")
        self.assertIgnored(self.decide(options=opts), n.IGNORE_LOCAL_DISK,
                           "local data is lost; [engine] local_disk_policy "
                           "is skip")

    def test_no_local_disk(self):
        skip = PlanOptions(local_disk_policy="skip")
        shared = PlanOptions(local_disk_policy="skip",
                             shared_storage_hosts=frozenset({"failed"}))
        for decision in (self.decide(options=skip, volume=True),
                         self.decide(options=shared)):
            self.assertMove(decision, MOVED, "ACTIVE")
            self.assertIsNone(decision.note)

    def test_local_disk_only_judged_for_moves(self):
        opts = PlanOptions(local_disk_policy="skip")
        self.assertIgnored(self.decide("SHELVED", options=opts),
                           n.IGNORE_STATE, "shelved")


class PlannedMoveTest(testtools.TestCase):

    def decide(self, status, mode="auto", **kw):
        return intents.planned_move(fakes.server(status=status, **kw),
                                    "failed", OPTS, mode)

    def test_auto_live_for_running(self):
        d = self.decide("ACTIVE")
        self.assertEqual(constants.LIVE_MIGRATION, d.move_type)
        self.assertEqual((n.RECORD_FLOATING_IPS, n.LIVE_MIGRATE,
                          n.WAIT_MOVED, n.CHECK_FLOATING_IPS), d.steps)
        self.assertEqual("ACTIVE", d.final_status)

    def test_paused_moves_live_and_is_checked_paused(self):
        d = self.decide("PAUSED")
        self.assertEqual(constants.LIVE_MIGRATION, d.move_type)
        self.assertEqual((n.RECORD_FLOATING_IPS, n.LIVE_MIGRATE,
                          n.WAIT_MOVED, n.CHECK_FLOATING_IPS,
                          "restore_state:PAUSED"), d.steps)
        self.assertEqual("PAUSED", d.final_status)

    def test_suspended_resumed_moved_live_and_suspended_again(self):
        d = self.decide("SUSPENDED")
        self.assertEqual(constants.LIVE_MIGRATION, d.move_type)
        self.assertEqual((n.RECORD_FLOATING_IPS, n.RESUME, n.LIVE_MIGRATE,
                          n.WAIT_MOVED, n.CHECK_FLOATING_IPS,
                          "restore_state:SUSPENDED"), d.steps)
        self.assertEqual("SUSPENDED", d.final_status)

    def test_auto_cold_for_stopped(self):
        d = self.decide("SHUTOFF")
        self.assertEqual(constants.MIGRATION, d.move_type)
        self.assertEqual((n.RECORD_FLOATING_IPS, n.MIGRATE, n.WAIT_MOVED,
                          n.CONFIRM_RESIZE, n.CHECK_FLOATING_IPS), d.steps)

    def test_forced_cold_for_running(self):
        d = self.decide("ACTIVE", mode="cold")
        self.assertEqual(constants.MIGRATION, d.move_type)
        self.assertEqual("ACTIVE", d.final_status)

    def test_live_of_rescued_refused_with_reason(self):
        d = self.decide("RESCUE", mode="live")
        self.assertIsInstance(d, IgnoredMove)
        self.assertIn("refuses to live-migrate a rescued", d.message)

    def test_live_of_stopped_refused(self):
        d = self.decide("SHUTOFF", mode="live")
        self.assertIsInstance(d, IgnoredMove)
        self.assertIn("only ACTIVE or PAUSED", d.message)

    def test_cold_of_suspended_refused(self):
        d = self.decide("SUSPENDED", mode="cold")
        self.assertIsInstance(d, IgnoredMove)
        self.assertIn("cold-migrates only", d.message)

    def test_busy_and_moved_ignored(self):
        self.assertIn("busy", self.decide(
            "ACTIVE", task_state="rebooting").message)
        self.assertEqual(n.IGNORE_ALREADY_MOVED,
                         self.decide("ACTIVE", host="x").reason)
        self.assertIn("on no host", intents.planned_move(
            fakes.server(status="SHELVED_OFFLOADED", host=None), None,
            OPTS).message)

    def test_bad_mode(self):
        self.assertRaises(ValueError, self.decide, "ACTIVE", mode="warp")


class FloatingIpStepsTest(testtools.TestCase):

    def test_steps_follow_the_option_whatever_they_had(self):
        core = ("evacuate", "wait_moved", "start")
        full = ("record_floating_ips",) + core + ("rebind_floating_ips",
                                                  "check_floating_ips")
        for steps in (core, full):
            self.assertEqual(full, intents.with_floating_ips(
                steps, constants.EVACUATION, True))
            self.assertEqual(core, intents.with_floating_ips(
                steps, constants.EVACUATION, False))
        self.assertEqual(
            ("record_floating_ips", "live_migrate", "wait_moved",
             "check_floating_ips"),
            intents.with_floating_ips(("live_migrate", "wait_moved"),
                                      constants.LIVE_MIGRATION, True))
