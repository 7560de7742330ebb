"""The OpenAPI document matches the route table and the responses."""

import json
from typing import Any

import jsonschema_rs

from tests.unit.api import base
from vmotiond.api import errors
from vmotiond.api import handler
from vmotiond.api.handlers import openapi

# Served by middleware in front of the router, so not in the table.
MIDDLEWARE_PATHS = {"/healthcheck", "/metrics"}


def _validate(document: dict[str, Any], schema: dict[str, Any],
              instance: Any) -> None:
    root = {**schema, "components": document["components"]}
    jsonschema_rs.Draft202012Validator(root).validate(instance)


class TestDocument(base.ApiTestCase):

    def setUp(self) -> None:
        super().setUp()
        self.document = openapi.document()

    def test_served(self) -> None:
        served = self.get_json("/openapi.json", version=None, roles="")
        self.assertEqual(self.document, served)
        self.assertEqual("3.1.0", served["openapi"])

    def test_paths_and_methods_match_the_route_table(self) -> None:
        documented = {path: {m.upper() for m in item}
                      for path, item in self.document["paths"].items()}
        table = {path: set(methods)
                 for path, methods in handler.ROUTE_DECLARATIONS.items()}
        for path in MIDDLEWARE_PATHS:
            self.assertEqual({"GET"}, documented.pop(path))
        self.assertEqual(table, documented)

    def test_public_paths_need_no_security(self) -> None:
        for path, item in self.document["paths"].items():
            operation = item.get("get") or item["post"]
            public = operation.get("security") == []
            self.assertEqual(
                path in handler.PUBLIC_PATHS | MIDDLEWARE_PATHS, public,
                path)

    def test_documented_query_parameters_are_accepted(self) -> None:
        samples = {"limit": "1", "marker": None, "sort_dir": "asc",
                   "since": "2026-01-01T00:00:00",
                   "until": "2026-01-01T00:00:00",
                   "generated-since": "2026-01-01T00:00:00",
                   "source_host_uuid": base.NODE1_UUID}
        for path, item in self._reads():
            concrete = self._concrete(path)
            for param in self._params(item["get"]):
                if param["in"] != "query":
                    continue
                value = samples.get(param["name"], "x")
                if value is None:
                    continue
                enum = param["schema"].get("enum")
                if enum:
                    value = enum[0]
                response = self.request("%s?%s=%s" % (
                    concrete, param["name"], value))
                if response.status_int == 400:
                    self.assertNotEqual(
                        errors.QUERY_UNSUPPORTED,
                        next(iter(json.loads(response.body).values()))[
                            "error_code"], (path, param["name"]))

    def test_responses_validate_against_the_schemas(self) -> None:
        checked = 0
        for path, item in self._reads():
            operation = item["get"]
            for concrete in (self._concrete(path),
                             self._concrete(path, missing=True),
                             self._concrete(path) + "?limit=-1"):
                response = self.request(concrete)
                spec = operation["responses"].get(str(response.status_int))
                self.assertIsNotNone(spec, (concrete, response.status_int))
                spec = self._resolve(spec)
                media = spec["content"].get(response.content_type)
                self.assertIsNotNone(media, (concrete, response.content_type))
                if response.content_type == "application/json":
                    _validate(self.document, media["schema"],
                              json.loads(response.body))
                    checked += 1
        self.assertGreater(checked, 30)

    def test_detail_responses_validate(self) -> None:
        notification = self.seed.notifications[0]
        schema = self.document["paths"]["/v1/notifications/"
                                        "{notification_id}"]["get"][
            "responses"]["200"]["content"]["application/json"]["schema"]
        for version in ("instance-ha 1.0", "instance-ha 1.1"):
            _validate(self.document, schema, self.get_json(
                "/v1/notifications/%s" % notification.uuid,
                version=version))

    def _reads(self) -> list[tuple[str, dict[str, Any]]]:
        """The paths read with GET (the operator's actions are POSTs,
        checked in test_operator)."""
        return [(path, item) for path, item in self.document["paths"].items()
                if "get" in item]

    def _params(self, operation: dict[str, Any]) -> list[dict[str, Any]]:
        return [self._resolve(p) for p in operation.get("parameters", [])]

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def _concrete(self, template: str, missing: bool = False) -> str:
        notification = self.seed.notifications[0]
        move = self.seed.vmoves[notification.uuid][0]
        unknown = "083a8474-22c0-407f-b89b-c569134c3bfd"
        return (template
                .replace("{notification_id}",
                         unknown if missing else notification.uuid)
                .replace("{vmove_id}", unknown if missing else move.uuid)
                .replace("{host_name}", "nowhere" if missing else "spare"))


def _enums(node: Any) -> list[frozenset[str]]:
    """Every ``enum`` list anywhere in ``node``."""
    found: list[frozenset[str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum" and isinstance(value, list):
                found.append(frozenset(value))
            else:
                found.extend(_enums(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_enums(value))
    return found


class TestEnumsFollowTheCode(base.ApiTestCase):

    def test_every_name_set_of_the_code_is_in_the_document(self) -> None:
        from vmotiond import constants

        enums = _enums(openapi.document())
        for name in ("NOTIFICATION_TYPES", "NOTIFICATION_STATUSES",
                     "VMOVE_TYPES", "VMOVE_STATUSES", "HOST_ROLES",
                     "HOST_STATES"):
            values = frozenset(getattr(constants, name))
            self.assertIn(values, enums, name)
