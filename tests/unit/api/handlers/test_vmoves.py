"""vmoves: Masakari's per notification (1.3) and vmotiond's history (1.4)."""

from tests.unit.api import base
from vmotiond.api import errors

MASAKARI_FIELDS = {"id", "uuid", "notification_uuid", "instance_uuid",
                   "instance_name", "source_host", "dest_host", "start_time",
                   "end_time", "type", "status", "message", "created_at",
                   "updated_at", "deleted_at", "deleted"}
UNKNOWN = "083a8474-22c0-407f-b89b-c569134c3bfd"


class TestNotificationVmoves(base.ApiTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.notification = self.seed.notifications[0]
        self.moves = self.seed.vmoves[self.notification.uuid]
        self.path = "/v1/notifications/%s/vmoves" % self.notification.uuid

    def test_list_has_masakari_fields_exactly(self) -> None:
        items = self.get_json(self.path, version="instance-ha 1.3")[
            "vmoves"]
        self.assertEqual([m.uuid for m in reversed(self.moves)],
                         [i["uuid"] for i in items])
        self.assertEqual(MASAKARI_FIELDS, set(items[-1]))
        first = items[-1]
        self.assertEqual("succeeded", first["status"])
        self.assertEqual("2026-01-01T12:00:00.000000", first["start_time"])
        self.assertEqual("2026-01-01T12:00:13.000000", first["end_time"])
        self.assertEqual("vm-0-0", first["instance_name"])

    def test_needs_1_3(self) -> None:
        for version in (None, "instance-ha 1.2"):
            response = self.request(self.path, version=version)
            self.assertError(response, 404, errors.VERSION_TOO_LOW, "1.3")

    def test_filters_and_sort(self) -> None:
        items = self.get_json(self.path + "?status=pending")["vmoves"]
        self.assertEqual(2, len(items))
        items = self.get_json(self.path + "?type=migration")["vmoves"]
        self.assertEqual([], items)
        items = self.get_json(self.path + "?sort_key=instance_name&"
                              "sort_dir=asc")["vmoves"]
        self.assertEqual(["vm-0-0", "vm-0-1", "vm-0-2"],
                         [i["instance_name"] for i in items])

    def test_paging_by_marker_and_links(self) -> None:
        page = self.get_json(self.path + "?limit=2&sort_dir=asc")
        self.assertEqual([m.uuid for m in self.moves[:2]],
                         [i["uuid"] for i in page["vmoves"]])
        self.assertIn("marker=%s" % self.moves[1].uuid,
                      page["vmoves_links"][0]["href"])
        rest = self.get_json(self.path + "?sort_dir=asc&limit=2&marker=%s"
                             % self.moves[1].uuid)
        self.assertEqual([self.moves[2].uuid],
                         [i["uuid"] for i in rest["vmoves"]])
        self.assertNotIn("vmoves_links", rest)

    def test_integer_marker_as_openstacksdk_sends(self) -> None:
        rest = self.get_json(self.path + "?sort_dir=asc&limit=5&marker=%d"
                             % self.moves[0].id)["vmoves"]
        self.assertEqual([m.uuid for m in self.moves[1:]],
                         [i["uuid"] for i in rest])
        self.assertError(self.request(self.path + "?marker=99999"), 400,
                         errors.MARKER_NOT_FOUND)

    def test_list_by_notification_integer_id(self) -> None:
        items = self.get_json("/v1/notifications/%d/vmoves"
                              % self.notification.id)["vmoves"]
        self.assertEqual(3, len(items))

    def test_bad_query_is_400(self) -> None:
        for query in ("limit=-5", "sort_key=priority;drop", "marker=x",
                      "status=done", "type=teleport", "host=node1"):
            response = self.request(self.path + "?" + query)
            self.assertEqual(400, response.status_int, query)

    def test_unknown_marker_is_400(self) -> None:
        self.assertError(self.request(self.path + "?marker=" + UNKNOWN),
                         400, errors.MARKER_NOT_FOUND)

    def test_unknown_notification_is_404(self) -> None:
        response = self.request("/v1/notifications/%s/vmoves" % UNKNOWN)
        self.assertError(response, 404, errors.NOT_FOUND, UNKNOWN)

    def test_show_by_uuid_and_id(self) -> None:
        move = self.moves[1]
        by_uuid = self.get_json("%s/%s" % (self.path, move.uuid))["vmove"]
        by_id = self.get_json("/v1/notifications/%d/vmoves/%d"
                              % (self.notification.id, move.id))["vmove"]
        self.assertEqual(by_uuid, by_id)
        self.assertEqual(move.instance_uuid, by_uuid["instance_uuid"])
        self.assertEqual(MASAKARI_FIELDS, set(by_uuid))

    def test_show_other_notifications_vmove_is_404(self) -> None:
        other = self.seed.vmoves[self.seed.notifications[1].uuid][0]
        response = self.request("%s/%s" % (self.path, other.uuid))
        self.assertError(response, 404, errors.NOT_FOUND)
        response = self.request("%s/%s" % (self.path, UNKNOWN))
        self.assertError(response, 404, errors.NOT_FOUND)

    def test_needs_reader_role(self) -> None:
        self.assertError(self.request(self.path, roles="member"), 403,
                         errors.FORBIDDEN)
        self.assertError(self.request("%s/%s" % (self.path,
                                                 self.moves[0].uuid),
                                      roles=""), 403, errors.FORBIDDEN)


class TestVmovesHistory(base.ApiTestCase):

    def all_moves(self) -> list:
        return [m for moves in self.seed.vmoves.values() for m in moves]

    def test_list_everything_newest_first(self) -> None:
        items = self.get_json("/v1/vmoves")["vmoves"]
        expected = sorted(self.all_moves(), key=lambda m: m.id,
                          reverse=True)
        self.assertEqual([m.uuid for m in expected],
                         [i["uuid"] for i in items])
        self.assertEqual(MASAKARI_FIELDS | {"priority", "attempts",
                                            "current_step"}, set(items[0]))

    def test_needs_1_4(self) -> None:
        response = self.request("/v1/vmoves", version="instance-ha 1.3")
        self.assertError(response, 404, errors.VERSION_TOO_LOW, "1.4")

    def test_filters(self) -> None:
        move = self.all_moves()[4]
        items = self.get_json("/v1/vmoves?instance_uuid=%s"
                              % move.instance_uuid)["vmoves"]
        self.assertEqual([move.uuid], [i["uuid"] for i in items])
        items = self.get_json("/v1/vmoves?host=node3")["vmoves"]
        self.assertEqual(1, len(items))
        items = self.get_json("/v1/vmoves?host=spare")["vmoves"]
        self.assertEqual(7, len(items))
        items = self.get_json("/v1/vmoves?status=succeeded,pending"
                              "&status=failed")["vmoves"]
        self.assertEqual(7, len(items))
        notification = self.seed.notifications[1].uuid
        items = self.get_json("/v1/vmoves?notification_uuid=%s"
                              % notification)["vmoves"]
        self.assertEqual({notification},
                         {i["notification_uuid"] for i in items})

    def test_time_range(self) -> None:
        moves = sorted(self.all_moves(), key=lambda m: m.created_at)
        since = moves[2].created_at.isoformat()
        until = moves[5].created_at.isoformat() + "Z"
        items = self.get_json("/v1/vmoves?since=%s&until=%s&sort_dir=asc"
                              % (since, until))["vmoves"]
        self.assertEqual([m.uuid for m in moves[2:5]],
                         [i["uuid"] for i in items])

    def test_bad_query_is_400(self) -> None:
        for query, text in [("instance_uuid=abc", "not a UUID"),
                            ("notification_uuid=1", "not a UUID"),
                            ("since=soon", "ISO 8601"),
                            ("until=2026-13-45", "ISO 8601"),
                            ("limit=-1", "limit"),
                            ("sort_key=id", "sort_key"),
                            ("instance=x", "Unknown query")]:
            response = self.request("/v1/vmoves?" + query)
            self.assertEqual(400, response.status_int, query)
            self.assertIn(text, response.text)

    def test_max_limit_caps_the_page(self) -> None:
        self.conf_fixture.set("max_limit", 3, "api")
        body = self.get_json("/v1/vmoves?limit=500")
        self.assertEqual(3, len(body["vmoves"]))
        self.assertIn("limit=3", body["vmoves_links"][0]["href"])

    def test_show(self) -> None:
        move = self.all_moves()[0]
        body = self.get_json("/v1/vmoves/%s" % move.uuid)["vmove"]
        self.assertEqual("WaitInstanceActive", body["current_step"])
        self.assertEqual(move.uuid,
                         self.get_json("/v1/vmoves/%d" % move.id)[
                             "vmove"]["uuid"])
        self.assertError(self.request("/v1/vmoves/%s" % UNKNOWN), 404,
                         errors.NOT_FOUND)
        self.assertError(self.request("/v1/vmoves/bogus"), 404,
                         errors.NOT_FOUND)

    def test_needs_reader_role(self) -> None:
        self.assertError(self.request("/v1/vmoves", roles="member"), 403,
                         errors.FORBIDDEN)
