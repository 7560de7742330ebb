"""The images of a plan's instances, read once per plan.

Nova's server body names only the image's id (none for a server booted
from a volume); its properties and tags are the image service's. ``read``
asks for each distinct image once. An image deleted since its instances
booted, or an image service that fails, leave the images unread, each
with why; a cloud without an image service leaves them all unread, with
why once (``Images.missing``). Protection then falls back on its other
sources and says so; the recovery never fails for it.
"""

from collections.abc import Iterable

from oslo_log import log as logging

from vmotiond import exception
from vmotiond.cloud import base
from vmotiond.cloud import records

LOG = logging.getLogger(__name__)

DELETED = "deleted from the image service"
MISSING = "no image service in the cloud"


def read(cloud: base.Cloud, servers: Iterable[records.Server],
         doing: str) -> records.Images:
    """The images ``servers`` booted from, one request per image; the
    first failure other than a deleted image leaves the rest unread too,
    with one warning logged (while ``doing``): each of them unread for
    that reason, or, without an image service, none read and why once."""
    wanted = sorted({s.image_id for s in servers if s.image_id})
    found: dict[str, records.Image] = {}
    unread: dict[str, str] = {}
    missing = None
    for index, image_id in enumerate(wanted):
        try:
            found[image_id] = cloud.get_image(image_id)
        except exception.CloudNotFound:
            unread[image_id] = DELETED
        except exception.CloudError as exc:
            if isinstance(exc, exception.CloudServiceMissing):
                why = missing = MISSING
            else:
                why = "the image service failed: %s" % exc
                unread.update((i, why) for i in wanted[index:])
            LOG.warning("Images unread while %s (%s): their protection "
                        "property and tags are not considered", doing, why)
            break
    return records.Images(found, unread, missing)
