"""Nova's instances for the operator's pages: GET /v1/operator/hosts/
{name}/instances, /v1/operator/instances and /v1/operator/instances/
targets (1.6), against a fake engine that records what it is asked."""

import json

from tests.unit.api.handlers import test_operator
from vmotiond import exception
from vmotiond.api import deploy
from vmotiond.api import errors
from vmotiond.api.handlers import openapi

VM1 = test_operator.VM1
VM2 = test_operator.VM2
INSTANCE = {"uuid": VM1, "name": "vm1", "project_id": "p1",
            "flavor": "m1.small", "vcpus": 1, "memory_mb": 512,
            "disk_gb": 1, "host": "node1", "availability_zone": "az1",
            "addresses": [{"network": "private", "address": "10.0.0.2",
                           "kind": "fixed"}],
            "status": "ACTIVE", "task_state": None}
TARGETS = {"instances": [VM1], "targets": [
    {"host": "spare", "zone": "az1", "role": "standby",
     "memory_mb_free": 4096.0, "vcpus_free": 8.0, "disk_gb_free": 100.0}],
    "refused": [{"host": "node1", "reason": "vm1: target host node1 is "
                 "its source"}]}


class InstancesTestCase(test_operator.OperatorTestCase):

    def schema(self, path: str) -> dict:
        document = openapi.document()
        return {**document["paths"][path]["get"]["responses"]["200"][
            "content"]["application/json"]["schema"],
            "components": document["components"]}

    def valid(self, path: str, body: dict) -> None:
        import jsonschema_rs
        jsonschema_rs.Draft202012Validator(self.schema(path)).validate(body)


class TestHostInstances(InstancesTestCase):

    def test_asks_the_engine_and_answers_its_list(self):
        self.engine.answer = {"host": "node1", "instances": [INSTANCE]}
        body = self.get_json("/v1/operator/hosts/node1/instances")
        self.assertEqual(self.engine.answer, body)
        self.assertEqual([("host_instances", {"host": "node1"})],
                         self.engine.asked)
        self.valid("/v1/operator/hosts/{host_name}/instances", body)

    def test_unknown_host_is_the_engine_s_404(self):
        self.engine.refusal = exception.NotFound(kind="Compute host",
                                                 ident="nowhere")
        self.assertError(self.request("/v1/operator/hosts/nowhere/"
                                      "instances"), 404, errors.NOT_FOUND,
                         "nowhere")

    def test_unstorable_name_and_query_are_refused_without_asking(self):
        self.assertError(self.request("/v1/operator/hosts/a%00b/instances"),
                         404, errors.NOT_FOUND)
        self.assertError(self.request("/v1/operator/hosts/node1/instances"
                                      "?all=1"), 400,
                         errors.QUERY_UNSUPPORTED)
        self.assertEqual([], self.engine.asked)


class TestInstancePages(InstancesTestCase):

    def test_a_page_and_the_link_to_the_next(self):
        self.engine.answer = {"instances": [INSTANCE], "next_marker": VM1}
        body = self.get_json("/v1/operator/instances?limit=1")
        self.assertEqual([INSTANCE], body["instances"])
        self.assertEqual([("instance_list", {"limit": 1, "marker": None})],
                         self.engine.asked)
        [link] = body["instances_links"]
        self.assertEqual("next", link["rel"])
        self.assertTrue(link["href"].endswith(
            "/v1/operator/instances?limit=1&marker=%s" % VM1))
        self.valid("/v1/operator/instances", body)
        # The last page links nothing; no limit is [api] max_limit.
        self.engine.asked.clear()
        self.engine.answer = {"instances": [], "next_marker": None}
        body = self.get_json("/v1/operator/instances?marker=%s" % VM1)
        self.assertEqual({"instances": []}, body)
        self.assertEqual([("instance_list", {
            "limit": self.conf.api.max_limit, "marker": VM1})],
            self.engine.asked)

    def test_bad_paging_is_400_without_asking(self):
        for query, says in (("limit=0", "1 or more"),
                            ("limit=-1", "0 or more"),
                            ("limit=x", "integer"),
                            ("marker=vm1", "not a UUID")):
            self.assertError(self.request("/v1/operator/instances?" + query),
                             400, errors.QUERY_INVALID, says)
        self.assertError(self.request("/v1/operator/instances?sort_key=name"),
                         400, errors.QUERY_UNSUPPORTED)
        self.assertEqual([], self.engine.asked)

    def test_unknown_marker_is_the_engine_s_400(self):
        self.engine.refusal = exception.InvalidInput(
            reason="marker %s is not an instance Nova lists" % VM2)
        self.assertError(self.request("/v1/operator/instances?marker=" + VM2),
                         400, errors.ACTION_INVALID, "marker")


class TestTargets(InstancesTestCase):

    def test_the_selection_comma_separated_or_repeated(self):
        self.engine.answer = TARGETS
        body = self.get_json("/v1/operator/instances/targets?instances=%s,"
                             "%s&instances=%s" % (VM1, VM2, VM1))
        self.assertEqual(TARGETS, body)
        self.assertEqual([("instance_targets", {"instances": [VM1, VM2]})],
                         self.engine.asked)
        self.valid("/v1/operator/instances/targets", body)

    def test_bad_selections_are_400_without_asking(self):
        many = ",".join("%08d-1111-4111-8111-111111111111" % i
                        for i in range(201))
        for query, says in (("", "instances is required"),
                            ("instances=", "instances is required"),
                            ("instances=vm1", "not an instance UUID"),
                            ("instances=" + many, "at most 200"),
                            ("host=x", "Unknown query parameter")):
            response = self.request("/v1/operator/instances/targets?" + query)
            self.assertEqual(400, response.status_int, query)
            self.assertIn(says, response.text)
        self.assertEqual([], self.engine.asked)

    def test_unknown_instance_is_404(self):
        self.engine.refusal = exception.NotFound(kind="Instance", ident=VM2)
        self.assertError(self.request("/v1/operator/instances/targets?"
                                      "instances=" + VM2), 404,
                         errors.NOT_FOUND, VM2)


class TestAccess(InstancesTestCase):

    PATHS = ("/v1/operator/hosts/node1/instances", "/v1/operator/instances",
             "/v1/operator/instances/targets?instances=" + VM1)

    def test_reader_rule_admin_yes_member_no(self):
        for path in self.PATHS:
            self.assertError(self.request(path, roles="member"), 403,
                             errors.FORBIDDEN)
        self.assertEqual([], self.engine.asked)
        self.engine.answer = {"host": "node1", "instances": [],
                              "next_marker": None}
        self.get_json(self.PATHS[0], roles="admin")
        self.assertEqual(1, len(self.engine.asked))

    def test_no_engine_is_503(self):
        self.app = deploy.deploy(self.conf, self.database,
                                 self.policy.policy)
        for path in self.PATHS:
            self.assertError(self.request(path), 503,
                             errors.ENGINE_UNAVAILABLE)
        self.engine.refusal = exception.EngineUnavailable(
            topic="vmotiond-engine", timeout=1, reason="no answer")
        self.app = deploy.deploy(self.conf, self.database,
                                 self.policy.policy, engine=self.engine)
        response = self.request(self.PATHS[1])
        self.assertError(response, 503, errors.ENGINE_UNAVAILABLE)
        self.assertEqual("5", response.headers["Retry-After"])

    def test_older_microversion_is_404(self):
        for path in self.PATHS:
            self.assertError(self.request(path, version="instance-ha 1.5"),
                             404, errors.VERSION_TOO_LOW, "1.6")
        self.assertEqual([], self.engine.asked)

    def test_post_is_405(self):
        response = self.request(self.PATHS[1], method="POST")
        self.assertError(response, 405, errors.METHOD_NOT_ALLOWED)
        self.assertEqual("GET", response.headers["Allow"])
        self.assertEqual(json.loads(response.body)["badMethod"]["code"], 405)
