"""Glance v2, as much as vmotiond reads: ``GET /v2/images/{image_id}``.

The body is Glance's: base properties (null when unset), ``tags``, and
every custom property as a top-level key with a string value. Like
Glance, errors are webob pages (HTML to a client that accepts anything),
not JSON API errors; a private image of another project is a 404.
"""

import functools
from typing import Any

import webob
import webob.exc

from vmotiond.sim import compute_views as views
from vmotiond.sim import errors
from vmotiond.sim import images
from vmotiond.sim import service
from vmotiond.sim import wsgi

VERSION = "v2.16"


class GlanceApp(service.ServiceApp):
    """The image API under ``/image``."""

    name = "image"

    def add_routes(self) -> None:
        self.router.add("GET", "/images/{image_id}",
                        functools.partial(show_image, self), "images.show")

    def discovery(self, request: webob.Request) -> webob.Response | None:
        if request.method == "GET" and request.path_info.rstrip("/") in (
                "", "/versions"):
            return wsgi.json_response(300, {"versions": [{
                "id": VERSION, "status": "CURRENT",
                "links": [{"rel": "self", "href": self.url + "/v2/"}]}]})
        return None

    def versioned_path(self, path: str) -> str | None:
        return path[len("/v2"):] if path.startswith("/v2/") else None

    def versioned_url(self) -> str:
        return self.url + "/v2"

    def _fail(self, exc: errors.SimError,
              version: tuple[int, int] | None = None) -> webob.Response:
        if exc.code == 404:
            page: webob.Response = webob.exc.HTTPNotFound(
                explanation=exc.message)
            return page
        return super()._fail(exc, version)


def view(image: images.Image) -> dict[str, Any]:
    """An image as Glance v2 shows it."""
    created = views.isotime(image.created_at)
    body: dict[str, Any] = {
        "id": image.id, "name": image.name, "status": "active",
        "visibility": image.visibility, "protected": False,
        "os_hidden": False, "owner": image.owner, "checksum": None,
        "os_hash_algo": None, "os_hash_value": None, "size": None,
        "virtual_size": None, "min_ram": 0, "min_disk": 0,
        "disk_format": "qcow2", "container_format": "bare",
        "created_at": created, "updated_at": created,
        "tags": list(image.tags), "self": "/v2/images/%s" % image.id,
        "file": "/v2/images/%s/file" % image.id,
        "schema": "/v2/schemas/image"}
    body.update(image.properties)
    return body


def show_image(app: GlanceApp, ctx: wsgi.Context, image_id: str
               ) -> wsgi.Reply:
    """GET /v2/images/{image_id}: 200, or 404 for an unknown image or a
    private one of another project."""
    image = app.cloud.images.get(image_id)
    if image is None or not (
            image.visibility == "public" or ctx.is_admin or (
                ctx.token is not None
                and ctx.token.project_id == image.owner)):
        raise errors.NotFound("No image found with ID %s" % image_id)
    return wsgi.Reply(200, view(image))
