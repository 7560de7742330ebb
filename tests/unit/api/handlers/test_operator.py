"""The operator's actions: POST /v1/operator/.../action (1.6), against a
fake engine that records what it is asked."""

import json
from typing import Any

from tests.unit.api import base
from vmotiond import engine_client
from vmotiond import exception
from vmotiond.api import deploy
from vmotiond.api import errors

HOSTS = "/v1/operator/hosts/%s/action"
SYNC = "/v1/operator/hosts/action"
INSTANCES = "/v1/operator/instances/action"
VMOVES = "/v1/operator/vmoves/%s/action"
NOTIFICATIONS = "/v1/operator/notifications/%s/action"
VM1 = "11111111-1111-4111-8111-111111111111"
VM2 = "22222222-2222-4222-8222-222222222222"
NOTE = {"uuid": "n-1", "type": "HOST_DRAIN", "status": "new"}


class FakeEngine:
    """Answers every request with ``answer``, or raises ``refusal``."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any]]] = []
        self.answer: Any = NOTE
        self.refusal: Exception | None = None

    def ask(self, method: str, **kwargs: Any) -> Any:
        self.asked.append((method, kwargs))
        if self.refusal is not None:
            raise self.refusal
        return self.answer


class OperatorTestCase(base.ApiTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.engine = FakeEngine()
        self.app = deploy.deploy(self.conf, self.database,
                                 self.policy.policy, engine=self.engine)

    def post(self, path: str, body: Any, roles: str | None = None,
             content_type: str = "application/json",
             version: str | None = base.LATEST) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.request(path, method="POST", roles=roles,
                            version=version,
                            headers={"Content-Type": content_type,
                                     "Content-Length": str(len(raw))},
                            body=raw)

    def accepted(self, path: str, body: Any, status: int = 202) -> Any:
        response = self.post(path, body)
        self.assertEqual(status, response.status_int, response.text)
        self.assertEqual("application/json", response.content_type)
        return json.loads(response.body)


class TestHostsSync(OperatorTestCase):

    def test_sync_is_done_when_answered(self):
        self.engine.answer = {"created": 1, "updated": 2, "deleted": 0}
        body = self.accepted(SYNC, {"action": "sync"}, status=200)
        self.assertEqual({"sync": self.engine.answer}, body)
        self.assertEqual([("host_sync", {})], self.engine.asked)

    def test_bad_sync_bodies(self):
        for body, says in (({"action": "drain"}, "Unknown action"),
                           ({"action": "sync", "host": "n1"},
                            "Action sync takes no member host"),
                           ({}, "Unknown action")):
            self.assertError(self.post(SYNC, body), 400,
                             errors.ACTION_INVALID, says)
        self.assertEqual([], self.engine.asked)

    def test_sync_needs_1_7_and_the_operator(self):
        self.assertError(self.post(SYNC, {"action": "sync"},
                                   version="instance-ha 1.6"),
                         404, errors.VERSION_TOO_LOW, "1.7")
        self.assertError(self.post(SYNC, {"action": "sync"},
                                   roles="reader"), 403, errors.FORBIDDEN)
        self.assertEqual([], self.engine.asked)

    def test_nova_unreachable_is_the_engine_s_failure(self):
        self.engine.refusal = exception.CloudUnavailable(
            message="Nova did not answer")
        self.assertError(self.post(SYNC, {"action": "sync"}), 500,
                         errors.ENGINE_FAILED, "Nova did not answer")


class TestHostActions(OperatorTestCase):

    def test_drain_move_back_release_start_a_notification(self):
        for action, method in (("drain", "host_drain"),
                               ("move_back", "host_move_back"),
                               ("release", "host_release")):
            self.engine.asked.clear()
            body = self.accepted(HOSTS % "node1", {"action": action})
            self.assertEqual({"notification": NOTE}, body)
            self.assertEqual([(method, {"host": "node1"})],
                             self.engine.asked)

    def test_set_answers_the_record_at_once(self):
        self.engine.answer = {"host": "node1", "role": "standby",
                              "changes": ["role normal -> standby"]}
        body = self.accepted(HOSTS % "node1", {
            "action": "set", "role": "standby", "auto_evacuate": False},
            status=200)
        self.assertEqual("standby", body["host"]["role"])
        self.assertEqual([("host_set", {
            "host": "node1", "role": "standby", "auto_evacuate": False,
            "maintenance": None})], self.engine.asked)

    def test_bad_set_requests(self):
        for body, says in (
                ({"action": "set"}, "Nothing to set"),
                ({"action": "set", "role": "spare"}, "role must be one of"),
                ({"action": "set", "role": 1}, "role must be"),
                ({"action": "set", "auto_evacuate": "on"},
                 "auto_evacuate must be true or false"),
                ({"action": "set", "maintenance": 0},
                 "maintenance must be true or false"),
                ({"action": "drain", "role": "standby"},
                 "Action drain takes no member role")):
            self.assertError(self.post(HOSTS % "node1", body), 400,
                             errors.ACTION_INVALID, says)
        self.assertEqual([], self.engine.asked)

    def test_unknown_host_is_the_engine_s_404(self):
        self.engine.refusal = exception.NotFound(kind="Compute host",
                                                 ident="nowhere")
        self.assertError(self.post(HOSTS % "nowhere", {"action": "drain"}),
                         404, errors.NOT_FOUND,
                         "Compute host nowhere could not be found.")

    def test_unstorable_host_name_is_404_without_asking(self):
        self.assertError(self.post(HOSTS % "a%00b", {"action": "drain"}),
                         404, errors.NOT_FOUND)
        self.assertEqual([], self.engine.asked)


class TestBodies(OperatorTestCase):

    def test_bad_bodies_are_400_with_a_reason(self):
        for raw, content_type, says in (
                (b"{not json", "application/json", "not valid JSON"),
                (b"\xff\xfe", "application/json", "not valid JSON"),
                (b"[]", "application/json", "a JSON object"),
                (b"", "application/json", "not valid JSON"),
                # Found by tests/reliability/test_api_fuzz.py: a 500.
                (b"[" * 5000, "application/json", "nests too deeply"),
                (b'{"a": ' * 2000, "application/json", "nests too deeply"),
                (b'{"action": "drain", "x": NaN}', "application/json",
                 "not valid JSON"),
                (b'{"action": -Infinity}', "application/json",
                 "not valid JSON"),
                (b'{"action": "drain"}', "text/plain", "Content-Type"),
                (b"action=drain", "application/x-www-form-urlencoded",
                 "Content-Type"),
                (b'{"action": "dance"}', "application/json",
                 'Unknown action "dance"; expected one of: set, drain'),
                (b'{"action": ["drain"]}', "application/json",
                 "Unknown action"),
                (b'{}', "application/json", "Unknown action null")):
            response = self.post(HOSTS % "node1", raw,
                                 content_type=content_type)
            self.assertError(response, 400, errors.ACTION_INVALID, says)
        self.assertEqual([], self.engine.asked)

    def test_oversized_body_is_400(self):
        raw = json.dumps({"action": "migrate", "instances": [VM1],
                          "to": "x" * 70000}).encode()
        self.assertError(self.post(INSTANCES, raw), 400,
                         errors.ACTION_INVALID, "larger than 65536 bytes")
        # A chunked body (no length) is still cut at the limit.
        req = base.webob.Request.blank(INSTANCES, method="POST", body=raw)
        req.headers["OpenStack-API-Version"] = base.LATEST
        req.content_type = "application/json"
        del req.headers["Content-Length"]
        req.headers["Transfer-Encoding"] = "chunked"
        req.environ["wsgi.input_terminated"] = True   # as cheroot says
        self.assertError(req.get_response(self.app), 400,
                         errors.ACTION_INVALID, "larger than")
        self.assertEqual([], self.engine.asked)

    def test_get_is_405_with_allow_post(self):
        response = self.request(HOSTS % "node1")
        self.assertError(response, 405, errors.METHOD_NOT_ALLOWED)
        self.assertEqual("POST", response.headers["Allow"])


class TestInstanceActions(OperatorTestCase):

    def test_migrate_to_a_host_to_nova_or_to_the_planner(self):
        for extra, destination in (({"to": "spare"}, "spare"),
                                   ({"nova_chooses": True},
                                    engine_client.LET_NOVA_CHOOSE),
                                   ({}, None),
                                   ({"to": None, "nova_chooses": False},
                                    None)):
            self.engine.asked.clear()
            body = self.accepted(INSTANCES, {
                "action": "migrate", "instances": [VM1, VM2, VM1],
                **extra})
            self.assertEqual({"notification": NOTE}, body)
            self.assertEqual([("instance_migrate", {
                "instances": [VM1, VM2], "destination": destination,
                "mode": "auto"})], self.engine.asked)

    def test_migrate_mode_goes_to_the_engine(self):
        self.accepted(INSTANCES, {"action": "migrate", "instances": [VM1],
                                  "mode": "cold"})
        self.assertEqual("cold", self.engine.asked[0][1]["mode"])

    def test_reset_state(self):
        self.accepted(INSTANCES, {"action": "reset_state",
                                  "instances": [VM1], "state": "error"})
        self.assertEqual([("instance_reset_state", {
            "instances": [VM1], "state": "error"})], self.engine.asked)

    def test_bad_instance_requests(self):
        for body, says in (
                ({"action": "migrate"}, "instances must be a non-empty"),
                ({"action": "migrate", "instances": []}, "non-empty"),
                ({"action": "migrate", "instances": VM1}, "non-empty"),
                ({"action": "migrate", "instances": [VM1, "vm-2"]},
                 '"vm-2", not an instance UUID'),
                ({"action": "migrate", "instances": [7]}, "7, not an"),
                ({"action": "migrate", "instances": [VM1] * 1001},
                 "at most 1000"),
                ({"action": "migrate", "instances": [VM1], "to": "a",
                  "nova_chooses": True}, "not both"),
                ({"action": "migrate", "instances": [VM1], "to": ""},
                 "to must name a host"),
                ({"action": "migrate", "instances": [VM1], "to": "*"},
                 "to must name a host"),
                ({"action": "migrate", "instances": [VM1], "to": 3},
                 "to must be a host name"),
                ({"action": "migrate", "instances": [VM1], "mode": True},
                 "mode must be"),
                ({"action": "migrate", "instances": [VM1],
                  "nova_chooses": "yes"}, "nova_chooses must be"),
                ({"action": "reset_state", "instances": [VM1]},
                 "state is required"),
                ({"action": "reset_state", "instances": [VM1],
                  "state": "error", "to": "a"}, "takes no member to"),
                ({"action": "drain"}, "expected one of: migrate, "
                 "reset_state")):
            self.assertError(self.post(INSTANCES, body), 400,
                             errors.ACTION_INVALID, says)
        self.assertEqual([], self.engine.asked)


class TestEngineAnswers(OperatorTestCase):

    def test_refusals_keep_the_engine_s_message(self):
        for refusal, status, code in (
                (exception.InvalidInput(reason="target host x is unknown "
                                        "to Nova"), 400,
                 errors.ACTION_INVALID),
                (exception.NotFound(kind="Instance", ident=VM1), 404,
                 errors.NOT_FOUND),
                (exception.Conflict(reason="host node1 has HOST_DRAIN "
                                    "notification n running"), 409,
                 errors.ACTION_CONFLICT),
                (exception.InvalidStateTransition(
                    kind="vmove", ident="v", current="a", target="b"), 409,
                 errors.ACTION_CONFLICT),
                (exception.VmotiondError("the engine failed: RuntimeError: "
                                         "disk on fire"), 500,
                 errors.ENGINE_FAILED)):
            self.engine.refusal = refusal
            response = self.post(INSTANCES, {
                "action": "migrate", "instances": [VM1], "to": "x"})
            self.assertError(response, status, code, refusal.message)

    def test_silent_engine_is_503(self):
        for refusal in (exception.EngineUnavailable(
                topic="t", timeout=5, reason="no answer"),
                exception.EngineNoReply("the engine answered a ping but "
                                        "not the host_drain request")):
            self.engine.refusal = refusal
            response = self.post(HOSTS % "node1", {"action": "drain"})
            self.assertError(response, 503, errors.ENGINE_UNAVAILABLE,
                             refusal.message)
            self.assertEqual("5", response.headers["Retry-After"])

    def test_in_process_bus_without_a_shared_transport_is_503(self):
        # A lone vmotiond-api on fake:// reaches no engine, and says why.
        self.conf_fixture.set("transport_url", "fake:/")
        self.app = deploy.deploy(self.conf, self.database,
                                 self.policy.policy)
        self.assertError(self.post(HOSTS % "node1", {"action": "drain"}),
                         503, errors.ENGINE_UNAVAILABLE, "in-process")

    def test_no_engine_on_the_bus_is_503(self):
        # The all-in-one's way: a shared fake:// transport, but no server.
        import oslo_messaging

        self.conf_fixture.set("rpc_ping_timeout", 0.5, "engine")
        self.conf_fixture.set("rpc_topic", "vmotiond-api-silent", "engine")
        transport = oslo_messaging.get_rpc_transport(self.conf,
                                                     url="fake:/")
        self.addCleanup(transport.cleanup)
        link = engine_client.EngineLink(self.conf, transport)
        self.addCleanup(link.close)
        self.app = deploy.deploy(self.conf, self.database,
                                 self.policy.policy, engine=link)
        self.assertError(self.post(HOSTS % "node1", {"action": "drain"}),
                         503, errors.ENGINE_UNAVAILABLE,
                         "no vmotiond engine answered on topic "
                         "vmotiond-api-silent")


class TestTaskActions(OperatorTestCase):

    def test_redo_reset_start_again_delete_is_done(self):
        move = self.seed.vmoves[self.seed.notifications[0].uuid][1]
        for action, method, status in (("redo", "task_redo", 202),
                                       ("reset", "task_reset", 202),
                                       ("delete", "task_delete", 200)):
            self.engine.asked.clear()
            self.engine.answer = {"uuid": move.uuid, "status": "pending"}
            body = self.accepted(VMOVES % move.uuid, {"action": action},
                                 status=status)
            self.assertEqual(move.uuid, body["vmove"]["uuid"])
            self.assertEqual([(method, {"vmove": move.uuid})],
                             self.engine.asked)

    def test_vmove_by_integer_id_is_sent_by_uuid(self):
        move = self.seed.vmoves[self.seed.notifications[0].uuid][1]
        self.accepted(VMOVES % move.id, {"action": "redo"})
        self.assertEqual([("task_redo", {"vmove": move.uuid})],
                         self.engine.asked)

    def test_unknown_vmove_or_notification_is_404_without_asking(self):
        unknown = "083a8474-22c0-407f-b89b-c569134c3bfd"
        self.assertError(self.post(VMOVES % unknown, {"action": "redo"}),
                         404, errors.NOT_FOUND)
        self.assertError(self.post(VMOVES % "x", {"action": "redo"}),
                         404, errors.NOT_FOUND)
        self.assertError(self.post(NOTIFICATIONS % unknown,
                                   {"action": "abort"}),
                         404, errors.NOT_FOUND)
        self.assertEqual([], self.engine.asked)

    def test_vmove_bad_action(self):
        move = self.seed.vmoves[self.seed.notifications[0].uuid][1]
        self.assertError(self.post(VMOVES % move.uuid, {"action": "abort"}),
                         400, errors.ACTION_INVALID,
                         "expected one of: redo, reset, delete")

    def test_abort(self):
        note = self.seed.notifications[0]
        body = self.accepted(NOTIFICATIONS % note.uuid, {"action": "abort"},
                             status=200)
        self.assertEqual({"notification": NOTE}, body)
        self.assertEqual([("notification_abort",
                           {"notification": note.uuid})], self.engine.asked)
        self.assertError(self.post(NOTIFICATIONS % note.uuid,
                                   {"action": "redo"},
                                   version="instance-ha 1.6"),
                         400, errors.ACTION_INVALID, "expected one of: abort")
        self.assertError(self.post(NOTIFICATIONS % note.uuid,
                                   {"action": "delete"}),
                         400, errors.ACTION_INVALID,
                         "expected one of: abort, redo, reset")

    def test_redo_and_reset_a_notification_s_vmoves_together(self):
        note = self.seed.notifications[0]
        self.engine.answer = NOTE
        for action, method in (("redo", "notification_redo"),
                               ("reset", "notification_reset")):
            self.engine.asked.clear()
            body = self.accepted(NOTIFICATIONS % note.uuid,
                                 {"action": action})
            self.assertEqual({"notification": NOTE}, body)
            self.assertEqual([(method, {"notification": note.uuid,
                                        "vmoves": None})],
                             self.engine.asked)
        self.engine.asked.clear()
        self.accepted(NOTIFICATIONS % note.uuid,
                      {"action": "redo", "vmoves": [VM1, VM2, VM1]})
        self.assertEqual([("notification_redo", {
            "notification": note.uuid, "vmoves": [VM1, VM2]})],
            self.engine.asked)
        self.engine.asked.clear()
        for vmoves, says in (([], "non-empty list"), ("x", "non-empty list"),
                             (["x"], 'holds "x"')):
            self.assertError(self.post(NOTIFICATIONS % note.uuid,
                                       {"action": "reset",
                                        "vmoves": vmoves}),
                             400, errors.ACTION_INVALID, says)
        self.assertError(self.post(NOTIFICATIONS % note.uuid,
                                   {"action": "abort", "vmoves": [VM1]}),
                         400, errors.ACTION_INVALID, "takes no member")
        self.assertEqual([], self.engine.asked)


class TestAccess(OperatorTestCase):

    def _every_action(self) -> list[tuple[str, dict[str, Any]]]:
        note = self.seed.notifications[0]
        move = self.seed.vmoves[note.uuid][0]
        return [(HOSTS % "node1", {"action": "drain"}),
                (SYNC, {"action": "sync"}),
                (INSTANCES, {"action": "reset_state", "instances": [VM1],
                             "state": "active"}),
                (VMOVES % move.uuid, {"action": "redo"}),
                (NOTIFICATIONS % note.uuid, {"action": "abort"})]

    def test_a_reader_is_refused_403(self):
        for path, body in self._every_action():
            for roles in ("reader", "member", ""):
                self.assertError(self.post(path, body, roles=roles), 403,
                                 errors.FORBIDDEN, "vmotiond:operator:")
        self.assertEqual([], self.engine.asked)

    def test_an_admin_is_refused_where_the_policy_says_so(self):
        self.policy.set_rules({"vmotiond:operator": "!"})
        for path, body in self._every_action():
            self.assertError(self.post(path, body, roles="admin"), 403,
                             errors.FORBIDDEN)
        self.assertEqual([], self.engine.asked)

    def test_the_policy_may_open_one_action(self):
        self.policy.set_rules(
            {"vmotiond:operator:hosts:action": "role:member"})
        response = self.post(HOSTS % "node1", {"action": "drain"},
                             roles="member")
        self.assertEqual(202, response.status_int, response.text)
        self.assertEqual(1, len(self.engine.asked))
        path, body = self._every_action()[2]
        self.assertError(self.post(path, body, roles="member"), 403,
                         errors.FORBIDDEN)

    def test_older_microversion_is_404(self):
        for path, body in self._every_action():
            self.assertError(self.post(path, body,
                                       version="instance-ha 1.5"),
                             404, errors.VERSION_TOO_LOW,
                             "1.7" if path == SYNC else "1.6")
            self.assertError(self.post(path, body, version=None),
                             404, errors.VERSION_TOO_LOW)
        self.assertEqual([], self.engine.asked)

    def test_switched_off_the_actions_are_404_and_reads_go_on(self):
        self.conf_fixture.set("operator_actions", False, "api")
        self.app = deploy.deploy(self.conf, self.database,
                                 self.policy.policy, engine=self.engine)
        for path, body in self._every_action():
            self.assertError(self.post(path, body), 404,
                             errors.ROUTE_NOT_FOUND)
        self.assertEqual([], self.engine.asked)
        self.get_json("/v1/hosts/node1")
        self.get_json("/v1/notifications")


class TestDocumented(OperatorTestCase):
    """Every answer of the actions is in the OpenAPI document."""

    def test_answers_validate_against_the_document(self):
        import jsonschema_rs

        from vmotiond.api.handlers import openapi

        document = openapi.document()
        note = self.seed.notifications[0]
        move = self.seed.vmoves[note.uuid][0]
        engine_note = {"uuid": note.uuid, "type": "HOST_DRAIN",
                       "host": "node1", "status": "new", "message": None,
                       "created_at": "2026-01-01 12:00:00",
                       "updated_at": "2026-01-01 12:00:00",
                       "payload": {"host": "node1"}}
        engine_move = {"uuid": move.uuid, "notification_uuid": note.uuid,
                       "instance_uuid": VM1, "status": "pending",
                       "attempts": 1, "end_time": None}
        cases = [
            ("/v1/operator/hosts/{host_name}/action", HOSTS % "node1",
             {"action": "drain"}, engine_note, None),
            ("/v1/operator/hosts/{host_name}/action", HOSTS % "node1",
             {"action": "set", "maintenance": True},
             {"host": "node1", "role": "normal", "auto_evacuate": True,
              "maintenance": True, "changes": ["maintenance on"]}, None),
            ("/v1/operator/hosts/action", SYNC, {"action": "sync"},
             {"created": 0, "updated": 3, "deleted": 1}, None),
            ("/v1/operator/hosts/action", SYNC, {"action": "sync"}, None,
             exception.CloudUnavailable(message="no Nova")),
            ("/v1/operator/instances/action", INSTANCES,
             {"action": "migrate", "instances": [VM1]}, engine_note, None),
            ("/v1/operator/instances/action", INSTANCES,
             {"action": "migrate", "instances": ["x"]}, engine_note, None),
            ("/v1/operator/vmoves/{vmove_id}/action", VMOVES % move.uuid,
             {"action": "reset"}, engine_move, None),
            ("/v1/operator/vmoves/{vmove_id}/action", VMOVES % move.uuid,
             {"action": "delete"}, {**engine_move, "deleted": True}, None),
            ("/v1/operator/vmoves/{vmove_id}/action", VMOVES % move.uuid,
             {"action": "redo"}, None, exception.Conflict(reason="no")),
            ("/v1/operator/notifications/{notification_id}/action",
             NOTIFICATIONS % note.uuid, {"action": "abort"},
             {**engine_note, "status": "aborted"}, None),
            ("/v1/operator/notifications/{notification_id}/action",
             NOTIFICATIONS % note.uuid, {"action": "redo", "vmoves": [VM1]},
             {**engine_note, "status": "running"}, None),
            ("/v1/operator/notifications/{notification_id}/action",
             NOTIFICATIONS % note.uuid, {"action": "abort"}, None,
             exception.EngineUnavailable(topic="t", timeout=1,
                                         reason="no answer")),
        ]
        for template, path, body, answer, refusal in cases:
            self.engine.answer, self.engine.refusal = answer, refusal
            operation = document["paths"][template]["post"]
            request_schema = operation["requestBody"]["content"][
                "application/json"]["schema"]
            response = self.post(path, body)
            spec = operation["responses"].get(str(response.status_int))
            self.assertIsNotNone(spec, (path, response.status_int))
            while "$ref" in spec:
                spec = document["components"]["responses"][
                    spec["$ref"].rsplit("/", 1)[1]]
            schema = spec["content"]["application/json"]["schema"]
            for instance, against in ((json.loads(response.body), schema),
                                      (body, request_schema)):
                if against is request_schema and response.status_int == 400:
                    continue
                jsonschema_rs.Draft202012Validator(
                    {**against, "components": document["components"]}
                ).validate(instance)
