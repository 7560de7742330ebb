import testtools

from vmotiond.sim import errors
from vmotiond.sim import states


class TestStatus(testtools.TestCase):
    def test_nova_state_map(self) -> None:
        cases = [
            ("active", None, "ACTIVE"), ("active", "rebuilding", "REBUILD"),
            ("active", "migrating", "MIGRATING"),
            ("active", "resize_prep", "RESIZE"),
            ("stopped", None, "SHUTOFF"), ("stopped", "rebuilding",
                                           "REBUILD"),
            ("resized", None, "VERIFY_RESIZE"),
            ("resized", "resize_reverting", "REVERT_RESIZE"),
            ("rescued", None, "RESCUE"), ("error", None, "ERROR"),
            ("error", "rebuilding", "REBUILD"), ("paused", None, "PAUSED"),
            ("shelved_offloaded", None, "SHELVED_OFFLOADED"),
            ("active", "powering-off", "ACTIVE"),
        ]
        for vm_state, task_state, status in cases:
            self.assertEqual(status, states.status_of(vm_state, task_state),
                             (vm_state, task_state))


class TestCheckState(testtools.TestCase):
    def test_evacuate_allows_active_stopped_error_any_task(self) -> None:
        for vm_state in ("active", "stopped", "error"):
            states.check_state("evacuate", "x", vm_state, "rebuilding")

    def test_refusals_are_409_with_novas_message(self) -> None:
        refused = [("evacuate", "rescued"), ("evacuate", "paused"),
                   ("evacuate", "suspended"), ("evacuate", "shelved"),
                   ("migrate", "rescued"), ("migrate", "paused"),
                   ("os-migrateLive", "rescued"),
                   ("os-migrateLive", "stopped"),
                   ("confirmResize", "active"), ("os-start", "active"),
                   ("os-stop", "rescued"), ("unrescue", "active")]
        for action, vm_state in refused:
            exc = self.assertRaises(errors.Conflict, states.check_state,
                                    action, "uuid-1", vm_state, None)
            self.assertEqual(409, exc.code)
            self.assertEqual("Cannot '%s' instance uuid-1 while it is in "
                             "vm_state %s" % (action, vm_state), exc.message)

    def test_live_migrate_of_paused_is_allowed(self) -> None:
        states.check_state("os-migrateLive", "x", "paused", None)

    def test_task_state_refusal(self) -> None:
        exc = self.assertRaises(errors.Conflict, states.check_state,
                                "migrate", "u", "active", "migrating")
        self.assertIn("task_state migrating", exc.message)
