"""The simulated image service's records: images with their custom
properties and tags, as Glance v2 keeps them (``glance`` serves them).

Every server boots from ``DEFAULT_IMAGE`` unless told otherwise, so the
image of a server is known until a test deletes it.
"""

import dataclasses
import datetime

# The image every simulated server boots from (``model.Server.image_id``).
DEFAULT_IMAGE = "155d900f-4e14-4e4c-a73d-069cbf4541e6"
_EPOCH = datetime.datetime(2026, 1, 1)


@dataclasses.dataclass
class Image:
    """One image: its base properties, custom properties and tags."""

    id: str
    name: str
    owner: str
    visibility: str = "public"
    properties: dict[str, str] = dataclasses.field(default_factory=dict)
    tags: list[str] = dataclasses.field(default_factory=list)
    created_at: datetime.datetime = _EPOCH


def defaults(owner: str) -> dict[str, Image]:
    """The images of a new cloud: the default one, without properties."""
    return {DEFAULT_IMAGE: Image(DEFAULT_IMAGE, "cirros-0.6.2-x86_64-disk",
                                 owner)}
