"""Project readers (``vmotiond:project_reader``): their own vmoves only.

The seeded vmoves name their instances' projects: node1's first and
node2's first are of project ``p1``, node1's second of ``p_2``; the rest
name none, so no project reader sees them.
"""

import dataclasses
import json
from typing import Any

from tests.unit.api import base
from tests.unit.engine import fakes
from vmotiond import clock
from vmotiond import constants
from vmotiond.api import errors
from vmotiond.engine.deciding import names
from vmotiond.engine.deciding import records
from vmotiond.engine.running import vmove_store

P1 = "p1"


def _set_project(database: Any, vmove_uuid: str, project: str) -> None:
    database.vmove_update(vmove_uuid, {"project_id": project})


class TestProjectReader(base.ApiTestCase):

    def _seed(self) -> tuple[Any, base.Seed]:
        database, seed = super()._seed()
        first, second = (seed.vmoves[n.uuid] for n in seed.notifications[:2])
        _set_project(database, first[0].uuid, P1)
        _set_project(database, first[1].uuid, "p_2")
        _set_project(database, second[0].uuid, P1)
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


class TestProjectReaderBeforeAnyStep(base.ApiTestCase):
    """Vmoves as the engine writes them: a pending move and an instance
    ignored for a reason other than capacity (opted out) are their
    project's from the start, before any worker ran."""

    def _seed(self) -> tuple[Any, base.Seed]:
        database, seed = super()._seed()
        note = database.notification_create(
            constants.COMPUTE_HOST, "node9", "key-9", {"host": "node9"})
        moves, ignored = [], []
        for project in (P1, "p2"):
            moving, staying = (dataclasses.replace(
                fakes.server(name="%s-%s" % (project, kind), host="node9"),
                project_id=project) for kind in ("moving", "opted-out"))
            moves.append(records.PlannedMove(
                moving, "node9", "spare", constants.EVACUATION, 0,
                (names.EVACUATE,), None))
            ignored.append(records.IgnoredMove(
                staying, "node9", constants.EVACUATION, 0,
                names.IGNORE_OPTED_OUT, "opted out by metadata"))
        vmove_store.write_plan(database, clock.Clock(), note.uuid,
                         records.Plan(tuple(moves), tuple(ignored)))
        return database, seed

    def setUp(self) -> None:
        super().setUp()
        self.policy.set_rules({"vmotiond:project_reader": "role:reader"})
        self.rows = self.database.vmove_list(host="node9")

    def as_p1(self, path: str) -> Any:
        return self.request(path, roles="reader",
                            headers={"X-Project-Id": P1})

    def test_pending_and_ignored_vmoves_are_their_projects(self) -> None:
        own = {r.uuid: r.status for r in self.rows
               if str(r.instance_name).startswith(P1 + "-")}
        self.assertEqual({constants.PENDING, constants.IGNORED},
                         set(own.values()))
        response = self.as_p1("/v1/vmoves?host=node9")
        self.assertEqual(200, response.status_int, response.text)
        self.assertEqual(set(own), {v["uuid"] for v in
                                    json.loads(response.body)["vmoves"]})
        for row in self.rows:
            path = "/v1/vmoves/%s" % row.uuid
            self.assertEqual(200 if row.uuid in own else 404,
                             self.as_p1(path).status_int, path)
