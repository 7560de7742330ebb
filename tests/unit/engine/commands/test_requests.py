"""Host roles and switches (``host set``) as the engine applies them."""

from tests.unit.engine import test_operations
from vmotiond import constants
from vmotiond import exception


class HostSetTest(test_operations.OperationsTestCase):

    def test_standby_disables_with_our_reason_and_back(self):
        out = self.api.host_set("n1", role="standby")
        svc = self.cloud.services["n1"]
        self.assertEqual("disabled", svc.status)
        self.assertTrue(svc.disabled_reason.startswith("vmotiond"))
        self.assertEqual(constants.ROLE_STANDBY, self.db.host_get("n1").role)
        self.assertIn("role normal -> standby", out["changes"])
        out = self.api.host_set("n1", role="normal")
        self.assertEqual("enabled", self.cloud.services["n1"].status)
        self.assertIn("compute service enabled", out["changes"])
        self.assertEqual(constants.ROLE_NORMAL, self.db.host_get("n1").role)

    def test_standby_is_first_target_of_a_drain(self):
        self.api.host_set("n2", role="standby")
        self.api.host_set("sb1", role="normal")
        server = self.add("a")
        self.ended(self.api.drain("src"))
        self.assertEqual("n2", self.host_of(server))

    def test_standby_warns_when_not_empty(self):
        self.add("a", host="n1")
        out = self.api.host_set("n1", role="standby")
        self.assertTrue(any("1 instance(s) still on it" in c
                            for c in out["changes"]))

    def test_standby_says_an_operator_disabled_host_receives_nothing(self):
        # vmotiond never takes over a service someone else disabled, and
        # eligibility refuses such a host: the operator is told so.
        self.cloud.disable_service("svc-n1", "n1", "ops: bad fan")
        out = self.api.host_set("n1", role="standby")
        self.assertEqual("ops: bad fan",
                         self.cloud.services["n1"].disabled_reason)
        warning = [c for c in out["changes"] if "bad fan" in c]
        self.assertEqual(1, len(warning), out["changes"])
        self.assertIn("receives no instance", warning[0])
        self.cloud.enable_service("svc-n1", "n1")
        self.api.host_set("n1", role="standby")
        self.assertTrue(self.cloud.services["n1"].disabled_reason
                        .startswith("vmotiond"))

    def test_normal_leaves_fenced_or_operator_disabled_alone(self):
        self.cloud.disable_service("svc-n1", "n1", "ops: bad fan")
        out = self.api.host_set("n1", role="normal")
        self.assertEqual("disabled", self.cloud.services["n1"].status)
        self.assertIn("bad fan", out["changes"][0])
        self.cloud.force_down_service("svc-n2", "n2", True)
        self.cloud.disable_service("svc-n2", "n2", "vmotiond: host failure")
        out = self.api.host_set("n2", role="normal")
        self.assertEqual("disabled", self.cloud.services["n2"].status)
        self.assertIn("fenced", out["changes"][0])

    def test_switches(self):
        out = self.api.host_set("n1", auto_evacuate=False, maintenance=True)
        record = self.db.host_get("n1")
        self.assertFalse(record.auto_evacuate)
        self.assertTrue(record.maintenance)
        self.assertEqual(["auto_evacuate off", "maintenance on"],
                         out["changes"])
        self.assertEqual([], self.api.host_set("n1", maintenance=True)[
            "changes"])

    def test_maintenance_host_is_no_target(self):
        self.api.host_set("sb1", maintenance=True)
        server = self.add("a")
        self.ended(self.api.drain("src"))
        self.assertIn(self.host_of(server), ("n1", "n2"))

    def test_unknown_host_and_role(self):
        error = self.assertRaises(exception.NotFound, self.api.host_set,
                                  "nowhere", role="standby")
        self.assertIn("host sync", str(error))
        self.assertRaises(exception.InvalidInput, self.api.host_set, "n1",
                          role="spare")
