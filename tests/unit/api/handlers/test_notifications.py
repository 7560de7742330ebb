"""GET /v1/notifications[/{id}]."""

import datetime

import testtools

from tests.unit.api import base
from vmotiond.api import errors
from vmotiond.api.handlers import notifications
from vmotiond.db import models

T0 = datetime.datetime(2026, 1, 1, 12, 0)


class TestListNotifications(base.ApiTestCase):

    def test_list_newest_first_with_masakari_fields(self) -> None:
        body = self.get_json("/v1/notifications", version=None)
        items = body["notifications"]
        self.assertEqual([n.uuid for n in reversed(self.seed.notifications)],
                         [i["notification_uuid"] for i in items])
        first = items[-1]
        self.assertEqual(self.seed.notifications[0].id, first["id"])
        self.assertEqual("COMPUTE_HOST", first["type"])
        self.assertEqual("node1", first["hostname"])
        self.assertEqual("running", first["status"])
        self.assertEqual({"event": "STOPPED", "n": 0}, first["payload"])
        self.assertEqual("2026-01-01T12:00:00.000000",
                         first["generated_time"])
        self.assertIs(False, first["deleted"])
        self.assertNotIn("notifications_links", body)

    def test_filters(self) -> None:
        items = self.get_json("/v1/notifications?type=HOST_DRAIN")[
            "notifications"]
        self.assertEqual(["node3"], [i["hostname"] for i in items])
        items = self.get_json("/v1/notifications?status=running,new&"
                              "host=node2")["notifications"]
        self.assertEqual(["node2"], [i["hostname"] for i in items])
        items = self.get_json("/v1/notifications?generated-since="
                              "2026-01-01T12:01:00Z")["notifications"]
        self.assertEqual(["node3", "node2"], [i["hostname"] for i in items])

    def test_sort_and_page_with_links(self) -> None:
        body = self.get_json("/v1/notifications?sort_key=host&sort_dir=asc"
                             "&limit=2")
        self.assertEqual(["node1", "node2"],
                         [i["hostname"] for i in body["notifications"]])
        link = body["notifications_links"][0]
        self.assertEqual("next", link["rel"])
        self.assertIn("marker=%s" % body["notifications"][1][
            "notification_uuid"], link["href"])
        self.assertIn("sort_key=host", link["href"])
        path = link["href"].replace("http://localhost", "")
        rest = self.get_json(path)["notifications"]
        self.assertEqual(["node3"], [i["hostname"] for i in rest])

    def test_several_sort_keys_page_by_links(self) -> None:
        path = ("/v1/notifications?sort_key=type&sort_dir=asc"
                "&sort_key=host&sort_dir=desc&limit=1")
        seen = []
        while path:
            body = self.get_json(path)
            seen += [i["hostname"] for i in body["notifications"]]
            links = body.get("notifications_links")
            path = links[0]["href"].replace("http://localhost", "") \
                if links else ""
        self.assertEqual(["node2", "node1", "node3"], seen)
        self.assertError(self.request(
            "/v1/notifications?sort_key=type&sort_key=type"), 400,
            errors.QUERY_INVALID, "sort_key type is given more than once")
        self.assertError(self.request(
            "/v1/notifications?sort_dir=asc&sort_dir=desc"), 400,
            errors.QUERY_INVALID, "sort_dir is given 2 times")

    def test_integer_marker(self) -> None:
        newest = self.seed.notifications[-1]
        items = self.get_json("/v1/notifications?marker=%d" % newest.id)[
            "notifications"]
        self.assertEqual(["node2", "node1"], [i["hostname"] for i in items])
        self.assertError(self.request("/v1/notifications?marker=4242"), 400,
                         errors.MARKER_NOT_FOUND)

    def test_limit_zero_is_empty(self) -> None:
        body = self.get_json("/v1/notifications?limit=0")
        self.assertEqual([], body["notifications"])

    def test_bad_values_are_400(self) -> None:
        for query, text in [("limit=-1", "limit must be 0 or more"),
                            ("limit=abc", "limit must be an integer"),
                            ("sort_key=payload", "Invalid sort_key"),
                            ("sort_dir=up", "Invalid sort_dir"),
                            ("marker=nope", "is not a UUID"),
                            ("status=lost", "Invalid status"),
                            ("type=VM", "Invalid type"),
                            ("generated-since=yesterday", "ISO 8601"),
                            ("limit=1&limit=2", "may be given once")]:
            response = self.request("/v1/notifications?" + query)
            self.assertError(response, 400, errors.QUERY_INVALID, text)

    def test_unknown_parameters_are_400(self) -> None:
        self.assertError(self.request("/v1/notifications?colour=red"), 400,
                         errors.QUERY_UNSUPPORTED, "colour")

    def test_source_host_uuid_shown_filtered_and_sorted(self) -> None:
        items = self.get_json("/v1/notifications", version=None)[
            "notifications"]
        self.assertEqual(
            {"node1": base.NODE1_UUID, "node2": None, "node3": None},
            {i["hostname"]: i["source_host_uuid"] for i in items})
        for version, given in ((None, base.NODE1_UUID),
                               ("instance-ha 1.0", base.NODE1_UUID.upper()),
                               (base.LATEST,
                                base.NODE1_UUID.replace("-", ""))):
            items = self.get_json(
                "/v1/notifications?source_host_uuid=" + given,
                version=version)["notifications"]
            self.assertEqual(["node1"], [i["hostname"] for i in items])
        self.assertEqual([], self.get_json(
            "/v1/notifications?source_host_uuid="
            "083a8474-22c0-407f-b89b-c569134c3bfd")["notifications"])
        # Unknown uuids (null) sort lowest; ties by id in the first
        # direction; paged by marker in that order.
        for sort_dir, expected in (("asc", ["node2", "node3", "node1"]),
                                   ("desc", ["node1", "node3", "node2"])):
            path = ("/v1/notifications?sort_key=source_host_uuid&sort_dir="
                    "%s&limit=1" % sort_dir)
            seen = []
            while path:
                body = self.get_json(path)
                seen += [i["hostname"] for i in body["notifications"]]
                links = body.get("notifications_links")
                path = links[0]["href"].replace("http://localhost", "") \
                    if links else ""
            self.assertEqual(expected, seen, sort_dir)
        items = self.get_json(
            "/v1/notifications?sort_key=source_host_uuid&sort_dir=desc"
            "&sort_key=generated_time&sort_dir=asc")["notifications"]
        self.assertEqual(["node1", "node2", "node3"],
                         [i["hostname"] for i in items])
        self.assertError(
            self.request("/v1/notifications?source_host_uuid=node1"), 400,
            errors.QUERY_INVALID, "source_host_uuid='node1' is not a UUID")
        self.assertError(
            self.request("/v1/notifications?source_host_uuid=%s"
                         "&source_host_uuid=%s" % (base.NODE1_UUID,
                                                   base.NODE1_UUID)),
            400, errors.QUERY_INVALID, "may be given once")

    def test_unknown_marker_is_400(self) -> None:
        response = self.request("/v1/notifications?marker="
                                "083a8474-22c0-407f-b89b-c569134c3bfd")
        self.assertError(response, 400, errors.MARKER_NOT_FOUND)

    def test_needs_admin_or_system_reader(self) -> None:
        for roles in ("member", "reader", "member,reader"):
            response = self.request("/v1/notifications", roles=roles)
            self.assertError(response, 403, errors.FORBIDDEN,
                             "vmotiond:notifications:index")
        self.get_json("/v1/notifications", roles="admin")
        self.get_json("/v1/notifications", roles="reader",
                      headers={"OpenStack-System-Scope": "all"})

    def test_rule_can_be_overridden(self) -> None:
        self.policy.set_rules({"vmotiond:notifications:index":
                               "role:auditor"})
        self.assertEqual(403, self.request("/v1/notifications",
                                           roles="reader").status_int)
        self.get_json("/v1/notifications", roles="auditor")


class TestShowNotification(base.ApiTestCase):

    def test_show_by_uuid_and_by_id(self) -> None:
        row = self.seed.notifications[1]
        by_uuid = self.get_json("/v1/notifications/%s" % row.uuid,
                                version="instance-ha 1.0")["notification"]
        by_id = self.get_json("/v1/notifications/%d" % row.id,
                              version="instance-ha 1.0")["notification"]
        self.assertEqual(by_uuid, by_id)
        self.assertEqual(row.uuid, by_uuid["notification_uuid"])
        self.assertNotIn("recovery_workflow_details", by_uuid)

    def test_fenced_at_from_1_7(self) -> None:
        row = self.seed.notifications[0]
        path = "/v1/notifications/%s" % row.uuid
        body = self.get_json(path, version="instance-ha 1.6")["notification"]
        self.assertNotIn("fenced_at", body)
        body = self.get_json(path, version="instance-ha 1.7")["notification"]
        self.assertIsNone(body["fenced_at"])
        when = datetime.datetime(2026, 1, 1, 12, 0, 5, 250000)
        self.assertTrue(self.database.notification_set_fenced(row.uuid, when))
        self.assertFalse(self.database.notification_set_fenced(
            row.uuid, when + datetime.timedelta(seconds=9)))
        body = self.get_json(path, version="instance-ha 1.7")["notification"]
        self.assertEqual("2026-01-01T12:00:05.250000", body["fenced_at"])
        listed = self.get_json("/v1/notifications",
                               version="instance-ha 1.7")["notifications"]
        self.assertNotIn("fenced_at", listed[0])

    def test_workflow_details_from_1_1(self) -> None:
        row = self.seed.notifications[0]
        body = self.get_json("/v1/notifications/%s" % row.uuid,
                             version="instance-ha 1.1")["notification"]
        details = body["recovery_workflow_details"]
        self.assertEqual(["EvacuateInstance", "WaitInstanceActive"],
                         [d["name"] for d in details])
        self.assertEqual(["SUCCESS", "RUNNING"],
                         [d["state"] for d in details])
        self.assertEqual([1.0, 0.0], [d["progress"] for d in details])
        instance = self.seed.vmoves[row.uuid][0].instance_uuid
        self.assertEqual(
            ["EvacuateInstance started for 1 instance(s)",
             "instance %s: succeeded: evacuated" % instance,
             "EvacuateInstance ended: 1 succeeded"],
            [d["message"] for d in details[0]["progress_details"]])
        self.assertEqual([0.0, 1.0, 1.0], [
            d["progress"] for d in details[0]["progress_details"]])
        self.assertEqual(["WaitInstanceActive started for 1 instance(s)"],
                         [d["message"]
                          for d in details[1]["progress_details"]])

    def test_unknown_ids_are_404(self) -> None:
        for ident in ("083a8474-22c0-407f-b89b-c569134c3bfd", "999",
                      "not-a-uuid"):
            response = self.request("/v1/notifications/%s" % ident)
            self.assertError(response, 404, errors.NOT_FOUND)

    def test_needs_reader_role(self) -> None:
        row = self.seed.notifications[0]
        self.assertError(self.request("/v1/notifications/%s" % row.uuid,
                                      roles="member"),
                         403, errors.FORBIDDEN)


def _step(ident: int, vmove: str, name: str, status: str,
          started: int, ended: int | None = None,
          result: str | None = None) -> models.VMoveStep:
    return models.VMoveStep(
        id=ident, vmove_uuid=vmove, name=name, status=status,
        started_at=T0 + datetime.timedelta(seconds=started),
        ended_at=None if ended is None else
        T0 + datetime.timedelta(seconds=ended), result=result)


class TestWorkflowDetails(testtools.TestCase):
    """``recovery_workflow_details``: one item per task, as Masakari's."""

    def test_one_item_per_task_over_every_instance(self) -> None:
        steps = [
            (_step(1, "m1", "plan", "succeeded", 0, 1), "i1"),
            (_step(2, "m2", "plan", "succeeded", 0, 2), "i2"),
            (_step(3, "m1", "evacuate", "failed", 1, 3, "Nova said no"),
             "i1"),
            (_step(4, "m2", "evacuate", "ongoing", 2), "i2"),
            # The redo of m1's evacuation: its last attempt counts.
            (_step(5, "m1", "evacuate", "succeeded", 4, 5), "i1"),
            (_step(6, "m1", "wait_active", "ignored", 5, 6), "i1"),
        ]
        details = notifications.workflow_details(steps)
        self.assertEqual(["plan", "evacuate", "wait_active"],
                         [d["name"] for d in details])
        self.assertEqual(["SUCCESS", "RUNNING", "SKIPPED"],
                         [d["state"] for d in details])
        self.assertEqual([1.0, 0.5, 1.0], [d["progress"] for d in details])
        plan = details[0]["progress_details"]
        self.assertEqual(
            [("2026-01-01T12:00:00.000000", "plan started for 2 "
              "instance(s)", 0.0),
             ("2026-01-01T12:00:01.000000", "instance i1: succeeded", 0.5),
             ("2026-01-01T12:00:02.000000", "instance i2: succeeded", 1.0),
             ("2026-01-01T12:00:02.000000", "plan ended: 2 succeeded",
              1.0)],
            [(d["timestamp"], d["message"], d["progress"]) for d in plan])
        self.assertEqual(
            ["evacuate started for 2 instance(s)",
             "instance i1: succeeded"],
            [d["message"] for d in details[1]["progress_details"]])

    def test_task_state(self) -> None:
        self.assertEqual("FAILURE", notifications.task_state(
            ["succeeded", "failed", "ongoing"]))
        self.assertEqual("RUNNING", notifications.task_state(
            ["succeeded", "ongoing"]))
        self.assertEqual("PENDING", notifications.task_state(
            ["pending", "ignored"]))
        self.assertEqual("SKIPPED", notifications.task_state(["ignored"]))
        self.assertEqual("SUCCESS", notifications.task_state(
            ["ignored", "succeeded"]))
