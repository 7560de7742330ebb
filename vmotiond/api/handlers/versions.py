"""Version discovery: ``GET /`` and ``GET /v1`` (no token needed)."""

from typing import Any

import webob

from vmotiond.api import microversion
from vmotiond.api import util

_UPDATED = "2026-01-01T00:00:00Z"


def _version(req: webob.Request) -> dict[str, Any]:
    return {
        "id": "v1.0",
        "status": "CURRENT",
        "version": microversion.VERSIONS[-1],
        "min_version": microversion.VERSIONS[0],
        "updated": _UPDATED,
        "links": [{"rel": "self", "href": req.application_url + "/v1/"}],
    }


def list_versions(req: webob.Request) -> webob.Response:
    """GET /: 200 with the major versions and their microversion range."""
    return util.json_response({"versions": [_version(req)]})


def show_version(req: webob.Request) -> webob.Response:
    """GET /v1: 200 with the v1 version document."""
    version = _version(req)
    version["media-types"] = [{
        "base": "application/json",
        "type": "application/vnd.openstack.masakari+json;version=1"}]
    return util.json_response({"version": version})
