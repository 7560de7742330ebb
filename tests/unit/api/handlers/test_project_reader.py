"""Project readers (``vmotiond:project_reader``): their own vmoves only.

The seeded vmoves' plans name their instances' projects: node1's first
and node2's first are of project ``p1``, node1's second of ``p_2``; the
rest have no plan yet, so no project reader sees them.
"""

import json
from typing import Any

from tests.unit.api import base
from vmotiond import constants
from vmotiond.api import errors

P1 = "p1"


def _plan(database: Any, vmove_uuid: str, project: str) -> None:
    context = {"steps": ["evacuate"], "order": 0, "project_id": project}
    step = database.step_start(vmove_uuid, "plan", context=context)
    database.step_finish(step.id, constants.SUCCEEDED, "1 step(s) planned",
                         context)


class TestProjectReader(base.ApiTestCase):

    def _seed(self) -> tuple[Any, base.Seed]:
        database, seed = super()._seed()
        first, second = (seed.vmoves[n.uuid] for n in seed.notifications[:2])
        _plan(database, first[0].uuid, P1)
        _plan(database, first[1].uuid, "p_2")
        _plan(database, second[0].uuid, P1)
        return database, seed

    def setUp(self) -> None:
        super().setUp()
        self.policy.set_rules({"vmotiond:project_reader": "role:reader"})
        first, second = (self.seed.vmoves[n.uuid]
                         for n in self.seed.notifications[:2])
        self.own = {first[0].uuid, second[0].uuid}
        self.others = [first[1], first[2], second[1]]

    def as_p1(self, path: str, project: str = P1) -> Any:
        return self.request(path, roles="reader",
                            headers={"X-Project-Id": project})

    def listed(self, path: str, project: str = P1) -> list[str]:
        response = self.as_p1(path, project)
        self.assertEqual(200, response.status_int, response.text)
        return [v["uuid"] for v in json.loads(response.body)["vmoves"]]

    def test_lists_only_its_projects_vmoves(self) -> None:
        self.assertEqual(self.own, set(self.listed("/v1/vmoves")))
        self.assertEqual(self.own, set(self.listed(
            "/v1/vmoves?host=spare&status=pending,succeeded")))
        # The project id is matched exactly: "p_2" is not a pattern.
        self.assertEqual([], self.listed("/v1/vmoves", "pX2"))
        self.assertEqual(1, len(self.listed("/v1/vmoves", "p_2")))
        # An admin still sees every vmove.
        everything = self.get_json("/v1/vmoves", roles="admin")["vmoves"]
        self.assertEqual(7, len(everything))

    def test_pages_within_its_own(self) -> None:
        page = json.loads(self.as_p1("/v1/vmoves?limit=1").body)
        self.assertEqual(1, len(page["vmoves"]))
        marker = page["vmoves"][0]["uuid"]
        rest = self.listed("/v1/vmoves?limit=5&marker=%s" % marker)
        self.assertEqual(self.own, {marker, *rest})
        response = self.as_p1("/v1/vmoves?marker=%s" % self.others[0].uuid)
        self.assertError(response, 400, errors.MARKER_NOT_FOUND)

    def test_shows_its_own_and_its_steps_only(self) -> None:
        for uuid in self.own:
            self.assertEqual(200, self.as_p1("/v1/vmoves/%s" % uuid)
                             .status_int)
            self.assertEqual(200, self.as_p1("/v1/vmoves/%s/steps" % uuid)
                             .status_int)
        for row in self.others:
            for path in ("/v1/vmoves/%s" % row.uuid,
                         "/v1/vmoves/%d" % row.id,
                         "/v1/vmoves/%s/steps" % row.uuid):
                self.assertError(self.as_p1(path), 404, errors.NOT_FOUND)

    def test_nothing_else(self) -> None:
        note = self.seed.notifications[0].uuid
        vmove = next(iter(self.own))
        for path in ("/v1/notifications", "/v1/notifications/%s" % note,
                     "/v1/notifications/%s/vmoves" % note,
                     "/v1/notifications/%s/vmoves/%s" % (note, vmove),
                     "/v1/hosts", "/v1/hosts/spare"):
            self.assertError(self.as_p1(path), 403, errors.FORBIDDEN)

    def test_refused_without_the_rule_or_a_project(self) -> None:
        self.policy.set_rules({"vmotiond:project_reader": "!"})
        self.assertError(self.as_p1("/v1/vmoves"), 403, errors.FORBIDDEN)
        self.policy.set_rules({"vmotiond:project_reader": "role:reader"})
        # A system-scoped token has no project; as a system reader it
        # reads everything.
        response = self.request("/v1/vmoves", roles="reader", headers={
            "OpenStack-System-Scope": "all"})
        self.assertEqual(7, len(json.loads(response.body)["vmoves"]))
