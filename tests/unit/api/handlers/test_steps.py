"""GET /v1/vmoves/{id}/steps."""

from tests.unit.api import base
from vmotiond.api import errors
from vmotiond.db import vmoves as vmoves_db


class TestSteps(base.ApiTestCase):

    def test_steps_in_order(self) -> None:
        move = self.seed.vmoves[self.seed.notifications[0].uuid][0]
        steps = self.get_json("/v1/vmoves/%s/steps" % move.uuid)["steps"]
        self.assertEqual(["EvacuateInstance", "WaitInstanceActive"],
                         [s["name"] for s in steps])
        self.assertEqual("succeeded", steps[0]["status"])
        self.assertEqual("evacuated", steps[0]["result"])
        self.assertEqual({"target": "spare"}, steps[0]["context"])
        self.assertIsNone(steps[1]["ended_at"])

    def test_vmove_without_steps(self) -> None:
        move = self.seed.vmoves[self.seed.notifications[1].uuid][0]
        self.assertEqual([], self.get_json("/v1/vmoves/%d/steps"
                                           % move.id)["steps"])

    def test_errors(self) -> None:
        self.assertError(
            self.request("/v1/vmoves/083a8474-22c0-407f-b89b-c569134c3bfd"
                         "/steps"), 404, errors.NOT_FOUND)
        move = self.seed.vmoves[self.seed.notifications[0].uuid][0]
        self.assertError(self.request("/v1/vmoves/%s/steps" % move.uuid,
                                      version="instance-ha 1.3"),
                         404, errors.VERSION_TOO_LOW)
        self.assertError(self.request("/v1/vmoves/%s/steps" % move.uuid,
                                      roles="member"), 403, errors.FORBIDDEN)

    def test_request_ids_from_1_10(self) -> None:
        move = self.seed.vmoves[self.seed.notifications[2].uuid][0]
        path = "/v1/vmoves/%s/steps" % move.uuid
        if not self.database.step_list(move.uuid):
            self.database.step_journal(move.uuid, [vmoves_db.StepWrite(
                "live_migrate", 1, "succeeded", base.T0,
                request_ids=("req-1",))])
        self.assertEqual([["req-1"]], [
            s["request_ids"] for s in self.get_json(path)["steps"]])
        self.assertEqual([[]], [s["request_ids"] for s in self.get_json(
            "/v1/vmoves/%s/steps" % self.seed.vmoves[
                self.seed.notifications[0].uuid][0].uuid)["steps"][:1]])
        old, = self.get_json(path, version="instance-ha 1.9")["steps"]
        self.assertNotIn("request_ids", old)
