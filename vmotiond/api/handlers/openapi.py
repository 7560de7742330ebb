"""The OpenAPI document of the whole API: ``GET /openapi.json``."""

import functools
import json
import pathlib
from typing import Any

import webob
import yaml

from vmotiond.api import util

PATH = pathlib.Path(__file__).resolve().parent.parent / "openapi.yaml"


@functools.cache
def document() -> dict[str, Any]:
    """Return the document kept in ``vmotiond/api/openapi.yaml``."""
    with PATH.open(encoding="utf-8") as stream:
        loaded: dict[str, Any] = yaml.safe_load(stream)
    return loaded


@functools.cache
def _body() -> bytes:
    return json.dumps(document(), separators=(",", ":")).encode()


def show_document(req: webob.Request) -> webob.Response:
    """GET /openapi.json: 200 with the OpenAPI 3.1 document."""
    response = util.json_response({})
    response.body = _body()
    return response
